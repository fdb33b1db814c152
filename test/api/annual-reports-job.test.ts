import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processReportRun, reportDir } from '../../jobs/annual-reports/job.ts'
import type { ReportRenderer } from '../../jobs/api.ts'
import { cancelRun, getRun, startReportRun } from '../../jobs/api.ts'
import type { Database } from '../../server/db/client.ts'
import { openTestDatabase } from '../helpers/database.ts'

// The report job's run handling with a stand-in renderer (the drawing itself is tested in annual-reports.test.ts):
// files and rows written once whatever the retries, nothing kept for a run cancelled while it was drawn.

let database: Database
let dataDir: string
let campaignId: number
const noQueue = { enqueue: async () => {}, close: async () => {} }
const identity = { subject: 'test', role: 'city', regionCode: '310100', department: null }

const files = (text: string): ReturnType<ReportRenderer> =>
  Promise.resolve([
    { format: 'docx', fileName: '报告.docx', data: Buffer.from(`PK ${text}`) },
    { format: 'pdf', fileName: '报告.pdf', data: Buffer.from(`%PDF- ${text}`) },
  ])

async function queued(regionCode = '310100') {
  const { run } = await startReportRun(database, noQueue, {
    campaignId,
    regionCode,
    templateId: null,
    identity,
  })
  return run.id
}

beforeAll(async () => {
  database = await openTestDatabase()
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-report-job-'))
  const [campaign] = await database.rows<{ id: number }>(sql`
    insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
    select 'annual', 2025, '报告任务测试', '310100', id, 'collecting', 'test' from indicator_systems
    where level = 'national' order by id limit 1 returning id`)
  campaignId = campaign?.id ?? 0
})

afterAll(async () => {
  await database?.close()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('a report run', () => {
  it('asked twice while queued is one run; a district outside the campaign is refused', async () => {
    const first = await queued('310101')
    expect(await queued('310101')).toBe(first)
    await expect(queued('320100')).rejects.toMatchObject({ name: 'CampaignRegionMismatchError' })
  })

  it('writes its files and rows once, and a late second delivery changes nothing', async () => {
    const runId = await queued()
    const progress: number[] = []
    const render: ReportRenderer = async (_db, parameters, report) => {
      expect(parameters).toMatchObject({ campaignId, regionCode: '310100', templateId: null, identity })
      await report(0.5, 'half')
      progress.push((await getRun(database, runId))?.progress ?? -1)
      return files('first')
    }
    await processReportRun(database, { runId, attempt: 1, maxAttempts: 3 }, { render, dataDir })
    expect(progress).toEqual([0.5])
    const run = await getRun(database, runId)
    expect(run).toMatchObject({ state: 'succeeded', progress: 1 })
    expect(fs.readFileSync(path.join(reportDir(dataDir, runId), 'report.pdf'), 'utf8')).toBe('%PDF- first')
    await processReportRun(
      database,
      { runId, attempt: 2, maxAttempts: 3 },
      { render: () => files('again'), dataDir },
    )
    const rows = await database.rows<{ format: string; path: string; byteSize: number }>(
      sql`select format, path, byte_size as "byteSize" from annual_reports where run_id = ${runId} order by format`,
    )
    expect(rows).toEqual([
      { format: 'docx', path: `reports/run-${runId}/report.docx`, byteSize: 8 },
      { format: 'pdf', path: `reports/run-${runId}/report.pdf`, byteSize: 11 },
    ])
    expect(fs.readFileSync(path.join(reportDir(dataDir, runId), 'report.pdf'), 'utf8')).toBe('%PDF- first')
  })

  it('retried after a failed attempt finishes once, with the files of the attempt that succeeded', async () => {
    const runId = await queued('310109')
    const failing: ReportRenderer = async () => {
      throw new Error('browser crashed')
    }
    await expect(
      processReportRun(database, { runId, attempt: 1, maxAttempts: 3 }, { render: failing, dataDir }),
    ).rejects.toThrow('browser crashed')
    await processReportRun(
      database,
      { runId, attempt: 2, maxAttempts: 3 },
      { render: () => files('retry'), dataDir },
    )
    expect((await getRun(database, runId))?.attempts).toBe(2)
    const [n] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from annual_reports where run_id = ${runId}`,
    )
    expect(n?.n).toBe(2)
  })

  it('cancelled while it was drawn records nothing and leaves no files', async () => {
    const runId = await queued('310115')
    const render: ReportRenderer = async () => {
      await cancelRun(database, runId)
      return files('cancelled')
    }
    await processReportRun(database, { runId, attempt: 1, maxAttempts: 3 }, { render, dataDir })
    expect((await getRun(database, runId))?.state).toBe('cancelled')
    expect(fs.existsSync(reportDir(dataDir, runId))).toBe(false)
    const [n] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from annual_reports where run_id = ${runId}`,
    )
    expect(n?.n).toBe(0)
  })

  it('fails as unrecoverable in a process that was given no renderer', async () => {
    const runId = await queued('310104')
    await expect(
      processReportRun(database, { runId, attempt: 1, maxAttempts: 3 }, { dataDir }),
    ).rejects.toMatchObject({
      name: 'ReportRendererMissingError',
    })
  })
})
