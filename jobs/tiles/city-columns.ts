/**
 * A city's buildings read for a whole tileset build as {@link BuildingColumns}: in chunks of consecutive ids, each
 * chunk one row of three aggregates — the attributes as fixed-size big-endian records, the footprints' WKB
 * concatenated, the uses as a JSON array. One value per column instead of an object per building, and no number
 * formatted as text and parsed back (at 500k buildings the row-by-row read was a quarter of the build). Aggregates of
 * one query level see the rows in the same order, so record k, footprint k and use k are one building's; the
 * records carry the id. Two chunks are in flight, so the database reads one while the driver receives the other and
 * this thread unpacks it.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { allocateColumns, type BuildingColumns, concatColumns, fillBoxes } from './building-columns.ts'
import type { ExtentDeg } from './types.ts'

/**
 * Buildings per chunk: about 3.5 MB of WKB at a typical footprint. Larger chunks cost more in the driver, which
 * copies a message as its parts arrive (at 65,536: 0.85 s of this thread for 500k buildings, at 32,768: 0.6 s).
 */
const CHUNK_BUILDINGS = 32_768
/** id, height, min height, floors, year built (float8, NaN for none), open problems, worst severity, WKB length. */
const RECORD_BYTES = 4 + 8 * 4 + 4 * 3

interface Chunk {
  records: Uint8Array | null
  wkb: Uint8Array | null
  uses: (string | null)[] | null
}

function problemSummary(withProblems: boolean, lo: number, hi: number): { columns: SQL; join: SQL } {
  if (!withProblems) return { columns: sql`0 as open_problems, 0 as worst_severity`, join: sql`` }
  return {
    columns: sql`coalesce(p.open_problems, 0) as open_problems, coalesce(p.worst_severity, 0) as worst_severity`,
    join: sql`left join (
      select building_id, count(*)::int as open_problems, max(severity)::int as worst_severity from problems
      where state <> 'closed' and building_id between ${lo} and ${hi} group by building_id
    ) p on p.building_id = b.id`,
  }
}

function readChunk(database: Database, where: SQL, withProblems: boolean, lo: number, hi: number) {
  const problems = problemSummary(withProblems, lo, hi)
  return database.rows<Chunk>(sql`
    select string_agg(int4send(t.id) || float8send(t.height_m) || float8send(t.min_height_m)
        || float8send(t.floors) || float8send(t.year_built) || int4send(t.open_problems)
        || int4send(t.worst_severity) || int4send(length(t.wkb)), '') as records,
      string_agg(t.wkb, '') as wkb, json_agg(t.use) as uses
    from (
      select b.id, coalesce(b.height_m, 0) as height_m, coalesce(b.min_height_m, 0) as min_height_m,
        coalesce(b.floors::float8, 'NaN') as floors, coalesce(b.year_built::float8, 'NaN') as year_built, b.use,
        ST_AsBinary(ST_Force2D(b.footprint)) as wkb, ${problems.columns}
      from buildings b ${problems.join}
      where (${where}) and b.id between ${lo} and ${hi}
    ) t`)
}

/** One chunk's rows as columns of their own, with their footprints' boxes. */
function columnsOf(chunk: Chunk): BuildingColumns {
  const records = chunk.records ?? new Uint8Array(0)
  const wkb = chunk.wkb ?? new Uint8Array(0)
  const uses = chunk.uses ?? []
  const n = records.byteLength / RECORD_BYTES
  if (uses.length !== n) throw new Error(`a building chunk holds ${n} records but ${uses.length} uses`)
  const columns = allocateColumns(n, wkb.byteLength)
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength)
  let src = 0
  for (let i = 0; i < n; i++) {
    const o = i * RECORD_BYTES
    const baseM = view.getFloat64(o + 12) || 0
    columns.id[i] = view.getInt32(o)
    columns.heightM[i] = view.getFloat64(o + 4) - baseM
    columns.baseM[i] = baseM
    columns.floors[i] = view.getFloat64(o + 20)
    columns.yearBuilt[i] = view.getFloat64(o + 28)
    columns.openProblems[i] = view.getInt32(o + 36)
    columns.worstSeverity[i] = Math.min(3, Math.max(0, view.getInt32(o + 40)))
    columns.use[i] = uses[i]!
    columns.wkbStart[i] = src
    src += view.getInt32(o + 44)
  }
  if (src !== wkb.byteLength) throw new Error('a building chunk holds more footprint bytes than its records')
  columns.wkb.set(wkb)
  columns.wkbStart[n] = src
  fillBoxes(columns)
  return columns
}

