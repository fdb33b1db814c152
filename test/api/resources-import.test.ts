/**
 * A department's stock resources from a file: GeoJSON, CSV (lon/lat or WKT) and Excel; all or nothing, every
 * refused row named with its number and reason in both languages; a re-import updates by the file's ids.
 */
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { square } from '../import/fixtures.ts'
import { type LoopFixture, personToken, startLoopFixture } from './helpers/problem-loop.ts'

let fixture: LoopFixture
const tokens: Record<string, string> = {}
const HUANGPU = [121.48494655, 31.23700145]
const PUDONG = [121.50482885, 31.23901505]

beforeAll(async () => {
  fixture = await startLoopFixture()
  tokens.district = await personToken('huangpu-wang', 'district', '310101')
  tokens.department = await personToken('ghzy-liu', 'department', '310101', '规划资源局')
  tokens.street = await personToken('street-li', 'street', '310101002')
})
afterAll(async () => {
  await fixture?.close()
})

async function importFile(
  body: Buffer | string,
  query: Record<string, string>,
  token: string | null = tokens.district!,
) {
  const response = await fetch(`${fixture.url}/api/resources/import?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return { status: response.status, body: await response.json() }
}

const layerRows = (layer: string) =>
  fixture.database.rows<{
    code: string
    name: string | null
    sourceKey: string
    kind: string
    regionCode: string
  }>(
    sql`select code, name, source_key as "sourceKey", kind, region_code as "regionCode" from stock_resources
      where layer = ${layer} order by source_key`,
  )

const point = (lonLat: number[]) => ({ type: 'Point', coordinates: lonLat })

function collection(features: { id?: string; props: Record<string, unknown>; geometry: unknown }[]) {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', id: f.id, properties: f.props, geometry: f.geometry })),
  })
}

describe('GeoJSON', () => {
  const good = [
    {
      id: 'FG-1',
      props: { 类型: '闲置土地', 名称: '外滩源地块', 权属: '国有' },
      geometry: square(121.4849, 31.237, 0.0004),
    },
    { id: 'FG-2', props: { 类型: 'idle_building', 名称: '原仓库' }, geometry: point(HUANGPU) },
    { id: 'FG-3', props: { 类型: '停车场', 名称: '临时停车' }, geometry: square(121.486, 31.238, 0.0002) },
  ]

  it('writes nothing when any row is refused, and names every refused row with why', async () => {
    const file = collection([
      good[0]!,
      { id: 'FG-X', props: { 类型: '荒地' }, geometry: point(HUANGPU) },
      good[1]!,
      {
        id: 'FG-L',
        props: { 类型: '边角地' },
        geometry: { type: 'LineString', coordinates: [HUANGPU, PUDONG] },
      },
      { id: 'FG-P', props: { 类型: '边角地' }, geometry: point(PUDONG) },
      { props: { 类型: '边角地' }, geometry: point(HUANGPU) },
    ])
    const r = await importFile(file, { regionCode: '310101', layer: '区规划资源局' })
    expect(r.status).toBe(422)
    expect(r.body.inserted).toBe(0)
    expect(r.body.rejected.map((x: { row: number }) => x.row)).toEqual([2, 4, 5, 6])
    const [kind, line, outside, noId] = r.body.rejected
    expect(kind.localized['zh-CN']).toContain('荒地')
    expect(kind.sourceKey).toBe('FG-X')
    expect(line.localized.en).toContain('point or polygon')
    expect(outside.localized).toEqual({
      'zh-CN': expect.stringContaining('不在行政区划 310101 内'),
      en: expect.stringContaining('outside region 310101'),
    })
    expect(noId.localized['zh-CN']).toContain('缺少编号')
    expect(await layerRows('区规划资源局')).toEqual([])
  })

  it('writes every row of a clean file, and a re-import updates by id keeping the 编号', async () => {
    const first = await importFile(collection(good), { regionCode: '310101', layer: '区规划资源局' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ format: 'geojson', inserted: 3, updated: 0, rejected: [] })
    const before = await layerRows('区规划资源局')
    expect(before.map((r) => [r.sourceKey, r.kind])).toEqual([
      ['FG-1', 'idle_land'],
      ['FG-2', 'idle_building'],
      ['FG-3', 'parking'],
    ])
    for (const r of before) expect(r.code).toMatch(/^ZY-310101-\d{4}$/)

    const changed = [
      { ...good[0]!, props: { ...good[0]!.props, 名称: '外滩源地块（更新）' } },
      good[1]!,
      good[2]!,
      { id: 'FG-4', props: { 类型: '桥下空间' }, geometry: point([121.4852, 31.2372]) },
    ]
    const again = await importFile(collection(changed), { regionCode: '310101', layer: '区规划资源局' })
    expect(again.body).toMatchObject({ inserted: 1, updated: 3 })
    const after = await layerRows('区规划资源局')
    expect(after).toHaveLength(4)
    expect(after[0]).toMatchObject({ code: before[0]!.code, name: '外滩源地块（更新）' })
    expect(after.slice(1, 3).map((r) => r.code)).toEqual(before.slice(1, 3).map((r) => r.code))
    const [audit] = await fixture.database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_events where entity = 'stock_resource'
        and action in ('import', 'reimport') and actor = 'huangpu-wang'`,
    )
    expect(audit?.n).toBe(7)
    const [revised] = await fixture.database.rows<{ before: { name: string }; after: { name: string } }>(
      sql`select before, after from audit_events where entity = 'stock_resource' and action = 'reimport'
        and after->>'sourceKey' = 'FG-1'`,
    )
    expect(revised).toMatchObject({ before: { name: '外滩源地块' }, after: { name: '外滩源地块（更新）' } })
  })
})

