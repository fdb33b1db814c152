import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { Metrics } from '../../server/domain/zoning.ts'

/** The figures of one block, as the rules read them (names in server/domain/zoning.ts). */
export interface BlockMetrics {
  blockId: number
  regionCode: string
  metrics: Metrics
}

/** Where the figures come from: the region's blocks, a campaign's grades and the latest coverage diagnosis. */
export interface MetricInputs {
  /** `regions.scope_prefix` of the zoned region. */
  prefix: string
  campaignId: number | null
  coverageRunId: number | null
}

/**
 * The latest succeeded coverage diagnosis of the region, of a region inside it or of one around it: its blind
 * spots are where residents lack a service.
 */
export async function latestCoverageRun(database: Database, prefix: string): Promise<number | null> {
  const [run] = await database.rows<{ id: number }>(sql`
    select r.id from diagnostic_runs r join regions g on g.code = r.region_code
    where r.kind = 'coverage' and r.state = 'succeeded' and r.parent_id is null
      and (g.scope_prefix like ${`${prefix}%`} or starts_with(${prefix}, g.scope_prefix))
    order by r.id desc limit 1`)
  return run?.id ?? null
}

/**
 * Every block's figures in one statement: the building stock (counts, heights, years, historic names), old
 * compounds as the renewal-area seed recognises them, open problems inside the block per hectare, the campaign's
 * poor values of the block, and residents of the coverage run's blind spots whose point lies in the block.
 */
export async function blockMetrics(database: Database, inputs: MetricInputs): Promise<BlockMetrics[]> {
  const rows = await database.rows<{
    blockId: number
    regionCode: string
    metrics: Record<string, number>
  }>(sql`
    with b as (
      select id, region_code, geom, ST_Area(geom::geography) / 10000 as area_ha
      from blocks where region_code like ${`${inputs.prefix}%`}
    ), stock as (
      select x.block_id, count(*)::int as buildings,
        avg((x.use = 'residential')::int)::float8 as residential_share,
        (count(*) filter (where x.use = 'residential' and x.height_m < 15
          and (x.year_built is null or x.year_built < 1949)))::int as old_lowrise_residential,
        avg((coalesce(x.year_built, 9999) < 1990)::int)::float8 as old_building_share,
        avg((coalesce(x.height_m, 0) >= 24)::int)::float8 as high_rise_share,
        coalesce(avg(x.height_m), 0)::float8 as mean_height_m,
        (count(*) filter (where x.attributes ? 'old_name'))::int as heritage_buildings
      from buildings x join b on b.id = x.block_id group by x.block_id
    ), old_compounds as (
      select c.block_id, count(*)::int as n from compounds c join b on b.id = c.block_id
      where c.kind = 'compound'
        and (c.year_built < 1990 or (c.year_built is null and c.name ~ '([一二三四五六七八九十]村|新村|街坊)$'))
        and not exists (select 1 from buildings h where h.compound_id = c.id and h.height_m >= 24)
      group by c.block_id
    ), open_problems as (
      select b.id as block_id, count(*)::int as n from b join problems p
        on p.geom is not null and ST_Intersects(b.geom, p.geom)
      where p.state <> 'closed' and p.merged_into_id is null group by b.id
    ), poor as (
      select b.id as block_id, count(*)::int as n from b join indicator_values v on v.unit_key = b.id::text
      where v.campaign_id = ${inputs.campaignId} and v.unit_type = 'block' and v.grade = 'poor'
      group by b.id
    ), blind as (
      select b.id as block_id,
        sum(g.uncovered_children + g.uncovered_working + g.uncovered_elderly)::float8 as n
      from b join coverage_gaps g on ST_Intersects(b.geom, g.point)
      where g.run_id = ${inputs.coverageRunId} and g.kind = 'blind_spot' group by b.id
    )
    select b.id as "blockId", b.region_code as "regionCode", jsonb_build_object(
        'area_ha', b.area_ha,
        'buildings', coalesce(s.buildings, 0),
        'residential_share', coalesce(s.residential_share, 0),
        'old_lowrise_residential', coalesce(s.old_lowrise_residential, 0),
        'old_compounds', coalesce(oc.n, 0),
        'old_building_share', coalesce(s.old_building_share, 0),
        'high_rise_share', coalesce(s.high_rise_share, 0),
        'mean_height_m', coalesce(s.mean_height_m, 0),
        'heritage_buildings', coalesce(s.heritage_buildings, 0),
        'heritage_share', case when coalesce(s.buildings, 0) = 0 then 0
          else s.heritage_buildings::float8 / s.buildings end,
        'open_problems_per_ha', case when b.area_ha > 0 then coalesce(op.n, 0) / b.area_ha else 0 end,
        'poor_values', coalesce(pv.n, 0),
        'uncovered_residents', coalesce(bl.n, 0)) as metrics
    from b left join stock s on s.block_id = b.id left join old_compounds oc on oc.block_id = b.id
      left join open_problems op on op.block_id = b.id left join poor pv on pv.block_id = b.id
      left join blind bl on bl.block_id = b.id
    order by b.id`)
  return rows
}
