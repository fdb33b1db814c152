import {
  FlowProducer,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../server/db/client.ts'
import { executeJob, type FanOut, type Processors } from './processors.ts'
import {
  BACKOFF_DELAY_MS,
  DEFAULT_JOB_OPTIONS,
  DEFAULT_QUEUE_NAME,
  isJobKind,
  type JobKind,
  type JobPayload,
  type JobPhase,
  type JobRef,
  jobIdForRun,
  MAX_ATTEMPTS,
} from './queue.ts'

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
}

export interface InProcessRunnerOptions {
  /** @defaultValue {@link MAX_ATTEMPTS} */
  maxAttempts?: number
  /** Delay before the first retry, doubling each time. @defaultValue {@link BACKOFF_DELAY_MS} */
  backoffMs?: number
  /** Where a failed attempt is reported. @defaultValue `console.error` */
  onError?: (error: unknown, kind: JobKind, runId: number, attempt: number) => void
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
  private closed = false
  private readonly maxAttempts: number
  private readonly backoffMs: number
  private readonly onError: NonNullable<InProcessRunnerOptions['onError']>

  constructor(
    private readonly database: Database,
    private readonly processors: Processors,
    options: InProcessRunnerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS
    this.backoffMs = options.backoffMs ?? BACKOFF_DELAY_MS
    this.onError =
      options.onError ??
      ((error, kind, runId, attempt) => console.error(`job ${kind} run ${runId} attempt ${attempt}:`, error))
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
      const succeeded = await this.runWithRetries(job.kind, job.runId, job.phase ?? 'run')
      this.settle(jobIdForRun(job.runId, job.phase), succeeded)
    }
  }

  private async runWithRetries(kind: JobKind, runId: number, phase: JobPhase): Promise<boolean> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await executeJob(this.database, this.processors, kind, {
          runId,
          attempt,
          maxAttempts: this.maxAttempts,
          phase,
          fanOut: this.enqueueFlow,
        })
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

/** A job whose name is no known kind: produced by a newer or foreign producer, retrying cannot help. */
export class UnknownJobKindError extends UnrecoverableError {
  override name = 'UnknownJobKindError'
}

export interface BullMqRunnerOptions {
  redisUrl: string
  /** @defaultValue {@link DEFAULT_QUEUE_NAME} */
  queueName?: string
  /** Delay before the first retry, doubling each time. @defaultValue {@link BACKOFF_DELAY_MS} */
  backoffMs?: number
  /**
   * Also process jobs in this process. Without it the runner only enqueues and `npm run worker` processes.
   */
  worker?: BullMqWorkerOptions
}

export interface BullMqWorkerOptions {
  database: Database
  processors: Processors
  /** Jobs processed at once by this process. @defaultValue 1 */
  concurrency?: number
  /**
   * How soon a job of a dead worker is handed to another: its lock expires after `lockDuration` and a stalled
   * check runs every `stalledInterval` milliseconds. @defaultValue BullMQ's (30 s each)
   */
  stall?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval'>
}

/** Enqueues runs on a BullMQ queue; the payload carries the run id only. */
export class BullMqRunner implements JobRunner {
  readonly queue: Queue<JobPayload, void, JobKind>
  readonly worker: Worker<JobPayload, void, JobKind> | null
  private readonly flows: FlowProducer
  readonly enqueueFlow: FanOut

  constructor(options: BullMqRunnerOptions) {
    const queueName = options.queueName ?? DEFAULT_QUEUE_NAME
    const backoffMs = options.backoffMs ?? BACKOFF_DELAY_MS
    this.queue = new Queue<JobPayload, void, JobKind>(queueName, {
      connection: { url: options.redisUrl },
      defaultJobOptions: jobOptions(backoffMs),
    })
    this.flows = new FlowProducer({ connection: { url: options.redisUrl } })
    this.enqueueFlow = flowAdder(this.flows, queueName, backoffMs)
    this.worker = options.worker
      ? createBullMqWorker({ ...options.worker, redisUrl: options.redisUrl, queueName, backoffMs })
      : null
  }

