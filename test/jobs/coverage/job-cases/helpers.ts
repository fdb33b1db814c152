import { sql } from 'drizzle-orm'
import pg from 'pg'
import { expect } from 'vitest'
import {
  type DistanceModel,
  diagnoseFromCoverage,
  type FacilityRule,
  naiveCoverage,
  type PopulationGroup,
} from '../../../../jobs/coverage/engine/index.ts'
import type { CoverageJobHooks } from '../../../../jobs/coverage/hooks.ts'
import type { StartedRun } from '../../../../jobs/coverage/job.ts'
import type { CoverageRunRequest } from '../../../../jobs/coverage/parameters.ts'
import { createProcessors } from '../../../../jobs/processors.ts'
import { RUN_EVENTS_CHANNEL, type RunEvent } from '../../../../jobs/runs/events.ts'
import { getRun, type RunRow } from '../../../../jobs/runs/rows.ts'
import type { JobRunner, Processor, Processors } from '../../../../jobs/runs/types.ts'
import type { Database } from '../../../../server/db/client.ts'

/** What the coverage job's cases share: the file's database and a runner set up with test hooks. */
export interface CoverageJobSuite {
  /** Open once the suite's beforeAll has run. */
  readonly database: Database
  setUp(hooks?: CoverageJobHooks): Promise<SetUpRunner>
}

export interface SetUpRunner {
  runner: JobRunner
  start(request?: Partial<CoverageRunRequest>): Promise<StartedRun>
  /** Waits until the run has ended and no attempt of it is in flight any more. */
  wait(runId: number): Promise<RunRow>
}

export const TYPES = ['kindergarten', 'primary_school']
export const MODELS: DistanceModel[] = ['euclidean', 'network']

/** The whole Bund demo: Huangpu, Pudong and Hongkou cells under Shanghai's city code. */
export const REGION = '310100'
export const PREFIX = '3101'

/** Wraps the real processors so a test knows when no attempt is in flight any more. */
export function trackedProcessors(hooks: CoverageJobHooks) {
  const base = createProcessors({ coverage: hooks })
  let inFlight = 0
  const track =
    (processor: Processor): Processor =>
    async (database, context) => {
      inFlight++
      try {
        await processor(database, context)
      } finally {
        inFlight--
      }
    }
  const processors: Processors = { coverage: track(base.coverage) }
  if (base.coverage_part) processors.coverage_part = track(base.coverage_part)
  return { processors, inFlight: () => inFlight }
}

export async function waitForRun(
  database: Database,
  runId: number,
  inFlight: () => number,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await getRun(database, runId)
    if (run && ['succeeded', 'failed', 'cancelled'].includes(run.state) && inFlight() === 0) return run
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await database.rows<{ n: number }>(query)
  return Number(row?.n ?? 0)
}

async function metricSrid(database: Database): Promise<number> {
  const [row] = await database.rows<{ srid: number }>(
    sql`select distinct metric_srid as srid from population_cells where region_code like ${`${PREFIX}%`}`,
  )
  if (!row) throw new Error('demo has no population cells')
  return row.srid
}

/** Straight-line brute force in SQL: residents of cells with no facility of the type within the radius. */
export async function bruteForceEuclidean(
  database: Database,
  type: string,
  radiusM: number,
  groups: readonly PopulationGroup[],
): Promise<number> {
  const srid = await metricSrid(database)
  const served = sql.raw(groups.join(' + '))
  const [row] = await database.rows<{ n: number }>(sql`
    select coalesce(sum(${served}), 0)::float8 as n from population_cells c
    where c.region_code like ${`${PREFIX}%`} and not exists (
      select 1 from facilities f
      where f.type = ${type} and f.region_code like ${`${PREFIX}%`}
        and ST_Distance(ST_Transform(c.centroid, ${srid}::int), ST_Transform(f.geom, ${srid}::int)) <= ${radiusM})`)
  return Number(row?.n ?? 0)
}

/**
 * Walking-distance brute force: the inputs read here independently, then the coverage core's naive per-cell
 * implementation (a Dijkstra from every cell), and the uncovered residents summed in the test.
 */
