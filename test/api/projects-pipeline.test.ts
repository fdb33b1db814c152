import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIndicatorRun } from '../../jobs/api.ts'
import { insertResource } from '../jobs/projects/fixtures.ts'
import { tokenFor } from './helpers/api.ts'
import { type DemoApi, generateAndWait, startDemoApi } from './helpers/projects.ts'

let api: DemoApi
let province: string
let city: string
let district: string
let projectId = ''
let code = ''
let idle = 0

beforeAll(async () => {
  api = await startDemoApi()
  province = await tokenFor('province', '310000')
  city = await tokenFor('city', '310100')
  idle = await insertResource(api.database, { kind: 'idle_land', gapType: 'kindergarten', state: 'verified' })
  await insertResource(api.database, { kind: 'corner_space', gapType: 'park', state: 'verified' })
  await generateAndWait(api, '310000', province)
  const [row] = await api.database.rows<{
    code: string
    region: string
  }>(sql`select code, region_code as region
    from projects where generation_key = ${`facility:kindergarten:resource:${idle}`}`)
  code = row?.code ?? ''
  district = await tokenFor('district', row?.region ?? '310101')
  const r = await api.gql(`query ($code: String) { project(code: $code) { id } }`, { code }, city)
  projectId = r.data.project.id
})
afterAll(async () => {
  await api?.close()
})

const PLAN = `mutation ($input: PlanProjectInput!) { planProject(input: $input) {
  code phase year budget state funding { year source amount } } }`
const MOVE = `mutation ($input: TransitionProjectInput!) { transitionProject(input: $input) { code state } }`
const move = (to: string, token = city) => api.gql(MOVE, { input: { id: projectId, to } }, token)
const code0 = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code

