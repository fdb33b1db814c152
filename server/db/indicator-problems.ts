import { type SQL, sql } from 'drizzle-orm'
import { loadHolidays, routeNewProblem, type SqlRunner } from './problem-routing.ts'

/**
 * Indicator values that grade poor (较差) or raise a warning become problems (source `indicator`), one per
 * indicator × unit × campaign, written from the filling service and from the indicator runs alike (jobs may not
 * import the GraphQL layer, so the SQL lives here).
 */

export interface RaiseIndicatorProblems {
  campaignId: number
  /** Only these values (the ones a filling just wrote); every value of the campaign when absent. */
  valueIds?: readonly number[]
}

export interface RaisedIndicatorProblems {
  /** Problems opened for values newly poor or warned; each is routed like any new problem. */
  opened: number
  /** Existing problems whose details now say the latest value, grade and warning. */
  updated: number
}

/** The stable identity of an indicator problem, so that a value written again updates instead of duplicating. */
export const indicatorDedupeKey = (v: SQL, code: SQL) =>
  sql`'indicator:' || ${v}.campaign_id || ':' || ${code} || ':' || ${v}.unit_type || ':' || ${v}.unit_key`

/** Never null, so that `not` of it is the values that are neither poor nor warned, ungraded ones included. */
const poorOrWarned = sql`(coalesce(v.grade = 'poor', false) or v.warning is not null)`

const UNIT_NAMES_ZH = JSON.stringify({
  block: '街区',
  compound: '小区',
  self_built_cluster: '自建房片区',
  building: '建筑',
  renewal_area: '片区',
})

const latest = (
  v: SQL,
) => sql`jsonb_build_object('valueId', ${v}.id, 'value', ${v}.value, 'grade', ${v}.grade,
  'warning', ${v}.warning, 'valueSource', ${v}.source, 'gradedAt', now())`

/**
 * Raises (or updates) the problems of a campaign's poor or warned values in the caller's transaction, and
 * writes the latest grade into the details of the problems of values that are poor or warned no more — which
 * stay as they are otherwise: whether a problem is solved is for the people who sign it off, not for one value.
 */
export async function raiseIndicatorProblems(
  tx: SqlRunner,
  options: RaiseIndicatorProblems,
): Promise<RaisedIndicatorProblems> {
  const only = options.valueIds ? sql`and v.id = any(${sql.param([...options.valueIds])}::int[])` : sql``
  const raised = (await tx.execute(sql`
    insert into problems as p (region_code, campaign_id, indicator_id, type, title, title_en, description,
      description_en, geom, unit_type, unit_key, building_id, severity, source, year_found, dedupe_key, details)
    select v.region_code, v.campaign_id, v.indicator_id, 'indicator',
      i.name || case when v.grade = 'poor' then '评价较差' else '' end
        || case v.warning when 'red' then '（红色预警）' when 'yellow' then '（黄色预警）' else '' end,
      coalesce(i.name_en, i.code) || case when v.grade = 'poor' then ' graded poor' else '' end
        || case v.warning when 'red' then ' (red warning)' when 'yellow' then ' (yellow warning)' else '' end,
      format('%s的%s为 %s%s', coalesce(r.name, u.zh || ' ' || v.unit_key), i.name, v.value, coalesce(i.unit, '')),
      format('%s of %s is %s%s', coalesce(i.name_en, i.code),
        coalesce(r.name_en, r.name, u.en || ' ' || v.unit_key), v.value, coalesce(' ' || i.unit, '')),
      case v.unit_type
        when 'region' then ST_PointOnSurface(r.boundary)
        when 'building' then (select b.centroid from buildings b where b.id::text = v.unit_key)
        when 'block' then (select ST_PointOnSurface(k.geom) from blocks k where k.id::text = v.unit_key)
        when 'compound' then (select ST_PointOnSurface(m.geom) from compounds m where m.id::text = v.unit_key)
      end,
      v.unit_type, v.unit_key, case when v.unit_type = 'building' then v.unit_key::int end,
      case when v.warning = 'red' then 3 else 2 end, 'indicator', c.year, ${indicatorDedupeKey(sql`v`, sql`i.code`)},
      jsonb_build_object('indicatorCode', i.code, 'unit', i.unit) || ${latest(sql`v`)}
    from indicator_values v
    join indicators i on i.id = v.indicator_id
    join campaigns c on c.id = v.campaign_id
    left join regions r on v.unit_type = 'region' and r.code = v.unit_key
    cross join lateral (select ${UNIT_NAMES_ZH}::jsonb ->> v.unit_type as zh,
      replace(v.unit_type, '_', ' ') as en) u
    where v.campaign_id = ${options.campaignId} and ${poorOrWarned} ${only}
    on conflict (dedupe_key) do update set title = excluded.title, title_en = excluded.title_en,
      description = excluded.description, description_en = excluded.description_en,
      severity = excluded.severity, details = p.details || excluded.details, updated_at = now()
    returning p.id, (p.xmax = 0) as opened`)) as { rows: { id: number; opened: boolean }[] }
  const calmed = (await tx.execute(sql`
    update problems p set details = p.details || ${latest(sql`v`)}, updated_at = now()
    from indicator_values v join indicators i on i.id = v.indicator_id
    where v.campaign_id = ${options.campaignId} and not ${poorOrWarned} ${only}
      and p.dedupe_key = ${indicatorDedupeKey(sql`v`, sql`i.code`)}
    returning p.id`)) as { rows: { id: number }[] }
  const opened = raised.rows.filter((r) => r.opened)
  const holidays = opened.length > 0 ? await loadHolidays(tx) : []
  const now = new Date()
  for (const problem of opened) await routeNewProblem(tx, problem.id, now, holidays)
  return { opened: opened.length, updated: raised.rows.length - opened.length + calmed.rows.length }
}
