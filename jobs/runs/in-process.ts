import { UnrecoverableError } from 'bullmq'
import type { Database } from '../../server/db/client.ts'
import { executeJob } from './execute.ts'
import {
  BACKOFF_DELAY_MS,
  type JobKind,
  type JobPhase,
  type JobRef,
  jobIdForRun,
  MAX_ATTEMPTS,
} from './queue.ts'
import type { FanOut, JobObserver, JobRunner, Processors } from './types.ts'

export interface InProcessRunnerOptions {
  /** @defaultValue {@link MAX_ATTEMPTS} */
  maxAttempts?: number
  /** Delay before the first retry, doubling each time. @defaultValue {@link BACKOFF_DELAY_MS} */
  backoffMs?: number
  /** Where a failed attempt is reported. @defaultValue `console.error`, or nothing when an observer logs */
  onError?: (error: unknown, kind: JobKind, runId: number, attempt: number) => void
  /** Told of every attempt: logs and metrics. */
  observer?: JobObserver | undefined
}

/**
 * Runs jobs on the event loop one at a time, with BullMQ's retry semantics (attempts, exponential backoff,
 * `UnrecoverableError` stops retrying). Used when no `REDIS_URL` is set: the embedded database is single-process
 * anyway, so a separate worker could not open it.
 */
export class InProcessRunner implements JobRunner {
  private readonly pending: JobRef[] = []
  // Ids stay here after the job finishes, like BullMQ's kept completed jobs, so a late duplicate is ignored.
  private readonly seen = new Set<string>()
  /** How each finished job ended, by job id. */
  private readonly finished = new Map<string, boolean>()
  /** Join jobs waiting for their parts, with the ids of the parts still to succeed. */
  private readonly joins = new Map<string, { job: JobRef; waiting: Set<string> }>()
  private draining: Promise<void> | null = null
  private active = 0
  private closed = false
  private readonly maxAttempts: number
  private readonly backoffMs: number
  private readonly onError: NonNullable<InProcessRunnerOptions['onError']>
  private readonly observer: JobObserver | undefined

  constructor(
    private readonly database: Database,
    private readonly processors: Processors,
    options: InProcessRunnerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS
    this.backoffMs = options.backoffMs ?? BACKOFF_DELAY_MS
    this.observer = options.observer
    this.onError =
      options.onError ??
      (this.observer
        ? () => {}
        : (error, kind, runId, attempt) =>
            console.error(`job ${kind} run ${runId} attempt ${attempt}:`, error))
  }

  async counts(): Promise<Record<string, number>> {
    return { waiting: this.pending.length, active: this.active, 'waiting-children': this.joins.size }
  }

  async enqueue(kind: JobKind, runId: number): Promise<void> {
    this.push({ kind, runId, phase: 'run' })
  }

  readonly enqueueFlow: FanOut = async (join, parts) => {
    if (this.closed) throw new RunnerClosedError()
    const joinId = jobIdForRun(join.runId, join.phase ?? 'join')
    if (this.seen.has(joinId) || this.joins.has(joinId)) return
    const waiting = new Set<string>()
    for (const part of parts) {
      const id = jobIdForRun(part.runId, part.phase)
      const outcome = this.finished.get(id)
      if (outcome === false) return // a part already gave up: the join can never run
      if (outcome === undefined) waiting.add(id)
    }
    this.joins.set(joinId, { job: { ...join, phase: join.phase ?? 'join' }, waiting })
    for (const part of parts) this.push({ ...part, phase: part.phase ?? 'run' })
    this.releaseJoins()
  }

  private push(job: JobRef): void {
    if (this.closed) throw new RunnerClosedError()
    const id = jobIdForRun(job.runId, job.phase)
    if (this.seen.has(id)) return
    this.seen.add(id)
    this.pending.push(job)
    this.draining ??= this.drain().finally(() => {
      this.draining = null
    })
  }

  /** Records how a job ended and queues the joins whose parts have all succeeded. */
  private settle(id: string, succeeded: boolean): void {
    this.finished.set(id, succeeded)
    for (const [joinId, join] of this.joins) {
      if (!join.waiting.has(id)) continue
      if (succeeded) join.waiting.delete(id)
      else this.joins.delete(joinId)
    }
    this.releaseJoins()
  }

  private releaseJoins(): void {
    for (const [joinId, join] of this.joins) {
      if (join.waiting.size > 0 || this.closed) continue
      this.joins.delete(joinId)
      this.push(join.job)
    }
  }

  /** Resolves once every enqueued job has finished (succeeded or given up). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
  }

  async close(): Promise<void> {
    this.closed = true
    // Jobs not yet started stay queued in the database; `requeueUnfinishedRuns` picks them up on the next start.
    this.pending.length = 0
    this.joins.clear()
    await this.idle()
  }

  private async drain(): Promise<void> {
    // Start on a later tick so that `enqueue` returns before the first query of the job runs.
    await new Promise((resolve) => setImmediate(resolve))
    for (let job = this.pending.shift(); job; job = this.pending.shift()) {
      this.active = 1
      const succeeded = await this.runWithRetries(job.kind, job.runId, job.phase ?? 'run').finally(() => {
        this.active = 0
      })
      this.settle(jobIdForRun(job.runId, job.phase), succeeded)
    }
  }

  private async runWithRetries(kind: JobKind, runId: number, phase: JobPhase): Promise<boolean> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await executeJob(
          this.database,
          this.processors,
          kind,
          {
            runId,
            attempt,
            maxAttempts: this.maxAttempts,
            phase,
            fanOut: this.enqueueFlow,
          },
          this.observer,
        )
        return true
      } catch (error) {
        this.onError(error, kind, runId, attempt)
        if (error instanceof UnrecoverableError || attempt === this.maxAttempts || this.closed) return false
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1)))
      }
    }
    return false
  }
}

export class RunnerClosedError extends Error {
  override name = 'RunnerClosedError'
  constructor() {
    super('the job runner is closed')
  }
}
