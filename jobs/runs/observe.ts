import type { Logger } from 'pino'
import { Histogram, type Registry } from 'prom-client'
import type { JobObserver } from './types.ts'

/** Seconds buckets from a quick indicator run to a city-wide coverage diagnosis. */
const JOB_SECONDS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900]

/**
 * Logs every attempt (start and end at info, a failed attempt at warn, a run given up at error) and, given a registry, times
 * it in `citycheck_job_duration_seconds` by kind and outcome. Used by the server's in-process runner and by
 * `npm run worker` alike.
 */
export function createJobObserver(logger: Logger, registry?: Registry): JobObserver {
  const durations = registry
    ? new Histogram({
        name: 'citycheck_job_duration_seconds',
        help: 'Duration of background job attempts, by kind and outcome (succeeded, retrying, failed)',
        labelNames: ['kind', 'outcome'] as const,
        buckets: JOB_SECONDS_BUCKETS,
        registers: [registry],
      })
    : null
  return {
    started(job) {
      logger.info({ job }, 'job started')
    },
    finished(job, outcome, durationS, error) {
      durations?.observe({ kind: job.kind, outcome }, durationS)
      const fields = { job, outcome, durationMs: Math.round(durationS * 1000) }
      if (outcome === 'succeeded') logger.info(fields, 'job finished')
      else if (outcome === 'retrying')
        logger.warn({ ...fields, err: error }, 'job attempt failed, will retry')
      else logger.error({ ...fields, err: error }, 'job failed')
    },
  }
}