/** Degrees around the buildings' extent, for buildings added later near its edge. */
const EXTENT_MARGIN_DEG = 0.005

/**
 * The extent of the buildings' footprints (those with valid lon/lat), with a margin: from the boxes read with the
 * footprints, where a query of its own (`ST_Extent`) scanned every footprint again while the chunks were read.
 */
export function paddedExtentOf(columns: BuildingColumns): ExtentDeg {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity]
  const box = columns.box
  for (let i = 0; i < columns.count; i++) {
    if (Number.isNaN(box[4 * i]!)) continue
    west = Math.min(west, box[4 * i]!)
    south = Math.min(south, box[4 * i + 1]!)
    east = Math.max(east, box[4 * i + 2]!)
    north = Math.max(north, box[4 * i + 3]!)
  }
  // No buildings: generateTileset reports the empty input; any valid extent will do.
  if (!(west <= east)) return { westDeg: 0, southDeg: 0, eastDeg: 1, northDeg: 1 }
  return {
    westDeg: west - EXTENT_MARGIN_DEG,
    southDeg: south - EXTENT_MARGIN_DEG,
    eastDeg: east + EXTENT_MARGIN_DEG,
    northDeg: north + EXTENT_MARGIN_DEG,
  }
}

/** The ids of the buildings matching `where`: lowest, highest and how many. */
export interface BuildingIdRange {
  lo: number
  hi: number
  count: number
}

export async function buildingIdRange(database: Database, where: SQL): Promise<BuildingIdRange> {
  const [row] = await database.rows<{ lo: number | null; hi: number | null; n: number | string }>(sql`
    select min(b.id) as lo, max(b.id) as hi, count(*) as n from buildings b where ${where}`)
  if (!row || row.lo === null || row.hi === null) return { lo: 0, hi: -1, count: 0 }
  return { lo: Number(row.lo), hi: Number(row.hi), count: Number(row.n) }
}

/**
 * The buildings matching `where` (with their open-problem summary unless `withProblems` is false), in the order the
 * database sends them: by id between chunks, in any order within one. `range` when the caller read it already.
 */
export async function loadBuildingColumns(
  database: Database,
  where: SQL,
  withProblems = true,
  range?: BuildingIdRange,
): Promise<BuildingColumns> {
  const { lo, hi, count } = range ?? (await buildingIdRange(database, where))
  if (count === 0) return allocateColumns(0, 0)
  const chunks = Math.ceil(count / CHUNK_BUILDINGS)
  const step = Math.ceil((hi - lo + 1) / chunks)
  const readAt = (c: number) =>
    readChunk(database, where, withProblems, lo + c * step, lo + (c + 1) * step - 1)
  const parts: BuildingColumns[] = []
  let next = readAt(0)
  for (let c = 0; c < chunks; c++) {
    const following = c + 1 < chunks ? readAt(c + 1) : null
    following?.catch(() => {}) // awaited in the next round; meanwhile its failure must not go unhandled
    const [row] = await next
    // Unpacked and measured while the database reads the next chunk, not after the last.
    parts.push(columnsOf(row ?? { records: null, wkb: null, uses: null }))
    if (following) next = following
  }
  // Buildings deleted since the count leave fewer rows; added ones have ids past the range.
  return concatColumns(parts)
}
