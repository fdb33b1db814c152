import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import { ROAD_DENSITY_KINDS, STOCK_SHARE_KINDS } from './definitions.ts'

// Figures per compound or block, one statement per figure and unit level (never one per unit). Areas and lengths
// are computed in the metric CRS of the population grid.

export type SmallUnitType = 'compound' | 'block'
export const SMALL_UNIT_TYPES: readonly SmallUnitType[] = ['compound', 'block']

/**
 * Road length up to this far outside a block's edge counts half for the block: centre lines of roads that bound
 * it, whether they lie on the edge (blocks polygonized from the centre lines) or up to a branch or secondary road's
 * red-line half width away (blocks drawn on red lines), and both carriageways of a divided road whose median strip
 * (narrower than the 20 m a derived block must be wide) was dropped.
 */
export const EDGE_OUTSIDE_M = 20
/** Road length more than this far inside a block's edge counts fully; between, half. */
export const EDGE_INSIDE_M = 1

export interface SmallUnit {
  id: number
  region_code: string
  area_km2: number
}

export interface UnitFacilities {
  count: number
  areaM2: number
  withoutArea: number
  capacity: number
  withoutCapacity: number
}

const TABLES = {
  compound: { table: sql.raw('compounds'), column: sql.raw('compound_id') },
  block: { table: sql.raw('blocks'), column: sql.raw('block_id') },
} as const

/** The metric CRS for a region without population cells, from its blocks' extent. */
export async function sridFromUnits(database: Database, like: string): Promise<number | null> {
  const [extent] = await database.rows<{ lon: number | null; lat: number | null }>(sql`
    select ST_X(ST_Centroid(ST_Extent(geom))) as lon, ST_Y(ST_Centroid(ST_Extent(geom))) as lat
    from blocks where region_code like ${like}`)
  return extent?.lon == null ? null : metricSridFor(extent.lon, extent.lat ?? 30)
}

