import { type SQL, sql } from 'drizzle-orm'
import { addWorkingDays, type HolidayDay } from '../domain/working-days.ts'

/**
 * 派单 (routing) as plain SQL over a transaction, for every door a problem comes in by: the GraphQL mutations,
 * Open311 appeals and the indicator problems raised by jobs (which may not import the GraphQL layer).
 */

/** Anything that runs SQL: a transaction, or drizzle's database. */
export interface SqlRunner {
  execute(query: SQL): Promise<unknown>
}

async function rowsOf<T>(tx: SqlRunner, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

export const UNIT_LEVELS = ['street', 'district', 'city'] as const
export type UnitLevel = (typeof UNIT_LEVELS)[number]

/** The routing rule that applies to a problem, and what it gives it. */
export interface Routing {
  /** The rule applied; null when no rule matched (nothing was routed). */
  ruleId: number | null
  /** 责任单位: the region code of the unit that answers for the problem. */
  responsibleUnit: string | null
  department: string | null
  deadline: Date | null
  /** The working days the deadline was counted with (the rule's for the problem's severity). */
  deadlineDays: number | null
}

interface RuleRow {
  id: number
  unitLevel: UnitLevel
  department: string | null
  deadlineDays: Record<string, number> | string
}

interface ProblemFacts {
  type: string
  regionCode: string
  severity: number
}

/**
 * The most specific rule for a problem type in a region: one naming the type beats one for any type, then the
 * longer region prefix beats the shorter (a rule for no region applies everywhere and comes last), then the
 * newest. A rule's region is matched by its scope prefix, as every read scope is.
 */
export async function matchRoutingRule(tx: SqlRunner, problem: ProblemFacts): Promise<RuleRow | null> {
  const [rule] = await rowsOf<RuleRow>(
    tx,
    sql`select r.id, r.unit_level as "unitLevel", r.department, r.deadline_days as "deadlineDays"
      from routing_rules r left join regions g on g.code = r.region_code
      where (r.problem_type is null or r.problem_type = ${problem.type})
        and (r.region_code is null
          or ${problem.regionCode} like coalesce(g.scope_prefix, r.region_code) || '%')
      order by (r.problem_type is not null) desc, length(coalesce(g.scope_prefix, r.region_code, '')) desc,
        r.id desc
      limit 1`,
  )
  return rule ?? null
}

const levelRank = (level: SQL) => sql`case ${level} when 'province' then 0 when 'city' then 1
  when 'district' then 2 when 'street' then 3 else 4 end`
const RANKS: Record<UnitLevel, number> = { city: 1, district: 2, street: 3 }

/**
 * The unit at `level` that a region belongs to: the nearest region at or above that level, the region itself
 * included. A city problem routed to a district level stays with the city; in a city without districts
 * (东莞, 中山) a street's problem routed to its district goes to the city.
 */
export async function unitAtLevel(tx: SqlRunner, regionCode: string, level: UnitLevel): Promise<string> {
  const [unit] = await rowsOf<{ code: string }>(
    tx,
    sql`with recursive up as (
        select code, parent_code, ${levelRank(sql`level`)} as rank, 0 as depth from regions
        where code = ${regionCode}
        union all
        select r.code, r.parent_code, ${levelRank(sql`r.level`)}, up.depth + 1
        from regions r join up on r.code = up.parent_code where up.depth < 6)
      select code from up where rank <= ${RANKS[level]} order by depth limit 1`,
  )
  return unit?.code ?? regionCode
}

/** Every day of the holidays table, for the deadline arithmetic. */
export async function loadHolidays(tx: SqlRunner): Promise<HolidayDay[]> {
  return rowsOf<HolidayDay>(tx, sql`select day, is_workday as "isWorkday" from holidays`)
}

/** A rule's deadline days for a severity ("1", "2", "3"); null when the rule sets none for it. */
export function deadlineDaysFor(rule: Pick<RuleRow, 'deadlineDays'>, severity: number): number | null {
  const days = typeof rule.deadlineDays === 'string' ? JSON.parse(rule.deadlineDays) : rule.deadlineDays
  const value = (days as Record<string, unknown>)[String(severity)]
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null
}

/**
 * What the rules give a problem of this type, region and severity, counted from `from`; nothing is written.
 * A caller routing many problems passes the holidays once read.
 */
export async function routingFor(
  tx: SqlRunner,
  problem: ProblemFacts,
  from: Date,
  holidays?: readonly HolidayDay[],
): Promise<Routing> {
  const rule = await matchRoutingRule(tx, problem)
  if (!rule)
    return { ruleId: null, responsibleUnit: null, department: null, deadline: null, deadlineDays: null }
  const days = deadlineDaysFor(rule, problem.severity)
  return {
    ruleId: rule.id,
    responsibleUnit: await unitAtLevel(tx, problem.regionCode, rule.unitLevel),
    department: rule.department,
    deadline: days === null ? null : addWorkingDays(from, days, holidays ?? (await loadHolidays(tx))),
    deadlineDays: days,
  }
}

/**
 * Applies the routing rules to a freshly filed problem: sets its responsible unit, department and deadline
 * (counted in working days from `from`, by default now) without moving its state, which stays `identified`
 * until someone routes it by hand (`routeProblem`). A problem no rule matches is left as it is.
 * Call it in the transaction that filed the problem.
 */
export async function routeNewProblem(
  tx: SqlRunner,
  problemId: number,
  from: Date = new Date(),
  holidays?: readonly HolidayDay[],
): Promise<Routing | null> {
  const [problem] = await rowsOf<ProblemFacts>(
    tx,
    sql`select type, region_code as "regionCode", severity from problems where id = ${problemId}`,
  )
  if (!problem) return null
  const routing = await routingFor(tx, problem, from, holidays)
  if (routing.ruleId === null) return routing
  await tx.execute(sql`update problems set responsible_unit = ${routing.responsibleUnit},
      responsible_department = ${routing.department}, deadline = ${routing.deadline?.toISOString() ?? null},
      updated_at = now()
    where id = ${problemId}`)
  return routing
}

/**
 * Routes the problems a diagnosis run wrote that no rule has routed yet, one routing per (type, region,
 * severity) group rather than per problem: a run writes thousands of problems of a handful of kinds.
 */
export async function routeRunProblems(
  tx: SqlRunner,
  runId: number,
  from: Date = new Date(),
): Promise<number> {
  const groups = await rowsOf<ProblemFacts>(
    tx,
    sql`select distinct type, region_code as "regionCode", severity from problems
      where run_id = ${runId} and responsible_unit is null and state <> 'closed'`,
  )
  if (groups.length === 0) return 0
  const holidays = await loadHolidays(tx)
  let routed = 0
  for (const group of groups) {
    const routing = await routingFor(tx, group, from, holidays)
    if (routing.ruleId === null) continue
    const updated = await rowsOf<{ id: number }>(
      tx,
      sql`update problems set responsible_unit = ${routing.responsibleUnit},
          responsible_department = ${routing.department}, deadline = ${routing.deadline?.toISOString() ?? null},
          updated_at = now()
        where run_id = ${runId} and responsible_unit is null and state <> 'closed' and type = ${group.type}
          and region_code = ${group.regionCode} and severity = ${group.severity}
        returning id`,
    )
    routed += updated.length
  }
  return routed
}
