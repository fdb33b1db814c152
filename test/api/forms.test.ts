/**
 * 填报 through Excel (issue 12, docs/adr/0013): `GET|PUT /api/campaigns/{id}/forms/{regionCode}.xlsx` with a
 * bearer token — the workbook carries validation, protection and notes; an upload writes the valid rows in one
 * transaction and names every refused row by sheet, row and indicator.
 */
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobRunner } from '../../jobs/api.ts'
import { startDemoCheck } from '../../server/seed/demo-check.ts'
import { tokenFor } from './helpers/api.ts'
import {
  bearer,
  columnOf,
  type FillingFixture,
  formUrl,
  HUANGPU,
  readWorkbook,
  rowOf,
  startFillingFixture,
  upload,
  XUHUI,
} from './helpers/filling-forms.ts'

let fixture: FillingFixture
let districtToken: string

beforeAll(async () => {
  fixture = await startFillingFixture()
  districtToken = await tokenFor('district', HUANGPU)
})

afterAll(async () => {
  await fixture?.close()
})

async function download(
  region: string,
  token: string | null = districtToken,
  campaignId = fixture.campaignId,
): Promise<Response> {
  return fetch(formUrl(fixture, region, campaignId), { headers: token ? bearer(token) : {} })
}

async function downloadWorkbook(campaignId = fixture.campaignId): Promise<ExcelJS.Workbook> {
  const response = await download(HUANGPU, districtToken, campaignId)
  expect(response.status).toBe(200)
  return readWorkbook(await response.arrayBuffer())
}

