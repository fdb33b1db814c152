import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

let api: Api
let huangpu: string
let buildingId: number

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

const REPORT = `mutation ($input: ReportProblemInput!) { reportProblem(input: $input) {
  databaseId regionCode type title titleEn description source severity state buildingId geom yearFound
  responsibleUnit responsibleDepartment deadline } }`

async function report(input: Record<string, unknown>, token: string | null = huangpu): Promise<Json> {
  return api.request<Json>(REPORT, { input }, { token })
}

beforeAll(async () => {
  api = await startApi()
  huangpu = await tokenFor('district', '310101')
  const [b] = await api.database.rows<{ id: number }>(
    sql`select id from buildings where region_code = '310101' order by id limit 1`,
  )
  buildingId = b?.id ?? 0
})
afterAll(() => api?.close())

describe('reportProblem', () => {
  it('files an inspector’s finding at a point, routed by the rules and audited', async () => {
    const r = await report({
      type: 'road_damage',
      title: '中山东一路人行道破损',
      titleEn: 'Broken pavement on Zhongshan Road East 1',
      description: '约 2 米长',
      geom: { type: 'Point', coordinates: [121.4906, 31.2402] },
      regionCode: '310101013',
      severity: 3,
    })
    expect(r.body.errors).toBeUndefined()
    const p = r.body.data.reportProblem
    expect(p).toMatchObject({
      regionCode: '310101013',
      type: 'road_damage',
      title: '中山东一路人行道破损',
      titleEn: 'Broken pavement on Zhongshan Road East 1',
      source: 'inspection',
      severity: 3,
      state: 'identified',
      geom: { type: 'Point', coordinates: [121.4906, 31.2402] },
      responsibleUnit: '310101',
      responsibleDepartment: '交通委',
    })
    expect(p.deadline).toEqual(expect.any(String))
    expect(p.yearFound).toBeGreaterThanOrEqual(2026)
    const [audit] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from audit_events
      where entity = 'problem' and entity_id = ${String(p.databaseId)} and action = 'report'`)
    expect(audit?.n).toBe(1)
  })

  it('takes an expert’s finding on a building: its region, its place, the type’s default severity', async () => {
    const expert = await tokenFor('expert', '310101')
    const r = await report({ type: 'facade_safety', title: '外墙空鼓', buildingId }, expert)
    expect(r.body.errors).toBeUndefined()
    expect(r.body.data.reportProblem).toMatchObject({
      regionCode: '310101',
      source: 'expert',
      severity: 3,
      buildingId,
      geom: { type: 'Point' },
    })
  })

  it('takes a polygon in a Gauss-Krüger zone', async () => {
    const r = await report({
      type: 'illegal_construction',
      title: '屋顶违建',
      regionCode: '310101',
      geom: {
        type: 'Polygon',
        crs: { type: 'name', properties: { name: 'EPSG:4549' } },
        coordinates: [
          [
            [640_000, 3_457_000],
            [640_020, 3_457_000],
            [640_020, 3_457_020],
            [640_000, 3_457_020],
            [640_000, 3_457_000],
          ],
        ],
      },
    })
    expect(r.body.errors).toBeUndefined()
    const [lon, lat] = r.body.data.reportProblem.geom.coordinates[0][0]
    expect(lon).toBeGreaterThan(121)
    expect(lon).toBeLessThan(122)
    expect(lat).toBeGreaterThan(31)
    expect(lat).toBeLessThan(32)
  })

  it('refuses what is no finding of this caller, writing nothing', async () => {
    const [before] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from problems`)
    const point = { type: 'Point', coordinates: [121.4906, 31.2402] }
    const ok = { type: 'road_damage', title: '坑', geom: point, regionCode: '310101' }
    expect(errorCodes(await report(ok, await tokenFor('public')))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await report(ok, null))).toEqual(['UNAUTHENTICATED'])
    expect(errorCodes(await report({ ...ok, regionCode: '310115' }))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await report({ ...ok, type: 'no_such_type' }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await report({ ...ok, title: ' ' }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await report({ ...ok, severity: 4 }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await report({ ...ok, source: 'appeal' }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await report({ ...ok, geom: undefined }))).toEqual(['BAD_USER_INPUT'])
    const line = {
      type: 'LineString',
      coordinates: [
        [121.49, 31.24],
        [121.491, 31.241],
      ],
    }
    expect(errorCodes(await report({ ...ok, geom: line }))).toEqual(['BAD_USER_INPUT'])
    const [after] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from problems`)
    expect(after?.n).toBe(before?.n)
  })
})
