/** The city model as the tiles read it from PostGIS: buildings with their open-problem summary, and extents. */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { footprintFromWkb } from './footprint-wkb.ts'
import { type MassingSource, massingSource } from './massing.ts'
import type { ExtentDeg, TileBuilding } from './types.ts'

/** Margin around the buildings' extent so later regeneration can place new buildings near the edge. */

interface BuildingRow {
  id: number
  footprint: Uint8Array
  height_m: number
  min_height_m: number
  floors: number | null
  use: string | null
  year_built: number | null
  open_problems: number | string | null
  worst_severity: number | string | null
}

interface MassingRow extends Omit<BuildingRow, 'footprint'> {
  west: number
  south: number
  east: number
  north: number
}

/** The `where` clause restricting buildings `b` to a region (by its scope prefix), or true. */
export function regionFilter(regionCode: string | undefined): SQL {
  if (!regionCode) return sql`true`
  return sql`b.region_code like (select r.scope_prefix from regions r where r.code = ${regionCode}) || '%'`
}

/**
 * The buildings a tileset holds: of a region (or all), and for the public tileset only those marked public — the
 * same rule as a public reader's `buildingVisible` (server/auth/scope.ts).
 */
export function tilesetFilter(regionCode: string | undefined, publicOnly: boolean): SQL {
  return publicOnly ? sql`${regionFilter(regionCode)} and b.is_public` : regionFilter(regionCode)
}

/** `b.footprint` overlaps the rectangle. */
export function overlapsExtent(e: ExtentDeg): SQL {
  return sql`b.footprint && ST_MakeEnvelope(${e.westDeg}, ${e.southDeg}, ${e.eastDeg}, ${e.northDeg}, 4326)`
}

/** Open problems per building: count and worst severity. */
const openProblemSummary = sql`
  select building_id, count(*)::int as open_problems, max(severity)::int as worst_severity
  from problems where state <> 'closed' and building_id is not null group by building_id`

/**
 * The problem columns of a building row: its open-problem summary, or — for the public tileset, which must not
 * carry problems — zeros, without reading the problems at all.
 */
function problemColumns(withProblems: boolean): { columns: SQL; join: SQL } {
  if (!withProblems) return { columns: sql`0 as open_problems, 0 as worst_severity`, join: sql`` }
  return {
    columns: sql`coalesce(p.open_problems, 0) as open_problems, coalesce(p.worst_severity, 0) as worst_severity`,
    join: sql`left join (${openProblemSummary}) p on p.building_id = b.id`,
  }
}

/** Buildings (with their open-problem summary unless `withProblems` is false) matching `where`, by id. */
export async function loadBuildings(
  database: Database,
  where: SQL,
  withProblems = true,
): Promise<TileBuilding[]> {
  const problems = problemColumns(withProblems)
  const rows = await database.rows<BuildingRow>(sql`
    select b.id, ST_AsBinary(ST_Force2D(b.footprint)) as footprint, b.height_m, b.min_height_m, b.floors, b.use,
      b.year_built, ${problems.columns}
    from buildings b ${problems.join}
    where ${where}
    order by b.id`)
  return rows.map(toTileBuilding)
}

/** Massing sources (bounding boxes and attributes, no footprints) of the buildings matching `where`. */
export async function loadMassingSources(
  database: Database,
  where: SQL,
  withProblems = true,
): Promise<MassingSource[]> {
  const problems = problemColumns(withProblems)
  const rows = await database.rows<MassingRow>(sql`
    select b.id, ST_XMin(b.footprint) as west, ST_YMin(b.footprint) as south, ST_XMax(b.footprint) as east,
      ST_YMax(b.footprint) as north, b.height_m, b.min_height_m, b.floors, b.use, b.year_built, ${problems.columns}
    from buildings b ${problems.join}
    where ${where}
    order by b.id`)
  const sources: MassingSource[] = []
  for (const row of rows) {
    const source = massingSource(
      [Number(row.west), Number(row.south), Number(row.east), Number(row.north)],
      toTileAttributes(row),
      Number(row.id),
    )
    if (source) sources.push(source)
  }
  return sources
}

function toTileBuilding(row: BuildingRow): TileBuilding {
  return { id: Number(row.id), footprint: footprintFromWkb(row.footprint), ...toTileAttributes(row) }
}

function toTileAttributes(row: Omit<BuildingRow, 'footprint'>): Omit<TileBuilding, 'id' | 'footprint'> {
  const baseM = Number(row.min_height_m) || 0
  return {
    baseM,
    heightM: Number(row.height_m) - baseM,
    floors: row.floors === null ? null : Number(row.floors),
    use: row.use,
    yearBuilt: row.year_built === null ? null : Number(row.year_built),
    openProblems: Number(row.open_problems ?? 0),
    worstSeverity: Math.min(3, Math.max(0, Number(row.worst_severity ?? 0))),
  }
}
