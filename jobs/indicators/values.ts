import { sql } from 'drizzle-orm'
import type { Transaction } from '../runs/rows.ts'
import type { ComputedValue, IndicatorRow } from './definitions.ts'
import { type Grade, gradeValue, parseStandardValues, type Warning } from '../../server/domain/grading.ts'

export type GradedValue = ComputedValue & { grade: Grade | null; warning: Warning | null }

/** Every value graded against its indicator's standard values, at every unit level alike. */
export function gradeValues(
  values: readonly ComputedValue[],
  indicators: readonly IndicatorRow[],
): GradedValue[] {
  const byId = new Map(indicators.map((i) => [i.id, i]))
  return values.map((v) => {
    const indicator = byId.get(v.indicator_id)
    return {
      ...v,
      ...gradeValue(v.value, indicator?.direction ?? 'none', parseStandardValues(indicator?.standard_values)),
    }
  })
}

/**
 * Upserts the run's values on (campaign, indicator, unit type, unit key), then deletes the campaign's computed
 * values this run did not write: of units that vanished (a district, compound or block deleted or re-derived with
 * new ids) or that could no longer be computed. Returns how many values were written.
 */
export async function writeIndicatorValues(
  tx: Transaction,
  campaignId: number,
  runId: number,
  graded: readonly GradedValue[],
): Promise<number> {
  // Reported and imported values are the departments' data: a computed value never replaces them.
  const written = (
    (await tx.execute(sql`
      insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade,
        warning, source, run_id, details)
      select ${campaignId}, v.indicator_id, v.unit_type, v.unit_key, v.region_code, v.value, v.grade, v.warning,
        'computed', ${runId}, v.details
      from json_to_recordset(${JSON.stringify(graded)}::json) as v(indicator_id int, unit_type text,
        unit_key text, region_code text, value float8, grade text, warning text, details jsonb)
      on conflict (campaign_id, indicator_id, unit_type, unit_key) do update
        set value = excluded.value, grade = excluded.grade, warning = excluded.warning, run_id = excluded.run_id,
          region_code = excluded.region_code, details = excluded.details, updated_at = now()
        where indicator_values.source = 'computed'
      returning id`)) as unknown as { rows: { id: number }[] }
  ).rows.length
  await tx.execute(sql`
    delete from indicator_values
    where campaign_id = ${campaignId} and source = 'computed' and run_id is distinct from ${runId}`)
  return written
}
