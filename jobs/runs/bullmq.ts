import {
  FlowProducer,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq'
import type { Database } from '../../server/db/client.ts'
import { executeJob } from './execute.ts'
import {
  BACKOFF_DELAY_MS,
  DEFAULT_JOB_OPTIONS,
  DEFAULT_QUEUE_NAME,
  isJobKind,
  type JobKind,
  type JobPayload,
  jobIdForRun,
} from './queue.ts'
import type { FanOut, JobObserver, JobRunner, Processors } from './types.ts'

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
  /** Told of every attempt: logs and metrics. */
  observer?: JobObserver | undefined
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

  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized')
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
  options: BullMqWorkerOptions & {
    redisUrl: string
    queueName?: string
    backoffMs?: number
    /** Where connection errors are reported. @defaultValue `console.error` */
    onError?: (message: string, error: unknown) => void
  },
): Worker<JobPayload, void, JobKind> {
  const { database, processors } = options
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME
  const flows = new FlowProducer({ connection: { url: options.redisUrl } })
  const fanOut = flowAdder(flows, queueName, options.backoffMs ?? BACKOFF_DELAY_MS)
  const worker = new Worker<JobPayload, void, JobKind>(
    queueName,
    async (job: Job<JobPayload, void, JobKind>) => {
      if (!isJobKind(job.name)) throw new UnknownJobKindError(`unknown job kind '${job.name}'`)
      await executeJob(
        database,
        processors,
        job.name,
        {
          runId: job.data.runId,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          phase: job.data.phase ?? 'run',
          fanOut,
        },
        options.observer,
      )
    },
    { connection: { url: options.redisUrl }, concurrency: options.concurrency ?? 1, ...options.stall },
  )
  // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
  worker.on('error', (error) => (options.onError ?? console.error)('worker error:', error))
  worker.on('closed', () => void flows.close())
  return worker
}
