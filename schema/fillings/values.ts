import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { FillingState } from '../../server/db/fillings.ts'
import { raiseIndicatorProblems } from '../../server/db/indicator-problems.ts'
import { cityClassOf, type Direction, gradeValue, parseStandardValues } from '../../server/domain/grading.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'

/** One value as a filler writes it: which indicator for which unit, the raw input, and an optional remark. */
export interface FilledValue {
  indicatorCode: string
  unitKey: string
  /** What was typed: a number, or whatever a spreadsheet cell held (text is refused with a reason). */
  value: unknown
  remark?: string | null
}

/** Why one value was not written, in both languages; `index` is its position in the input. */
export interface FillRejection {
  index: number
  indicator: string
  unitKey: string
  message: string
}

export interface FillOutcome {
  accepted: number
  rejected: FillRejection[]
}

export interface FillingRow {
  id: number
  campaignId: number
  regionCode: string
  state: FillingState
  round: number
  lockedAt: Date | string | null
}

interface TaskRow {
  indicatorId: number
  indicatorCode: string
  unitType: string
  unitKey: string
  regionCode: string
  department: string | null
  unit: string | null
  direction: Direction
  standardValues: unknown
  parameters: Record<string, unknown>
  valueId: number | null
  oldValue: number | null
  oldSource: string | null
  oldRemark: string | null
}

/**
 * Reads a filling for change and locks its row: NOT_FOUND outside scope or when the campaign owes the region
 * nothing; CONFLICT once approved and locked, or while a review is under way (a returned filling is editable).
 */
export async function fillingForChange(
  tx: SqlExecutor,
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
): Promise<FillingRow> {
  const found =
    (await tx.execute(sql`select f.id, f.campaign_id as "campaignId", f.region_code as "regionCode",
      f.state, f.round, f.locked_at as "lockedAt", k.status as "campaignStatus"
    from fillings f join campaigns k on k.id = f.campaign_id
    where f.campaign_id = ${campaignId} and f.region_code = ${regionCode} for update of f`)) as unknown as {
      rows: (FillingRow & { campaignStatus: string })[]
    }
  const filling = found.rows[0]
  // A street fills its own units inside its district's filling: the filling is reached from below, each value
  // is then checked against the caller's scope (`rejectionOf`).
  const inScope =
    context.scope.kind === 'region' &&
    (regionCode.startsWith(context.scope.prefix) || context.scope.prefix.startsWith(regionCode))
  if (!filling || !inScope) {
    throw notFound(
      `体检任务 ${campaignId} 没有 ${regionCode} 的填报表，或无权访问`,
      `Campaign ${campaignId} has no filling for region ${regionCode}, or it is outside your scope`,
    )
  }
  if (filling.campaignStatus === 'closed') {
    throw conflict(
      `体检任务 ${campaignId} 已结束，不能再修改填报`,
      `Campaign ${campaignId} is closed; its fillings no longer change`,
      { state: filling.state },
    )
  }
  if (filling.lockedAt) {
    throw conflict(
      `${regionCode} 的填报已审定锁定，需省级解锁后才能修改`,
      `The filling of ${regionCode} is approved and locked; a province must unlock it before any change`,
      { state: filling.state },
    )
  }
  if (filling.state === 'submitted') {
    throw conflict(
      `${regionCode} 的填报正在审核中，退回后才能修改`,
      `The filling of ${regionCode} is under review; it can be changed once returned`,
      { state: filling.state },
    )
  }
  return filling
}

/**
 * 填报: writes the valid values of one filling in one transaction and answers every invalid one with its reason.
 * A value is graded at once against the edition's standards for the campaign city's class; a computed value it
 * replaces is kept beside it (`computed_value`, with its run and inputs in `details.computed`, as the indicator
 * runs keep theirs beside a reported value) so a large disagreement can be flagged and traced; the row's
 * `run_id` is then null, since no run computed the value it holds. Every change is audited.
 */
export async function fillValues(
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
  values: readonly FilledValue[],
): Promise<FillOutcome> {
  authorize(context.identity, context.scope, 'filling.fill')
  return context.database.db.transaction(async (tx) => {
    const filling = await fillingForChange(tx, context, campaignId, regionCode)
    const cityClass = await campaignCityClass(tx, campaignId)
    const tasks = await tasksOf(tx, filling.id)
    const rejected: FillRejection[] = []
    const written: number[] = []
    for (const [index, entry] of values.entries()) {
      const task = tasks.get(`${entry.indicatorCode}\u0000${entry.unitKey}`)
      const problem = task ? rejectionOf(context, task, entry.value) : noTask(entry)
      if (problem || !task) {
        rejected.push({
          index,
          indicator: entry.indicatorCode,
          unitKey: entry.unitKey,
          message: problem ?? '',
        })
        continue
      }
      written.push(await writeValue(tx, context, filling, task, entry, cityClass))
    }
    if (written.length > 0) {
      await tx.execute(sql`update fillings set updated_at = now(), state = case when state = 'returned'
        then 'draft' else state end where id = ${filling.id}`)
      // A value that grades poor or warns is a problem of the ledger from the moment it is written.
      await raiseIndicatorProblems(tx, { campaignId, valueIds: written })
    }
    return { accepted: written.length, rejected }
  })
}

function noTask(entry: FilledValue): string {
  return `该单元（${entry.unitKey}）没有指标 ${entry.indicatorCode} 的填报任务 / No filling task for indicator ${entry.indicatorCode} and unit ${entry.unitKey}`
}

