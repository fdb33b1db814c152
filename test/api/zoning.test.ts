/**
 * Zoning over GraphQL: the city's rules as data, an edit that writes a new version, and the recompute as a run
 * in diagnosticRuns whose areas differ from the last ones where the edited rule decided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { postGraphql, TEST_JWT_SECRET } from './helpers/api.ts'
import { personToken } from './helpers/problem-loop.ts'

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

let database: Database
let server: RunningServer
let runner: InProcessRunner
const tokens: Record<string, string> = {}
const gql = (query: string, variables: Record<string, unknown>, token?: string): Promise<Json> =>
  postGraphql(server.url, query, variables, token)

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  server = await startHttpServer({ config, database, jobs: runner })
  tokens.city = await personToken('city-planner', 'city', '310100')
  tokens.district = await personToken('huangpu-wang', 'district', '310101')
  tokens.street = await personToken('street-li', 'street', '310101002')
})
afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
})

const RULES = `query ($regionCode: String!, $all: Boolean) {
  zoningRules(regionCode: $regionCode, includeSuperseded: $all) {
    databaseId key version areaClass className label priority match enabled supersededAt
    conditions { metric op value }
  }
}`
const SAVE = `mutation ($input: SaveZoningRuleInput!) {
  saveZoningRule(input: $input) { databaseId key version areaClass conditions { metric op value } createdBy }
}`
const START = `mutation ($input: StartZoningInput!) { startZoning(input: $input) { created run { databaseId kind state } } }`
const AREAS = `query ($regionCode: String!, $runId: Int) {
  zoningAreas(regionCode: $regionCode, runId: $runId) {
    runId areaClass className areaM2 reasons metrics geom rule { key version }
  }
}`

async function recompute(token: string): Promise<number> {
  const started = await gql(START, { input: { regionCode: '310100' } }, token)
  expect(started.errors).toBeUndefined()
  const runId = started.data.startZoning.run.databaseId as number
  expect(started.data.startZoning.run.kind).toBe('zoning')
  await runner.idle()
  const runs = await gql(`{ diagnosticRuns(regionCode: "310100") { databaseId kind state } }`, {}, token)
  expect(runs.data.diagnosticRuns).toContainEqual({ databaseId: runId, kind: 'zoning', state: 'succeeded' })
  return runId
}

const byClass = (areas: Json[]) =>
  areas.reduce((counts: Record<string, number>, a: Json) => {
    counts[a.areaClass] = (counts[a.areaClass] ?? 0) + a.metrics.blocks
    return counts
  }, {})

describe('zoning rules and areas', () => {
  let before: Json[]

  it('lists the city’s default rules to its districts', async () => {
    const r = await gql(RULES, { regionCode: '310100' }, tokens.district)
    expect(r.errors).toBeUndefined()
    expect(r.data.zoningRules.map((x: Json) => [x.key, x.areaClass, x.className, x.version])).toEqual([
      ['protection-heritage', 'protection', '保护区', 1],
      ['near-term-old-housing', 'near_term', '近期改造区', 1],
      ['gradual-check-findings', 'gradual', '渐进更新区', 1],
    ])
    const own = await gql(RULES, { regionCode: '310101' }, tokens.district)
    expect(own.data.zoningRules).toEqual([])
    const applying = await gql(
      `{ zoningRules(regionCode: "310101", applicable: true) { key regionCode } }`,
      {},
      tokens.district,
    )
    expect(applying.data.zoningRules.map((x: Json) => x.regionCode)).toEqual(['310100', '310100', '310100'])
    const metrics = await gql('{ zoningMetrics { name zh unit } }', {}, tokens.district)
    expect(metrics.data.zoningMetrics.map((m: Json) => m.name)).toContain('heritage_share')
  })

  it('computes the areas as a run, each with its class, rule and reasons', async () => {
    const runId = await recompute(tokens.city!)
    const r = await gql(AREAS, { regionCode: '310100' }, tokens.city)
    expect(r.errors).toBeUndefined()
    before = r.data.zoningAreas
    expect(before.length).toBeGreaterThan(0)
    for (const area of before) {
      expect(area.runId).toBe(runId)
      expect(area.geom.type).toBe('MultiPolygon')
      expect(area.areaM2).toBeGreaterThan(0)
      expect(area.reasons.length).toBeGreaterThan(0)
    }
    expect(byClass(before).protection).toBeGreaterThan(0)
    const protection = before.find((a) => a.areaClass === 'protection')
    expect(protection).toMatchObject({
      className: '保护区',
      rule: { key: 'protection-heritage', version: 1 },
    })
    const mine = await gql(AREAS, { regionCode: '310101' }, tokens.district)
    expect(mine.data.zoningAreas.length).toBeLessThan(before.length)
  })

  it('lets only the province and the city edit rules, and only with known figures', async () => {
    const input = {
      regionCode: '310100',
      key: 'protection-heritage',
      areaClass: 'protection',
      labelZh: '保护区：历史建筑集中',
      conditions: [{ metric: 'heritage_buildings', op: '>=', value: 6 }],
    }
    const byDistrict = await gql(SAVE, { input }, tokens.district)
    expect(byDistrict.errors[0].extensions.code).toBe('FORBIDDEN')
    const unknown = await gql(
      SAVE,
      { input: { ...input, conditions: [{ metric: 'age', op: '>=', value: 50 }] } },
      tokens.city,
    )
    expect(unknown.errors[0].extensions.code).toBe('BAD_USER_INPUT')
    expect(unknown.errors[0].extensions.localized.en).toContain('unknown metric age')
  })

  it('writes an edit as a new version and recomputes the areas with a different result', async () => {
    const edited = await gql(
      SAVE,
      {
        input: {
          regionCode: '310100',
          key: 'protection-heritage',
          areaClass: 'protection',
          labelZh: '保护区：历史建筑高度集中',
          priority: 10,
          conditions: [
            { metric: 'heritage_buildings', op: '>=', value: 1000 },
            { metric: 'heritage_share', op: '>=', value: 0.2 },
          ],
        },
      },
      tokens.city,
    )
    expect(edited.errors).toBeUndefined()
    expect(edited.data.saveZoningRule).toMatchObject({
      key: 'protection-heritage',
      version: 2,
      createdBy: 'city-planner',
    })
    const history = await gql(RULES, { regionCode: '310100', all: true }, tokens.city)
    const versions = history.data.zoningRules.filter((x: Json) => x.key === 'protection-heritage')
    expect(versions.map((v: Json) => [v.version, v.supersededAt === null])).toEqual([
      [2, true],
      [1, false],
    ])

    const runId = await recompute(tokens.city!)
    const after = (await gql(AREAS, { regionCode: '310100' }, tokens.city)).data.zoningAreas as Json[]
    expect(after.every((a) => a.runId === runId)).toBe(true)
    expect(byClass(after).protection ?? 0).toBe(0)
    expect(byClass(after)).not.toEqual(byClass(before))
    const earlier = await gql(AREAS, { regionCode: '310100', runId: before[0].runId }, tokens.city)
    expect(earlier.data.zoningAreas).toHaveLength(before.length)
  })

  it('keeps the recompute to those who may start runs', async () => {
    const r = await gql(START, { input: { regionCode: '310100' } }, tokens.street)
    expect(r.errors[0].extensions.code).toBe('FORBIDDEN')
    const outside = await gql(START, { input: { regionCode: '310115' } }, tokens.district)
    expect(outside.errors[0].extensions.code).toBe('NOT_FOUND')
  })
})
