import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeGlobalId } from '../../schema/support/global-id.ts'
import { type AddressReport, importAddressList } from '../../server/addresses/registry.ts'
import type { Database } from '../../server/db/client.ts'
import { type Api, errorCodes, startApi, tokenFor } from '../api/helpers/api.ts'
import { openTestDatabase } from '../helpers/database.ts'

// A labelled list of typical variants (full-width digits, 號, a missing 市, spaces, 中山东1路, the Bund's
// colloquial name, Chinese numerals, numbers inside a range, shared numbers, wrong districts) against the demo.
const FIXTURE = new URL('../fixtures/addresses/bund-labelled.csv', import.meta.url).pathname
const labels = parse(fs.readFileSync(FIXTURE, 'utf8'), { columns: true, bom: true }) as {
  编码: string
  地址: string
  期望: string
}[]

let database: Database
let api: Api
let report: AddressReport
/** Building id by OSM source id, the labels' key. */
let idOf: Map<string, number>
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-addresses-'))

beforeAll(async () => {
  database = await openTestDatabase()
  const rows = await database.rows<{ id: number; sourceId: string }>(
    sql`select id, source_id as "sourceId" from buildings where source_id is not null`,
  )
  idOf = new Map(rows.map((r) => [r.sourceId, r.id]))
  // An appeal naming one of the list's addresses in its own spelling.
  await database.rows(sql`insert into opinions (region_code, kind, content, address)
    values ('310101', 'hotline', '外墙脱落', '上海市黄浦区中山东一路 20 號')`)
  report = await importAddressList(database, { file: FIXTURE, crs: 'GCJ-02' })
  api = await startApi({ database })
}, 600_000)

afterAll(async () => {
  await api?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the standard-address registry', () => {
  it('matches the labelled variants with full precision and the recall the closing note reports', () => {
    const byRow = new Map(report.rows.map((r) => [r.raw, r]))
    let correct = 0
    let matched = 0
    let labelledBuildings = 0
    for (const label of labels.filter((l) => l.地址 !== '')) {
      const row = byRow.get(label.地址)
      expect(row, label.编码).toBeDefined()
      if (row?.state === 'matched') matched++
      if (label.期望 === '歧义') expect(row?.state, `${label.编码} ${row?.reason}`).toBe('ambiguous')
      else if (label.期望 === '无') expect(row?.state, `${label.编码} ${row?.reason}`).toBe('unmatched')
      else {
        labelledBuildings++
        const expected = idOf.get(label.期望)
        expect(expected, label.期望).toBeDefined()
        if (row?.state === 'matched' && row.buildingId === expected) correct++
      }
    }
    const precision = correct / matched
    const recall = correct / labelledBuildings
    expect(precision).toBe(1)
    expect(recall).toBe(1)
    expect({ matched: report.matched, ambiguous: report.ambiguous, unmatched: report.unmatched }).toEqual({
      matched: 28,
      ambiguous: 4,
      unmatched: 4,
    })
    expect(report.rejected).toEqual([{ row: 38, reason: '地址为空 / the address is empty' }])
  })

  it('says why an address stayed unmatched or ambiguous', () => {
    const reason = (code: string) =>
      report.rows.find((r) => r.raw === labels.find((l) => l.编码 === code)?.地址)
    expect(reason('A20')?.reasonEn).toMatch(/no building numbered 999 on 中山东一路/)
    expect(reason('A21')?.reasonEn).toMatch(/no building on 不存在路/)
    expect(reason('A32')?.reasonEn).toMatch(/no building on 中山东一路/)
    expect(reason('A19')?.reasonEn).toMatch(/3 buildings share 世纪大道8/)
    expect(reason('A18')?.reasonEn).toMatch(/nearest to one/)
  })

  it('stores the hierarchy, normalised, and links an appeal naming the address', async () => {
    const [row] = await database.rows<
      Record<string, string>
    >(sql`select province, city, district, road, number,
      normalised, region_code as "regionCode" from standard_addresses where raw = '上海黄浦区中山东一路２９號'`)
    expect(row).toEqual({
      province: '上海市',
      city: '上海市',
      district: '黄浦区',
      road: '中山东一路',
      number: '29',
      normalised: '上海市黄浦区中山东一路29号',
      regionCode: '310101',
    })
    expect(report.records.opinion).toBe(1)
  })

  it('reads the same list from Excel and replaces, not duplicates, a list imported again', async () => {
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('地址')
    sheet.addRow(['编码', '地址'])
    for (const l of labels) sheet.addRow([l.编码, l.地址])
    const file = path.join(dir, 'bund.xlsx')
    await workbook.xlsx.writeFile(file)
    const first = await importAddressList(database, { file })
    const again = await importAddressList(database, { file })
    // Without the list's AMap point, 九江路219号 stays ambiguous.
    expect([again.matched, again.ambiguous, again.unmatched]).toEqual([27, 5, 4])
    expect([first.matched, first.ambiguous]).toEqual([again.matched, again.ambiguous])
    const [{ n } = { n: 0 }] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from standard_addresses where source = 'bund.xlsx'`,
    )
    expect(n).toBe(36)
  })

  it('lets a district settle an ambiguous address in GraphQL, audited, and refuses what it may not', async () => {
    const token = await tokenFor('district', '310115')
    const list = await api.request<{
      addressMatches: { id: string; address: string; candidates: { id: string }[] }[]
    }>('{ addressMatches(state: ambiguous) { id address candidates { id } } }', {}, { token })
    expect(list.body.errors).toBeUndefined()
    const century = list.body.data?.addressMatches.find((m) => m.address === '上海市浦东新区世纪大道8号')
    expect(century?.candidates).toHaveLength(3)
    const confirm = `mutation ($id: ID!, $b: ID) { confirmAddressMatch(id: $id, building: $b) { state building { id } } }`
    const stranger = encodeGlobalId('Building', idOf.get('177930859') ?? 0)
    const wrong = await api.request(confirm, { id: century?.id, b: stranger }, { token })
    expect(errorCodes(wrong)).toEqual(['BAD_USER_INPUT'])
    const huangpu = await api.request(
      confirm,
      { id: century?.id, b: century?.candidates[0]?.id },
      {
        token: await tokenFor('district', '310101'),
      },
    )
    expect(errorCodes(huangpu)).toEqual(['NOT_FOUND'])
    expect(errorCodes(await api.request(confirm, { id: century?.id, b: null }))).toEqual(['UNAUTHENTICATED'])
    const done = await api.request<{ confirmAddressMatch: { state: string; building: { id: string } } }>(
      confirm,
      { id: century?.id, b: century?.candidates[1]?.id },
      { token },
    )
    expect(done.body.errors).toBeUndefined()
    expect(done.body.data?.confirmAddressMatch).toEqual({
      state: 'confirmed',
      building: { id: century?.candidates[1]?.id },
    })
    const twice = await api.request(confirm, { id: century?.id, b: null }, { token })
    expect(errorCodes(twice)).toEqual(['CONFLICT'])
    const [audit] = await database.rows<{ action: string; regionCode: string }>(sql`select action,
      region_code as "regionCode" from audit_events where entity = 'address_match' order by id desc limit 1`)
    expect(audit).toEqual({ action: 'confirm', regionCode: '310115' })
  })
})
