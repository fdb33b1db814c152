import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { postGraphql, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

let database: Database
let server: RunningServer
let runner: InProcessRunner
let huangpu: string
let pudong: string

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any
const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  postGraphql(server.url, query, variables, token)

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  server = await startHttpServer({ config, database, jobs: runner })
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')
})
afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
})

const LATEST = `query ($regionCode: String!, $type: FacilityType, $model: DistanceModel, $first: Int) {
  latestCoverageRun(regionCode: $regionCode) {
    databaseId state regionCode
    gaps(facilityType: $type, distanceModel: $model, first: $first) {
      facilityType distanceModel kind rank priority cells
      uncoveredChildren uncoveredWorking uncoveredElderly capacityGap geom point
    }
  }
}`

describe('gaps of the latest coverage run', () => {
  let runId = 0

  it('is null before any run', async () => {
    const r = await gql(LATEST, { regionCode: '310100' }, huangpu)
    expect(r.errors).toBeUndefined()
    expect(r.data.latestCoverageRun).toBeNull()
  })

  it('returns the gaps of a finished run ranked, summing like the table', async () => {
    const started = await gql(
      `mutation ($input: StartCoverageDiagnosisInput!) {
        startCoverageDiagnosis(input: $input) { run { databaseId } } }`,
      { input: { regionCode: '310101', facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] } },
      huangpu,
    )
    expect(started.errors).toBeUndefined()
    runId = started.data.startCoverageDiagnosis.run.databaseId
    let state = ''
    for (let i = 0; i < 600 && state !== 'succeeded' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200))
      const runs = await gql(`{ diagnosticRuns(regionCode: "310101") { databaseId state } }`, {}, huangpu)
      state =
        runs.data.diagnosticRuns.find((x: { databaseId: number }) => x.databaseId === runId)?.state ?? ''
    }
    expect(state).toBe('succeeded')

    const r = await gql(
      LATEST,
      { regionCode: '310100', type: 'kindergarten', model: 'euclidean', first: 2000 },
      huangpu,
    )
    expect(r.errors).toBeUndefined()
    const run = r.data.latestCoverageRun
    expect(run).toMatchObject({ databaseId: runId, state: 'succeeded', regionCode: '310101' })
    const gaps: Json[] = run.gaps
    expect(gaps.length).toBeGreaterThan(0)
    const ranks = gaps.map((g) => g.rank)
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
    for (const g of gaps) {
      expect(g).toMatchObject({ facilityType: 'kindergarten', distanceModel: 'euclidean' })
      expect(g.point.type).toBe('Point')
      if (g.kind === 'blind_spot') expect(g.geom.type).toBe('MultiPolygon')
    }
    const [sums] = await database.rows<{ n: number; children: number; working: number; elderly: number }>(
      sql`select count(*)::int as n, coalesce(sum(uncovered_children), 0)::float8 as children,
        coalesce(sum(uncovered_working), 0)::float8 as working, coalesce(sum(uncovered_elderly), 0)::float8 as elderly
        from coverage_gaps where run_id = ${runId} and facility_type = 'kindergarten' and distance_model = 'euclidean'`,
    )
    const sum = (key: string) => gaps.reduce((s, g) => s + g[key], 0)
    expect(gaps.length).toBe(sums?.n)
    expect(sum('uncoveredChildren')).toBeCloseTo(sums?.children ?? Number.NaN, 3)
    expect(sum('uncoveredWorking')).toBeCloseTo(sums?.working ?? Number.NaN, 3)
    expect(sum('uncoveredElderly')).toBeCloseTo(sums?.elderly ?? Number.NaN, 3)

    const firstTwo = await gql(LATEST, { regionCode: '310100', type: 'kindergarten', first: 2 }, huangpu)
    expect(firstTwo.data.latestCoverageRun.gaps.map((g: Json) => g.rank)).toEqual(ranks.slice(0, 2))
  })

  it('is not visible to another district nor without a token', async () => {
    const theirs = await gql(LATEST, { regionCode: '310100' }, pudong)
    expect(theirs.errors).toBeUndefined()
    expect(theirs.data.latestCoverageRun).toBeNull()
    const anonymous = await gql(LATEST, { regionCode: '310100' })
    expect(anonymous.data?.latestCoverageRun ?? null).toBeNull()
    const node = await gql(
      `query ($id: ID!) { node(id: $id) { id } }`,
      { id: Buffer.from(`DiagnosticRun:${runId}`).toString('base64') },
      pudong,
    )
    expect(node.data.node).toBeNull()
  })
})