describe('CSV', () => {
  it('reads lon/lat or WKT columns and numbers refused rows by their line', async () => {
    const bad = [
      '编号,类型,名称,经度,纬度,WKT,备注',
      `C-1,边角地,街角,${HUANGPU[0]},${HUANGPU[1]},,`,
      'C-2,闲置土地,地块,,,"POLYGON((121.4849 31.237,121.4853 31.237,121.4853 31.2374,121.4849 31.2374,121.4849 31.237))",有围挡',
      'C-3,闲置土地,坏几何,,,"POLYGON((121.4849 31.237,121.4853",',
      `C-1,边角地,重复,${HUANGPU[0]},${HUANGPU[1]},,`,
      `C-5,边角地,超出范围,500,31,,`,
      'C-6,边角地,无位置,,,,',
    ].join('\n')
    const refused = await importFile(bad, { regionCode: '310101', layer: '区城管局' })
    expect(refused.status).toBe(422)
    expect(
      refused.body.rejected.map((x: { row: number; sourceKey: string }) => [x.row, x.sourceKey]),
    ).toEqual([
      [4, 'C-3'],
      [5, 'C-1'],
      [6, 'C-5'],
      [7, 'C-6'],
    ])
    expect(refused.body.rejected[1].localized['zh-CN']).toContain('与第 2 行重复')
    expect(await layerRows('区城管局')).toEqual([])

    const clean = bad.split('\n').slice(0, 3).join('\n')
    const r = await importFile(clean, { regionCode: '310101', layer: '区城管局' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ format: 'csv', inserted: 2 })
    const [polygon] = await fixture.database.rows<{
      type: string
      area: number
      attributes: Record<string, string>
    }>(
      sql`select GeometryType(geom) as type, area_m2 as area, attributes from stock_resources
        where layer = '区城管局' and source_key = 'C-2'`,
    )
    expect(polygon).toMatchObject({ type: 'POLYGON', attributes: { 备注: '有围挡' } })
    expect(polygon!.area).toBeGreaterThan(1000)
  })
})

describe('Excel', () => {
  async function workbook(rows: (string | number)[][]): Promise<Buffer> {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('资源清单')
    sheet.addRow(['黄浦区规划资源局存量资源'])
    sheet.addRow(['编号', '类型', '名称', '经度', '纬度', '权属'])
    for (const row of rows) sheet.addRow(row)
    return Buffer.from(await book.xlsx.writeBuffer())
  }

  it('imports a department’s own layer, found by its header below a title row', async () => {
    const body = await workbook([
      ['X-1', '腾退厂房', '原纺织厂', HUANGPU[0]!, HUANGPU[1]!, '区属国企'],
      ['X-2', '低效建筑', '老办公楼', 121.4852, 31.2371, '国有'],
    ])
    const r = await importFile(body, { regionCode: '310101' }, tokens.department)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ format: 'xlsx', layer: '规划资源局', inserted: 2 })
    expect(r.body.resources.map((x: { row: number; sheet: string }) => [x.sheet, x.row])).toEqual([
      ['资源清单', 3],
      ['资源清单', 4],
    ])
    const rows = await layerRows('规划资源局')
    expect(rows.map((x) => x.kind)).toEqual(['vacated_factory', 'underused_building'])
  })

  it('names the sheet and row of a refused line', async () => {
    const body = await workbook([
      ['X-3', '边角地', '好', HUANGPU[0]!, HUANGPU[1]!, ''],
      ['X-4', '边角地', '坏', PUDONG[0]!, PUDONG[1]!, ''],
    ])
    const r = await importFile(body, { regionCode: '310101' }, tokens.department)
    expect(r.status).toBe(422)
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ sheet: '资源清单', row: 4, sourceKey: 'X-4' }),
    ])
    expect((await layerRows('规划资源局')).map((x) => x.sourceKey)).toEqual(['X-1', 'X-2'])
  })

  it('keeps imports to those who may, in their own scope and layer', async () => {
    const body = await workbook([['X-9', '边角地', '', HUANGPU[0]!, HUANGPU[1]!, '']])
    expect(
      (await importFile(body, { regionCode: '310101', layer: '住建委' }, tokens.department)).status,
    ).toBe(403)
    expect((await importFile(body, { regionCode: '310101', layer: 'x' }, tokens.street)).status).toBe(403)
    expect((await importFile(body, { regionCode: '310115', layer: 'x' })).status).toBe(403)
    expect((await importFile(body, { regionCode: '310101', layer: 'x' }, null)).status).toBe(401)
    expect((await importFile(body, { regionCode: '310101' })).status).toBe(400)
    expect(
      (await importFile(Buffer.from('PK\u0003\u0004broken'), { regionCode: '310101', layer: 'x' })).status,
    ).toBe(422)
    expect((await layerRows('x')).length).toBe(0)
  })
})
