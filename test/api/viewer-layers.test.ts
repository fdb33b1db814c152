import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { countingDatabase, postGraphql, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

// The API the viewer's newer layers read: building grades, uncovered population cells, renewal areas and
// district boundaries for the camera presets.

let database: Database
let server: RunningServer
let runner: InProcessRunner
let city: string
let huangpu: string
let pudong: string
const statements: string[] = []

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any
const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  postGraphql(server.url, query, variables, token)

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  server = await startHttpServer({ config, database: countingDatabase(database, statements), jobs: runner })
  city = await tokenFor('city', '310100')
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')
})
afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
})

const GRADES = `query ($regionCode: String!, $indicatorCode: String, $campaignId: Int) {
  buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode, campaignId: $campaignId) {
    campaignId campaignName year indicatorCode
    indicators { code }
    buildings { buildingId grade unitType }
  }
}`

describe('building grades', () => {
  // Units of the fixture: one building with its own value, the other buildings of its compound, one building
  // in a block (and no compound), the rest of Huangpu, and Hongkou through the city's value.
  let own = 0
  let compoundId = 0
  const sameCompound: number[] = []
  let inBlock = 0
  let campaignId = 0
  let codes: [string, string] = ['', '']

  beforeAll(async () => {
    const [system] = await database.rows<{ id: number }>(
      sql`select id from indicator_systems order by id limit 1`,
    )
    const indicators = await database.rows<{ id: number; code: string }>(
      sql`select id, code from indicators where system_id = ${system?.id} order by sort_order, id limit 2`,
    )
    const [a, b] = indicators
    if (!a || !b || !system) throw new Error('the seeded edition has fewer than two indicators')
    codes = [a.code, b.code]
    // An older campaign with a contradicting grade must not be the one chosen.
    for (const year of [2024, 2025]) {
      const [campaign] = await database.rows<{ id: number }>(
        sql`insert into campaigns (kind, year, name, region_code, system_id, status)
            values ('annual', ${year}, ${`上海市 ${year} 年城市体检`}, '310100', ${system.id}, 'collecting') returning id`,
      )
      campaignId = campaign?.id ?? 0
    }
    const [compound] = await database.rows<{ id: number }>(
      sql`select c.id from compounds c join buildings b on b.compound_id = c.id
          where b.region_code = '310101' group by c.id having count(*) >= 2 order by c.id limit 1`,
    )
    compoundId = compound?.id ?? 0
    const members = await database.rows<{ id: number }>(
      sql`select id from buildings where compound_id = ${compoundId} order by id`,
    )
    own = members[0]?.id ?? 0
    sameCompound.push(...members.slice(1).map((m) => m.id))
    const [loose] = await database.rows<{ id: number }>(
      sql`select id from buildings where region_code = '310101' and compound_id is null order by id limit 1`,
    )
    inBlock = loose?.id ?? 0
    const [block] = await database.rows<{ id: number }>(
      sql`insert into blocks (region_code, name, geom)
          select region_code, 'test block', footprint from buildings where id = ${inBlock} returning id`,
    )
    await database.rows(sql`update buildings set block_id = ${block?.id} where id = ${inBlock}`)
    await database.rows(
      sql`update buildings set block_id = null where region_code = '310101' and id <> ${inBlock}`,
    )

    const value = (
      campaign: number,
      indicator: number,
      unitType: string,
      unitKey: string | number,
      regionCode: string,
      grade: string,
    ) =>
      sql`(${campaign}, ${indicator}, ${unitType}, ${String(unitKey)}, ${regionCode}, ${grade}, 'reported')`
    const older = campaignId - 1
    const rows = [
      value(older, a.id, 'region', '310101', '310101', 'excellent'),
      value(campaignId, a.id, 'region', '310100', '310100', 'fair'),
      value(campaignId, a.id, 'region', '310101', '310101', 'good'),
      value(campaignId, a.id, 'compound', compoundId, '310101', 'poor'),
      value(campaignId, a.id, 'building', own, '310101', 'excellent'),
      value(campaignId, a.id, 'block', block?.id ?? 0, '310101', 'excellent'),
      value(campaignId, b.id, 'region', '310101', '310101', 'fair'),
      value(campaignId, b.id, 'compound', compoundId, '310101', 'excellent'),
    ]
    await database.rows(
      sql`insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, grade, source)
          values ${sql.join(rows, sql`, `)}`,
    )
  })

  const byId = (buildings: Json[]) =>
    new Map<number, { grade: string; unitType: string }>(buildings.map((b) => [b.buildingId, b]))

  it('takes the grade of the most specific unit with a value, in the latest graded campaign', async () => {
    expect(own && sameCompound.length && inBlock).toBeTruthy()
    statements.length = 0
    const r = await gql(GRADES, { regionCode: '310100', indicatorCode: codes[0] }, city)
    expect(r.errors).toBeUndefined()
    const grades = r.data.buildingGrades
    expect(grades).toMatchObject({ campaignId, year: 2025, indicatorCode: codes[0] })
    expect(grades.indicators.map((i: Json) => i.code).sort()).toEqual([...codes].sort())
    // Set-based: the campaign, then one statement for every building's grade.
    const gradeStatements = statements.filter((s) => /from indicator_values v join indicators/i.test(s))
    expect(gradeStatements).toHaveLength(1)

    const map = byId(grades.buildings)
    expect(map.get(own)).toEqual({ buildingId: own, grade: 'excellent', unitType: 'building' })
    for (const id of sameCompound) expect(map.get(id)).toMatchObject({ grade: 'poor', unitType: 'compound' })
    expect(map.get(inBlock)).toMatchObject({ grade: 'excellent', unitType: 'block' })
    const [counts] = await database.rows<{ huangpu: number; hongkou: number; pudong: number }>(
      sql`select count(*) filter (where region_code = '310101')::int as huangpu,
        count(*) filter (where region_code = '310109')::int as hongkou,
        count(*) filter (where region_code = '310115')::int as pudong from buildings`,
    )
    // Every building of the city inherits at least the city's value; the district's is more specific.
    expect(grades.buildings).toHaveLength(
      (counts?.huangpu ?? 0) + (counts?.hongkou ?? 0) + (counts?.pudong ?? 0),
    )
    const huangpuRest = grades.buildings.filter(
      (b: Json) => b.buildingId !== own && b.buildingId !== inBlock && !sameCompound.includes(b.buildingId),
    )
    const [ids] = await database.rows<{ huangpu: number[] }>(
      sql`select array_agg(id) as huangpu from buildings where region_code = '310101'`,
    )
    const inHuangpu = new Set(ids?.huangpu ?? [])
    for (const b of huangpuRest) {
      expect(b).toMatchObject(
        inHuangpu.has(b.buildingId)
          ? { grade: 'good', unitType: 'region' }
          : { grade: 'fair', unitType: 'region' },
      )
    }
  })

  it('defaults to the worst grade over all indicators', async () => {
    const r = await gql(GRADES, { regionCode: '310101' }, city)
    expect(r.errors).toBeUndefined()
    expect(r.data.buildingGrades.indicatorCode).toBeNull()
    const map = byId(r.data.buildingGrades.buildings)
    // own: A excellent (building), B excellent (compound); its neighbours: A poor; the block's: B fair.
    expect(map.get(own)?.grade).toBe('excellent')
    for (const id of sameCompound) expect(map.get(id)?.grade).toBe('poor')
    expect(map.get(inBlock)).toMatchObject({ grade: 'fair', unitType: 'region' })
    const grades = new Set([...map.values()].map((g) => g.grade))
    expect(grades).toEqual(new Set(['excellent', 'poor', 'fair']))
    // Only Huangpu's buildings when Huangpu is asked for.
    const [n] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings where region_code = '310101'`,
    )
    expect(map.size).toBe(n?.n)
  })

  it('reads an older campaign when asked, and is scoped like the values', async () => {
    const older = await gql(
      GRADES,
      { regionCode: '310101', campaignId: campaignId - 1, indicatorCode: codes[0] },
      city,
    )
    expect(new Set(older.data.buildingGrades.buildings.map((b: Json) => b.grade))).toEqual(
      new Set(['excellent']),
    )
    // Huangpu's token sees Huangpu's values but not the city's: Hongkou's buildings are not in its scope anyway.
    const own = await gql(GRADES, { regionCode: '310100', indicatorCode: codes[0] }, huangpu)
    expect(own.errors).toBeUndefined()
    const regions = await database.rows<{ id: number }>(
      sql`select id from buildings where region_code <> '310101' limit 1000`,
    )
    const outside = new Set(regions.map((r) => r.id))
    expect(own.data.buildingGrades.buildings.some((b: Json) => outside.has(b.buildingId))).toBe(false)
    // Pudong has no graded value it may read: no campaign to show.
    const theirs = await gql(GRADES, { regionCode: '310100' }, pudong)
    expect(theirs.errors).toBeUndefined()
    expect(theirs.data.buildingGrades).toBeNull()
    const anonymous = await gql(GRADES, { regionCode: '310100' })
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    const unknown = await gql(GRADES, { regionCode: '999999' }, city)
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })
})

const CELLS = `query ($type: FacilityType!, $model: DistanceModel) {
  latestCoverageRun(regionCode: "310100") {
    databaseId
    servedGroups(facilityType: $type)
    uncoveredCells(facilityType: $type, distanceModel: $model) {
      databaseId cellKey centroid geom children working elderly total served
    }
  }
}`

describe('uncovered population cells of the latest coverage run', () => {
  it('are the cells inside the blind spots: their residents sum to the blind spots’ figures', async () => {
    const started = await gql(
      `mutation ($input: StartCoverageDiagnosisInput!) {
        startCoverageDiagnosis(input: $input) { run { databaseId } } }`,
      {
        input: {
          regionCode: '310101',
          facilityTypes: ['kindergarten', 'elderly_care'],
          distanceModels: ['euclidean'],
        },
      },
      huangpu,
    )
    expect(started.errors).toBeUndefined()
    const runId = started.data.startCoverageDiagnosis.run.databaseId
    let state = ''
    for (let i = 0; i < 600 && state !== 'succeeded' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200))
      const runs = await gql(`{ diagnosticRuns(regionCode: "310101") { databaseId state } }`, {}, huangpu)
      state = runs.data.diagnosticRuns.find((x: Json) => x.databaseId === runId)?.state ?? ''
    }
    expect(state).toBe('succeeded')

    for (const [type, group] of [
      ['kindergarten', 'children'],
      ['elderly_care', 'elderly'],
    ] as const) {
      const r = await gql(CELLS, { type }, huangpu)
      expect(r.errors).toBeUndefined()
      const run = r.data.latestCoverageRun
      expect(run.databaseId).toBe(runId)
      expect(run.servedGroups).toEqual([group])
      const cells: Json[] = run.uncoveredCells
      const [gaps] = await database.rows<{ spots: number; cells: number; served: number; working: number }>(
        sql`select count(*)::int as spots, coalesce(sum(cells), 0)::int as cells,
          coalesce(sum(${sql.raw(`uncovered_${group}`)}), 0)::float8 as served,
          coalesce(sum(uncovered_working), 0)::float8 as working
          from coverage_gaps where run_id = ${runId} and facility_type = ${type} and kind = 'blind_spot'`,
      )
      expect(gaps?.spots, type).toBeGreaterThan(0)
      expect(cells).toHaveLength(gaps?.cells ?? -1)
      expect(new Set(cells.map((c) => c.databaseId)).size).toBe(cells.length)
      const sum = (key: string) => cells.reduce((s, c) => s + c[key], 0)
      expect(sum('served')).toBeCloseTo(gaps?.served ?? Number.NaN, 3)
      expect(sum(group)).toBeCloseTo(gaps?.served ?? Number.NaN, 3)
      expect(sum('working')).toBeCloseTo(gaps?.working ?? Number.NaN, 3)
      for (const c of cells) {
        expect(c.centroid.type).toBe('Point')
        expect(c.geom.type).toBe('Polygon')
        expect(c.served).toBe(c[group])
        expect(c[group]).toBeGreaterThan(0)
      }
      // The run computed only the straight-line model: asking for the network one finds nothing.
      const network = await gql(CELLS, { type, model: 'network' }, huangpu)
      expect(network.data.latestCoverageRun.uncoveredCells).toEqual([])
    }
    const theirs = await gql(CELLS, { type: 'kindergarten' }, pudong)
    expect(theirs.data.latestCoverageRun).toBeNull()
  })
})

describe('renewal areas of the demo and district boundaries', () => {
  it('seeds named areas over old housing, derived from the data', async () => {
    const r = await gql(
      `{ renewalAreas(first: 100) { totalCount nodes { name kind regionCode areaM2 geom attributes } } }`,
      {},
      city,
    )
    expect(r.errors).toBeUndefined()
    const areas: Json[] = r.data.renewalAreas.nodes
    expect(areas.length).toBeGreaterThanOrEqual(2)
    expect(r.data.renewalAreas.totalCount).toBe(areas.length)
    expect(new Set(areas.map((a) => a.name)).size).toBe(areas.length)
    expect(new Set(areas.map((a) => a.kind))).toEqual(new Set(['housing_upgrade', 'old_lilong']))
    for (const a of areas) {
      expect(a.name).toMatch(/^[\u4e00-\u9fa5·（）0-9]+片区(（\d+）)?$/)
      expect(a.geom.type).toBe('MultiPolygon')
      expect(a.areaM2).toBeGreaterThan(5000)
      expect(a.attributes.method).toBe('seed:renewal-areas')
    }
    // Every lilong area holds the low-rise residential buildings it was drawn around, in its own district.
    const lilong = await database.rows<{ name: string; inside: number; members: number; district: boolean }>(
      sql`select a.name, (a.attributes->>'members')::int as members,
          (select count(*)::int from buildings b where b.use = 'residential' and b.height_m < 15
            and ST_Contains(a.geom, b.centroid)) as inside,
          exists (select 1 from regions d where d.code = a.region_code and ST_Intersects(d.boundary, ST_PointOnSurface(a.geom))) as district
        from renewal_areas a where a.kind = 'old_lilong'`,
    )
    for (const l of lilong) {
      expect(l.members, l.name).toBeGreaterThanOrEqual(10)
      expect(l.inside, l.name).toBeGreaterThanOrEqual(l.members)
      expect(l.district, l.name).toBe(true)
    }
    // Plans under work: never public.
    const anonymous = await gql(`{ renewalAreas(first: 5) { totalCount } }`)
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    const theirs = await gql(`{ renewalAreas(first: 100) { nodes { regionCode } } }`, {}, huangpu)
    expect(theirs.data.renewalAreas.nodes.every((a: Json) => a.regionCode.startsWith('310101'))).toBe(true)
  })

  it('gives the demo districts a boundary for the camera presets, publicly', async () => {
    const r = await gql(`{ region(code: "310100") { children(level: district) { code boundary } } }`)
    expect(r.errors).toBeUndefined()
    const withBoundary = r.data.region.children
      .filter((d: Json) => d.boundary !== null)
      .map((d: Json) => d.code)
    expect(withBoundary.sort()).toEqual(['310101', '310109', '310115'])
  })
})
