/**
 * A campaign with fillings and filling tasks for the workbook and evidence tests, written directly: the campaign
 * service that generates tasks is not what these tests are about. 黄浦区 (310101) owes every region-level
 * indicator of the national edition for itself and C07 for two of its blocks; 徐汇区 (310104) owes the same
 * for itself, to stand outside a Huangpu token's scope.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { loadConfig } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../../server/http.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { TEST_JWT_SECRET } from './api.ts'

export const HUANGPU = '310101'
export const XUHUI = '310104'

export interface FillingFixture {
  database: Database
  server: RunningServer
  dataDir: string
  campaignId: number
  close(): Promise<void>
}

export async function startFillingFixture(): Promise<FillingFixture> {
  const database = await openTestDatabase()
  const campaignId = await createCampaign(database)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-fillings-'))
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  const server = await startHttpServer({ config, database })
  return {
    database,
    server,
    dataDir,
    campaignId,
    close: async () => {
      await server.close()
      await database.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function createCampaign(database: Database): Promise<number> {
  const [campaign] = await database.rows<{ id: number; systemId: number }>(sql`
    insert into campaigns (kind, year, name, region_code, system_id, status)
    select 'annual', 2025, '测试体检 2025', '310100', s.id, 'collecting'
    from indicator_systems s where s.level = 'national' and s.year = 2025 order by s.id limit 1
    returning id, system_id as "systemId"`)
  if (!campaign) throw new Error('no national edition of 2025 in the test database')
  // One indicator lists its allowed values, so the workbook's list validation has something to show.
  await database.rows(sql`update indicators set parameters = '{"allowedValues": [0, 1, 2, 3]}'::jsonb
    where system_id = ${campaign.systemId} and code = 'U18'`)
  for (const region of [HUANGPU, XUHUI]) {
    const [filling] = await database.rows<{ id: number }>(sql`insert into fillings (campaign_id, region_code)
      values (${campaign.id}, ${region}) returning id`)
    await database.rows(sql`insert into filling_tasks
        (campaign_id, filling_id, indicator_id, unit_type, unit_key, unit_name, region_code)
      select ${campaign.id}, ${filling!.id}, i.id, 'region', r.code, r.name, r.code
      from indicators i, regions r
      where i.system_id = ${campaign.systemId} and i.enabled and r.code = ${region}`)
  }
  await database.rows(sql`insert into filling_tasks
      (campaign_id, filling_id, indicator_id, unit_type, unit_key, unit_name, region_code)
    select ${campaign.id}, f.id, i.id, 'block', b.id::text, '街区 ' || b.id, b.region_code
    from fillings f, indicators i, (select id, region_code from blocks where region_code like '310101%'
      order by id limit 2) b
    where f.campaign_id = ${campaign.id} and f.region_code = ${HUANGPU}
      and i.system_id = ${campaign.systemId} and i.code = 'C07'`)
  return campaign.id
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export function formUrl(fixture: FillingFixture, region: string, campaignId = fixture.campaignId): string {
  return `${fixture.server.url}/api/campaigns/${campaignId}/forms/${region}.xlsx`
}

export async function readWorkbook(body: ArrayBuffer | Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(Buffer.from(body as ArrayBuffer) as unknown as ExcelJS.Buffer)
  return workbook
}

/** The column of a header name in a sheet whose header is row 1. */
export function columnOf(sheet: ExcelJS.Worksheet, name: string): number {
  let found = 0
  sheet.getRow(1).eachCell((cell, column) => {
    if (cell.value === name) found = column
  })
  if (!found) throw new Error(`sheet ${sheet.name} has no column ${name}`)
  return found
}

/** The row of an indicator and unit in a sheet. */
export function rowOf(sheet: ExcelJS.Worksheet, code: string, unitKey: string): ExcelJS.Row {
  const codeColumn = columnOf(sheet, '指标代码')
  const unitColumn = columnOf(sheet, '单元代码')
  for (let number = 2; number <= sheet.rowCount; number += 1) {
    const row = sheet.getRow(number)
    if (row.getCell(codeColumn).value === code && String(row.getCell(unitColumn).value) === unitKey)
      return row
  }
  throw new Error(`sheet ${sheet.name} has no row for ${code} / ${unitKey}`)
}

export async function upload(
  fixture: FillingFixture,
  region: string,
  token: string | null,
  body: Buffer | string,
  contentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  campaignId = fixture.campaignId,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(formUrl(fixture, region, campaignId), {
    method: 'PUT',
    headers: { 'content-type': contentType, ...(token ? bearer(token) : {}) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