  async enqueue(kind: JobKind, runId: number): Promise<void> {
    await this.queue.add(kind, { runId }, { jobId: jobIdForRun(runId) })
  }

  async close(): Promise<void> {
    // The worker first, so that it finishes its job before the connection it reports through goes away.
    await this.worker?.close()
    await this.flows.close()
    await this.queue.close()
  }
}

function jobOptions(backoffMs: number): JobsOptions {
  return { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: backoffMs } }
}

/**
 * Fan-out as a BullMQ flow: the join job waits in Redis until every part job has completed, so no process has to
 * remember the parts; a part that gives up fails the join (`failParentOnFailure`). Job ids are the runs' ids, so
 * adding the same flow again (a restarted process re-planning) adds nothing.
 */
function flowAdder(flows: FlowProducer, queueName: string, backoffMs: number): FanOut {
  const options = jobOptions(backoffMs)
  return async (join, parts) => {
    await flows.add({
      name: join.kind,
      queueName,
      data: { runId: join.runId, phase: 'join' } satisfies JobPayload,
      opts: { ...options, jobId: jobIdForRun(join.runId, 'join') },
      children: parts.map((part) => ({
        name: part.kind,
        queueName,
        data: { runId: part.runId } satisfies JobPayload,
        opts: { ...options, jobId: jobIdForRun(part.runId), failParentOnFailure: true },
      })),
    })
  }
}

/** A BullMQ worker running the shared processors; `close()` waits for the jobs in hand. */
export function createBullMqWorker(
  options: BullMqWorkerOptions & { redisUrl: string; queueName?: string; backoffMs?: number },
): Worker<JobPayload, void, JobKind> {
  const { database, processors } = options
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME
  const flows = new FlowProducer({ connection: { url: options.redisUrl } })
  const fanOut = flowAdder(flows, queueName, options.backoffMs ?? BACKOFF_DELAY_MS)
  const worker = new Worker<JobPayload, void, JobKind>(
    queueName,
    async (job: Job<JobPayload, void, JobKind>) => {
      if (!isJobKind(job.name)) throw new UnknownJobKindError(`unknown job kind '${job.name}'`)
      await executeJob(database, processors, job.name, {
        runId: job.data.runId,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        phase: job.data.phase ?? 'run',
        fanOut,
      })
    },
    { connection: { url: options.redisUrl }, concurrency: options.concurrency ?? 1, ...options.stall },
  )
  // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
  worker.on('error', (error) => console.error('worker error:', error))
  worker.on('closed', () => void flows.close())
  return worker
}

/** The runner the configuration asks for: BullMQ when a Redis URL is set, otherwise in-process. */
export function createJobRunner(
  database: Database,
  processors: Processors,
  options: { redisUrl?: string | undefined; queueName?: string },
): JobRunner {
  if (options.redisUrl) {
    return new BullMqRunner({
      redisUrl: options.redisUrl,
      ...(options.queueName ? { queueName: options.queueName } : {}),
    })
  }
  return new InProcessRunner(database, processors)
}

/**
 * Enqueues runs left queued or running by a stopped process. Safe to call on every start: a run already on the
 * queue keeps its job id, and the processors skip finished runs.
 */
export async function requeueUnfinishedRuns(database: Database, runner: JobRunner): Promise<number> {
  // Parts are not enqueued alone: their parent, run again, re-plans and schedules them with its join.
  const runs = await database.rows<{ id: number; kind: string }>(
    sql`select id, kind from diagnostic_runs
      where state in ('queued', 'running') and parent_id is null order by id`,
  )
  let count = 0
  for (const run of runs) {
    if (!isJobKind(run.kind)) continue
    await runner.enqueue(run.kind, run.id)
    count++
  }
  return count
}