/** Why a raw input cannot be this task's value, or null when it can. */
function rejectionOf(context: GraphQLContext, task: TaskRow, raw: unknown): string | null {
  const identity = context.identity
  if (context.scope.kind === 'region' && !task.regionCode.startsWith(context.scope.prefix)) {
    return `单元 ${task.unitKey} 不在本辖区（${context.scope.regionCode}）内 / Unit ${task.unitKey} lies outside your region ${context.scope.regionCode}`
  }
  if (identity?.role === 'department' && task.department !== identity.department) {
    return `该指标由${task.department ?? '其他单位'}填报，不是${identity.department ?? '本部门'} / Indicator ${task.indicatorCode} is filled by ${task.department ?? 'another unit'}, not ${identity.department ?? 'your department'}`
  }
  if (raw === null || raw === undefined || raw === '') return null
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN
  if (typeof raw === 'string' && raw.trim() === '') return null
  if (!Number.isFinite(value)) {
    return `填报值“${String(raw).slice(0, 40)}”不是数值 / The value "${String(raw).slice(0, 40)}" is not a number`
  }
  const [min, max] = rangeOf(task)
  if (value < min || value > max) {
    return `填报值 ${value} 超出范围 ${min}–${max}${task.unit ?? ''} / The value ${value} is outside ${min}–${max} ${task.unit ?? ''}`.trim()
  }
  return null
}

/** The range a value must lie in: the indicator's own `min`/`max`, else 0–100 for a percentage, else ≥ 0. */
function rangeOf(task: TaskRow): [number, number] {
  const p = task.parameters
  const percent = task.unit?.includes('%') ?? false
  const min = typeof p.min === 'number' ? p.min : 0
  const max = typeof p.max === 'number' ? p.max : percent ? 100 : Number.POSITIVE_INFINITY
  return [min, max]
}

async function writeValue(
  tx: SqlExecutor,
  context: GraphQLContext,
  filling: FillingRow,
  task: TaskRow,
  entry: FilledValue,
  cityClass: string | null,
): Promise<number> {
  const raw = entry.value
  const value =
    raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '') ? null : Number(raw)
  const { grade, warning } =
    value === null
      ? { grade: null, warning: null }
      : gradeValue(value, task.direction, parseStandardValues(task.standardValues, cityClass))
  const remark = entry.remark?.trim() ? entry.remark.trim().slice(0, 500) : null
  const who = context.identity?.subject ?? 'unknown'
  const written = (await tx.execute(sql`insert into indicator_values
      (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, warning, source, reported_by,
       reported_at, remark, review_state, updated_at)
    values (${filling.campaignId}, ${task.indicatorId}, ${task.unitType}, ${task.unitKey}, ${task.regionCode},
      ${value}, ${grade}, ${warning}, 'reported', ${who}, now(), ${remark}, 'draft', now())
    on conflict (campaign_id, indicator_id, unit_type, unit_key) do update set
      computed_value = case when indicator_values.source = 'computed' then indicator_values.value
        else indicator_values.computed_value end,
      details = case when indicator_values.source = 'computed' then jsonb_build_object('computed',
          indicator_values.details || jsonb_build_object('runId', indicator_values.run_id))
        else indicator_values.details end,
      run_id = case when indicator_values.source = 'computed' then null else indicator_values.run_id end,
      value = excluded.value, grade = excluded.grade, warning = excluded.warning, source = 'reported',
      reported_by = excluded.reported_by, reported_at = excluded.reported_at, remark = excluded.remark,
      review_state = 'draft', updated_at = now()
    returning id`)) as unknown as { rows: { id: number }[] }
  await recordAudit(tx, context, {
    entity: 'indicator_value',
    entityId: written.rows[0]?.id ?? 0,
    action: 'fill',
    regionCode: task.regionCode,
    before:
      task.valueId === null ? null : { value: task.oldValue, source: task.oldSource, remark: task.oldRemark },
    after: { indicator: task.indicatorCode, unitKey: task.unitKey, value, grade, warning, remark },
  })
  return written.rows[0]?.id ?? 0
}

/** The class the campaign's values are graded for: the grading rules' `cityClassOf` its region. */
export async function campaignCityClass(tx: SqlExecutor, campaignId: number): Promise<string | null> {
  const found = (await tx.execute(
    sql`select ${cityClassOf(sql`c.region_code`)} as "cityClass" from campaigns c where c.id = ${campaignId}`,
  )) as unknown as { rows: { cityClass: string | null }[] }
  return found.rows[0]?.cityClass ?? null
}

async function tasksOf(tx: SqlExecutor, fillingId: number): Promise<Map<string, TaskRow>> {
  const found = (await tx.execute(sql`select t.indicator_id as "indicatorId", i.code as "indicatorCode",
      t.unit_type as "unitType", t.unit_key as "unitKey", t.region_code as "regionCode", t.department, i.unit,
      i.direction, i.standard_values as "standardValues", i.parameters, v.id as "valueId", v.value as "oldValue",
      v.source as "oldSource", v.remark as "oldRemark"
    from filling_tasks t join indicators i on i.id = t.indicator_id
    left join indicator_values v on v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key
    where t.filling_id = ${fillingId}`)) as unknown as { rows: TaskRow[] }
  return new Map(found.rows.map((t) => [`${t.indicatorCode}\u0000${t.unitKey}`, t]))
}
