import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { BullMqRunner } from './bullmq.ts'
import { InProcessRunner } from './in-process.ts'
import { isJobKind } from './queue.ts'
import type { JobObserver, JobRunner, Processors } from './types.ts'

/** The runner the configuration asks for: BullMQ when a Redis URL is set, otherwise in-process. */
export function createJobRunner(
  database: Database,
  processors: Processors,
  options: { redisUrl?: string | undefined; queueName?: string; observer?: JobObserver | undefined },
): JobRunner {
  if (options.redisUrl) {
    return new BullMqRunner({
      redisUrl: options.redisUrl,
      ...(options.queueName ? { queueName: options.queueName } : {}),
    })
  }
  return new InProcessRunner(database, processors, { observer: options.observer })
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
