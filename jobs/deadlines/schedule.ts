/**
 * When the deadline sweep runs. In-process (no Redis) a timer in the server sweeps every interval; with Redis a
 * BullMQ job scheduler on a queue of its own produces one sweep job per interval, which `npm run worker`
 * processes — whichever worker takes it, once. A sweep is not a diagnostic run: it has no parameters, no
 * outputs to keep and nothing to resume, so it has no run row; what it changed is in the audit log.
 */
import { type Job, Queue, Worker } from 'bullmq'
import type { Database } from '../../server/db/client.ts'
import { type SweepResult, sweepDeadlines } from './sweep.ts'

/** The queue of scheduled (not run-backed) jobs, apart from the runs' queue whose jobs each name a run. */
export const SCHEDULE_QUEUE_NAME = 'citycheck-schedules'
export const DEADLINE_SCHEDULER_ID = 'deadline-sweep'
export const DEADLINE_JOB_NAME = 'deadlines'

export interface DeadlineOptions {
  /** Milliseconds between sweeps. */
  intervalMs: number
  graceWorkingDays: number
  /** @defaultValue the wall clock */
  clock?: () => Date
  onSwept?: (result: SweepResult) => void
  onError?: (error: unknown) => void
}

export interface DeadlineSchedule {
  stop(): Promise<void>
}

/**
 * A sweep now and then one every interval, on the event loop: each waits for the previous one (a timeout chain,
 * not an interval), and the timer never keeps the process alive.
 */
export function startDeadlineTimer(database: Database, options: DeadlineOptions): DeadlineSchedule {
  const clock = options.clock ?? (() => new Date())
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let stopped = false
  const tick = () => {
    running = sweepDeadlines(database, { now: clock(), graceWorkingDays: options.graceWorkingDays })
      .then((result) => options.onSwept?.(result))
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = null
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref()
      })
  }
  timer = setTimeout(tick, 0).unref()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}

/**
 * Creates or updates the BullMQ job scheduler: one sweep job every interval, the first at once (BullMQ's rule
 * for `every`). Upserting again (every server start) keeps one scheduler, with the latest call's interval.
 */
export async function scheduleDeadlineSweeps(
  redisUrl: string,
  intervalMs: number,
  queueName = SCHEDULE_QUEUE_NAME,
): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: redisUrl } })
  try {
    await queue.upsertJobScheduler(
      DEADLINE_SCHEDULER_ID,
      { every: intervalMs },
      {
        name: DEADLINE_JOB_NAME,
        data: {},
        // A failed sweep is retried, and the next interval sweeps anyway; old jobs are not worth keeping.
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: 100,
          removeOnFail: 100,
        },
      },
    )
  } finally {
    await queue.close()
  }
}

/** The BullMQ worker that runs the scheduled sweeps (`npm run worker`). */
export function createDeadlineWorker(
  database: Database,
  options: Omit<DeadlineOptions, 'intervalMs'> & { redisUrl: string; queueName?: string },
): Worker {
  const clock = options.clock ?? (() => new Date())
  const worker = new Worker(
    options.queueName ?? SCHEDULE_QUEUE_NAME,
    async (job: Job) => {
      if (job.name !== DEADLINE_JOB_NAME) throw new Error(`unknown scheduled job '${job.name}'`)
      const result = await sweepDeadlines(database, {
        now: clock(),
        graceWorkingDays: options.graceWorkingDays,
      })
      options.onSwept?.(result)
      return result
    },
    { connection: { url: options.redisUrl }, concurrency: 1 },
  )
  // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
  worker.on('error', (error) => options.onError?.(error))
  worker.on('failed', (_job, error) => options.onError?.(error))
  return worker
}

/**
 * What a server does about deadlines: with Redis it (re)creates the job scheduler, and workers sweep; without
 * it, it sweeps itself on a timer.
 */
export async function startDeadlineSweeps(
  database: Database,
  options: DeadlineOptions & { redisUrl: string | undefined },
): Promise<DeadlineSchedule> {
  if (!options.redisUrl) return startDeadlineTimer(database, options)
  await scheduleDeadlineSweeps(options.redisUrl, options.intervalMs)
  return { stop: async () => {} }
}
