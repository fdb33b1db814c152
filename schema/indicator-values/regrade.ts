import { type SQL, sql } from 'drizzle-orm'
import { cityClassOf, type Direction, gradeValue, parseStandardValues } from '../../server/domain/grading.ts'
import type { SqlExecutor } from '../audit.ts'

/** Which stored values to regrade; every filter given narrows the set, none given means every value. */
export interface RegradeFilter {
  campaignId?: number | null
  indicatorIds?: readonly number[] | null
  /** Values of campaigns whose region lies within this region (its own campaigns included). */
  regionCode?: string | null
}

/** How many values were read, and how many changed grade or warning, per campaign. */
export interface RegradeOutcome {
  checked: number
  changed: number
  byCampaign: { campaignId: number; regionCode: string; cityClass: string | null; changed: number }[]
}

interface StoredValue {
  id: number
  campaignId: number
  campaignRegion: string
  value: number | null
  grade: string | null
  warning: string | null
  direction: Direction
  standardValues: unknown
  cityClass: string | null
}

/**
 * Recomputes grade and warning of stored values, reported, computed and imported alike, from their indicators'
 * current standard values and the current class of each campaign's city (the nearest region at or above the
 * campaign region with a `city_class`, as the filling service and the indicator run read it). Called in the
 * transaction of the change that makes grades stale — a city class set, standards edited — so nobody reads a
 * grade the standards no longer give. One read, one write of the rows that change.
 */
export async function regradeValues(tx: SqlExecutor, filter: RegradeFilter): Promise<RegradeOutcome> {
  const stored = (
    (await tx.execute(sql`
      select v.id, v.campaign_id as "campaignId", c.region_code as "campaignRegion", v.value, v.grade, v.warning,
        i.direction, i.standard_values as "standardValues", c.city_class as "cityClass"
      from indicator_values v
      join indicators i on i.id = v.indicator_id
      join (select c.id, c.region_code, ${cityClassOf(sql`c.region_code`)} as city_class from campaigns c) c
        on c.id = v.campaign_id
      where ${conditions(filter)}
      order by v.id`)) as unknown as { rows: StoredValue[] }
  ).rows
  const changes: { id: number; grade: string | null; warning: string | null }[] = []
  const byCampaign = new Map<number, RegradeOutcome['byCampaign'][number]>()
  for (const v of stored) {
    const campaign = byCampaign.get(v.campaignId) ?? {
      campaignId: v.campaignId,
      regionCode: v.campaignRegion,
      cityClass: v.cityClass,
      changed: 0,
    }
    byCampaign.set(v.campaignId, campaign)
    const { grade, warning } =
      v.value === null
        ? { grade: null, warning: null }
        : gradeValue(v.value, v.direction, parseStandardValues(v.standardValues, v.cityClass))
    if (grade === v.grade && warning === v.warning) continue
    changes.push({ id: v.id, grade, warning })
    campaign.changed += 1
  }
  if (changes.length > 0) {
    await tx.execute(sql`
      update indicator_values v set grade = c.grade, warning = c.warning, updated_at = now()
      from json_to_recordset(${JSON.stringify(changes)}::json) as c(id int, grade text, warning text)
      where v.id = c.id`)
  }
  return { checked: stored.length, changed: changes.length, byCampaign: [...byCampaign.values()] }
}

function conditions(filter: RegradeFilter): SQL {
  const parts: SQL[] = [sql`true`]
  if (filter.campaignId != null) parts.push(sql`v.campaign_id = ${filter.campaignId}`)
  if (filter.indicatorIds) {
    parts.push(sql`v.indicator_id = any(${sql.param([...filter.indicatorIds])}::int[])`)
  }
  if (filter.regionCode != null) {
    parts.push(sql`starts_with(c.region_code,
      (select r.scope_prefix from regions r where r.code = ${filter.regionCode}))`)
  }
  return sql.join(parts, sql` and `)
}
