import { sql } from 'drizzle-orm'
import type { Database } from '../../../server/db/client.ts'

let serial = 0

/**
 * A resource inserted as the one-map would hold it: a 30 m plot around a point inside the largest blind spot of
 * `gapType` of the latest coverage run (the resources' own import is another part of the product).
 */
export async function insertResource(
  database: Database,
  options: { kind: string; gapType: string; state: 'reported' | 'verified' | 'rejected'; ownership?: string },
): Promise<number> {
  serial++
  const [row] = await database.rows<{ id: number }>(sql`
    insert into stock_resources (code, region_code, kind, name, geom, area_m2, ownership, source, source_key,
      verification_state, reported_by, verified_by)
    select ${`ZY-TEST-${serial}`}, c.region_code, ${options.kind}, ${`测试资源 ${serial}`},
      ST_Buffer(s.p::geography, 30)::geometry, 2800, ${options.ownership ?? '国有'}, 'field', ${`test-${serial}`},
      ${options.state}, 'street-reporter', ${options.state === 'reported' ? null : 'district-verifier'}
    from (select ST_PointOnSurface(g.geom) as p from coverage_gaps g
        where g.kind = 'blind_spot' and g.facility_type = ${options.gapType} and g.distance_model = 'euclidean'
          and g.run_id = (select max(id) from diagnostic_runs where kind = 'coverage' and state = 'succeeded')
        order by g.uncovered_children + g.uncovered_working + g.uncovered_elderly desc, g.id limit 1) s
    cross join lateral (select coalesce((select code from regions where level = 'district'
      and ST_Intersects(boundary, s.p) limit 1), '310101') as region_code) c
    returning id`)
  if (!row) throw new Error(`no ${options.gapType} blind spot to put a resource in`)
  return row.id
}

/**
 * Residents newly within the straight-line service radius of a facility at the resource, by plain PostGIS and
 * without the coverage engine: cells whose centre is at most the run's radius from the resource's point on surface
 * and farther than it from every existing facility of the type, in the grid's metric CRS.
 */
export async function independentNewlyCovered(
  database: Database,
  resourceId: number,
  type: string,
): Promise<{ served: number; children: number; working: number; elderly: number }> {
  const [run] = await database.rows<{
    parameters: { rules: { type: string; radiusM: number; servedGroups: string[] }[] }
    prefix: string
  }>(sql`
    select r.parameters, g.scope_prefix as prefix from diagnostic_runs r join regions g on g.code = r.region_code
    where r.kind = 'coverage' and r.state = 'succeeded' order by r.id desc limit 1`)
  const rule = run?.parameters.rules.find((r) => r.type === type)
  if (!run || !rule) throw new Error(`no coverage rule for ${type}`)
  const like = `${run.prefix}%`
  const [row] = await database.rows<{ children: number; working: number; elderly: number }>(sql`
    with grid as (select min(metric_srid) as srid from population_cells where region_code like ${like}),
      site as (select ST_Transform(ST_PointOnSurface(r.geom), grid.srid) as p from stock_resources r, grid
        where r.id = ${resourceId}),
      existing as (select ST_Transform(f.geom, grid.srid) as p from facilities f, grid
        where f.type = ${type} and f.region_code like ${like}),
      cells as (select c.children, c.working, c.elderly, ST_Transform(c.centroid, grid.srid) as p
        from population_cells c, grid where c.region_code like ${like})
    select coalesce(sum(c.children), 0)::float8 as children, coalesce(sum(c.working), 0)::float8 as working,
      coalesce(sum(c.elderly), 0)::float8 as elderly
    from cells c, site s
    where ST_Distance(c.p, s.p) <= ${rule.radiusM}
      and not exists (select 1 from existing e where ST_Distance(c.p, e.p) <= ${rule.radiusM})`)
  const counts = row ?? { children: 0, working: 0, elderly: 0 }
  const served = rule.servedGroups.reduce((s, g) => s + (counts as Record<string, number>)[g]!, 0)
  return { served, ...counts }
}
