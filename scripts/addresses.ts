import path from 'node:path'
import { parseArgs } from 'node:util'
import { type AddressReport, importAddressList } from '../server/addresses/registry.ts'
import { loadConfig } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'
import { ensureRegions } from '../server/seed/regions.ts'

const usage = `用法 / usage: npm run addresses -- <list.csv|list.xlsx> [options]
  Imports a standard-address list (一标三实; the column named 地址, optionally 编码, 经度/纬度) into the registry
  and matches every address to a building; appeals and resources with an address are linked to the list too.
  --crs CRS        CRS of the 经度/纬度 columns: EPSG:4326 (default), GCJ-02 (AMap, Tencent), BD-09 (Baidu)
  --aliases FILE   road aliases, a CSV with alias,road columns (default data/addresses/road-aliases.csv)
  --quiet          print the counts only
The last line printed is {"matched": n, "ambiguous": n, "unmatched": n}.
Writes into DATABASE_URL, or the embedded database under .data/ (stop the server first).`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    crs: { type: 'string' },
    aliases: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help || positionals.length !== 1) {
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
  await ensureRegions(database)
  const report = await importAddressList(database, {
    file: positionals[0] as string,
    crs: values.crs,
    aliasesFile: values.aliases,
  })
  if (!values.quiet) printReport(report)
  console.log(
    JSON.stringify({ matched: report.matched, ambiguous: report.ambiguous, unmatched: report.unmatched }),
  )
} catch (error) {
  console.error(
    `地址导入失败，未写入任何数据 / address import failed, nothing was written: ${(error as Error).message}`,
  )
  process.exitCode = 1
} finally {
  await database.close()
}

function printReport(r: AddressReport): void {
  console.log(`${r.source}: ${r.rows.length} addresses, ${r.rejected.length} rows rejected`)
  for (const x of r.rejected) console.log(`  row ${x.row} rejected: ${x.reason}`)
  for (const state of ['ambiguous', 'unmatched'] as const) {
    const rows = r.rows.filter((x) => x.state === state)
    if (rows.length > 0) console.log(`${state}:`)
    for (const x of rows) console.log(`  row ${x.row} ${x.raw}: ${x.reason} / ${x.reasonEn}`)
  }
  console.log(`linked records: ${r.records.opinion} appeals, ${r.records.resource} resources`)
}
