import type { Database } from '../../server/db/client.ts'
import { requeueUnfinishedRuns } from './runner.ts'
import type { JobRunner } from './types.ts'

/** How often unfinished runs are handed to the queue again. @defaultValue 30 s */
export const KEEPER_INTERVAL_MS = 30_000

export interface RunKeeper {
  /** Hands every unfinished run to the queue now; how many it handed. */
  sweep(): Promise<number>
  stop(): void
}

/**
 * Keeps every queued or running run on the queue. The run rows in PostgreSQL are the durable record; Redis may
 * lose its jobs (restarted without persistence, failed over). Enqueueing by the run's job id is a no-op while the
 * job still exists, and a processor returns at once for a run that finished meanwhile, so a sweep never runs a
 * job twice and never writes outputs twice.
 */
export function keepRunsQueued(
  database: Database,
  runner: JobRunner,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): RunKeeper {
  let sweeping: Promise<number> | null = null
  const sweep = () => {
    sweeping ??= requeueUnfinishedRuns(database, runner).finally(() => {
      sweeping = null
    })
    return sweeping
  }
  const timer = setInterval(() => {
    // Redis or PostgreSQL down for a moment: the next sweep tries again.
    sweep().catch((error: unknown) => options.onError?.(error))
  }, options.intervalMs ?? KEEPER_INTERVAL_MS)
  timer.unref()
  return { sweep, stop: () => clearInterval(timer) }
}
