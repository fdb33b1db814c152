import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { independentNewlyCovered, insertResource } from '../jobs/projects/fixtures.ts'
import { tokenFor } from './helpers/api.ts'
import { type DemoApi, generateAndWait, readWorkbook, startDemoApi } from './helpers/projects.ts'

let api: DemoApi
let province: string
let idle = 0
let corner = 0

beforeAll(async () => {
  api = await startDemoApi()
  province = await tokenFor('province', '310000')
  idle = await insertResource(api.database, { kind: 'idle_land', gapType: 'kindergarten', state: 'verified' })
  corner = await insertResource(api.database, { kind: 'corner_space', gapType: 'park', state: 'reported' })
})
afterAll(async () => {
  await api?.close()
})

const split = (cell: unknown) => (cell ? String(cell).split(',') : [])

describe('generateProjects and the four lists', () => {
  it('generates for 上海市 as a run listed in diagnosticRuns', async () => {
    const { started, finished } = await generateAndWait(api, '310000', province)
    expect(started).toMatchObject({ kind: 'projects' })
    expect(finished).toMatchObject({ kind: 'projects', state: 'succeeded', error: null })
    expect(finished.outputs.projects).toBeGreaterThan(0)
    expect(finished.outputs.withBenefit).toBeGreaterThan(0)
  })

  it('exports the four linked lists, the project sheet recomputable by plain SQL', async () => {
    const url = `${api.server.url}/api/campaigns/${api.campaignId}/lists.xlsx`
    const book = await readWorkbook(url, province)
    expect(book.status).toBe(200)
    expect(book.names).toEqual(['问题清单', '意见清单', '资源清单', '项目清单'])
    const numbers = (name: string) => new Set((book.sheets.get(name) ?? []).map((r) => String(r.编号)))
    const problems = numbers('问题清单')
    const resources = numbers('资源清单')
    const projects = book.sheets.get('项目清单') ?? []
    expect(projects.length).toBeGreaterThan(0)
    for (const sheet of book.sheets.values()) for (const row of sheet) expect(row.编号).toBeTruthy()
    let linkedProblems = 0
    for (const p of projects) {
      for (const n of split(p.关联问题)) expect(problems.has(n), n).toBe(true)
      for (const n of split(p.关联资源)) expect(resources.has(n), n).toBe(true)
      linkedProblems += split(p.关联问题).length
    }
    expect(linkedProblems).toBeGreaterThan(0)
    // The kindergarten on the idle plot: its 新增覆盖人口 counted again without the coverage engine.
    const [code] = await api.database.rows<{ code: string; resource: string }>(sql`
      select p.code, r.code as resource from projects p join stock_resources r on r.id = ${idle}
      where p.generation_key = ${`facility:kindergarten:resource:${idle}`}`)
    const row = projects.find((p) => p.编号 === code?.code)
    expect(split(row?.关联资源)).toEqual([code?.resource])
    const figure = Number(row?.新增覆盖人口)
    expect(figure).toBeGreaterThan(0)
    const independent = await independentNewlyCovered(api.database, idle, 'kindergarten')
    expect(figure).toBeCloseTo(independent.served, 1)
    expect(Number(row?.新增覆盖儿童)).toBeCloseTo(independent.children, 1)
  })

  it('scopes the workbook by the token and refuses without one', async () => {
    const url = `${api.server.url}/api/campaigns/${api.campaignId}/lists.xlsx`
    expect((await fetch(url)).status).toBe(401)
    const beijing = await readWorkbook(url, await tokenFor('province', '110000'))
    expect(beijing.status).toBe(404)
    const missing = await readWorkbook(`${api.server.url}/api/campaigns/999999/lists.xlsx`, province)
    expect(missing.status).toBe(404)
    // Another district sees none of Huangpu's projects in its workbook.
    const [elsewhere] = await api.database.rows<{ code: string }>(sql`
      select code from regions where level = 'district' and code like '3101%'
        and code not in (select region_code from projects) order by code limit 1`)
    const theirs = await readWorkbook(url, await tokenFor('district', elsewhere?.code ?? '310115'))
    expect(theirs.status).toBe(200)
    expect(theirs.sheets.get('项目清单')).toEqual([])
  })

  it('links the lists as one graph in GraphQL', async () => {
    const [kindergarten] = await api.database.rows<{ code: string; problem: number }>(sql`
      select p.code, min(pp.problem_id) as problem from projects p join project_problems pp on pp.project_id = p.id
      where p.generation_key = ${`facility:kindergarten:resource:${idle}`} group by p.code`)
    await api.database.rows(sql`insert into opinions (region_code, kind, content, problem_id, geom)
      select region_code, 'hotline', '附近没有幼儿园', id, geom from problems where id = ${kindergarten?.problem}
      returning id`)
    const r = await api.gql(
      `query ($code: String) { project(code: $code) {
        code programme newlyCovered benefit { newlyCoveredTotal newlyCoveredChildren basis }
        feasibility { value formula terms } urgency { value formula terms }
        resources { code verificationState projects { code } }
        problems { databaseId projects { code } opinions { content problem { databaseId } }
          resourcesNearby(radiusM: 2000) { code } } } }`,
      { code: kindergarten?.code },
      province,
    )
    expect(r.errors).toBeUndefined()
    const p = r.data.project
    expect(p.code).toBe(kindergarten?.code)
    expect(p.newlyCovered).toBe(p.benefit.newlyCoveredTotal)
    expect(p.feasibility.formula).toMatch(/verification/)
    expect(p.feasibility.terms).toMatchObject({ verification: 1, ownership: 1 })
    expect(p.urgency.value).toBeGreaterThan(0)
    expect(p.resources[0].projects.map((x: { code: string }) => x.code)).toContain(p.code)
    const problem = p.problems.find((x: { databaseId: number }) => x.databaseId === kindergarten?.problem)
    expect(problem.projects.map((x: { code: string }) => x.code)).toContain(p.code)
    expect(problem.opinions[0]).toEqual({
      content: '附近没有幼儿园',
      problem: { databaseId: kindergarten?.problem },
    })
    expect(problem.resourcesNearby.map((x: { code: string }) => x.code)).toContain(p.resources[0].code)
  })

  it('lists projects by campaign, programme and region', async () => {
    const r = await api.gql(
      `query ($c: Int, $f: SpatialFilter) { parks: projects(campaignId: $c, programme: pocket_park, filter: $f) {
          totalCount edges { node { code kind resources { databaseId } } } }
        all: projects(campaignId: $c) { totalCount } }`,
      { c: api.campaignId, f: { region: '310000' } },
      province,
    )
    expect(r.errors).toBeUndefined()
    expect(r.data.parks.totalCount).toBeGreaterThan(0)
    expect(r.data.parks.edges.every((e: { node: { kind: string } }) => e.node.kind === 'pocket_park')).toBe(
      true,
    )
    expect(
      r.data.parks.edges.some((e: { node: { resources: { databaseId: number }[] } }) =>
        e.node.resources.some((x) => x.databaseId === corner),
      ),
    ).toBe(true)
    expect(r.data.all.totalCount).toBeGreaterThanOrEqual(r.data.parks.totalCount)
    const anonymous = await api.gql(`{ projects { totalCount } }`)
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
  })

  it('refuses generation to a street and for a campaign without coverage', async () => {
    const street = await api.gql(
      `mutation { generateProjects(input: { campaignId: ${api.campaignId}, regionCode: "310101002" }) { databaseId } }`,
      {},
      await tokenFor('street', '310101002'),
    )
    expect(street.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const [later] = await api.database.rows<{ id: number }>(sql`
      insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
      select 'annual', 2027, 'not diagnosed yet', region_code, system_id, 'collecting', 'test' from campaigns
      where id = ${api.campaignId} returning id`)
    const none = await api.gql(
      `mutation { generateProjects(input: { campaignId: ${later?.id}, regionCode: "310000" }) { databaseId } }`,
      {},
      province,
    )
    expect(none.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})
