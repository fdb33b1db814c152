import { UnrecoverableError } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from './events.ts'
import type { JobKind } from './queue.ts'
import type { JobAttempt, JobContext, JobObserver, Processors } from './types.ts'

/** A job of a kind this process has no processor for; retrying here cannot help. */
export class MissingProcessorError extends UnrecoverableError {
  override name = 'MissingProcessorError'
}

/**
 * Runs one attempt and records a failure on the run row: the last attempt (or an `UnrecoverableError`) marks the
 * run failed, an earlier one puts it back to queued with the error so screens see it is being retried.
 * Rethrows so the runner schedules the retry. Both runners come through here, so the observer sees every attempt.
 */
export async function executeJob(
  database: Database,
  processors: Processors,
  kind: JobKind,
  context: JobContext,
  observer?: JobObserver,
): Promise<void> {
  const attempt: JobAttempt = {
    kind,
    runId: context.runId,
    phase: context.phase ?? 'run',
    attempt: context.attempt,
    maxAttempts: context.maxAttempts,
  }
  const started = performance.now()
  observer?.started(attempt)
  try {
    const processor = processors[kind]
    if (!processor) throw new MissingProcessorError(`no processor for jobs of kind '${kind}'`)
    await processor(database, context)
    observer?.finished(attempt, 'succeeded', (performance.now() - started) / 1000)
  } catch (error) {
    const final = error instanceof UnrecoverableError || context.attempt >= context.maxAttempts
    const message = describeError(error)
    await recordFailure(database, context.runId, final, message).catch(() => {
      // The database itself may be what failed; the runner's own retry or the stalled-job check picks it up.
    })
    observer?.finished(attempt, final ? 'failed' : 'retrying', (performance.now() - started) / 1000, error)
    throw error
  }
}

async function recordFailure(database: Database, runId: number, final: boolean, message: string) {
  await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = ${final ? 'failed' : 'queued'}, error = ${message},
      finished_at = ${final ? sql`now()` : sql`finished_at`}
    where id = ${runId} and state in ('queued', 'running')`),
  )
  if (!final) return
  // A part that gave up fails the run it belongs to: the join would never have all its parts.
  await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'failed', error = ${`part run ${runId} failed: ${message}`}, finished_at = now()
    where id = (select parent_id from diagnostic_runs where id = ${runId}) and state in ('queued', 'running')`),
  )
}

/** Name, message and the driver's cause: drizzle wraps the database error in a "Failed query" one. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
  return `${error.name}: ${error.message}${cause}`
}
