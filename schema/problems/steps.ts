/**
 * What every workflow write shares (transitionProblem, reInspectProblem, closeProblemNotFixed): the problem read
 * and locked in scope, the evidence and re-inspections the rules look at, and the step written with its
 * transition, audit event and live notice in the caller's transaction.
 */
import { sql } from 'drizzle-orm'
import type { ProblemState } from '../../server/db/problems.ts'
import {
  type LatestReInspection,
  type PhotoCounts,
  PROBLEM_EVENTS_CHANNEL,
  ProblemTransitionError,
} from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, forbidden, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { PROBLEM_COLUMNS, type ProblemRow, visible } from './problem.ts'

export type Outcome = 'fixed' | 'not_fixed'

/** A problem as read for a change: its row and its outcome (named apart from the ledger's columns). */
export interface LockedProblem extends ProblemRow {
  lockedOutcome: Outcome | null
}

const rowsOf = async <T>(tx: SqlExecutor, query: ReturnType<typeof sql>): Promise<T[]> =>
  ((await tx.execute(query)) as unknown as { rows: T[] }).rows

/** Reads and locks one problem within the caller's scope; NOT_FOUND outside it, as for a missing one. */
export async function lockProblem(
  tx: SqlExecutor,
  context: GraphQLContext,
  id: number,
): Promise<LockedProblem> {
  const [problem] = await rowsOf<LockedProblem>(
    tx,
    sql`select ${PROBLEM_COLUMNS}, p.outcome as "lockedOutcome" from problems p
      where p.id = ${id} and ${visible(context)} for update`,
  )
  if (!problem) throw notFound(`问题 ${id} 不存在或无权访问`, `Problem ${id} was not found`)
  return problem
}

/** The domain's refusals as API errors: bad input, or FORBIDDEN for a caller the rules exclude. */
export function asApiError(error: unknown, details: Record<string, unknown>): unknown {
  if (!(error instanceof ProblemTransitionError)) return error
  const [zh, en] = error.message.split(' / ')
  if (error.code === 'FORBIDDEN') return forbidden(zh ?? error.message, en ?? error.message)
  return badUserInput(zh ?? error.message, en ?? error.message, details)
}

/** Runs a domain check, turning its refusal into the API's error. */
export function check(rule: () => void, details: Record<string, unknown> = {}): void {
  try {
    rule()
  } catch (error) {
    throw asApiError(error, details)
  }
}

/**
 * The problem's photos by kind. An 'after' photo counts only when taken since the work was last sent back (a
 * failed re-inspection) or reopened: the photo that did not convince the inspector cannot report the redo.
 */
export async function photoCounts(tx: SqlExecutor, problemId: number): Promise<PhotoCounts> {
  const sentBack = sql`coalesce((select max(t.at) from problem_transitions t where t.problem_id = ${problemId}
    and (t.from_state in ('rectified', 're_inspected') and t.to_state = 'in_progress' or t.from_state = 'closed')),
    '-infinity')`
  const [row] = await rowsOf<PhotoCounts>(
    tx,
    sql`select count(*) filter (where kind = 'before')::int as before,
      count(*) filter (where kind = 'after' and uploaded_at > ${sentBack})::int as after
    from problem_photos where problem_id = ${problemId}`,
  )
  return row ?? { before: 0, after: 0 }
}

/** Who reported the latest rectification: the actor of the step to rectified, and the tasks' rectifiers. */
export async function rectifiersOf(tx: SqlExecutor, problemId: number): Promise<string[]> {
  const rows = await rowsOf<{ who: string }>(
    tx,
    sql`(select actor as who from problem_transitions
        where problem_id = ${problemId} and to_state = 'rectified' order by id desc limit 1)
      union select rectified_by from tasks where problem_id = ${problemId} and rectified_by is not null`,
  )
  return rows.map((r) => r.who)
}

/** The latest re-inspection made since the problem was last reported rectified. */
export async function latestReInspection(
  tx: SqlExecutor,
  problemId: number,
): Promise<LatestReInspection | null> {
  const [row] = await rowsOf<LatestReInspection>(
    tx,
    sql`select passed from re_inspections r where r.problem_id = ${problemId}
      and r.at >= coalesce((select max(at) from problem_transitions
        where problem_id = ${problemId} and to_state = 'rectified'), '-infinity')
      order by r.id desc limit 1`,
  )
  return row ?? null
}

export async function recordReInspection(
  tx: SqlExecutor,
  problemId: number,
  inspector: string,
  passed: boolean,
  note: string | null,
): Promise<void> {
  await tx.execute(sql`insert into re_inspections (problem_id, inspector, passed, note)
    values (${problemId}, ${inspector}, ${passed}, ${note})`)
}

/**
 * Reporting the problem rectified completes its open tasks and records who did it, where a task does not
 * name its rectifier yet (a task's own report keeps its author).
 */
export async function completeTasks(tx: SqlExecutor, problemId: number, actor: string): Promise<void> {
  await tx.execute(sql`update tasks set rectified_by = coalesce(rectified_by, ${actor}),
      state = case when state in ('open', 'overdue') then 'done' else state end,
      completed_at = case when state in ('open', 'overdue') then now() else completed_at end
    where problem_id = ${problemId} and state <> 'cancelled'`)
}

export interface Step {
  to: ProblemState
  reason: string | null
  outcome: Outcome | null
  /** The audit action: `transition`, `re_inspect`, `close_not_fixed`. */
  action: string
  /** What the audit event records after the change. */
  after: Record<string, unknown>
}

/** Writes the state, the transition, the audit event and the notice (sent on commit). */
export async function writeStep(
  tx: SqlExecutor,
  context: GraphQLContext,
  problem: LockedProblem,
  step: Step,
): Promise<ProblemRow> {
  const actor = context.identity?.subject ?? 'unknown'
  await tx.execute(sql`update problems set state = ${step.to}, outcome = ${step.outcome}, updated_at = now()
    where id = ${problem.id}`)
  await tx.execute(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, reason)
    values (${problem.id}, ${problem.state}, ${step.to}, ${actor}, ${step.reason})`)
  await recordAudit(tx, context, {
    entity: 'problem',
    entityId: problem.id,
    action: step.action,
    regionCode: problem.regionCode,
    before: { state: problem.state },
    after: step.after,
  })
  // Live screens and the 3D viewer hear of it on commit, from whichever process made the change.
  await tx.execute(
    sql`select pg_notify(${PROBLEM_EVENTS_CHANNEL}, ${JSON.stringify({
      id: problem.id,
      buildingId: problem.buildingId,
      regionCode: problem.regionCode,
      state: step.to,
    })})`,
  )
  const { lockedOutcome: _, ...row } = problem
  return { ...row, state: step.to }
}
