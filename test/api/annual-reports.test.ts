import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { formatValue } from '../../server/annual-reports/blocks.ts'
import { renderReport } from '../../server/annual-reports/render.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { DEMO_CAMPAIGN_NAME, startDemoCheck } from '../../server/seed/demo-check.ts'
import { watchDemoHistory } from '../../server/seed/demo-history.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { postGraphql, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

// The annual check report on the demo after a first start's runs (coverage, indicators, the derived history):
// generated through the API as a job, downloaded with the token's scope, opened as Word and as PDF.

let database: Database
let runner: InProcessRunner
let server: RunningServer
let dataDir: string
let campaignId: number
let city: string
let docx: Buffer
let pdf: Buffer
let runId: number

const ask = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  postGraphql(server.url, query, variables, token)

const GENERATE = `mutation ($input: GenerateReportInput!) {
  generateReport(input: $input) { created run { databaseId state kind } } }`
const RUN = `query ($id: ID!) { node(id: $id) { ... on DiagnosticRun { state progress error
  reportFiles { databaseId format fileName byteSize downloadUrl } } } }`

const runGlobalId = (id: number) => Buffer.from(`DiagnosticRun:${id}`).toString('base64')

async function download(url: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
}

/** The text of the DOCX body, and its table rows as text. */
async function docxText(bytes: Buffer): Promise<{ xml: string; media: string[]; rows: string[] }> {
  const zip = await JSZip.loadAsync(bytes)
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? ''
  const media = Object.keys(zip.files).filter((name) => name.startsWith('word/media/'))
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((m) =>
    [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('|'),
  )
  return { xml, media, rows }
}

function pdfTool(tool: 'pdftotext' | 'pdfinfo', bytes: Buffer): string {
  const file = path.join(dataDir, `probe-${tool}.pdf`)
  fs.writeFileSync(file, bytes)
  return execFileSync(tool, tool === 'pdftotext' ? ['-layout', file, '-'] : [file], { encoding: 'utf8' })
}

beforeAll(async () => {
  database = await openTestDatabase()
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-report-'))
  runner = new InProcessRunner(
    database,
    createProcessors({ annualReport: { render: renderReport, dataDir } }),
    { onError: () => {} },
  )
  const history = await watchDemoHistory(database)
  const check = await startDemoCheck(database, runner)
  await runner.idle()
  await history.done
  await history.stop()
  campaignId = check?.campaignId ?? 0
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  server = await startHttpServer({ config, database, jobs: runner })
  city = await tokenFor('city', '310100')

  const started = await ask(GENERATE, { input: { campaignId: String(campaignId) } }, city)
  expect(started.errors).toBeUndefined()
  expect(started.data.generateReport.run.kind).toBe('annual_report')
  runId = started.data.generateReport.run.databaseId
  await runner.idle()
})

afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('generateReport', () => {
  it('runs as a job to success and lists a DOCX and a PDF to download with the token', async () => {
    const run = await ask(RUN, { id: runGlobalId(runId) }, city)
    expect(run.errors).toBeUndefined()
    expect(run.data.node).toMatchObject({ state: 'succeeded', progress: 1, error: null })
    const files = run.data.node.reportFiles as { format: string; fileName: string; downloadUrl: string }[]
    expect(files.map((f) => f.format)).toEqual(['docx', 'pdf'])
    expect(files[0]?.fileName).toBe('上海市2025年城市体检报告.docx')
    const [word, print] = await Promise.all(files.map((f) => download(f.downloadUrl, city)))
    expect(word?.status).toBe(200)
    expect(word?.headers.get('content-type')).toContain('wordprocessingml')
    expect(print?.headers.get('content-type')).toBe('application/pdf')
    docx = Buffer.from(await (word as Response).arrayBuffer())
    pdf = Buffer.from(await (print as Response).arrayBuffer())
    const [audit] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_events where entity = 'diagnostic_run' and entity_id = ${String(runId)}
        and action = 'start'`,
    )
    expect(audit?.n).toBe(1)
  })

  it('writes a valid Office file with tables, an embedded image and the campaign’s name', async () => {
    expect(docx.subarray(0, 2).toString()).toBe('PK')
    const { xml, media } = await docxText(docx)
    // Asserted as booleans: the document is a megabyte, too long for a failure message.
    expect(xml.includes('<w:document')).toBe(true)
    expect(xml.match(/<w:tbl>/g)?.length ?? 0).toBeGreaterThanOrEqual(3)
    expect(media.some((m) => m.endsWith('.png'))).toBe(true)
    expect(media.some((m) => m.endsWith('.svg'))).toBe(true)
    expect(xml.includes('<a:blip ')).toBe(true)
    expect(xml.includes(DEMO_CAMPAIGN_NAME)).toBe(true)
    // East Asian fonts are set, and Word builds the contents from the headings.
    const zip = await JSZip.loadAsync(docx)
    const styles = (await zip.file('word/styles.xml')?.async('string')) ?? ''
    expect(styles.includes('w:eastAsia="宋体"')).toBe(true)
    expect(xml.includes('TOC \\h \\o &quot;1-2&quot;')).toBe(true)
    expect(xml.includes('PAGEREF _Toc1')).toBe(true)
  })

  it('prints a PDF of at least five pages with searchable Chinese text', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const pages = Number(/Pages:\s+(\d+)/.exec(pdfTool('pdfinfo', pdf))?.[1])
    expect(pages).toBeGreaterThanOrEqual(5)
    const text = pdfTool('pdftotext', pdf).replace(/[ \t]+/g, '')
    for (const words of [
      '上海市2025年城市体检报告',
      '公共服务设施覆盖盲区',
      '问题清单及整改情况',
      '指标定义与标准',
    ]) {
      expect(text).toContain(words)
    }
  })

  it('prints the figure the API answers for the same indicator and unit', async () => {
    const [picked] = await database.rows<{ code: string; name: string }>(sql`
      select i.code, i.name from indicator_values v join indicators i on i.id = v.indicator_id
      where v.campaign_id = ${campaignId} and v.unit_type = 'region' and v.unit_key = '310100'
        and v.value is not null and v.value <> round(v.value) order by i.sort_order limit 1`)
    expect(picked).toBeDefined()
    const code = picked?.code as string
    const trend = await ask(
      `query ($code: String!) { indicatorTrend(indicatorCode: $code, unitKey: "310100") { campaignId value } }`,
      { code },
      city,
    )
    const api = (trend.data.indicatorTrend as { campaignId: number; value: number }[]).find(
      (p) => p.campaignId === campaignId,
    )
    expect(api?.value).toEqual(expect.any(Number))
    const printed = formatValue(api?.value)
    const { rows } = await docxText(docx)
    const row = rows.find((r) => r.startsWith(`${code} ${picked?.name}|`))
    expect(row?.split('|')[1]).toBe(printed)
    expect(pdfTool('pdftotext', pdf).replace(/\s+/g, ' ')).toContain(`${code} ${picked?.name}`)
  })
})

describe('the report files', () => {
  it('are refused without a token, out of scope, and to roles that may not read reports', async () => {
    const [file] = await database.rows<{ id: number }>(
      sql`select id from annual_reports where run_id = ${runId} and format = 'pdf'`,
    )
    const url = `/api/annual-reports/${file?.id}`
    expect((await download(url)).status).toBe(401)
    expect((await download(url, await tokenFor('district', '310115'))).status).toBe(404)
    expect((await download(url, await tokenFor('partner', '310100'))).status).toBe(403)
    expect((await download('/api/annual-reports/999999', city)).status).toBe(404)
    expect((await download(url, await tokenFor('expert', '310100'))).status).toBe(200)
  })

  it('are generated only by the roles of the matrix, inside their region', async () => {
    const input = { campaignId: String(campaignId) }
    const expert = await ask(GENERATE, { input }, await tokenFor('expert', '310100'))
    expect(expert.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const district = await ask(GENERATE, { input }, await tokenFor('district', '310101'))
    expect(district.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    const sibling = await ask(GENERATE, { input: { ...input, regionCode: '320100' } }, city)
    expect(sibling.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })
})

describe('report templates', () => {
  const SAVE = `mutation ($input: SaveReportTemplateInput!) {
    saveReportTemplate(input: $input) { databaseId version regionCode sections { kind title body } } }`
  const OUTLINE = `query ($code: String!) { reportOutline(regionCode: $code) {
    template { databaseId version name } sections { kind title } } }`
  const sections = [
    { kind: 'cover' },
    {
      kind: 'text',
      title: '本省体检工作要求',
      body: '各市应于每年十月底前报送体检报告。\n\n报告须经市政府审定。',
    },
    { kind: 'summary', body: '本章概述全市体检结论。' },
    { kind: 'problems' },
    { kind: 'appendix.indicators' },
  ]

  it('follow the national outline until a province saves its own, which its cities then follow', async () => {
    const before = await ask(OUTLINE, { code: '310100' }, city)
    expect(before.data.reportOutline.template).toBeNull()
    expect(before.data.reportOutline.sections.map((s: { kind: string }) => s.kind).slice(0, 3)).toEqual([
      'cover',
      'summary',
      'dimension.housing',
    ])
    const province = await tokenFor('province', '310000')
    const saved = await ask(
      SAVE,
      { input: { regionCode: '310000', name: '上海市体检报告提纲', sections } },
      province,
    )
    expect(saved.errors).toBeUndefined()
    expect(saved.data.saveReportTemplate).toMatchObject({ version: 1, regionCode: '310000' })
    const again = await ask(
      SAVE,
      { input: { regionCode: '310000', name: '上海市体检报告提纲', sections } },
      province,
    )
    expect(again.data.saveReportTemplate.version).toBe(2)
    const after = await ask(OUTLINE, { code: '310101' }, await tokenFor('district', '310101'))
    expect(after.data.reportOutline.template).toMatchObject({ version: 2, name: '上海市体检报告提纲' })
    expect(after.data.reportOutline.sections.map((s: { kind: string }) => s.kind)).toEqual(
      sections.map((s) => s.kind),
    )
    const [audit] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_events where entity = 'report_template'`,
    )
    expect(audit?.n).toBe(2)
  })

  it('refuse outlines that cannot be printed and roles that may not write them', async () => {
    const province = await tokenFor('province', '310000')
    const bad = await ask(
      SAVE,
      {
        input: {
          regionCode: '310000',
          name: 'x',
          sections: [{ kind: 'summary' }, { kind: 'cover' }, { kind: 'nonsense' }],
        },
      },
      province,
    )
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(bad.errors?.[0]?.message).toContain('封面须在第一节')
    const district = await ask(
      SAVE,
      { input: { regionCode: '310101', name: 'x', sections } },
      await tokenFor('district', '310101'),
    )
    expect(district.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const sibling = await ask(SAVE, { input: { regionCode: '320000', name: 'x', sections } }, province)
    expect(sibling.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })

  it('shape the next report: the province’s order and text, sections left out stay out', async () => {
    const started = await ask(
      GENERATE,
      { input: { campaignId: String(campaignId), regionCode: '310101' } },
      city,
    )
    expect(started.errors).toBeUndefined()
    const id = started.data.generateReport.run.databaseId
    await runner.idle()
    const run = await ask(RUN, { id: runGlobalId(id) }, city)
    expect(run.data.node.state).toBe('succeeded')
    const word = run.data.node.reportFiles.find((f: { format: string }) => f.format === 'docx')
    const { xml } = await docxText(Buffer.from(await (await download(word.downloadUrl, city)).arrayBuffer()))
    const headings = [
      ...xml.matchAll(/<w:pStyle w:val="Heading1"\/>[\s\S]*?<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g),
    ].map((m) => m[1])
    expect(headings).toEqual([
      '一、本省体检工作要求',
      '二、体检工作概况与主要结论',
      '三、问题清单及整改情况',
      '附录一　指标定义与标准',
    ])
    expect(xml.includes('报告须经市政府审定。')).toBe(true)
    expect(xml.includes('黄浦区2025年城市体检报告')).toBe(true)
  })
})
