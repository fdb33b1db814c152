import type { Database } from '../../server/db/client.ts'
import type { JobKind, JobPhase, JobRef } from './queue.ts'

/** Where one execution of a job stands; both runners fill it the same way. */
export interface JobContext {
  runId: number
  /** 1 on the first execution, counting retries. */
  attempt: number
  maxAttempts: number
  /** @defaultValue 'run' */
  phase?: JobPhase
  /**
   * Schedules `parts` and, once all of them succeeded, `join` (a BullMQ flow, or its in-process equivalent).
   * Absent where a runner cannot fan out; a processor then does the whole run itself.
   */
  fanOut?: FanOut
}

export type FanOut = (join: JobRef, parts: readonly JobRef[]) => Promise<void>

/**
 * Does the work of one run. Must be idempotent: it may run again after a crash at any point, so it writes its
 * outputs in one transaction and returns early when the run is already finished or cancelled.
 */
export type Processor = (database: Database, context: JobContext) => Promise<void>

/** A runner given no processor for a kind fails those runs. */
export type Processors = Partial<Record<JobKind, Processor>>

/** Hands runs to whatever executes them: BullMQ workers in production, the event loop on the embedded default. */
export interface JobRunner {
  /** Schedules the run; enqueueing a run that is already queued, running or done is a no-op. */
  enqueue(kind: JobKind, runId: number): Promise<void>
  /**
   * Schedules `parts`, and `join` once every part has succeeded; a part that gives up drops the join. Runners
   * without it (a stand-in that runs the job itself) make processors do the whole run in one piece.
   */
  enqueueFlow?: FanOut
  /** Stops taking work and waits for the job in hand to finish. */
  close(): Promise<void>
  /** Jobs by state (waiting, active, delayed, waiting-children), for the queue-depth metric. */
  counts?(): Promise<Record<string, number>>
}

/** One attempt of a job, as reported to a {@link JobObserver}. */
export interface JobAttempt {
  kind: JobKind
  runId: number
  phase: JobPhase
  attempt: number
  maxAttempts: number
}

/** How an attempt ended: `retrying` when the runner will try again, `failed` when the run gave up. */
export type JobOutcome = 'succeeded' | 'retrying' | 'failed'

/** Told of every attempt by both runners (logs, metrics); must not throw. */
export interface JobObserver {
  started(job: JobAttempt): void
  finished(job: JobAttempt, outcome: JobOutcome, durationS: number, error?: unknown): void
}
