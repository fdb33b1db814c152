import { sql } from 'drizzle-orm'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type DistanceModel,
  diagnoseFromCoverage,
  type FacilityRule,
  naiveCoverage,
  type PopulationGroup,
} from '../../../jobs/coverage/engine/index.ts'
import {
  InvalidRadiusOverrideError,
  MissingServiceRadiusError,
  NoPopulationError,
  UnknownDistanceModelError,
  UnsupportedFacilityTypeError,
} from '../../../jobs/coverage/errors.ts'
import type { CoverageJobHooks } from '../../../jobs/coverage/hooks.ts'
import { startCoverageRun } from '../../../jobs/coverage/job.ts'
import type { CoverageOutputs } from '../../../jobs/coverage/outputs.ts'
import type { CoverageRunRequest } from '../../../jobs/coverage/parameters.ts'
import { createProcessors } from '../../../jobs/processors.ts'
import { DiagnosisParameterError, UnknownRegionError } from '../../../jobs/runs/errors.ts'
import { RUN_EVENTS_CHANNEL, type RunEvent } from '../../../jobs/runs/events.ts'
import { cancelRun, getRun } from '../../../jobs/runs/rows.ts'
import type { JobContext, JobRunner, Processor, Processors } from '../../../jobs/runs/types.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

/** A runner under test and how to tear it down (BullMQ obliterates its test queue). */
export interface TestRunner {
  runner: JobRunner
  dispose(): Promise<void>
}

export type RunnerFactory = (database: Database, processors: Processors) => Promise<TestRunner>

/** The whole Bund demo: Huangpu, Pudong and Hongkou cells under Shanghai's city code. */
const REGION = '310100'
const PREFIX = '3101'