export async function bruteForceNetwork(database: Database, rule: FacilityRule): Promise<number> {
  const srid = await metricSrid(database)
  const like = `${PREFIX}%`
  const cells = await database.rows<{
    id: number
    x: number
    y: number
    size_m: number
    children: number
    working: number
    elderly: number
  }>(sql`select id, ST_X(ST_Transform(centroid, ${srid}::int)) as x, ST_Y(ST_Transform(centroid, ${srid}::int)) as y,
      size_m, children, working, elderly from population_cells where region_code like ${like}`)
  const facilities = await database.rows<{ id: number; x: number; y: number; capacity: number | null }>(sql`
    select id, ST_X(ST_Transform(geom, ${srid}::int)) as x, ST_Y(ST_Transform(geom, ${srid}::int)) as y, capacity
    from facilities where region_code like ${like} and type = ${rule.type}`)
  const roads = await database.rows<{ id: number; walkable: boolean; geojson: string }>(sql`
    select id, walkable, ST_AsGeoJSON(ST_Transform(geom, ${srid}::int)) as geojson from roads where region_code like ${like}`)
  const input = {
    cells: cells.map((c) => ({ ...c, sizeM: c.size_m })),
    facilities: facilities.map((f) => ({ ...f, type: rule.type })),
    roads: roads.map((r) => ({ id: r.id, walkable: r.walkable, coords: JSON.parse(r.geojson).coordinates })),
    rules: [rule],
    model: 'network' as const,
  }
  const coverage = naiveCoverage(input)
  const type = coverage.types[0]
  if (!type) throw new Error('no coverage')
  let uncovered = 0
  input.cells.forEach((cell, i) => {
    if (type.covered[i]) return
    for (const g of rule.servedGroups) uncovered += cell[g]
  })
  // The same figure through the core's own summary, as a cross-check of the sum above.
  expect(diagnoseFromCoverage(input, coverage).types[0]?.uncoveredServed).toBeCloseTo(uncovered, 6)
  return uncovered
}

export async function problemStats(database: Database) {
  const [row] = await database.rows<{ n: number; keys: number }>(sql`
    select count(*)::int as n, count(distinct dedupe_key)::int as keys from problems where source = 'diagnosis'`)
  return { problems: row?.n ?? 0, keys: row?.keys ?? 0 }
}

/** Subscribes to run events the way a GraphQL subscription would, on either backend. */
export async function listen(
  database: Database,
  onEvent: (event: RunEvent) => void,
): Promise<() => Promise<void>> {
  if (database.pglite) {
    const unsubscribe = await database.pglite.listen(RUN_EVENTS_CHANNEL, (payload) =>
      onEvent(JSON.parse(payload) as RunEvent),
    )
    return unsubscribe
  }
  const connectionString = (database.pool?.options as { connectionString?: string } | undefined)
    ?.connectionString
  const client = new pg.Client({ connectionString })
  await client.connect()
  client.on('notification', (message) => {
    if (message.payload) onEvent(JSON.parse(message.payload) as RunEvent)
  })
  await client.query(`listen ${RUN_EVENTS_CHANNEL}`)
  return () => client.end()
}

/** What a run wrote, in a form two runs can be compared by. */
export async function writtenGaps(database: Database, runId: number) {
  return database.rows(sql`
    select gap_key, facility_type, distance_model, kind, cells, rank,
      round(uncovered_children::numeric, 6)::float8 as children, round(uncovered_working::numeric, 6)::float8 as working,
      round(uncovered_elderly::numeric, 6)::float8 as elderly, round(capacity_gap::numeric, 6)::float8 as capacity_gap,
      round(priority::numeric, 6)::float8 as priority, ST_AsText(ST_SnapToGrid(point, 1e-9)) as point,
      ST_Area(geom) as area
    from coverage_gaps where run_id = ${runId} order by gap_key`)
}

export const partRuns = (database: Database, parentId: number) =>
  database.rows<{ id: number; kind: string; state: string; attempts: number; parameters: unknown }>(
    sql`select id, kind, state, attempts, parameters from diagnostic_runs where parent_id = ${parentId} order by id`,
  )
