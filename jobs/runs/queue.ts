import type { DefaultJobOptions } from 'bullmq'

/** Kinds of background job; each names a processor and the `kind` of its `diagnostic_runs` rows. */
export const JOB_KINDS = [
  'coverage',
  'coverage_part',
  'indicators',
  'tiles',
  'projects',
  'zoning',
  'heights',
  'annual_report',
  'exchange_send',
] as const
export type JobKind = (typeof JOB_KINDS)[number]

/**
 * Which step of its run a job is: `run` does the work (or, for a big region, fans it out into part runs);
 * `join` runs once every part has succeeded and combines them.
 */
export type JobPhase = 'run' | 'join'

/** What a queued job carries: ids only, the run row holds the parameters (STYLE.md, Jobs). */
export interface JobPayload {
  runId: number
  /** @defaultValue 'run' */
  phase?: JobPhase
}

/** One job: the kind of run, the run and the step. */
export interface JobRef {
  kind: JobKind
  runId: number
  phase?: JobPhase
}

/** @defaultValue the queue every worker process listens on unless told otherwise */
export const DEFAULT_QUEUE_NAME = 'citycheck-diagnostics'

/** Attempts per job before its run is marked failed; the first attempt counts. */
export const MAX_ATTEMPTS = 3

/** First retry after this many milliseconds, doubling each time. */
export const BACKOFF_DELAY_MS = 2_000

/**
 * One job per run: BullMQ ignores an `add` whose id already exists, so enqueueing a run twice (a retried
 * HTTP request, two screens pressing "start") never processes it twice side by side.
 */
export function jobIdForRun(runId: number, phase: JobPhase = 'run'): string {
  return phase === 'join' ? `run-${runId}-join` : `run-${runId}`
}

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: MAX_ATTEMPTS,
  backoff: { type: 'exponential', delay: BACKOFF_DELAY_MS },
  // Finished jobs are kept for a while so that a late duplicate enqueue still finds the id; the run row is
  // the durable record, so the job itself is disposable after that.
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value)
}
