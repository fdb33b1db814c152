/**
 * 超期与督办: one sweep marks what has passed its deadline and escalates what stayed overdue beyond the grace
 * period, in one transaction under an advisory lock, so two schedulers (a server and a worker, two workers)
 * never sweep side by side and a crashed sweep leaves nothing half done. Every change is conditional on the
 * state it found (overdue_at still null, the escalation level it read), so a second sweep at the same moment
 * changes nothing and a retried one finishes what the first did not.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { PROBLEM_EVENTS_CHANNEL } from '../../server/domain/problem-states.ts'
import { addWorkingDays, holidayCalendar } from '../../server/domain/working-days.ts'

/** Who the audit log names for what the sweep did. */
export const SWEEP_ACTOR = 'system:deadlines'

export interface SweepOptions {
  /** The moment the sweep judges by; tests pass their own. */
  now: Date
  /** Working days an overdue problem is left with its unit before it goes one level up. */
  graceWorkingDays: number
}

export interface SweepResult {
  overdueTasks: number[]
  overdueProblems: number[]
  escalatedProblems: number[]
  escalatedTasks: number[]
}

type Executor = { execute(query: SQL): Promise<unknown> }
const rowsOf = async <T>(tx: Executor, query: SQL): Promise<T[]> =>
  ((await tx.execute(query)) as unknown as { rows: T[] }).rows

export function sweepDeadlines(database: Database, options: SweepOptions): Promise<SweepResult> {
  const now = options.now.toISOString()
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('citycheck:deadline-sweep'))`)
    const overdueTasks = await rowsOf<{ id: number; problemId: number }>(
      tx,
      sql`update tasks set overdue_at = ${now}::timestamptz, state = 'overdue'
        where state = 'open' and overdue_at is null and deadline < ${now}::timestamptz
        returning id, problem_id as "problemId"`,
    )
    const overdueProblems = await rowsOf<{ id: number; regionCode: string }>(
      tx,
      sql`update problems set overdue_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
        where state <> 'closed' and overdue_at is null and deadline < ${now}::timestamptz
        returning id, region_code as "regionCode"`,
    )
    for (const p of overdueProblems) {
      await audit(tx, p.id, p.regionCode, 'overdue', null, { overdueAt: now })
    }
    const calendar = holidayCalendar(
      await rowsOf<{ day: string; isWorkday: boolean }>(
        tx,
        sql`select day, is_workday as "isWorkday" from holidays`,
      ),
    )
    const graceOver = (since: string) =>
      addWorkingDays(new Date(since), options.graceWorkingDays, calendar) < options.now
    const escalatedProblems = await escalateProblems(tx, now, graceOver)
    const escalatedTasks = await escalateTasks(tx, now, graceOver)
    await announce(tx, [
      ...overdueTasks.map((t) => t.problemId),
      ...overdueProblems.map((p) => p.id),
      ...escalatedProblems,
    ])
    return {
      overdueTasks: overdueTasks.map((t) => t.id),
      overdueProblems: overdueProblems.map((p) => p.id),
      escalatedProblems,
      escalatedTasks,
    }
  })
}

interface Candidate {
  id: number
  regionCode: string
  since: string
  level: number
  unit: string
  parentCode: string | null
  parentLevel: string | null
}

/** Levels a problem may be escalated to: street → district → city, never to the province. */
const ESCALATION_LEVELS = new Set(['district', 'city'])

/**
 * Overdue open problems whose grace since the deadline (or since their last escalation) is over move to the
 * unit above their responsible unit (or above their own region when routing named none).
 */
async function escalateProblems(
  tx: Executor,
  now: string,
  graceOver: (since: string) => boolean,
): Promise<number[]> {
  const candidates = await rowsOf<Candidate>(
    tx,
    sql`select p.id, p.region_code as "regionCode", coalesce(p.escalated_at, p.deadline) as since,
        p.escalation_level as level, coalesce(p.responsible_unit, p.region_code) as unit,
        parent.code as "parentCode", parent.level as "parentLevel"
      from problems p
      left join regions r on r.code = coalesce(p.responsible_unit, p.region_code)
      left join regions parent on parent.code = r.parent_code
      where p.state <> 'closed' and p.overdue_at is not null and p.deadline is not null
      order by p.id`,
  )
  const escalated: number[] = []
  for (const c of candidates) {
    if (!c.parentCode || !ESCALATION_LEVELS.has(c.parentLevel ?? '') || !graceOver(c.since)) continue
    const moved = await rowsOf<{ id: number }>(
      tx,
      sql`update problems set escalation_level = escalation_level + 1, responsible_unit = ${c.parentCode},
          escalated_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
        where id = ${c.id} and escalation_level = ${c.level} returning id`,
    )
    if (moved.length === 0) continue
    await audit(
      tx,
      c.id,
      c.regionCode,
      'escalate',
      { responsibleUnit: c.unit, escalationLevel: c.level },
      { responsibleUnit: c.parentCode, escalationLevel: c.level + 1, escalatedAt: now },
    )
    escalated.push(c.id)
  }
  return escalated
}

/** Overdue tasks past the grace period are marked escalated (督办) once; their unit stays the problem's call. */
async function escalateTasks(
  tx: Executor,
  now: string,
  graceOver: (since: string) => boolean,
): Promise<number[]> {
  const overdue = await rowsOf<{ id: number; deadline: string }>(
    tx,
    sql`select id, deadline from tasks where state = 'overdue' and escalated_at is null and deadline is not null
      order by id`,
  )
  const due = overdue.filter((t) => graceOver(t.deadline)).map((t) => t.id)
  if (due.length === 0) return []
  await tx.execute(sql`update tasks set escalated_at = ${now}::timestamptz
    where id = any(${sql.param(due)}::int[]) and escalated_at is null`)
  return due
}

/** The audit event of a change the sweep made, in its transaction (ADR 0012), by the system actor. */
async function audit(
  tx: Executor,
  problemId: number,
  regionCode: string,
  action: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await tx.execute(sql`insert into audit_events
      (actor, role, department, region_code, entity, entity_id, action, before, after, request_id)
    values (${SWEEP_ACTOR}, null, null, ${regionCode}, 'problem', ${String(problemId)}, ${action},
      ${before == null ? null : JSON.stringify(before)}::jsonb, ${JSON.stringify(after)}::jsonb, null)`)
}

/** Tells live screens (problemChanged) of every problem the sweep touched, on commit, flagged overdue. */
async function announce(tx: Executor, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return
  await tx.execute(sql`select pg_notify(${PROBLEM_EVENTS_CHANNEL}, json_build_object('id', id,
      'buildingId', building_id, 'regionCode', region_code, 'state', state, 'overdue', true,
      'escalationLevel', escalation_level)::text)
    from problems where id = any(${sql.param(unique)}::int[])`)
}

/** Whether a sweep changed anything (a quiet sweep is logged at debug level only). */
export const sweptAnything = (result: SweepResult): boolean =>
  Object.values(result).some((ids) => ids.length > 0)
