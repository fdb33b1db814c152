import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'
import { NothingImportedError } from '../server/import/errors.ts'
import { type ImportReport, importCity } from '../server/import/importer.ts'
import { ensureRegions } from '../server/seed/regions.ts'
import { importHeights } from './import-heights.ts'

const usage = `用法 / usage: npm run import -- <files or folders…> [options]
       npm run import -- --dsm DSM.tif [--dtm DTM.tif] [--raster-date YYYY-MM-DD]
  --dataset NAME      dataset name (default: the folder name); one name, one import
  --region CODE       region for features outside every boundary (GB/T 2260 code, e.g. 310101)
  --boundaries FILE   GeoJSON polygons with a "code" property: features take the region they fall in
  --crs CRS           CRS of the input when the files do not say: EPSG:4326, EPSG:4490, EPSG:4491–4554,
                      GCJ-02 (AMap, Tencent), BD-09 (Baidu), EPSG:3857 (web tools); converted to CGCS2000
  --replace           replace an earlier import of the same dataset
  --strict            write nothing when any feature is rejected
  --licence TEXT      licence / attribution of the data
  --dsm FILE          building heights from a DSM GeoTIFF/COG (EPSG:4326, 4490 or a CGCS2000 zone); the last
                      line printed is {"buildings": n, "updated": n, "flagged": n}
  --dtm FILE          the ground from a DTM on the same CRS (default: around each footprint in the DSM)
  --raster-date DATE  when the rasters were taken (default: the TIFF's DateTime)
Writes into DATABASE_URL, or the embedded database under .data/ (stop the server first).`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dataset: { type: 'string' },
    region: { type: 'string' },
    boundaries: { type: 'string' },
    crs: { type: 'string' },
    replace: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    licence: { type: 'string' },
    dsm: { type: 'string' },
    dtm: { type: 'string' },
    'raster-date': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help || (positionals.length === 0 && !values.dsm)) {
  console.log(usage)
  process.exit(values.help ? 0 : 2)
}

const files = positionals.flatMap((p) =>
  fs.statSync(p).isDirectory()
    ? fs
        .readdirSync(p)
        .filter((f) => /\.(geo)?json$|\.csv$/i.test(f))
        .sort()
        .map((f) => path.join(p, f))
    : [p],
)

const config = loadConfig()
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: path.join(config.dataDir, 'pglite'),
})
try {
  await migrateDatabase(database)
  await ensureRegions(database)
  if (values.dsm) {
    process.exitCode = await importHeights(database, {
      dsm: values.dsm,
      dtm: values.dtm,
      rasterDate: values['raster-date'],
      region: values.region,
    })
  } else await importFiles()
} catch (error) {
  console.error(`导入失败，未写入任何数据 / import failed, nothing was written: ${(error as Error).message}`)
  if (error instanceof NothingImportedError) printRejections(error.rejected)
  process.exitCode = 1
} finally {
  await database.close()
}

async function importFiles(): Promise<void> {
  const report = await importCity(database, {
    files,
    datasetName: values.dataset,
    regionCode: values.region,
    boundariesFile: values.boundaries,
    crs: values.crs,
    replace: values.replace,
    strict: values.strict,
    licence: values.licence,
  })
  printReport(report)
}

function printReport(r: ImportReport): void {
  const facilities = Object.entries(r.imported.facilities)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')
  console.log(
    `dataset "${r.dataset.name}" (#${r.dataset.id}), metric CRS EPSG:${r.metricSrid}, ${r.read} features read`,
  )
  console.log(
    `imported: ${r.imported.buildings} buildings (${r.imported.buildingParts} parts), ${r.imported.compounds} compounds, ` +
      `${r.imported.roads} road segments, facilities: ${facilities || 'none'}`,
  )
  console.log(`derived: ${r.imported.populationCells} population cells, ${r.imported.residents} residents`)
  console.log(
    `merged: ${r.merged.buildingPieces} footprint pieces, ${r.merged.labelPoints} label points, ` +
      `${r.merged.addressPoints} address points, ${r.merged.entrances} entrances, ${r.merged.facilityPoints} POIs into areas`,
  )
  console.log(
    `estimated: ${r.estimated.heights} heights, ${r.estimated.floors} floor counts; repaired: ${r.repaired.length}`,
  )
  for (const [reason, n] of Object.entries(r.skipped)) console.log(`skipped ${n}: ${reason}`)
  console.log(`construction years read: ${r.yearsRead}; warnings: ${r.warnings.length}`)
  for (const w of r.warnings) console.log(`  id=${w.sourceId}: ${w.reason}`)
  printRejections(r.rejected)
  console.log(`took ${r.seconds.toFixed(1)} s`)
}

function printRejections(rejected: ImportReport['rejected']): void {
  console.log(`rejected: ${rejected.length}`)
  for (const x of rejected) console.log(`  ${x.file}#${x.index} id=${x.sourceId ?? '-'}: ${x.reason}`)
}
