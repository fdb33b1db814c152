import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { processReportRun } from '../jobs/annual-reports/job.ts'
import { getRun, startReportRun } from '../jobs/api.ts'
import { renderReport } from '../server/annual-reports/render.ts'
import { resolveOutline } from '../server/annual-reports/templates.ts'
import { loadConfig } from '../server/config.ts'
import { type Database, migrateDatabase, openDatabase } from '../server/db/client.ts'

const usage = `用法 / usage: npm run report -- --campaign <id|latest> --out <dir> [--region CODE]
  --campaign ID|latest  the campaign (latest: the newest annual check)
  --out DIR             where the .docx and the .pdf are written (created if missing)
  --region CODE         a region within the campaign's (default: the campaign's own)
Reads DATABASE_URL, or the embedded database under .data/ (stop the server first). The run and its files are
also recorded like a report generated through the API (diagnostic_runs, annual_reports, <data dir>/reports/).`

const { values } = parseArgs({
  options: {
    campaign: { type: 'string' },
    out: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help || !values.campaign || !values.out) {
  console.log(usage)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfig()
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: path.join(config.dataDir, 'pglite'),
})
try {
  await migrateDatabase(database)
  const written = await generate(database, values.campaign, values.out, values.region)
  for (const file of written) console.log(file)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await database.close()
}

async function generate(
  database: Database,
  which: string,
  out: string,
  regionArg?: string,
): Promise<string[]> {
  const campaign = await findCampaign(database, which)
  const regionCode = regionArg ?? campaign.regionCode
  const outline = await resolveOutline(database, regionCode)
  // The operator reads as the campaign's region would: everything within it, nothing beside it.
  const { run } = await startReportRun(
    database,
    { enqueue: async () => {}, close: async () => {} },
    {
      campaignId: campaign.id,
      regionCode,
      templateId: outline.template?.id ?? null,
      identity: {
        subject: 'npm run report',
        role: 'province',
        regionCode: campaign.regionCode,
        department: null,
      },
      requestedBy: 'npm run report',
    },
  )
  console.log(`体检报告 / report: ${campaign.name}, region ${regionCode}, run ${run.id}`)
  try {
    await processReportRun(
      database,
      { runId: run.id, attempt: 1, maxAttempts: 1 },
      { render: renderReport, dataDir: config.dataDir },
    )
  } catch (error) {
    // No runner retries here: the run is marked failed with the reason, as a worker's last attempt would.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    await database.rows(sql`update diagnostic_runs set state = 'failed', error = ${message}, finished_at = now()
      where id = ${run.id} and state in ('queued', 'running')`)
    throw error
  }
  const done = await getRun(database, run.id)
  if (done?.state !== 'succeeded') throw new Error(`report run ${run.id} ended ${done?.state ?? 'missing'}`)
  const files = await database.rows<{ fileName: string; path: string }>(
    sql`select file_name as "fileName", path from annual_reports where run_id = ${run.id} order by format`,
  )
  fs.mkdirSync(out, { recursive: true })
  return files.map((file) => {
    const target = path.join(out, file.fileName)
    fs.copyFileSync(path.join(config.dataDir, file.path), target)
    return target
  })
}

async function findCampaign(database: Database, which: string) {
  if (which !== 'latest' && !/^\d+$/.test(which))
    throw new Error(`--campaign 应为编号或 latest / --campaign takes an id or latest`)
  const [campaign] = await database.rows<{ id: number; name: string; regionCode: string }>(
    which === 'latest'
      ? sql`select id, name, region_code as "regionCode" from campaigns where kind = 'annual'
          order by year desc, id desc limit 1`
      : sql`select id, name, region_code as "regionCode" from campaigns where id = ${Number(which)}`,
  )
  if (!campaign) throw new Error(`没有体检任务 ${which} / there is no campaign ${which}`)
  return campaign
}
