import crypto from 'node:crypto'
import { UnrecoverableError } from 'bullmq'
import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { diagnosticRuns, type RunState } from '../../server/db/runs.ts'
import { updateAndNotify } from './events.ts'
import type { JobKind } from './queue.ts'
import type { JobRunner } from './types.ts'

export type RunRow = typeof diagnosticRuns.$inferSelect

export interface QueueRunRequest {
  kind: JobKind
  regionCode: string
  campaignId: number | null
  parameters: Record<string, unknown>
  inputVersions: Record<string, unknown>
  idempotencyKey: string
  /** States in which an existing run with the same key is returned instead of a new one. */
  reuseStates: readonly RunState[]
  requestedBy: string | null
  /** Called with the new run in the transaction that inserts it (not for a run found again). */
  onCreated?: RunChangeRecorder | undefined
}

/** What {@link queueRequestOnce} takes: the run's fields but its key, which the kind and parameters make. */
export type OnceRequest = Omit<QueueRunRequest, 'idempotencyKey' | 'reuseStates' | 'parameters'> & {
  parameters: object
}

/**
 * Queues a run keyed by its kind and parameters, or returns the same request's run while it is queued or
 * running: pressing "generate" twice starts one run, and a finished run is never reused (what it read has no
 * version the key could hold, so asking again means running again).
 */
export function queueRequestOnce(
  database: Database,
  runner: JobRunner,
  request: OnceRequest,
): Promise<{ run: RunRow; created: boolean }> {
  const idempotencyKey = crypto
    .createHash('sha256')
    .update(JSON.stringify({ kind: request.kind, ...request.parameters }))
    .digest('hex')
  return queueRun(database, runner, {
    ...request,
    parameters: request.parameters as Record<string, unknown>,
    idempotencyKey,
    reuseStates: ['queued', 'running'],
  })
}

/**
 * Inserts a queued run and enqueues it, or returns the run with the same idempotency key in one of
 * `reuseStates`. Two identical requests at once serialise on the key, so only one inserts.
 */
export async function queueRun(
  database: Database,
  runner: JobRunner,
  request: QueueRunRequest,
): Promise<{ run: RunRow; created: boolean }> {
  const started = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${request.idempotencyKey}))`)
    const [existing] = await tx
      .select()
      .from(diagnosticRuns)
      .where(
        sql`${diagnosticRuns.idempotencyKey} = ${request.idempotencyKey}
          and ${diagnosticRuns.state} = any(${sql.param([...request.reuseStates])}::text[])`,
      )
      .orderBy(sql`${diagnosticRuns.id} desc`)
      .limit(1)
    if (existing) return { run: existing, created: false }
    const [run] = await tx
      .insert(diagnosticRuns)
      .values({
        kind: request.kind,
        regionCode: request.regionCode,
        campaignId: request.campaignId,
        parameters: request.parameters,
        inputVersions: request.inputVersions,
        idempotencyKey: request.idempotencyKey,
        state: 'queued',
        message: '排队中 / queued',
        requestedBy: request.requestedBy,
      })
      .returning()
    if (!run) throw new Error('diagnostic run insert returned nothing')
    await request.onCreated?.(tx, null, run)
    return { run, created: true }
  })
  // A queued run found again is enqueued again: its first enqueue may have been lost with a crashed process,
  // and the job id makes this a no-op otherwise.
  if (started.run.state === 'queued') await runner.enqueue(request.kind, started.run.id)
  return started
}

/** A transaction of {@link Database.db}. */
export type Transaction = Parameters<Parameters<Database['db']['transaction']>[0]>[0]

/**
 * Locks run rows for an output transaction and tells whether `runId` is still running; a run cancelled (or
 * finished by a duplicate delivery) since the processor last looked must write nothing. `alsoLock` rows (a part's
 * parent) are locked with it, always in id order, so that writers locking the same rows cannot deadlock.
 */
export async function lockRunningRun(
  tx: Transaction,
  runId: number,
  alsoLock: readonly number[] = [],
): Promise<boolean> {
  const ids = [...new Set([runId, ...alsoLock])]
  const { rows } = (await tx.execute(sql`
    select id, state from diagnostic_runs where id = any(${sql.param(ids)}::int[]) order by id for update`)) as unknown as {
    rows: { id: number; state: string }[]
  }
  return rows.some((r) => r.id === runId && r.state === 'running')
}

/**
 * Marks a locked run succeeded with its outputs, in the transaction that wrote them, and tells the listeners.
 * `finished_at` is the clock's time: `now()` is the transaction's start, seconds early for a write that holds its
 * transaction while it stores ~100k gaps.
 */
export async function markRunSucceeded(tx: Transaction, runId: number, outputs: unknown): Promise<void> {
  await tx.execute(
    updateAndNotify(sql`
      update diagnostic_runs set state = 'succeeded', progress = 1, message = '完成 / done', error = null,
        outputs = ${JSON.stringify(outputs)}::jsonb, finished_at = clock_timestamp()
      where id = ${runId}`),
  )
}

export async function getRun(database: Database, runId: number): Promise<RunRow | null> {
  const [run] = await database.db.select().from(diagnosticRuns).where(eq(diagnosticRuns.id, runId))
  return run ?? null
}

/**
 * The run a job is for, or null when it is finished or cancelled already (a late or duplicate delivery).
 *
 * @throws RunNotFoundError when the row is gone.
 */
export async function unfinishedRun(database: Database, runId: number): Promise<RunRow | null> {
  const run = await getRun(database, runId)
  if (!run) throw new RunNotFoundError(`diagnostic run ${runId} does not exist`)
  return run.state === 'queued' || run.state === 'running' ? run : null
}

/** The run row is gone (deleted with its region?) or malformed; retrying cannot help. */
export class RunNotFoundError extends UnrecoverableError {
  override name = 'RunNotFoundError'
}

/** Called in the transaction that wrote a run change, so that a record of it (the audit log) commits with it. */
export type RunChangeRecorder = (tx: Transaction, before: RunRow | null, after: RunRow) => Promise<void>

/**
 * Cancels a queued or running run. A running processor notices between facility types and stops without writing;
 * a cancel that arrives after it committed changes nothing (and `onCancelled` is not called).
 *
 * @returns the run as it is now, or null when there is no such run.
 */
export async function cancelRun(
  database: Database,
  runId: number,
  onCancelled?: RunChangeRecorder,
): Promise<RunRow | null> {
  return database.db.transaction(async (tx) => {
    const [before] = await tx.select().from(diagnosticRuns).where(eq(diagnosticRuns.id, runId)).for('update')
    if (!before) return null
    const cancelled = (await tx.execute(
      updateAndNotify(sql`
      update diagnostic_runs set state = 'cancelled', finished_at = now(), message = '已取消 / cancelled'
      where (id = ${runId} or parent_id = ${runId}) and state in ('queued', 'running')`),
    )) as unknown as { rows: { id: number }[] }
    // Parts that finished before the cancel leave arrays only the join would read.
    await tx.execute(sql`delete from coverage_run_parts where parent_run_id = ${runId}`)
    const [after] = await tx.select().from(diagnosticRuns).where(eq(diagnosticRuns.id, runId))
    if (!after) throw new RunNotFoundError(`diagnostic run ${runId} vanished while cancelled`)
    if (onCancelled && cancelled.rows.some((r) => r.id === runId)) await onCancelled(tx, before, after)
    return after
  })
}
