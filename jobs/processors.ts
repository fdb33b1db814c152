import { UnrecoverableError } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../server/db/client.ts'
import { type CoverageJobHooks, processCoverageRun } from './diagnostics/coverage-job.ts'
import { processCoveragePart } from './diagnostics/coverage-parts.ts'
import { processIndicatorRun } from './diagnostics/indicators-job.ts'
import { updateAndNotify } from './diagnostics/run-events.ts'
import type { JobKind, JobPhase, JobRef } from './queue.ts'
import { processTilesRun } from './tiles/run.ts'

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

/** Coverage is required; a runner given no processor for another kind fails those runs (tests pass only one). */
export type Processors = { coverage: Processor } & Partial<Record<JobKind, Processor>>

/** A job of a kind this process has no processor for; retrying here cannot help. */
export class MissingProcessorError extends UnrecoverableError {
  override name = 'MissingProcessorError'
}

export interface ProcessorOptions {
  /** Test seams into the coverage processor (failure injection). */
  coverage?: CoverageJobHooks
}

/** The processors both runners share, so BullMQ and in-process execution behave the same. */
export function createProcessors(options: ProcessorOptions = {}): Processors {
  return {
    coverage: (database, context) => processCoverageRun(database, context, options.coverage),
    coverage_part: (database, context) => processCoveragePart(database, context, options.coverage),
    indicators: (database, context) => processIndicatorRun(database, context),
    tiles: (database, context) => processTilesRun(database, context),
  }
}

/**
 * Runs one attempt and records a failure on the run row: the last attempt (or an `UnrecoverableError`) marks the
 * run failed, an earlier one puts it back to queued with the error so screens see it is being retried.
 * Rethrows so the runner schedules the retry.
 */
export async function executeJob(
  database: Database,
  processors: Processors,
  kind: JobKind,
  context: JobContext,
): Promise<void> {
  try {
    const processor = processors[kind]
    if (!processor) throw new MissingProcessorError(`no processor for jobs of kind '${kind}'`)
    await processor(database, context)
  } catch (error) {
    const final = error instanceof UnrecoverableError || context.attempt >= context.maxAttempts
    const message = describeError(error)
    await recordFailure(database, context.runId, final, message).catch(() => {
      // The database itself may be what failed; the runner's own retry or the stalled-job check picks it up.
    })
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
