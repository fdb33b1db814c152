import { sql } from 'drizzle-orm'
import { type Grade, gradeValue, parseStandardValues, type Warning } from '../../server/domain/grading.ts'
import type { Transaction } from '../runs/rows.ts'
import type { ComputedValue, IndicatorRow } from './definitions.ts'

export type GradedValue = ComputedValue & { grade: Grade | null; warning: Warning | null }

/**
 * Every value graded against its indicator's standard values for the campaign city's class (a 超大城市 may be
 * held to other numbers than a 大城市), at every unit level alike.
 */
export function gradeValues(
  values: readonly ComputedValue[],
  indicators: readonly IndicatorRow[],
  cityClass: string | null = null,
): GradedValue[] {
  const byId = new Map(indicators.map((i) => [i.id, i]))
  return values.map((v) => {
    const indicator = byId.get(v.indicator_id)
    return {
      ...v,
      ...gradeValue(
        v.value,
        indicator?.direction ?? 'none',
        parseStandardValues(indicator?.standard_values, cityClass),
      ),
    }
  })
}

/** What one write did: computed values written, and reported or imported values given a computed figure beside. */
export interface WrittenValues {
  computed: number
  besideReported: number
}

/**
 * Upserts the run's values on (campaign, indicator, unit type, unit key), then deletes the campaign's computed
 * values this run did not write: of units that vanished (a district, compound or block deleted or re-derived with
 * new ids) or that could no longer be computed.
 *
 * Reported and imported values are the departments' data: a computed value never replaces them. Their row keeps
 * value, grade, warning, source and run (null: nobody computed the value it holds) and gets the computed figure
 * in `computed_value`, with the run and its inputs in `details.computed`, so a large disagreement can be
 * flagged and traced. A figure this run could not compute any more is cleared.
 */
export async function writeIndicatorValues(
  tx: Transaction,
  campaignId: number,
  runId: number,
  graded: readonly GradedValue[],
): Promise<WrittenValues> {
  const written = (await tx.execute(sql`
      insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade,
        warning, source, run_id, details)
      select ${campaignId}, v.indicator_id, v.unit_type, v.unit_key, v.region_code, v.value, v.grade, v.warning,
        'computed', ${runId}, v.details
      from json_to_recordset(${JSON.stringify(graded)}::json) as v(indicator_id int, unit_type text,
        unit_key text, region_code text, value float8, grade text, warning text, details jsonb)
      on conflict (campaign_id, indicator_id, unit_type, unit_key) do update set
        value = case when indicator_values.source = 'computed' then excluded.value else indicator_values.value end,
        grade = case when indicator_values.source = 'computed' then excluded.grade else indicator_values.grade end,
        warning = case when indicator_values.source = 'computed' then excluded.warning
          else indicator_values.warning end,
        run_id = case when indicator_values.source = 'computed' then excluded.run_id
          else indicator_values.run_id end,
        region_code = excluded.region_code,
        details = case when indicator_values.source = 'computed' then excluded.details
          else indicator_values.details || jsonb_build_object('computed',
            excluded.details || jsonb_build_object('runId', ${runId}::int)) end,
        computed_value = case when indicator_values.source = 'computed' then null else excluded.value end,
        updated_at = now()
      returning indicator_values.source`)) as unknown as { rows: { source: string }[] }
  await tx.execute(sql`
    delete from indicator_values
    where campaign_id = ${campaignId} and source = 'computed' and run_id is distinct from ${runId}`)
  await tx.execute(sql`
    update indicator_values set computed_value = null, details = details - 'computed', updated_at = now()
    where campaign_id = ${campaignId} and source <> 'computed' and details->'computed' is not null
      and (details->'computed'->>'runId')::int is distinct from ${runId}`)
  const computed = written.rows.filter((r) => r.source === 'computed').length
  return { computed, besideReported: written.rows.length - computed }
}
