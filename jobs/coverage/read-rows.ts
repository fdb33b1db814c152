import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { Facility, PopulationCell, Road } from './engine/index.ts'

// The coverage inputs as the database sends them: per table, the attributes packed by SQL into one binary string
// of fixed-size big-endian records (int4send, float8send) and the geometries collected into one and projected in
// one ST_Transform call, as XDR well-known binary; both in id order. One value per column instead of a row object
// per row, no GeoJSON text parsed back into numbers, and the projection set up once instead of once per row (most
// of the time of a row-by-row transform). Both drivers hand a bytea over as bytes.

/** Reads the big-endian records of one packed value. */
class Records {
  private readonly view: DataView
  private at = 0

  constructor(bytes: Uint8Array | null) {
    const b = bytes ?? new Uint8Array(0)
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  }

  get more(): boolean {
    return this.at < this.view.byteLength
  }

  int(): number {
    const v = this.view.getInt32(this.at)
    this.at += 4
    return v
  }

  float(): number {
    const v = this.view.getFloat64(this.at)
    this.at += 8
    return v
  }

  skip(bytes: number): void {
    this.at += bytes
  }

  /** The point count of a WKB line or multipoint whose header (byte order, type) comes next. */
  header(): number {
    this.skip(5)
    return this.int()
  }
}

/** The packed attributes and the collected geometry of one query. */
async function packed(database: Database, query: SQL): Promise<{ rows: Records; geometry: Records }> {
  const [row] = await database.rows<{ packed: Uint8Array | null; geometry: Uint8Array | null }>(query)
  return { rows: new Records(row?.packed ?? null), geometry: new Records(row?.geometry ?? null) }
}

/** The geometry column `column` of the rows, collected in id order, in EPSG:`srid`, as XDR WKB. */
const collected = (column: SQL, srid: number) =>
  sql`ST_AsBinary(ST_Transform(ST_Collect(${column} order by id), ${srid}::int), 'XDR')`

/** Steps over the multipoint's header; each point then is a header and x, y. */
function pointCount(geometry: Records): number {
  return geometry.more ? geometry.header() : 0
}

/** Cells (`where` on population_cells) in EPSG:`srid` metres: id, x, y, size, children, working, elderly. */
export async function readCells(database: Database, srid: number, where: SQL): Promise<PopulationCell[]> {
  const { rows, geometry } = await packed(
    database,
    sql`
    select string_agg(int4send(id) || float8send(size_m) || float8send(children) || float8send(working)
      || float8send(elderly), ''::bytea order by id) as packed, ${collected(sql`centroid`, srid)} as geometry
    from population_cells where ${where}`,
  )
  const cells: PopulationCell[] = new Array(pointCount(geometry))
  for (let i = 0; i < cells.length; i++) {
    geometry.skip(5)
    const x = geometry.float()
    const y = geometry.float()
    const id = rows.int()
    const sizeM = rows.float()
    cells[i] = { id, x, y, sizeM, children: rows.float(), working: rows.float(), elderly: rows.float() }
  }
  return cells
}

/**
 * Facilities of `types` (`where` on facilities) in metres: id, the type's position in `types`, x, y and the
 * capacity (NaN for none).
 */
export async function readFacilities(
  database: Database,
  srid: number,
  types: readonly string[],
  where: SQL,
): Promise<Facility[]> {
  const list = `{${types.join(',')}}`
  const { rows, geometry } = await packed(
    database,
    sql`
    select string_agg(int4send(id) || int4send(array_position(${list}::text[], type))
      || float8send(coalesce(capacity, 'NaN')), ''::bytea order by id) as packed,
      ${collected(sql`geom`, srid)} as geometry
    from facilities where type = any(${list}::text[]) and ${where}`,
  )
  const facilities: Facility[] = new Array(pointCount(geometry))
  for (let i = 0; i < facilities.length; i++) {
    geometry.skip(5)
    const x = geometry.float()
    const y = geometry.float()
    const id = rows.int()
    const type = types[rows.int() - 1]!
    const capacity = rows.float()
    facilities[i] = { id, type, x, y, capacity: Number.isNaN(capacity) ? null : capacity }
  }
  return facilities
}

/** The walkable roads (`where` on roads) in metres as polylines; the others cannot carry a walk, so they are not read. */
export async function readRoads(database: Database, srid: number, where: SQL): Promise<Road[]> {
  const { rows, geometry } = await packed(
    database,
    sql`
    select string_agg(int4send(id), ''::bytea order by id) as packed, ${collected(sql`geom`, srid)} as geometry
    from roads where walkable and ${where}`,
  )
  const roads: Road[] = new Array(pointCount(geometry))
  for (let i = 0; i < roads.length; i++) {
    const n = geometry.header()
    const coords: Array<[number, number]> = new Array(n)
    for (let k = 0; k < n; k++) coords[k] = [geometry.float(), geometry.float()]
    roads[i] = { id: rows.int(), walkable: true, coords }
  }
  return roads
}
