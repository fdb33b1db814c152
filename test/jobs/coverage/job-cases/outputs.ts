import { sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import type { DistanceModel, FacilityRule } from '../../../../jobs/coverage/engine/index.ts'
import {
  InvalidRadiusOverrideError,
  MissingServiceRadiusError,
  NoPopulationError,
  UnknownDistanceModelError,
  UnsupportedFacilityTypeError,
} from '../../../../jobs/coverage/errors.ts'
import type { CoverageOutputs } from '../../../../jobs/coverage/outputs.ts'
import type { CoverageRunRequest } from '../../../../jobs/coverage/parameters.ts'
import { DiagnosisParameterError, UnknownRegionError } from '../../../../jobs/runs/errors.ts'
import type { RunEvent } from '../../../../jobs/runs/events.ts'
import type { Database } from '../../../../server/db/client.ts'
import {
  bruteForceEuclidean,
  bruteForceNetwork,
  type CoverageJobSuite,
  count,
  listen,
  MODELS,
  problemStats,
  TYPES,
} from './helpers.ts'

/** What a run computes and writes, what makes two runs the same, what it announces and what it refuses. */
export function outputCases(suite: CoverageJobSuite): void {
  it('finds the uncovered residents a brute-force computation finds, per type and distance model', async () => {
    const { database, setUp } = suite
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
    for (const rule of rules) await expectUncoveredAsBruteForce(database, run.id, rule, outputs)
    await expectProblemNamesItsGap(database, run.id)
    await expectOneProblemPerRankedGap(database, run.id, outputs)
  })

  it('returns the same run for the same request and updates problems instead of duplicating them', async () => {
    const { database, setUp } = suite
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
    // Routed on the way in, like problems from any other door: every one has a unit and a deadline.
    expect(
      await count(
        database,
        sql`select count(*) as n from problems where run_id = ${first.run.id}
          and (responsible_unit is null or deadline is null)`,
      ),
    ).toBe(0)

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

  it('announces state and progress on the run events channel', async () => {
    const { database, setUp } = suite
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

  it('rejects bad parameters with named errors before creating a run', async () => {
    const { database, setUp } = suite
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
}

/** The run's uncovered residents of the type, and its blind spots' sum, per model equal the brute force's. */
async function expectUncoveredAsBruteForce(
  database: Database,
  runId: number,
  rule: FacilityRule,
  outputs: CoverageOutputs,
): Promise<void> {
  const euclidean = outputs.byModel.euclidean?.types[rule.type]
  const network = outputs.byModel.network?.types[rule.type]
  const expectedEuclidean = await bruteForceEuclidean(database, rule.type, rule.radiusM, rule.servedGroups)
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
      where run_id = ${runId} and facility_type = ${rule.type} and distance_model = ${model}
        and kind = 'blind_spot'`)
    expect(sum?.n).toBeCloseTo(model === 'euclidean' ? expectedEuclidean : expectedNetwork, 6)
  }
}

/** The top-ranked walking blind spot of kindergartens: its problem names it in both languages with its figures. */
async function expectProblemNamesItsGap(database: Database, runId: number): Promise<void> {
  const [named] = await database.rows<{
    title: string
    titleEn: string
    description: string
    descriptionEn: string
    details: { kind: string; radiusM: number; rank: number; uncovered: { children: number } }
    children: number
    rank: number
  }>(sql`
    select p.title, p.title_en as "titleEn", p.description, p.description_en as "descriptionEn", p.details,
      g.uncovered_children as children, g.rank
    from problems p join coverage_gaps g on p.dedupe_key = 'coverage:' || g.region_code || ':' || g.gap_key
    where g.run_id = ${runId} and g.facility_type = 'kindergarten' and g.distance_model = 'network'
      and g.kind = 'blind_spot'
    order by g.rank limit 1`)
  // One language a column: no "中文 / English" in either.
  expect(named?.title).toBe('幼儿园服务盲区（步行300 米）')
  expect(named?.titleEn).toBe('Kindergarten blind spot (walking, 300 m)')
  expect(named?.description).toMatch(/^约 \d+ 名服务对象不在幼儿园服务半径内$/)
  expect(named?.descriptionEn).toMatch(
    /^About \d+ residents served by kindergarten live beyond its service radius$/,
  )
  expect(named?.details).toMatchObject({ kind: 'blind_spot', radiusM: 300, rank: named?.rank })
  expect(named?.details.uncovered.children).toBeCloseTo(named?.children ?? -1, 9)
}

/** One problem per gap, at its demand point, linked to the run; ranks 1..n without holes; valid outlines. */
async function expectOneProblemPerRankedGap(
  database: Database,
  runId: number,
  outputs: CoverageOutputs,
): Promise<void> {
  const gaps = await count(database, sql`select count(*) as n from coverage_gaps where run_id = ${runId}`)
  expect(gaps).toBe(outputs.gaps)
  expect(gaps).toBeGreaterThan(0)
  expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })
  expect(
    await count(
      database,
      sql`select count(*) as n from problems p join coverage_gaps g
        on g.run_id = p.run_id and p.dedupe_key = 'coverage:' || g.region_code || ':' || g.gap_key
        where p.run_id = ${runId} and ST_Equals(p.geom, g.point) and p.severity between 1 and 3`,
    ),
  ).toBe(gaps)
  const ranks = await database.rows<{ rank: number }>(
    sql`select rank from coverage_gaps where run_id = ${runId} order by rank`,
  )
  expect(ranks.map((r) => r.rank)).toEqual(ranks.map((_, i) => i + 1))
  // Blind-spot outlines are stored as valid 4326 polygons around their point's neighbourhood.
  expect(
    await count(
      database,
      sql`select count(*) as n from coverage_gaps where run_id = ${runId} and kind = 'blind_spot'
        and (geom is null or not ST_IsValid(geom) or ST_SRID(geom) <> 4326)`,
    ),
  ).toBe(0)
  // …and each outlines exactly its cells: back in the run's metric CRS, its area is theirs (holes excluded).
  const [size] = await database.rows<{ size: number }>(sql`select max(size_m) as size from population_cells`)
  const areas = await database.rows<{ area: number; cells: number }>(sql`
    select ST_Area(ST_Transform(geom, ${outputs.inputs.srid}::int)) as area, cells
    from coverage_gaps where run_id = ${runId} and kind = 'blind_spot'`)
  expect(areas.length).toBeGreaterThan(0)
  for (const a of areas) expect(a.area).toBeCloseTo(a.cells * (size?.size ?? 0) ** 2, 1)
}
