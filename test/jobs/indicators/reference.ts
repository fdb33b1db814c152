import { sql } from 'drizzle-orm'
import type { Facility, PopulationCell, Road } from '../../../jobs/coverage/engine/index.ts'
import type { Database } from '../../../server/db/client.ts'

// Reference computations for the indicator tests, read and worked out independently of the job.

/** The demo city's cells (with their region codes, index for index), facilities and roads in metres. */
export async function readDemoInputs(database: Database): Promise<{
  cells: PopulationCell[]
  regionCodes: string[]
  facilities: Facility[]
  roads: Road[]
}> {
  const [crs] = await database.rows<{ srid: number }>(
    sql`select min(metric_srid)::int as srid from population_cells where region_code like '3101%'`,
  )
  const srid = crs!.srid
  const cellRows = await database.rows<{
    id: number
    region_code: string
    x: number
    y: number
    size_m: number
    children: number
    working: number
    elderly: number
  }>(sql`
    select id, region_code, ST_X(ST_Transform(centroid, ${srid}::int)) as x,
      ST_Y(ST_Transform(centroid, ${srid}::int)) as y, size_m, children, working, elderly
    from population_cells where region_code like '3101%' order by id`)
  const cells: PopulationCell[] = cellRows.map((c) => ({
    id: c.id,
    x: c.x,
    y: c.y,
    sizeM: c.size_m,
    children: c.children,
    working: c.working,
    elderly: c.elderly,
  }))
  const facilities = (
    await database.rows<{ id: number; type: string; x: number; y: number; capacity: number | null }>(sql`
      select id, type, ST_X(ST_Transform(geom, ${srid}::int)) as x, ST_Y(ST_Transform(geom, ${srid}::int)) as y,
        capacity from facilities where region_code like '3101%'`)
  ).map((f) => ({ ...f }))
  const roads: Road[] = (
    await database.rows<{ id: number; walkable: boolean; coords: string }>(sql`
      select id, walkable, ST_AsGeoJSON(ST_Transform(geom, ${srid}::int)) as coords
      from roads where region_code like '3101%'`)
  ).map((r) => ({
    id: r.id,
    walkable: r.walkable,
    coords: (JSON.parse(r.coords) as { coordinates: Array<[number, number]> }).coordinates,
  }))
  return { cells, regionCodes: cellRows.map((c) => c.region_code), facilities, roads }
}

/** Groups of 4-neighbour grid cells among those `member` picks, by a union-find over cell keys. */
export function countGridGroups(
  cells: readonly PopulationCell[],
  member: (cell: PopulationCell, i: number) => boolean,
): number {
  const size = cells[0]!.sizeM
  const x0 = cells[0]!.x
  const y0 = cells[0]!.y
  const key = (c: PopulationCell) => `${Math.round((c.x - x0) / size)},${Math.round((c.y - y0) / size)}`
  const blind = new Map<string, string>()
  cells.forEach((cell, i) => {
    if (member(cell, i)) blind.set(key(cell), key(cell))
  })
  const find = (k: string): string => {
    let root = k
    while (blind.get(root) !== root) root = blind.get(root)!
    blind.set(k, root)
    return root
  }
  for (const k of blind.keys()) {
    const [c, r] = k.split(',').map(Number) as [number, number]
    for (const n of [`${c + 1},${r}`, `${c},${r + 1}`]) {
      if (blind.has(n)) blind.set(find(n), find(k))
    }
  }
  return new Set([...blind.keys()].map(find)).size
}