/** Wraps the real processors so a test knows when no attempt is in flight any more. */
function trackedProcessors(hooks: CoverageJobHooks) {
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

async function waitForRun(database: Database, runId: number, inFlight: () => number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await getRun(database, runId)
    if (run && ['succeeded', 'failed', 'cancelled'].includes(run.state) && inFlight() === 0) return run
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
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
async function bruteForceEuclidean(
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
async function bruteForceNetwork(database: Database, rule: FacilityRule): Promise<number> {
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

async function problemStats(database: Database) {
  const [row] = await database.rows<{ n: number; keys: number }>(sql`
    select count(*)::int as n, count(distinct dedupe_key)::int as keys from problems where source = 'diagnosis'`)
  return { problems: row?.n ?? 0, keys: row?.keys ?? 0 }
}

/** Subscribes to run events the way a GraphQL subscription would, on either backend. */
async function listen(database: Database, onEvent: (event: RunEvent) => void): Promise<() => Promise<void>> {
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

/** The coverage job's behaviour, shared by the BullMQ and in-process runners. */
export function describeCoverageJob(name: string, makeRunner: RunnerFactory): void {
  describe(`coverage job (${name})`, () => {
    let database: Database
    let testRunner: TestRunner | null = null

    // One database per file (an embedded one takes seconds to load); each test starts with no runs or problems.
    beforeAll(async () => {
      database = await openTestDatabase()
    })
    afterAll(async () => {
      await database?.close()
    })
    afterEach(async () => {
      await testRunner?.dispose()
      testRunner = null
      await database.rows(sql`delete from problems where source = 'diagnosis'`)
      await database.rows(sql`delete from diagnostic_runs`)
    })

    async function setUp(hooks: CoverageJobHooks = {}) {
      const tracked = trackedProcessors(hooks)
      testRunner = await makeRunner(database, tracked.processors)
      const runner = testRunner.runner
      return {
        runner,
        start: (request: Partial<CoverageRunRequest> = {}) =>
          startCoverageRun(database, runner, { regionCode: REGION, ...request }),
        wait: (runId: number) => waitForRun(database, runId, tracked.inFlight),
      }
    }

    const TYPES = ['kindergarten', 'primary_school']
    const MODELS: DistanceModel[] = ['euclidean', 'network']

    it('finds the uncovered residents a brute-force computation finds, per type and distance model', async () => {
      const { start, wait } = await setUp()
      const { run, created } = await start({ facilityTypes: TYPES, distanceModels: MODELS })
      expect(created).toBe(true)
      const done = await wait(run.id)
      expect(done.error).toBeNull()
      expect(done.state).toBe('succeeded')
      expect(done.attempts).toBe(1)
      expect(done.progress).toBe(1)
      const outputs = done.outputs as unknown as CoverageOutputs
      const rules = (run.parameters as { rules: FacilityRule[] }).rules
      expect(rules.map((r) => [r.type, r.radiusM])).toEqual([
        ['kindergarten', 300],
        ['primary_school', 500],
      ])
      for (const rule of rules) {
        const euclidean = outputs.byModel.euclidean?.types[rule.type]
        const network = outputs.byModel.network?.types[rule.type]
        const expectedEuclidean = await bruteForceEuclidean(
          database,
          rule.type,
          rule.radiusM,
          rule.servedGroups,
        )
        const expectedNetwork = await bruteForceNetwork(database, rule)
        expect(euclidean?.uncoveredServed).toBeCloseTo(expectedEuclidean, 6)
        expect(network?.uncoveredServed).toBeCloseTo(expectedNetwork, 6)
        // Walking is never shorter than the straight line, so the network model leaves at least as many out.
        expect(expectedNetwork).toBeGreaterThanOrEqual(expectedEuclidean - 1e-6)
        expect(expectedEuclidean).toBeGreaterThan(0)

        // The blind spots written for the type add up to the same residents.
        for (const model of MODELS) {
          const [sum] = await database.rows<{ n: number }>(sql`
            select coalesce(sum(uncovered_children), 0)::float8 as n from coverage_gaps
            where run_id = ${run.id} and facility_type = ${rule.type} and distance_model = ${model}
              and kind = 'blind_spot'`)
          expect(sum?.n).toBeCloseTo(model === 'euclidean' ? expectedEuclidean : expectedNetwork, 6)
        }
      }

      // Each problem names its gap in both languages and carries its figures.
      const [named] = await database.rows<{
        title: string
        description: string
        details: { kind: string; radiusM: number; rank: number; uncovered: { children: number } }
        children: number
        rank: number
      }>(sql`
        select p.title, p.description, p.details, g.uncovered_children as children, g.rank
        from problems p join coverage_gaps g on p.dedupe_key = 'coverage:' || g.region_code || ':' || g.gap_key
        where g.run_id = ${run.id} and g.facility_type = 'kindergarten' and g.distance_model = 'network'
          and g.kind = 'blind_spot'
        order by g.rank limit 1`)
      expect(named?.title).toBe('幼儿园服务盲区（步行300 米） / kindergarten blind spot (network 300 m)')
      expect(named?.description).toMatch(
        /^约 \d+ 名服务对象不在幼儿园服务半径内 \/ about \d+ residents served by kindergarten live beyond/,
      )
      expect(named?.details).toMatchObject({ kind: 'blind_spot', radiusM: 300, rank: named?.rank })
      expect(named?.details.uncovered.children).toBeCloseTo(named?.children ?? -1, 9)

      // One problem per gap, at its demand point, linked to the run; ranks 1..n without holes.
      const gaps = await count(
        database,
        sql`select count(*) as n from coverage_gaps where run_id = ${run.id}`,
      )
      expect(gaps).toBe(outputs.gaps)
      expect(gaps).toBeGreaterThan(0)
      expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })
      expect(
        await count(
          database,
          sql`select count(*) as n from problems p join coverage_gaps g
            on g.run_id = p.run_id and p.dedupe_key = 'coverage:' || g.region_code || ':' || g.gap_key
            where p.run_id = ${run.id} and ST_Equals(p.geom, g.point) and p.severity between 1 and 3`,
        ),
      ).toBe(gaps)
      const ranks = await database.rows<{ rank: number }>(
        sql`select rank from coverage_gaps where run_id = ${run.id} order by rank`,
      )
      expect(ranks.map((r) => r.rank)).toEqual(ranks.map((_, i) => i + 1))
      // Blind-spot outlines are stored as valid 4326 polygons around their point's neighbourhood.
      expect(
        await count(
          database,
          sql`select count(*) as n from coverage_gaps where run_id = ${run.id} and kind = 'blind_spot'
            and (geom is null or not ST_IsValid(geom) or ST_SRID(geom) <> 4326)`,
        ),
      ).toBe(0)
    })

    it('returns the same run for the same request and updates problems instead of duplicating them', async () => {
      const { start, wait } = await setUp()
      const request = { facilityTypes: ['kindergarten'], distanceModels: ['euclidean' as const] }
      const first = await start(request)
      const again = await start(request)
      expect(again.run.id).toBe(first.run.id)
      expect(again.created).toBe(false)
      await wait(first.run.id)
      const afterDone = await start(request)
      expect(afterDone).toMatchObject({ created: false, run: { id: first.run.id, state: 'succeeded' } })
      expect(await count(database, sql`select count(*) as n from diagnostic_runs`)).toBe(1)
      const before = await problemStats(database)
      expect(before.problems).toBeGreaterThan(0)

      // Different parameters (an override for a type not analysed) make a new run with the same findings.
      const changed = await start({ ...request, radiusOverrides: { park: 800 } })
      expect(changed.created).toBe(true)
      expect(changed.run.id).not.toBe(first.run.id)
      const second = await wait(changed.run.id)
      expect(second.state).toBe('succeeded')
      expect(await problemStats(database)).toEqual(before)
      expect(
        await count(database, sql`select count(*) as n from problems where run_id = ${changed.run.id}`),
      ).toBe(before.problems)

      // A larger radius shrinks the blind spots; problems still number one per dedupe key.
      const wider = await start({ ...request, radiusOverrides: { kindergarten: 600 } })
      const third = await wait(wider.run.id)
      expect(third.state).toBe('succeeded')
      const stats = await problemStats(database)
      expect(stats.problems).toBe(stats.keys)
      const widerGaps = await count(
        database,
        sql`select count(*) as n from coverage_gaps where run_id = ${wider.run.id}`,
      )
      expect(
        await count(database, sql`select count(*) as n from problems where run_id = ${wider.run.id}`),
      ).toBe(widerGaps)
      // Problems of gaps the wider radius closed stay, flagged as no longer found; refreshed ones are not flagged.
      const flags = await database.rows<{ run_id: number; flag: number | null }>(sql`
        select run_id, (details->>'notFoundByRunId')::int as flag from problems where source = 'diagnosis'`)
      expect(flags.length).toBeGreaterThan(widerGaps)
      for (const { run_id, flag } of flags) expect(flag).toBe(run_id === wider.run.id ? null : wider.run.id)
    })

    it('retries after a crash before commit and writes exactly one set of gaps and problems', async () => {
      const failures: string[] = []
      const { start, wait } = await setUp({
        afterCompute: (context: JobContext) => {
          if (context.attempt === 1) {
            failures.push('afterCompute')
            throw new Error('simulated crash after computing')
          }
        },
        beforeCommit: (context: JobContext) => {
          if (context.attempt === 2) {
            failures.push('beforeCommit')
            throw new Error('simulated crash inside the output transaction')
          }
        },
      })
      const { run } = await start({ facilityTypes: TYPES, distanceModels: ['euclidean'] })
      const done = await wait(run.id)
      expect(failures).toEqual(['afterCompute', 'beforeCommit'])
      expect(done.state).toBe('succeeded')
      expect(done.attempts).toBe(3)
      expect(done.error).toBeNull()
      const gaps = await count(
        database,
        sql`select count(*) as n from coverage_gaps where run_id = ${run.id}`,
      )
      expect(gaps).toBe((done.outputs as unknown as CoverageOutputs).gaps)
      expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })
    })

    it('marks the run failed after the last attempt and leaves nothing written', async () => {
      const { start, wait } = await setUp({
        beforeCommit: () => {
          throw new Error('disk full')
        },
      })
      const { run } = await start({ facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] })
      const done = await wait(run.id)
      expect(done.state).toBe('failed')
      expect(done.attempts).toBe(3)
      expect(done.error).toContain('disk full')
      expect(done.outputs).toEqual({})
      expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
      expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
      // A failed run is not returned again: the same request starts afresh.
      const retried = await start({ facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] })
      expect(retried.created).toBe(true)
    })

    it('stops a cancelled run between types without writing anything', async () => {
      let cancelled = false
      const { start, wait } = await setUp({
        afterStep: async (context, step) => {
          if (step !== 1) return
          await cancelRun(database, context.runId)
          cancelled = true
        },
      })
      const { run } = await start({ facilityTypes: TYPES, distanceModels: MODELS })
      const done = await wait(run.id)
      expect(cancelled).toBe(true)
      expect(done.state).toBe('cancelled')
      expect(done.progress).toBeLessThan(1)
      expect(done.outputs).toEqual({})
      expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
      expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
      // Cancelling a finished run changes nothing.
      expect((await cancelRun(database, run.id))?.state).toBe('cancelled')
    })

    it('announces state and progress on the run events channel', async () => {
      const events: RunEvent[] = []
      const stop = await listen(database, (event) => events.push(event))
      try {
        const { start, wait } = await setUp()
        const { run } = await start({ facilityTypes: TYPES, distanceModels: MODELS })
        await wait(run.id)
        // Notices travel over a separate connection on PostgreSQL; give the last one a moment.
        const deadline = Date.now() + 5_000
        while (!events.some((e) => e.state === 'succeeded') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        const mine = events.filter((e) => e.id === run.id)
        expect(mine[0]).toMatchObject({ state: 'running', progress: 0 })
        expect(mine.at(-1)).toMatchObject({ state: 'succeeded', progress: 1 })
        // One notice per type × model in between, progress never going back.
        expect(mine.length).toBe(2 + TYPES.length * MODELS.length)
        const progress = mine.map((e) => e.progress)
        expect(progress).toEqual([...progress].sort((a, b) => a - b))
      } finally {
        await stop()
      }
    })

    /** What a run wrote, in a form two runs can be compared by. */
    async function writtenGaps(runId: number) {
      return database.rows(sql`
        select gap_key, facility_type, distance_model, kind, cells, rank,
          round(uncovered_children::numeric, 6)::float8 as children, round(uncovered_working::numeric, 6)::float8 as working,
          round(uncovered_elderly::numeric, 6)::float8 as elderly, round(capacity_gap::numeric, 6)::float8 as capacity_gap,
          round(priority::numeric, 6)::float8 as priority, ST_AsText(ST_SnapToGrid(point, 1e-9)) as point,
          ST_Area(geom) as area
        from coverage_gaps where run_id = ${runId} order by gap_key`)
    }

    const partRuns = (parentId: number) =>
      database.rows<{ id: number; kind: string; state: string; attempts: number; parameters: unknown }>(
        sql`select id, kind, state, attempts, parameters from diagnostic_runs where parent_id = ${parentId} order by id`,
      )

    it('splits a big region into parts and joins them into the outputs of one piece', async () => {
      const { start, wait } = await setUp()
      // Two hospitals with a wide radius: many cells are served from beyond their own part's rectangle.
      const request = {
        facilityTypes: [...TYPES, 'hospital'],
        distanceModels: MODELS,
        radiusOverrides: { hospital: 1200 },
      }
      const whole = await wait((await start(request)).run.id)
      expect(whole.state).toBe('succeeded')
      expect(await partRuns(whole.id)).toEqual([])
      const expected = await writtenGaps(whole.id)
      const expectedOutputs = whole.outputs as unknown as CoverageOutputs
      await database.rows(sql`delete from problems where source = 'diagnosis'`)
      await database.rows(sql`delete from diagnostic_runs`)

      // 138 cells at most 40 per part: the k-d split makes 4 parts.
      const { run, created } = await start({ ...request, maxCellsPerPart: 40 })
      expect(created).toBe(true)
      const done = await wait(run.id)
      expect(done.error).toBeNull()
      expect(done.state).toBe('succeeded')
      const parts = await partRuns(run.id)
      expect(parts.map((p) => [p.kind, p.state])).toEqual(Array(4).fill(['coverage_part', 'succeeded']))
      const cellsPerPart = (
        await database.rows<{ n: number }>(
          sql`select (outputs->'inputs'->>'cells')::int as n from diagnostic_runs where parent_id = ${run.id}`,
        )
      ).map((r) => r.n)
      expect(cellsPerPart.reduce((a, b) => a + b, 0)).toBe(expectedOutputs.inputs.cells)
      for (const n of cellsPerPart) expect(n).toBeLessThanOrEqual(40)
      // The joined run wrote what the whole run wrote, and the parts' arrays are gone.
      expect(await writtenGaps(run.id)).toEqual(expected)
      const outputs = done.outputs as unknown as CoverageOutputs
      expect(outputs.byModel).toEqual(expectedOutputs.byModel)
      expect(outputs.gaps).toBe(expectedOutputs.gaps)
      expect(await count(database, sql`select count(*) as n from coverage_run_parts`)).toBe(0)
      expect(await problemStats(database)).toEqual({ problems: expected.length, keys: expected.length })
    })

    it('retries a crashed part alone and fails the run when a part gives up', async () => {
      let crashed = 0
      let parentId = 0
      let failThird = false
      const { start, wait } = await setUp({
        beforeCommit: (context: JobContext) => {
          if (context.runId === parentId + 1 && context.attempt === 1) {
            crashed++
            throw new Error('simulated crash in the first part')
          }
          if (context.runId === parentId + 3 && failThird) throw new Error('disk full in part 3')
        },
      })
      const request = { facilityTypes: ['kindergarten'], distanceModels: MODELS, maxCellsPerPart: 40 }
      const started = await start(request)
      parentId = started.run.id
      const done = await wait(parentId)
      expect(done.state).toBe('succeeded')
      expect(crashed).toBe(1)
      expect((await partRuns(parentId)).map((p) => p.attempts)).toEqual([2, 1, 1, 1])
      const gaps = await count(
        database,
        sql`select count(*) as n from coverage_gaps where run_id = ${parentId}`,
      )
      expect(gaps).toBe((done.outputs as unknown as CoverageOutputs).gaps)
      expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })

      await database.rows(sql`delete from problems where source = 'diagnosis'`)
      await database.rows(sql`delete from diagnostic_runs`)
      failThird = true
      const again = await start(request)
      parentId = again.run.id
      crashed = 1 // the first part commits at once this time
      const failed = await wait(parentId)
      expect(failed.state).toBe('failed')
      expect(failed.error).toContain('disk full in part 3')
      expect((await partRuns(parentId)).map((p) => p.state)[2]).toBe('failed')
      expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
      expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
    })

    it('cancels the parts of a cancelled run and writes nothing', async () => {
      let parentId = 0
      const { start, wait } = await setUp({
        afterStep: async (context) => {
          if (context.runId === parentId + 2) await cancelRun(database, parentId)
        },
      })
      const started = await start({ facilityTypes: TYPES, distanceModels: MODELS, maxCellsPerPart: 40 })
      parentId = started.run.id
      const done = await wait(parentId)
      expect(done.state).toBe('cancelled')
      const states = (await partRuns(parentId)).map((p) => p.state)
      expect(states[0]).toBe('succeeded')
      expect(states.slice(1)).toEqual(['cancelled', 'cancelled', 'cancelled'])
      expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
      expect(await count(database, sql`select count(*) as n from coverage_run_parts`)).toBe(0)
      expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
    })

    it('rejects bad parameters with named errors before creating a run', async () => {
      const { start } = await setUp()
      const cases: Array<[Partial<CoverageRunRequest>, new (...args: never[]) => Error]> = [
        [{ facilityTypes: ['teleporter'] }, UnsupportedFacilityTypeError],
        [
          { facilityTypes: ['kindergarten'], radiusOverrides: { kindergarten: -300 } },
          InvalidRadiusOverrideError,
        ],
        [{ radiusOverrides: { kindergarten: 0 } }, InvalidRadiusOverrideError],
        [{ facilityTypes: ['hospital'] }, MissingServiceRadiusError],
        [{ distanceModels: ['manhattan' as DistanceModel] }, UnknownDistanceModelError],
        [{ regionCode: '310104' }, NoPopulationError],
        [{ regionCode: '999999' }, UnknownRegionError],
        [{ maxCellsPerPart: 0 }, DiagnosisParameterError],
      ]
      for (const [request, errorClass] of cases) {
        const error = await start(request).catch((e: unknown) => e)
        expect(error, JSON.stringify(request)).toBeInstanceOf(errorClass)
        expect(error).toBeInstanceOf(DiagnosisParameterError)
        expect((error as DiagnosisParameterError).code).toBe('BAD_USER_INPUT')
        expect((error as Error).message).toMatch(/[\u4e00-\u9fff].* \/ /)
      }
      // A radius the edition lacks can be supplied.
      const hospital = await start({
        facilityTypes: ['hospital'],
        distanceModels: ['euclidean'],
        radiusOverrides: { hospital: 2000 },
      })
      expect(hospital.created).toBe(true)
      expect(await count(database, sql`select count(*) as n from diagnostic_runs`)).toBe(1)
    })
  })
}
