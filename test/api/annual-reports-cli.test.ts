import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import { openDatabase } from '../../server/db/client.ts'
import { DEMO_CAMPAIGN_NAME, startDemoCheck } from '../../server/seed/demo-check.ts'
import { testBackend } from '../helpers/database.ts'
import { adminUrl, pgliteTemplatePath, postgresTemplateName } from '../helpers/template.ts'

// `npm run report -- --campaign <id|latest> --out <dir>` as an operator runs it: against DATABASE_URL, or with
// no server running, against the embedded database in the data directory.

const run = promisify(execFile)
let dataDir: string
let databaseUrl: string | undefined
let dropDatabase: (() => Promise<void>) | undefined

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-report-cli-'))
  const hash = inject('templateHash')
  let database: Awaited<ReturnType<typeof openDatabase>>
  if (testBackend() === 'pglite') {
    // A data directory on disk, as `npm start` leaves it, loaded from the template.
    const blob = new Blob([fs.readFileSync(pgliteTemplatePath(hash))])
    database = await openDatabase({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: blob })
  } else {
    const url = process.env.DATABASE_URL as string
    const name = `citycheck_r_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
    const admin = new pg.Client({ connectionString: adminUrl(url) })
    await admin.connect()
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${postgresTemplateName(hash)}`)
        break
      } catch (error) {
        // Another file cloning the template at this moment (55006): wait it out.
        if ((error as { code?: string }).code !== '55006' || attempt > 60) throw error
        await new Promise((resolve) => setTimeout(resolve, 300))
      }
    }
    await admin.end()
    databaseUrl = adminUrl(url, name)
    database = await openDatabase({ databaseUrl })
    dropDatabase = async () => {
      const drop = new pg.Client({ connectionString: adminUrl(url) })
      await drop.connect()
      await drop.query(`drop database if exists ${name} with (force)`).finally(() => drop.end())
    }
  }
  // The first start's runs: the demo check's coverage diagnosis and computed indicators.
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  await startDemoCheck(database, runner)
  await runner.idle()
  await runner.close()
  await database.close()
})

afterAll(async () => {
  await dropDatabase?.()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CITYCHECK_DATA_DIR: dataDir }
  if (databaseUrl) env.DATABASE_URL = databaseUrl
  else delete env.DATABASE_URL
  return run('npx', ['tsx', 'scripts/report.ts', ...args], { cwd: PROJECT_ROOT, env, timeout: 240_000 })
}

describe('npm run report', () => {
  it('writes one .docx and one .pdf of the latest campaign into the directory asked for', async () => {
    const out = path.join(dataDir, 'out')
    const { stdout } = await cli(['--campaign', 'latest', '--out', out])
    expect(stdout).toContain(DEMO_CAMPAIGN_NAME)
    const files = fs.readdirSync(out).sort()
    expect(files).toEqual(['上海市2025年城市体检报告.docx', '上海市2025年城市体检报告.pdf'])
    const docx = fs.readFileSync(path.join(out, files[0] as string))
    const pdf = fs.readFileSync(path.join(out, files[1] as string))
    expect(docx.subarray(0, 2).toString()).toBe('PK')
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    // The run and its files are recorded in the data directory as a report from the API would be.
    expect(fs.readdirSync(path.join(dataDir, 'reports')).length).toBe(1)
  })

  it('answers its usage and exit code 2 without a campaign, and 1 for a campaign that does not exist', async () => {
    await expect(cli(['--out', dataDir])).rejects.toMatchObject({ code: 2 })
    await expect(cli(['--campaign', '9999', '--out', dataDir])).rejects.toMatchObject({ code: 1 })
  })
})
