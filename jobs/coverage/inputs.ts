import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { RunNotFoundError, type RunRow } from '../runs/rows.ts'
import type { Facility, PopulationCell, Road } from './engine/index.ts'
import { CoverageJobInputError, NoPopulationError } from './errors.ts'
import { readCells, readFacilities, readRoads } from './read-rows.ts'

// The rows a coverage computation reads (population cells, facilities, roads): their versions and the reading.

export interface TableVersion {
  count: number
  maxId: number
}

export interface CoverageInputVersions {
  population_cells: TableVersion & { residents: number }
  facilities: TableVersion
  roads: TableVersion
}

/**
 * Counts and highest ids of the rows a run reads. Rows are only ever added or replaced by re-import (new ids),
 * so these change whenever the inputs do.
 */
export async function readInputVersions(database: Database, prefix: string): Promise<CoverageInputVersions> {
  const like = `${prefix}%`
  const [row] = await database.rows<{
    cells: number
    cells_max: number
    residents: number
    facilities: number
    facilities_max: number
    roads: number
    roads_max: number
  }>(sql`
    select c.n::int as cells, c.m::int as cells_max, c.r::float8 as residents,
      f.n::int as facilities, f.m::int as facilities_max, r.n::int as roads, r.m::int as roads_max
    from (select count(*) n, coalesce(max(id), 0) m, coalesce(sum(children + working + elderly), 0) r
        from population_cells where region_code like ${like}) c,
      (select count(*) n, coalesce(max(id), 0) m from facilities where region_code like ${like}) f,
      (select count(*) n, coalesce(max(id), 0) m from roads where region_code like ${like}) r`)
  if (!row) throw new Error('input version query returned nothing')
  return {
    population_cells: { count: row.cells, maxId: row.cells_max, residents: row.residents },
    facilities: { count: row.facilities, maxId: row.facilities_max },
    roads: { count: row.roads, maxId: row.roads_max },
  }
}

/** The `like` pattern of the run's region codes. */
export async function runRegionLike(database: Database, run: RunRow): Promise<string> {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${run.regionCode}`,
  )
  if (!region) throw new RunNotFoundError(`region ${run.regionCode} of run ${run.id} does not exist`)
  return `${region.prefix}%`
}

/** The one metric CRS of the region's population grid, in which the run computes. */
export async function readMetricSrid(database: Database, like: string, regionCode: string): Promise<number> {
  const [crs] = await database.rows<{ lo: number | null; hi: number | null }>(
    sql`select min(metric_srid) as lo, max(metric_srid) as hi from population_cells where region_code like ${like}`,
  )
  if (!crs?.lo) throw new CoverageJobInputError(new NoPopulationError(regionCode).message)
  if (crs.lo !== crs.hi) {
    throw new CoverageJobInputError(
      `population cells of ${regionCode} use several grids (EPSG:${crs.lo}…${crs.hi})`,
    )
  }
  return crs.lo
}

/** Where a part of a run reads: cells near `cells`, facilities and roads touching `reach` (metric rectangles). */
export interface InputWindow {
  cells: [number, number, number, number]
  reach: [number, number, number, number]
}

export interface CoverageInputs {
  cells: PopulationCell[]
  facilities: Facility[]
  roads: Road[]
}

/** The rows of `column` whose bounding box touches metric rectangle `rect`; all rows without one. */
function near(column: SQL, srid: number, rect: InputWindow['reach'] | undefined): SQL {
  // A metric rectangle in degrees: outlined every 200 m so that the reprojected edges follow the curved ones.
  return rect
    ? sql`and ${column} && ST_Transform(ST_Segmentize(ST_MakeEnvelope(${rect[0]}::float8, ${rect[1]}::float8,
        ${rect[2]}::float8, ${rect[3]}::float8, ${srid}::int), 200), 4326)`
    : sql``
}

/**
 * Cells, facilities of `types` and (when `needsRoads`) the walkable roads of a region, projected to EPSG:`srid`
 * metres; with a `window`, only those whose bounding boxes touch its rectangles (cells: the caller keeps those
 * whose centre is inside, as the test in degrees is approximate). Roads pedestrians may not use are not read:
 * the walking graph leaves them out, and the straight-line model reads no roads.
 */
export async function loadInputs(
  database: Database,
  like: string,
  srid: number,
  types: readonly string[],
  needsRoads: boolean,
  window?: InputWindow,
): Promise<CoverageInputs> {
  const cellRect =
    window &&
    ([
      window.cells[0] - 50,
      window.cells[1] - 50,
      window.cells[2] + 50,
      window.cells[3] + 50,
    ] as InputWindow['cells'])
  // Three independent queries: on PostgreSQL they run side by side on separate connections.
  const [cells, facilities, roads] = await Promise.all([
    readCells(database, srid, sql`region_code like ${like} ${near(sql`centroid`, srid, cellRect)}`),
    readFacilities(
      database,
      srid,
      types,
      sql`region_code like ${like} ${near(sql`geom`, srid, window?.reach)}`,
    ),
    needsRoads ? loadRoads(database, like, srid, window?.reach) : Promise.resolve([]),
  ])
  return { cells, facilities, roads }
}

/** The walkable roads of a region in EPSG:`srid` metres; with `reach`, those whose bounding boxes touch it. */
export function loadRoads(
  database: Database,
  like: string,
  srid: number,
  reach?: InputWindow['reach'],
): Promise<Road[]> {
  return readRoads(database, srid, sql`region_code like ${like} ${near(sql`geom`, srid, reach)}`)
}

/** Count and highest id of a region's roads: what the walk network cache is keyed by (rows are replaced, not edited). */
export async function readRoadsVersion(database: Database, like: string): Promise<TableVersion> {
  const [row] = await database.rows<{ count: number; max_id: number }>(sql`
    select count(*)::int as count, coalesce(max(id), 0)::int as max_id from roads where region_code like ${like}`)
  return { count: row?.count ?? 0, maxId: row?.max_id ?? 0 }
}