export async function unitsOf(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<SmallUnit[]> {
  return database.rows<SmallUnit>(sql`
    select id, region_code, (ST_Area(ST_Transform(geom, ${srid}::int)) / 1e6)::float8 as area_km2
    from ${TABLES[level].table} where region_code like ${like} order by id`)
}

/**
 * Each unit's share of each population cell: residents of the unit's buildings in the cell over residents of all
 * buildings in the cell; a cell without building residents goes wholly to the unit holding its centre.
 */
export async function cellShares(
  database: Database,
  level: SmallUnitType,
  like: string,
): Promise<Array<{ cell_id: number; unit_id: number; share: number }>> {
  const { table, column } = TABLES[level]
  return database.rows(sql`
    with cells as (
      select id, geom, centroid from population_cells where region_code like ${like}
    ), located as (
      select c.id as cell_id, b.${column} as unit_id, b.residents
      from cells c join buildings b on ST_Intersects(c.geom, b.centroid)
      where b.residents > 0
    ), cell_totals as (
      select cell_id, sum(residents) as total from located group by cell_id
    )
    select l.cell_id, l.unit_id, (sum(l.residents) / t.total)::float8 as share
    from located l
      join cell_totals t on t.cell_id = l.cell_id
      join ${table} u on u.id = l.unit_id and u.region_code like ${like}
    group by l.cell_id, l.unit_id, t.total
    union all
    select c.id, u.id, 1::float8
    from cells c join ${table} u on ST_Intersects(u.geom, c.centroid)
    where u.region_code like ${like} and not exists (select 1 from cell_totals t where t.cell_id = c.id)`)
}

/**
 * Facility count, site area and capacity per unit and type (facility points inside the unit's polygon), keyed
 * `<unit id>:<type>`.
 */
export async function unitFacilities(
  database: Database,
  level: SmallUnitType,
  like: string,
  types: readonly string[],
): Promise<Map<string, UnitFacilities>> {
  const rows = await database.rows<{
    unit_id: number
    type: string
    n: number
    area_m2: number
    without_area: number
    capacity: number
    without_capacity: number
  }>(sql`
    select u.id as unit_id, f.type, count(*)::int as n, coalesce(sum(f.area_m2), 0)::float8 as area_m2,
      (count(*) - count(f.area_m2))::int as without_area, coalesce(sum(f.capacity), 0)::float8 as capacity,
      (count(*) - count(f.capacity))::int as without_capacity
    from ${TABLES[level].table} u join facilities f on ST_Intersects(u.geom, f.geom)
    where u.region_code like ${like} and f.region_code like ${like}
      and f.type = any(${`{${types.join(',')}}`}::text[])
    group by u.id, f.type`)
  return new Map(
    rows.map((r) => [
      `${r.unit_id}:${r.type}`,
      {
        count: r.n,
        areaM2: r.area_m2,
        withoutArea: r.without_area,
        capacity: r.capacity,
        withoutCapacity: r.without_capacity,
      },
    ]),
  )
}

/**
 * Road length per unit: `insideKm` more than {@link EDGE_INSIDE_M} inside the unit's edge, `edgeKm` from there to
 * {@link EDGE_OUTSIDE_M} outside it (zones with mitred corners). Candidate roads are found on the stored geometry's
 * index, with a margin in degrees of longitude at the unit's latitude a little wider than {@link EDGE_OUTSIDE_M}.
 */
export async function unitRoadKm(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<Map<number, { insideKm: number; edgeKm: number }>> {
  const rows = await database.rows<{ unit_id: number; inside_km: number; edge_km: number }>(sql`
    with zones as materialized (
      select id, geom, ST_Buffer(g, ${-EDGE_INSIDE_M}, 'join=mitre mitre_limit=2') as inner_g,
        ST_Buffer(g, ${EDGE_OUTSIDE_M}, 'join=mitre mitre_limit=2') as outer_g
      from (select id, geom, ST_Transform(geom, ${srid}::int) as g from ${TABLES[level].table}
        where region_code like ${like}) u
    ), nearby as (
      select z.id, ST_Collect(ST_Transform(r.geom, ${srid}::int)) as lines
      from zones z join roads r
        on ST_DWithin(z.geom, r.geom, ${EDGE_OUTSIDE_M * 1.1} / (111320 * cos(radians(ST_Y(ST_Centroid(z.geom))))))
      where r.region_code like ${like} and r.kind = any(${`{${ROAD_DENSITY_KINDS.join(',')}}`}::text[])
      group by z.id
    ), lengths as (
      -- One overlay per unit and zone on all its nearby roads at once: far cheaper than one per road.
      select z.id, ST_Length(ST_Intersection(n.lines, z.inner_g)) as inner_m,
        ST_Length(ST_Intersection(n.lines, z.outer_g)) as outer_m
      from nearby n join zones z on z.id = n.id
    )
    select id as unit_id, (inner_m / 1000)::float8 as inside_km, ((outer_m - inner_m) / 1000)::float8 as edge_km
    from lengths`)
  return new Map(rows.map((r) => [r.unit_id, { insideKm: r.inside_km, edgeKm: r.edge_km }]))
}

/**
 * Idle and low-efficiency land per unit in m²: each resource's area (`area_m2`, else its polygon's) times the share
 * of its polygon inside the unit; a resource without area (a point or line) counts wholly where its interior point
 * lies.
 */
export async function unitStockM2(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<Map<number, number>> {
  const rows = await database.rows<{ unit_id: number; stock_m2: number }>(sql`
    with pairs as (
      select u.id, ST_Transform(u.geom, ${srid}::int) as ug, ST_Transform(s.geom, ${srid}::int) as sg, s.area_m2
      from ${TABLES[level].table} u join stock_resources s on ST_Intersects(u.geom, s.geom)
      where u.region_code like ${like} and s.region_code like ${like}
        and s.kind = any(${`{${STOCK_SHARE_KINDS.join(',')}}`}::text[])
        and s.verification_state is distinct from 'rejected'
    )
    select id as unit_id, coalesce(sum(case
        when ST_Dimension(sg) = 2 and ST_Area(sg) > 0
          then coalesce(area_m2, ST_Area(sg)) * ST_Area(ST_Intersection(sg, ug)) / ST_Area(sg)
        when ST_Intersects(ug, ST_PointOnSurface(sg)) then coalesce(area_m2, 0)
        else 0 end), 0)::float8 as stock_m2
    from pairs group by id`)
  return new Map(rows.map((r) => [r.unit_id, r.stock_m2]))
}