async function bytesOf(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

describe('the filling workbook', () => {
  it('a district token downloads its workbook, fills three values and a text, and finds the three back', async () => {
    const response = await download(HUANGPU)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/spreadsheetml\.sheet/)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; .*filename\*=UTF-8''/)
    const workbook = await readWorkbook(await response.arrayBuffer())
    const housing = workbook.getWorksheet('住房')!
    const city = workbook.getWorksheet('城区（城市）')!
    const value = columnOf(housing, '填报值')
    rowOf(housing, 'H01', HUANGPU).getCell(value).value = 3
    rowOf(housing, 'H02', HUANGPU).getCell(value).value = 5
    rowOf(city, 'U02', HUANGPU).getCell(columnOf(city, '填报值')).value = 87.5
    rowOf(city, 'U02', HUANGPU).getCell(columnOf(city, '备注')).value = '据水务局 2025 年统计'
    const bad = rowOf(housing, 'H03', HUANGPU)
    bad.getCell(value).value = '三栋'

    const answer = await upload(fixture, HUANGPU, districtToken, await bytesOf(workbook))
    expect(answer.status).toBe(200)
    expect(answer.body.accepted).toBe(3)
    expect(answer.body.rejected).toEqual([
      {
        sheet: '住房',
        row: bad.number,
        indicator: 'H03',
        message: expect.stringMatching(/不是数值.*not a number/),
      },
    ])

    const again = await downloadWorkbook()
    const housingAgain = again.getWorksheet('住房')!
    const cityAgain = again.getWorksheet('城区（城市）')!
    expect(rowOf(housingAgain, 'H01', HUANGPU).getCell(value).value).toBe(3)
    expect(rowOf(housingAgain, 'H02', HUANGPU).getCell(value).value).toBe(5)
    expect(rowOf(housingAgain, 'H03', HUANGPU).getCell(value).value).toBeNull()
    const u02 = rowOf(cityAgain, 'U02', HUANGPU)
    expect(u02.getCell(columnOf(cityAgain, '填报值')).value).toBe(87.5)
    expect(u02.getCell(columnOf(cityAgain, '备注')).value).toBe('据水务局 2025 年统计')
    expect(u02.getCell(columnOf(cityAgain, '审核状态')).value).toBe('草稿')

    const stored = await fixture.database.rows<{ code: string; value: number; reportedBy: string }>(sql`
      select i.code, v.value, v.reported_by as "reportedBy" from indicator_values v
      join indicators i on i.id = v.indicator_id
      where v.campaign_id = ${fixture.campaignId} and v.unit_key = ${HUANGPU} order by i.code`)
    expect(stored).toEqual([
      { code: 'H01', value: 3, reportedBy: 'test-district-310101' },
      { code: 'H02', value: 5, reportedBy: 'test-district-310101' },
      { code: 'U02', value: 87.5, reportedBy: 'test-district-310101' },
    ])
  })

  it('carries validation, protection, notes, a 说明 sheet first and a row per indicator and unit', async () => {
    const workbook = await downloadWorkbook()
    expect(workbook.worksheets[0]!.name).toBe('填报说明')
    expect(workbook.worksheets.map((s) => s.name).slice(1)).toEqual([
      '住房',
      '小区（社区）',
      '街区',
      '城区（城市）',
    ])
    const compound = workbook.getWorksheet('小区（社区）')!
    const blockRows = compound.getRows(2, compound.rowCount - 1)!.filter((r) => r.getCell(1).value === 'C07')
    expect(blockRows).toHaveLength(3) // the district itself and two of its blocks

    const city = workbook.getWorksheet('城区（城市）')!
    const u02 = rowOf(city, 'U02', HUANGPU)
    const value = u02.getCell(columnOf(city, '填报值'))
    expect(value.dataValidation).toMatchObject({ type: 'decimal', operator: 'between', formulae: [0, 100] })
    expect(value.protection?.locked).toBe(false)
    expect(u02.getCell(columnOf(city, '备注')).protection?.locked).toBe(false)
    expect(u02.getCell(columnOf(city, '指标代码')).protection?.locked).not.toBe(false)
    expect(u02.getCell(columnOf(city, '单元代码')).protection?.locked).not.toBe(false)
    const note = u02.getCell(columnOf(city, '指标名称')).note
    const noteText = typeof note === 'string' ? note : note?.texts?.map((t) => t.text).join('')
    expect(noteText).toMatch(/方法：填报/)
    expect(noteText).toMatch(/取值范围：0–100/)
    expect(noteText).toMatch(/佐证材料/)
    // exceljs reads the sheet protection back onto the worksheet model.
    expect((city as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection.sheet).toBe(true)

    const count = rowOf(workbook.getWorksheet('住房')!, 'H05', HUANGPU).getCell(7)
    expect(count.dataValidation).toMatchObject({
      type: 'decimal',
      operator: 'greaterThanOrEqual',
      formulae: [0],
    })
    const listed = rowOf(city, 'U18', HUANGPU).getCell(columnOf(city, '填报值'))
    expect(listed.dataValidation).toMatchObject({ type: 'list', formulae: ['"0,1,2,3"'] })
  })

  it('reads a header found by its names: moved columns, a title row, extra sheets, no unit column', async () => {
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('封面').addRow(['这张表没有表头'])
    const sheet = workbook.addWorksheet('自制表')
    sheet.addRow(['黄浦区 2025 年填报（自制）'])
    sheet.addRow(['说明', '填报值', '其他', '指标代码'])
    sheet.addRow(['', 12, 'x', 'H04'])
    sheet.addRow(['', '', '', ''])
    sheet.addRow(['', 150, '', 'U01'])
    const answer = await upload(fixture, HUANGPU, districtToken, await bytesOf(workbook))
    expect(answer.status).toBe(200)
    expect(answer.body.accepted).toBe(1)
    expect(answer.body.rejected).toEqual([
      { sheet: '自制表', row: 5, indicator: 'U01', message: expect.stringMatching(/超出范围/) },
    ])
  })

  it('shows a computed value under 计算值 and writes nothing for a workbook sent back untouched', async () => {
    await fixture.database.rows(sql`insert into indicator_values
        (campaign_id, indicator_id, unit_type, unit_key, region_code, value, source)
      select t.campaign_id, t.indicator_id, t.unit_type, t.unit_key, t.region_code, 6.5, 'computed'
      from filling_tasks t join indicators i on i.id = t.indicator_id
      where t.campaign_id = ${fixture.campaignId} and t.unit_key = ${HUANGPU} and i.code = 'U05'`)
    const workbook = await downloadWorkbook()
    const city = workbook.getWorksheet('城区（城市）')!
    const u05 = rowOf(city, 'U05', HUANGPU)
    expect(u05.getCell(columnOf(city, '计算值')).value).toBe(6.5)
    expect(u05.getCell(columnOf(city, '填报值')).value).toBeNull()
    const answer = await upload(fixture, HUANGPU, districtToken, await bytesOf(workbook))
    expect(answer).toEqual({ status: 422, body: { accepted: 0, rejected: [] } })
    const [stored] = await fixture.database.rows<{ value: number; source: string }>(sql`
      select v.value, v.source from indicator_values v join indicators i on i.id = v.indicator_id
      where v.campaign_id = ${fixture.campaignId} and v.unit_key = ${HUANGPU} and i.code = 'U05'`)
    expect(stored).toEqual({ value: 6.5, source: 'computed' })
  })

  it('answers 422 when nothing was accepted, and a repeated row by its first row', async () => {
    const workbook = await downloadWorkbook()
    const housing = workbook.getWorksheet('住房')!
    rowOf(housing, 'H06', HUANGPU).getCell(columnOf(housing, '填报值')).value = '-'
    const extra = housing.addRow(['H06', '', '', HUANGPU, '', '', 4])
    const answer = await upload(fixture, HUANGPU, districtToken, await bytesOf(workbook))
    expect(answer.status).toBe(422)
    expect(answer.body.accepted).toBe(0)
    expect(answer.body.rejected).toEqual([
      expect.objectContaining({
        sheet: '住房',
        indicator: 'H06',
        message: expect.stringMatching(/not a number/),
      }),
      expect.objectContaining({
        sheet: '住房',
        row: extra.number,
        indicator: 'H06',
        message: expect.stringMatching(/重复/),
      }),
    ])
  })

  it('answers 409 once the district submitted and the city and the province approved', async () => {
    const workbook = await downloadWorkbook()
    const housing = workbook.getWorksheet('住房')!
    rowOf(housing, 'H07', HUANGPU).getCell(columnOf(housing, '填报值')).value = 1
    const ref = { campaignId: String(fixture.campaignId), regionCode: HUANGPU }
    const ask = async (token: string, query: string, input: Record<string, unknown>) => {
      const response = await fetch(`${fixture.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query, variables: { input } }),
      })
      const body = (await response.json()) as { data?: Record<string, { state: string; locked: boolean }> }
      expect(body).not.toHaveProperty('errors')
      return Object.values(body.data ?? {})[0]
    }
    const review = `mutation ($input: ReviewFillingInput!) { reviewFilling(input: $input) { state locked } }`
    const submitted = await ask(
      districtToken,
      `mutation ($input: FillingRefInput!) { submitFilling(input: $input) { state locked } }`,
      ref,
    )
    expect(submitted).toEqual({ state: 'submitted', locked: false })
    expect(await ask(await tokenFor('city', '310100'), review, { ...ref, decision: 'APPROVE' })).toEqual({
      state: 'submitted',
      locked: false,
    })
    const province = await tokenFor('province', '310000')
    expect(await ask(province, review, { ...ref, decision: 'APPROVE' })).toEqual({
      state: 'approved',
      locked: true,
    })
    try {
      const answer = await upload(fixture, HUANGPU, districtToken, await bytesOf(workbook))
      expect(answer.status).toBe(409)
      expect(answer.body.message).toMatch(/锁定.*locked/)
    } finally {
      await ask(
        province,
        `mutation ($input: UnlockFillingInput!) { unlockFilling(input: $input) { state locked } }`,
        { ...ref, reason: '测试结束 / end of test' },
      )
      await fixture.database.rows(sql`update fillings set state = 'draft', round = 0
        where campaign_id = ${fixture.campaignId} and region_code = ${HUANGPU}`)
    }
  })

  it('answers 403 outside the token’s scope, 401 without a token, 404 for a filling that does not exist', async () => {
    expect((await download(XUHUI)).status).toBe(403)
    const workbook = await downloadWorkbook()
    expect((await upload(fixture, XUHUI, districtToken, await bytesOf(workbook))).status).toBe(403)
    expect((await download(HUANGPU, null)).status).toBe(401)
    expect((await upload(fixture, HUANGPU, null, await bytesOf(workbook))).status).toBe(401)
    expect((await download(HUANGPU, 'not-a-token')).status).toBe(401)
    // An expert reads workbooks but may not fill them.
    const expert = await tokenFor('expert', '310100')
    expect((await download(HUANGPU, expert)).status).toBe(200)
    expect((await upload(fixture, HUANGPU, expert, await bytesOf(workbook))).status).toBe(403)
    const city = await tokenFor('city', '310100')
    expect((await download(XUHUI, city)).status).toBe(200)
    const missing = await fetch(formUrl(fixture, HUANGPU, fixture.campaignId + 1000), {
      headers: bearer(city),
    })
    expect(missing.status).toBe(404)
  })

  it('refuses what is no workbook: not xlsx, a corrupt zip, a wrong type, too large, a traversal', async () => {
    const notXlsx = await upload(fixture, HUANGPU, districtToken, 'H01,3\n')
    expect(notXlsx.status).toBe(400)
    expect(notXlsx.body.message).toMatch(/xlsx/)
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)])
    expect((await upload(fixture, HUANGPU, districtToken, corrupt)).status).toBe(400)
    // A zip whose directory says it inflates to 2 GB is refused before anything is unpacked.
    const bomb = await bytesOf(await downloadWorkbook())
    bomb.writeUInt32LE(0x7fffffff, bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24)
    expect((await upload(fixture, HUANGPU, districtToken, bomb)).status).toBe(413)
    const json = await upload(fixture, HUANGPU, districtToken, '{}', 'application/json')
    expect(json.status).toBe(415)
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41)
    const tooLarge = await fetch(formUrl(fixture, HUANGPU), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...bearer(districtToken) },
      body: huge,
    })
    expect(tooLarge.status).toBe(413)
    const traversal = await fetch(
      `${fixture.server.url}/api/campaigns/${fixture.campaignId}/forms/..%2F..%2Fetc%2Fpasswd.xlsx`,
      { headers: bearer(districtToken) },
    )
    expect(traversal.status).toBe(404)
    const method = await fetch(formUrl(fixture, HUANGPU), {
      method: 'DELETE',
      headers: bearer(districtToken),
    })
    expect(method.status).toBe(405)
  })
})

describe('a department', () => {
  it('downloads only the rows routed to it and fills them; others are refused by name', async () => {
    await fixture.database.rows(sql`update filling_tasks t set department = '房管局' from indicators i
      where i.id = t.indicator_id and t.campaign_id = ${fixture.campaignId} and t.unit_key = ${HUANGPU}
        and i.code in ('H08', 'H09')`)
    const token = await tokenFor('department', HUANGPU, { department: '房管局' })
    const response = await download(HUANGPU, token)
    expect(response.status).toBe(200)
    const workbook = await readWorkbook(await response.arrayBuffer())
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['填报说明', '住房'])
    const housing = workbook.getWorksheet('住房')!
    expect(housing.rowCount).toBe(3)
    rowOf(housing, 'H08', HUANGPU).getCell(columnOf(housing, '填报值')).value = 2
    const other = housing.addRow(['H10', '', '', HUANGPU, '', '', 1])
    const answer = await upload(fixture, HUANGPU, token, await bytesOf(workbook))
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      accepted: 1,
      rejected: [
        { sheet: '住房', row: other.number, indicator: 'H10', message: expect.stringMatching(/房管局/) },
      ],
    })
  })
})

describe('the demo check', () => {
  it('黄浦区 fills three values and a text in its demo workbook, and downloads the three again', async () => {
    // The runs the demo queues are not what this is about: a runner that takes them and does nothing.
    const runner: JobRunner = { enqueue: async () => {}, close: async () => {} }
    const check = await startDemoCheck(fixture.database, runner)
    const campaignId = check!.campaignId
    const workbook = await downloadWorkbook(campaignId)
    const housing = workbook.getWorksheet('住房')!
    const value = columnOf(housing, '填报值')
    const filled = { H08: 12, H09: 40, H10: 7 }
    for (const [code, number] of Object.entries(filled))
      rowOf(housing, code, HUANGPU).getCell(value).value = number
    const bad = rowOf(housing, 'H05', HUANGPU)
    bad.getCell(value).value = '约二十套'
    const answer = await upload(
      fixture,
      HUANGPU,
      districtToken,
      await bytesOf(workbook),
      undefined,
      campaignId,
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      accepted: 3,
      rejected: [
        { sheet: '住房', row: bad.number, indicator: 'H05', message: expect.stringMatching(/不是数值/) },
      ],
    })
    const again = (await downloadWorkbook(campaignId)).getWorksheet('住房')!
    for (const [code, number] of Object.entries(filled)) {
      expect(rowOf(again, code, HUANGPU).getCell(value).value).toBe(number)
    }
    expect(rowOf(again, 'H05', HUANGPU).getCell(value).value).toBeNull()
  })
})
