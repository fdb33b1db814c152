import { UnrecoverableError } from 'bullmq'
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { JobContext } from '../runs/types.ts'
import type {
  CoverageOptions,
  DistanceModel,
  Facility,
  FacilityRule,
  PopulationCell,
  Road,
} from './engine/index.ts'

// What the coverage run and its parts share: the run row, its parameters, test seams and the input loader.

/** The parameters stored on the run: the request resolved against the edition, so later edits do not change it. */
export interface CoverageRunParameters {
  regionCode: string
  campaignId: number | null
  systemId: number
  distanceModels: DistanceModel[]
  rules: FacilityRule[]
  radiusOverrides: Record<string, number>
  /** Cells per part when the run fans out; absent on runs from before fan-out (the default applies). */
  maxCellsPerPart?: number
}

/** Test seams: a hook that throws simulates a crash at that point. */
export interface CoverageJobHooks {
  /** After everything is computed, before the output transaction starts. */
  afterCompute?: (context: JobContext) => void | Promise<void>
  /** Inside the output transaction after every write, before commit: a throw here must roll everything back. */
  beforeCommit?: (context: JobContext) => void | Promise<void>
  /** After each facility type × distance model (cancellation tests cancel from here). */
  afterStep?: (context: JobContext, step: number, steps: number) => void | Promise<void>
  /** Options for the coverage core. */
  coverageOptions?: CoverageOptions
}

/** Parameters or inputs the coverage core rejected inside the job; retrying cannot help. */
export class CoverageJobInputError extends UnrecoverableError {
  override name = 'CoverageJobInputError'
}

/** Where a part of a run reads: cells near `cells`, facilities and roads touching `reach` (metric rectangles). */
export interface InputWindow {
  cells: [number, number, number, number]
  reach: [number, number, number, number]
}

/**
 * Cells, facilities of `types` and (when `needsRoads`) roads of a region, projected to EPSG:`srid` metres; with a
 * `window`, only those whose bounding boxes touch its rectangles (cells: the caller keeps those whose centre is
 * inside, as the test in degrees is approximate).
 */
export async function loadInputs(
  database: Database,
  like: string,
  srid: number,
  types: readonly string[],
  needsRoads: boolean,
  window?: InputWindow,
): Promise<{ cells: PopulationCell[]; facilities: Facility[]; roads: Road[] }> {
  // A metric rectangle in degrees: outlined every 200 m so that the reprojected edges follow the curved ones.
  const near = (column: SQL, rect: InputWindow['reach'] | undefined) =>
    rect
      ? sql`and ${column} && ST_Transform(ST_Segmentize(ST_MakeEnvelope(${rect[0]}::float8, ${rect[1]}::float8,
          ${rect[2]}::float8, ${rect[3]}::float8, ${srid}::int), 200), 4326)`
      : sql``
  const cellRect =
    window &&
    ([
      window.cells[0] - 50,
      window.cells[1] - 50,
      window.cells[2] + 50,
      window.cells[3] + 50,
    ] as InputWindow['cells'])
  // Three independent queries: on PostgreSQL they run side by side on separate connections.
  const [cellRows, facilityRows, roadRows] = await Promise.all([
    database.rows<{
      id: number
      x: number
      y: number
      size_m: number
      children: number
      working: number
      elderly: number
    }>(sql`
    select id, ST_X(p) as x, ST_Y(p) as y, size_m, children, working, elderly
    from (select *, ST_Transform(centroid, ${srid}::int) as p from population_cells
      where region_code like ${like} ${near(sql`centroid`, cellRect)}) c
    order by id`),
    database.rows<{
      id: number
      type: string
      x: number
      y: number
      capacity: number | null
    }>(
      sql`
    select id, type, ST_X(p) as x, ST_Y(p) as y, capacity
    from (select *, ST_Transform(geom, ${srid}::int) as p from facilities
      where region_code like ${like} and type = any(${`{${types.join(',')}}`}::text[])
        ${near(sql`geom`, window?.reach)}) f
    order by id`,
    ),
    needsRoads
      ? database.rows<{ id: number; walkable: boolean; geojson: string }>(sql`
        select id, walkable, ST_AsGeoJSON(ST_Transform(geom, ${srid}::int)) as geojson
        from roads where region_code like ${like} ${near(sql`geom`, window?.reach)} order by id`)
      : Promise.resolve([]),
  ])
  return {
    cells: cellRows.map((c) => ({
      id: c.id,
      x: c.x,
      y: c.y,
      sizeM: c.size_m,
      children: c.children,
      working: c.working,
      elderly: c.elderly,
    })),
    facilities: facilityRows.map((f) => ({ id: f.id, type: f.type, x: f.x, y: f.y, capacity: f.capacity })),
    roads: roadRows.map((r) => ({
      id: r.id,
      walkable: r.walkable,
      coords: (JSON.parse(r.geojson) as { coordinates: Array<[number, number]> }).coordinates,
    })),
  }
}