describe('the pipeline: reserve, annual plan with funding, building, evaluation by a later check', () => {
  it('starts every proposal in the reserve and refuses to build it there', async () => {
    const r = await api.gql(
      `query ($code: String) { project(code: $code) { phase state year } }`,
      { code },
      city,
    )
    expect(r.data.project).toEqual({ phase: 'reserve', state: 'proposed', year: null })
    expect(code0(await move('approved'))).toBeUndefined()
    expect(code0(await move('under_way'))).toBe('CONFLICT')
  })

  it('plans it into a year only with a funding plan summing to the budget, by the city', async () => {
    const funding = [
      { year: 2026, source: '市级财政', amount: 500 },
      { year: 2027, source: '区级财政', amount: 300 },
    ]
    const input = { id: projectId, phase: 'annual', year: 2026, budget: 800, funding }
    const short = await api.gql(PLAN, { input: { ...input, budget: 900 } }, city)
    expect(code0(short)).toBe('BAD_USER_INPUT')
    expect(short.errors?.[0]?.extensions).toMatchObject({ funded: 800, budget: 900 })
    const outside = [...funding, { year: 2032, source: '社会资本', amount: 1 }]
    expect(code0(await api.gql(PLAN, { input: { ...input, budget: 801, funding: outside } }, city))).toBe(
      'BAD_USER_INPUT',
    )
    expect(code0(await api.gql(PLAN, { input: { ...input, funding: [] } }, city))).toBe('BAD_USER_INPUT')
    expect(code0(await api.gql(PLAN, { input }, district))).toBe('FORBIDDEN')
    const planned = await api.gql(PLAN, { input }, city)
    expect(planned.errors).toBeUndefined()
    expect(planned.data.planProject).toEqual({
      code,
      phase: 'annual',
      year: 2026,
      budget: 800,
      state: 'approved',
      funding,
    })
    const [stored] = await api.database.rows<{ sources: unknown; n: number }>(sql`
      select funding_sources as sources, (select count(*)::int from project_funding f where f.project_id = p.id) as n
      from projects p where p.code = ${code}`)
    expect(stored).toEqual({
      sources: [
        { source: '市级财政', amount: 500 },
        { source: '区级财政', amount: 300 },
      ],
      n: 2,
    })
  })

  it('builds it: under way, completed, and no way back', async () => {
    expect((await move('under_way', district)).data.transitionProject.state).toBe('under_way')
    expect((await move('completed', district)).data.transitionProject.state).toBe('completed')
    expect(code0(await move('proposed'))).toBe('CONFLICT')
    expect(code0(await move('evaluated'))).toBe('CONFLICT')
    expect(code0(await api.gql(PLAN, { input: { id: projectId, phase: 'reserve', year: 2028 } }, city))).toBe(
      'CONFLICT',
    )
  })

  it('is evaluated by the next campaign: its coverage improved, its linked indicators reported beside it', async () => {
    // The kindergarten opened on the plot; the 2026 check diagnoses coverage and computes indicators again.
    await api.database.rows(sql`insert into facilities (region_code, type, name, geom, capacity, capacity_unit)
      select region_code, 'kindergarten', '新建幼儿园', ST_PointOnSurface(geom), 1000, 'places' from stock_resources
      where id = ${idle} returning id`)
    const [later] = await api.database.rows<{ id: number }>(sql`
      insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
      select 'annual', 2026, '上海市 2026 年城市体检', region_code, system_id, 'collecting', 'test' from campaigns
      where id = ${api.campaignId} returning id`)
    const laterId = later?.id ?? 0
    const coverage = await api.gql(
      `mutation ($input: StartCoverageDiagnosisInput!) { startCoverageDiagnosis(input: $input) { run { databaseId } } }`,
      { input: { regionCode: '310100', campaignId: laterId } },
      city,
    )
    expect(coverage.errors).toBeUndefined()
    await startIndicatorRun(api.database, api.runner, { campaignId: laterId, requestedBy: 'test' })
    await api.runner.idle()

    const r = await api.gql(
      `mutation ($c: Int!) { evaluateProjects(campaignId: $c) { projectId campaignId outcome indicators figures } }`,
      { c: laterId },
      city,
    )
    expect(r.errors).toBeUndefined()
    const evaluation = r.data.evaluateProjects.find((e: { campaignId: number }) => e.campaignId === laterId)
    expect(evaluation.outcome).toBe('improved')
    const cov = evaluation.figures.coverage
    expect(cov.uncoveredAfter).toBeLessThan(cov.uncoveredBefore)
    // The linked indicators are reported with their values before and after, judged by their direction; one
    // that moved against the coverage is named.
    const measured = evaluation.indicators.filter((x: { before: number | null }) => x.before !== null)
    expect(measured.length).toBeGreaterThan(0)
    for (const x of measured) {
      expect(x.after).not.toBeNull()
      if (x.direction === 'lower' && x.after !== x.before) expect(x.better).toBe(x.after < x.before)
      if (x.better === false) expect(evaluation.figures.disagreeing).toContain(x.indicatorCode)
    }
    const after = await api.gql(
      `query ($code: String) { project(code: $code) { state evaluations { campaignId outcome } } }`,
      { code },
      city,
    )
    expect(after.data.project).toEqual({
      state: 'evaluated',
      evaluations: [{ campaignId: laterId, outcome: 'improved' }],
    })
    // The campaign the project came from cannot judge it.
    expect(
      code0(
        await api.gql(`mutation { evaluateProjects(campaignId: ${api.campaignId}) { outcome } }`, {}, city),
      ),
    ).toBe('BAD_USER_INPUT')
  })

  it('counts what the quick-win programmes delivered', async () => {
    const [mine] = await api.database.rows<{ id: number }>(sql`select p.id from projects p
      join project_resources pr on pr.project_id = p.id join stock_resources r on r.id = pr.resource_id
      where p.programme = 'pocket_park' and r.code like 'ZY-TEST-%' limit 1`)
    const parkId = Buffer.from(`Project:${mine?.id}`).toString('base64')
    const funding = [{ year: 2026, source: '区级财政', amount: 60 }]
    await api.gql(PLAN, { input: { id: parkId, phase: 'annual', year: 2026, budget: 60, funding } }, city)
    for (const to of ['approved', 'under_way', 'completed']) {
      const moved = await api.gql(MOVE, { input: { id: parkId, to } }, city)
      expect(moved.errors).toBeUndefined()
    }
    const r = await api.gql(
      `{ quickWinOutcomes(regionCode: "310100") {
      programme projects planned underWay completed improved budget newlyCovered siteAreaM2 } }`,
      {},
      city,
    )
    expect(r.errors).toBeUndefined()
    const byProgramme = Object.fromEntries(
      r.data.quickWinOutcomes.map((q: { programme: string }) => [q.programme, q]),
    )
    expect(Object.keys(byProgramme)).toEqual(['pocket_park', 'parking', 'ageing_friendly'])
    const [expected] = await api.database.rows<{ n: number; benefit: number }>(sql`
      select count(*)::int as n, coalesce(sum(benefit), 0)::float8 as benefit from projects
      where programme = 'pocket_park' and state = 'completed'`)
    expect(byProgramme.pocket_park).toMatchObject({
      completed: expected?.n,
      planned: 1,
      budget: 60,
      siteAreaM2: 2800,
    })
    expect(byProgramme.pocket_park.newlyCovered).toBeCloseTo(expected?.benefit ?? Number.NaN, 3)
    expect(byProgramme.pocket_park.projects).toBeGreaterThanOrEqual(1)
  })
})
