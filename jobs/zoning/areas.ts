import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { type Classification, type Reason, ZONING_METRICS } from '../../server/domain/zoning.ts'
import type { Transaction } from '../runs/rows.ts'
import type { BlockMetrics } from './metrics.ts'

/** Figures that add up over an area's blocks; the others (shares, densities) only mean something per block. */
const ADDITIVE = [
  'area_ha',
  'buildings',
  'old_lowrise_residential',
  'old_compounds',
  'heritage_buildings',
  'poor_values',
  'uncovered_residents',
] as const

export interface ClassifiedBlock extends BlockMetrics {
  classification: Classification
}

/** One area to write: neighbouring blocks of one district that one rule put into its class. */
export interface AreaDraft {
  ruleId: number
  areaClass: string
  regionCode: string
  blockIds: number[]
  reasons: Record<string, unknown>[]
  metrics: Record<string, number>
}

/**
 * Groups the classified blocks into areas: blocks of one rule and district closer than `gapM` (the width of the
 * roads between them) form one area, clustered in a metric CRS.
 */
export async function draftAreas(
  database: Database,
  blocks: readonly ClassifiedBlock[],
  metricSrid: number,
  gapM: number,
): Promise<AreaDraft[]> {
  if (blocks.length === 0) return []
  const byId = new Map(blocks.map((b) => [b.blockId, b]))
  const input = blocks.map((b) => ({ id: b.blockId, rule: b.classification.rule.id, region: b.regionCode }))
  const srid = sql.raw(String(Math.trunc(metricSrid)))
  const clusters = await database.rows<{ rule: number; region: string; ids: number[] }>(sql`
    with c as (
      select x.id, x.rule, x.region,
        ST_ClusterDBSCAN(ST_Transform(b.geom, ${srid}), ${gapM}::float8, 1)
          over (partition by x.rule, x.region) as k
      from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(id int, rule int, region text)
      join blocks b on b.id = x.id
    )
    select rule, region, array_agg(id order by id) as ids from c group by rule, region, k
    order by rule, region, min(id)`)
  return clusters.map((cluster) => {
    const members = cluster.ids.map((id) => byId.get(id)!)
    const rule = members[0]!.classification.rule
    return {
      ruleId: cluster.rule,
      areaClass: rule.areaClass,
      regionCode: cluster.region,
      blockIds: cluster.ids,
      reasons: reasonsOf(members),
      metrics: metricsOf(members),
    }
  })
}

/** Each condition of the rule with how many blocks it held in and the range of their figures. */
function reasonsOf(members: readonly ClassifiedBlock[]): Record<string, unknown>[] {
  const rule = members[0]!.classification.rule
  return rule.conditions.map((condition) => {
    const held = members
      .map((m) =>
        m.classification.reasons.find((r: Reason) => r.metric === condition.metric && r.op === condition.op),
      )
      .filter((r): r is Reason => r !== undefined)
    const actuals = held.map((r) => r.actual)
    const name = ZONING_METRICS[condition.metric as keyof typeof ZONING_METRICS]
    return {
      metric: condition.metric,
      op: condition.op,
      value: condition.value,
      label: name ? { zh: name.zh, en: name.en } : null,
      blocks: held.length,
      min: actuals.length ? Math.min(...actuals) : null,
      max: actuals.length ? Math.max(...actuals) : null,
    }
  })
}

function metricsOf(members: readonly ClassifiedBlock[]): Record<string, number> {
  const totals: Record<string, number> = { blocks: members.length }
  for (const key of ADDITIVE) {
    totals[key] = members.reduce((sum, m) => sum + (m.metrics[key] ?? 0), 0)
  }
  return totals
}

/**
 * Writes a run's areas, replacing what an earlier attempt of the same run wrote: the blocks of each area
 * dissolved into one polygon (buffered out by half the gap, unioned, shrunk back) so an area reads as one
 * shape across its inner roads.
 */
export async function writeAreas(
  tx: Transaction,
  run: { id: number; campaignId: number | null },
  drafts: readonly AreaDraft[],
  metricSrid: number,
  gapM: number,
): Promise<number> {
  await tx.execute(sql`delete from zoning_areas where run_id = ${run.id}`)
  const srid = sql.raw(String(Math.trunc(metricSrid)))
  const half = gapM / 2
  for (const area of drafts) {
    await tx.execute(sql`
      insert into zoning_areas (run_id, region_code, campaign_id, area_class, rule_id, geom, reasons, metrics)
      select ${run.id}, ${area.regionCode}, ${run.campaignId}, ${area.areaClass}, ${area.ruleId},
        ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(
          ST_Buffer(ST_Union(ST_Buffer(ST_Transform(b.geom, ${srid}), ${half}::float8)), ${-half}::float8),
          4326)), 3)),
        ${JSON.stringify(area.reasons)}::jsonb,
        ${JSON.stringify(area.metrics)}::jsonb
      from blocks b where b.id = any(${sql.param(area.blockIds)}::int[])`)
  }
  return drafts.length
}
