import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { GraphQLError } from 'graphql'
import { DiagnosisParameterError, getRun, startExchangeSendRun } from '../jobs/api.ts'
import { createProcessors } from '../jobs/processors.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import { loadConfig } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'
import { exportCampaign } from '../server/exchange/export.ts'
import { PackageRefused } from '../server/exchange/format.ts'
import { importPackage } from '../server/exchange/import.ts'
import { createPackageSender } from '../server/exchange/send.ts'
import { ensureRegions } from '../server/seed/regions.ts'

const usage = `用法 / usage:
  npm run exchange -- export --campaign <id|latest> --out <file>   write a campaign's exchange package
  npm run exchange -- import <file>                                merge a package into this install
  npm run exchange -- send --campaign <id|latest>                  上报: send it to CITYCHECK_UPSTREAM_URL
                                                                   with the upstream's CITYCHECK_UPSTREAM_TOKEN
Works on DATABASE_URL, or the embedded database under CITYCHECK_DATA_DIR (stop the server first).`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    campaign: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const [command, file] = positionals
const exporting = command === 'export' && values.campaign && values.out
const importing = command === 'import' && file
const sending = command === 'send' && values.campaign
if (values.help || !(exporting || importing || sending)) {
  console.log(usage)
  process.exit(values.help ? 0 : 2)
}
const campaign = values.campaign === 'latest' ? 'latest' : Number(values.campaign)
if ((exporting || sending) && campaign !== 'latest' && !Number.isInteger(campaign)) {
  console.error(`--campaign 须为编号或 latest / --campaign must be an id or latest, got "${values.campaign}"`)
  process.exit(2)
}

const operator = `cli:${os.userInfo().username}`
const config = loadConfig()
if (sending && !config.upstream) {
  console.error(
    '上报需要 CITYCHECK_UPSTREAM_URL 与 CITYCHECK_UPSTREAM_TOKEN / sending needs CITYCHECK_UPSTREAM_URL and CITYCHECK_UPSTREAM_TOKEN',
  )
  process.exit(2)
}
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: path.join(config.dataDir, 'pglite'),
})
try {
  await migrateDatabase(database)
  if (exporting && values.out) {
    const result = await exportCampaign(database, { campaign, exportedBy: operator })
    fs.writeFileSync(`${values.out}.part`, result.bytes)
    fs.renameSync(`${values.out}.part`, values.out)
    console.log(`campaign ${result.campaignId} → ${values.out} (${result.bytes.length} bytes)`)
    for (const [kind, n] of Object.entries(result.counts)) console.log(`  ${kind}: ${n}`)
  } else if (sending) {
    await send(database, campaign)
  } else if (file) {
    // The division codes a package's regions hang under, as on a server's first start.
    await ensureRegions(database)
    const result = await importPackage(database, fs.readFileSync(file), { importedBy: operator })
    if (result.alreadyImported) {
      console.log(`已导入过，未作改动 / already imported (import ${result.importId}): nothing changed`)
    } else {
      console.log(
        `import ${result.importId}${result.resumed ? ' (resumed)' : ''} → campaign ${result.campaignId}`,
      )
      for (const [kind, c] of Object.entries(result.counts)) {
        console.log(
          `  ${kind}: ${c.inserted} inserted, ${c.updated} updated, ${c.matched} matched, ${c.rejected} rejected`,
        )
      }
      for (const r of result.rejected) console.log(`  rejected ${r.kind} ${r.sourceKey}: ${r.reason}`)
    }
  }
} catch (error) {
  if (error instanceof PackageRefused) {
    console.error(`拒绝导入，未写入任何数据：${error.zh}\nRefused, nothing was written: ${error.en}`)
  } else if (error instanceof DiagnosisParameterError) {
    console.error(error.message)
  } else if (error instanceof GraphQLError && error.extensions.localized) {
    const { 'zh-CN': zh, en } = error.extensions.localized as { 'zh-CN': string; en: string }
    console.error(`${zh}\n${en}`)
  } else throw error
  process.exitCode = 1
} finally {
  await database.close()
}

/**
 * 上报 the way the API does it: an `exchange_send` run, processed here by the same processor and retried with the
 * runner's backoff, so a send from the shell is in diagnosticRuns and exchangeSends like any other.
 */
async function send(database: Awaited<ReturnType<typeof openDatabase>>, which: number | 'latest') {
  const runner = new InProcessRunner(
    database,
    createProcessors({ exchange: createPackageSender(config.upstream) }),
    {
      onError: (error, _kind, runId, attempt) =>
        console.error(`run ${runId} attempt ${attempt}: ${(error as Error).message}`),
    },
  )
  try {
    const started = await startExchangeSendRun(database, runner, { campaign: which, requestedBy: operator })
    await runner.idle()
    const run = await getRun(database, started.run.id)
    const outputs = run?.outputs as { sendId?: number; receipt?: { importId?: number } } | null
    console.log(`run ${started.run.id}: ${run?.state} after ${run?.attempts} attempt(s)`)
    if (run?.state === 'succeeded') {
      console.log(`  send ${outputs?.sendId} acknowledged: upstream import ${outputs?.receipt?.importId}`)
    } else {
      if (run?.error) console.log(`  ${run.error}`)
      process.exitCode = 1
    }
  } finally {
    await runner.close()
  }
}
