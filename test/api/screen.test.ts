/**
 * `screen(regionCode)`, the big screen's figures: each panel checked against changes the test makes (problems in
 * known states, projects with known budgets and funding, a value re-graded and warned) and against the caller's
 * scope (a district sees its own district only; the public none).
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON answers field by field
type Json = any

const HUANGPU = '310101'
const PUDONG = '310115'

const SCREEN = `query ($regionCode: String!) {
  screen(regionCode: $regionCode) {
    regionCode
    campaign { databaseId name year }
    gradesByDimension { dimension poor fair good excellent }
    warnings(first: 3) { red yellow items { indicatorCode name unitType unitKey warning } }
    problemFunnel { stage problems }
    blindSpots { facilityType distanceModel gaps children working elderly }
    projectPipeline { state projects budget }
    projectFunding { source amount }
  }
}`

let api: Api
let city: string
let huangpu: string
let pudong: string

const screen = async (regionCode: string, token: string | null = city): Promise<Json> => {
  const r = await api.request<Json>(SCREEN, { regionCode }, { token })
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined()
  return r.body.data.screen
}
const funnel = (s: Json): Record<string, number> =>
  Object.fromEntries(s.problemFunnel.map((f: Json) => [f.stage, f.problems]))

beforeAll(async () => {
  api = await startApi()
  city = await tokenFor('city', '310100')
  huangpu = await tokenFor('district', HUANGPU)
  pudong = await tokenFor('district', PUDONG)
})
afterAll(async () => {
  await api?.close()
})

describe('screen', () => {
  it('counts problems into the funnel by the furthest stage each reached, merged ones not at all', async () => {
    const before = funnel(await screen(HUANGPU))
    const states = ['identified', 'assigned', 'in_progress', 'rectified', 're_inspected', 'closed', 'closed']
    const inserted = await api.database.rows<{ id: number }>(sql`
      insert into problems (region_code, type, title, severity, source, year_found, state)
      select ${HUANGPU}, 'safety', 'screen funnel ' || s, 2, 'inspection', 2025, s
      from unnest(${sql.param(states)}::text[]) s returning id`)
    // A merged duplicate counts in its target only.
    await api.database.rows(sql`insert into problems
        (region_code, type, title, severity, source, year_found, state, merged_into_id)
      values (${HUANGPU}, 'safety', 'screen merged', 2, 'inspection', 2025, 'closed', ${inserted[0]!.id})`)
    const after = funnel(await screen(HUANGPU))
    const delta = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]))
    expect(Object.keys(after)).toEqual(['found', 'assigned', 'rectifying', 're_inspected', 'closed'])
    expect(delta).toEqual({ found: 7, assigned: 6, rectifying: 5, re_inspected: 3, closed: 2 })
    // The city holds the district's problems; Pudong's screen does not move.
    const pudongFunnel = funnel(await screen(PUDONG))
    await api.database.rows(sql`insert into problems (region_code, type, title, severity, source, year_found, state)
      values (${HUANGPU}, 'safety', 'screen elsewhere', 2, 'inspection', 2025, 'identified')`)
    expect(funnel(await screen(PUDONG))).toEqual(pudongFunnel)
    expect(funnel(await screen('310100')).found).toBeGreaterThanOrEqual(after.found! + 1)
  })

  it('counts open and overdue problems in each region a level down', async () => {
    const AREAS = `query ($regionCode: String!) { screen(regionCode: $regionCode) { areas { code open overdue } } }`
    const areas = async (code: string) =>
      new Map<string, Json>(
        (await api.request<Json>(AREAS, { regionCode: code }, { token: city })).body.data.screen.areas.map(
          (a: Json) => [a.code, a],
        ),
      )
    const [street] = await api.database.rows<{ code: string }>(
      sql`select code from regions where level = 'street' and code like '310101%' order by code limit 1`,
    )
    const before = (await areas(HUANGPU)).get(street!.code)
    await api.database.rows(sql`insert into problems
        (region_code, type, title, severity, source, year_found, state, deadline)
      values (${street!.code}, 'safety', 'screen open late', 2, 'inspection', 2025, 'assigned', now() - interval '1 day'),
        (${street!.code}, 'safety', 'screen open', 2, 'inspection', 2025, 'in_progress', now() + interval '9 days'),
        (${street!.code}, 'safety', 'screen closed late', 2, 'inspection', 2025, 'closed', now() - interval '9 days')`)
    const after = (await areas(HUANGPU)).get(street!.code)
    expect(after.open - before.open).toBe(2)
    expect(after.overdue - before.overdue).toBe(1)
    // The city compares its districts.
    const districts = [...(await areas('310100')).keys()]
    expect(districts).toEqual(expect.arrayContaining([HUANGPU, PUDONG]))
    expect(districts.every((code) => code.length === 6)).toBe(true)
  })

  it('sums projects by state and funding by source within the region', async () => {
    await api.database.rows(sql`insert into projects (region_code, name, kind, budget, state, funding_sources)
      values (${HUANGPU}, '屏幕项目甲', 'renovation', 1200, 'approved',
          '[{"source":"中央补助","amount":500},{"source":"地方财政","amount":700}]'::jsonb),
        (${HUANGPU}, '屏幕项目乙', 'renovation', 300, 'approved', '[{"source":"地方财政","amount":300}]'::jsonb),
        (${HUANGPU}, '屏幕项目丙', 'park', null, 'under_way', '[]'::jsonb),
        (${PUDONG}, '屏幕项目丁', 'park', 9000, 'proposed', '[{"source":"社会资本","amount":9000}]'::jsonb)`)
    const s = await screen(HUANGPU)
    expect(s.projectPipeline).toEqual([
      { state: 'approved', projects: 2, budget: 1500 },
      { state: 'under_way', projects: 1, budget: 0 },
    ])
    expect(s.projectFunding).toEqual([
      { source: '地方财政', amount: 1000 },
      { source: '中央补助', amount: 500 },
    ])
    const whole = await screen('310100')
    expect(whole.projectPipeline.map((p: Json) => p.state)).toEqual(['proposed', 'approved', 'under_way'])
    // Huangpu's staff read Huangpu's projects; Pudong's the other one only.
    expect((await screen(HUANGPU, huangpu)).projectPipeline).toEqual(s.projectPipeline)
    expect((await screen(PUDONG, pudong)).projectFunding).toEqual([{ source: '社会资本', amount: 9000 }])
  })

  it('counts the latest graded campaign’s values by dimension and grade, and lists red warnings first', async () => {
    const [system] = await api.database.rows<{ id: number }>(
      sql`select id from indicator_systems order by id limit 1`,
    )
    const indicators = await api.database.rows<{ id: number; code: string; dimension: string }>(sql`
      select distinct on (dimension) id, code, dimension from indicators where system_id = ${system!.id}
      and dimension in ('housing', 'city') order by dimension, sort_order, id`)
    const housing = indicators.find((i) => i.dimension === 'housing')!
    const cityWide = indicators.find((i) => i.dimension === 'city')!
    expect(housing && cityWide, 'the seeded edition has housing and city indicators').toBeTruthy()
    // A later year than any other campaign: the one the screen takes.
    const [campaign] = await api.database.rows<{ id: number }>(sql`insert into campaigns
        (kind, year, name, region_code, system_id, status)
      values ('annual', 2099, '屏幕体检 2099', '310100', ${system!.id}, 'collecting') returning id`)
    const value = (
      indicator: number,
      unitKey: string,
      region: string,
      grade: string,
      warning: string | null,
    ) =>
      sql`(${campaign!.id}, ${indicator}, 'region', ${unitKey}, ${region}, ${grade}, ${warning}, 'reported')`
    await api.database.rows(sql`insert into indicator_values
        (campaign_id, indicator_id, unit_type, unit_key, region_code, grade, warning, source)
      values ${sql.join(
        [
          value(housing.id, '310101', HUANGPU, 'poor', 'yellow'),
          value(housing.id, '310115', PUDONG, 'good', null),
          value(housing.id, '310109', '310109', 'poor', null),
          value(cityWide.id, '310101', HUANGPU, 'excellent', null),
          value(cityWide.id, '310115', PUDONG, 'fair', 'red'),
        ],
        sql`, `,
      )}`)
    const s = await screen('310100')
    expect(s.campaign).toEqual({ databaseId: campaign!.id, name: '屏幕体检 2099', year: 2099 })
    expect(s.gradesByDimension).toEqual([
      { dimension: 'housing', poor: 2, fair: 0, good: 1, excellent: 0 },
      { dimension: 'city', poor: 0, fair: 1, good: 0, excellent: 1 },
    ])
    expect(s.warnings.red).toBe(1)
    expect(s.warnings.yellow).toBe(1)
    expect(s.warnings.items.map((w: Json) => [w.indicatorCode, w.unitKey, w.warning])).toEqual([
      [cityWide.code, '310115', 'red'],
      [housing.code, '310101', 'yellow'],
    ])
    // A district's screen: its own values only.
    const huangpuScreen = await screen(HUANGPU, huangpu)
    expect(huangpuScreen.gradesByDimension).toEqual([
      { dimension: 'housing', poor: 1, fair: 0, good: 0, excellent: 0 },
      { dimension: 'city', poor: 0, fair: 0, good: 0, excellent: 1 },
    ])
    expect(huangpuScreen.warnings).toMatchObject({ red: 0, yellow: 1 })
  })

  it('sums the blind spots inside the region of the latest succeeded coverage run over it', async () => {
    // The city's run: Huangpu's screen takes its blind spots inside Huangpu, not Pudong's.
    const [run] = await api.database.rows<{ id: number }>(sql`insert into diagnostic_runs
        (kind, region_code, state, idempotency_key, finished_at)
      values ('coverage', '310100', 'succeeded', 'screen-test', now() + interval '1 day') returning id`)
    await api.database.rows(sql`insert into coverage_gaps (run_id, region_code, facility_type, distance_model, kind,
        gap_key, point, uncovered_children, uncovered_working, uncovered_elderly, rank)
      select ${run!.id}, r, 'kindergarten', 'network', k, 'g' || n,
        ST_SetSRID(ST_MakePoint(121.48, 31.23), 4326), 10 * n, 20 * n, 30 * n, n
      from (values (1, 'blind_spot', ${HUANGPU}), (2, 'blind_spot', ${HUANGPU}), (3, 'capacity', ${HUANGPU}),
        (4, 'blind_spot', ${PUDONG})) as g(n, k, r)`)
    expect((await screen(HUANGPU)).blindSpots).toEqual([
      {
        facilityType: 'kindergarten',
        distanceModel: 'network',
        gaps: 2,
        children: 30,
        working: 60,
        elderly: 90,
      },
    ])
    expect((await screen('310100')).blindSpots).toEqual([
      {
        facilityType: 'kindergarten',
        distanceModel: 'network',
        gaps: 3,
        children: 70,
        working: 140,
        elderly: 210,
      },
    ])
  })

  it('asks for a token, and refuses a region out of scope or unknown', async () => {
    const anonymous = await api.request(SCREEN, { regionCode: HUANGPU }, { token: null })
    expect(anonymous.body.data?.screen ?? null).toBeNull()
    expect(errorCodes(anonymous).length).toBeGreaterThan(0)
    const outside = await api.request(SCREEN, { regionCode: PUDONG }, { token: huangpu })
    expect(errorCodes(outside)).toEqual(['NOT_FOUND'])
    const unknown = await api.request(SCREEN, { regionCode: '999999' }, { token: city })
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND'])
  })
})
