import path from 'node:path'
import { parseArgs } from 'node:util'
import { SYNTHETIC_SIZES, type SyntheticSize } from '../bench/synthetic/city.ts'
import { generateSyntheticCity } from '../bench/synthetic/generate.ts'
import { loadConfig } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'
import { ensureRegions } from '../server/seed/regions.ts'

const usage = `用法 / usage: tsx scripts/synthetic.ts --size S|M|L [options]
  --size S|M|L         about 10k / 100k / 500k buildings (default S)
  --seed N             seed of the generator: the same seed and size give identical data (default 1)
  --buildings N        exact building count instead of the size's
  --center LON,LAT     city centre in degrees (default 114.3,30.6, Wuhan)
  --region CODE        GB/T 2260 city or district code the city is filed under (default 420100, 武汉市)
  --batch N            rows per INSERT (default 10000)
Writes into DATABASE_URL, or the embedded database under .data/ (stop the server first).`

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'S' },
    seed: { type: 'string', default: '1' },
    buildings: { type: 'string' },
    center: { type: 'string' },
    region: { type: 'string' },
    batch: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log(usage)
  process.exit(0)
}

const size = (values.size ?? 'S').toUpperCase()
const integer = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isSafeInteger(n)) fail(`--${name} must be an integer, got "${text}"`)
  return n
}
if (!(size in SYNTHETIC_SIZES)) fail(`--size must be S, M or L, got "${values.size}"`)
let center: [number, number] | undefined
if (values.center) {
  const parts = values.center.split(',').map(Number)
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) fail(`--center must be LON,LAT`)
  center = [parts[0] as number, parts[1] as number]
}

const config = loadConfig()
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: path.join(config.dataDir, 'pglite'),
})
try {
  await migrateDatabase(database)
  await ensureRegions(database)
  let lastPrint = 0
  const result = await generateSyntheticCity(database, {
    size: size as SyntheticSize,
    seed: integer('seed', values.seed),
    buildings: integer('buildings', values.buildings),
    centerLonDeg: center?.[0],
    centerLatDeg: center?.[1],
    regionCode: values.region,
    batchRows: integer('batch', values.batch),
    onProgress: (p) => {
      // One line a second at most: an L city writes a hundred batches.
      if (p.phase === 'blocks' && p.seconds - lastPrint < 1 && p.buildings < p.targetBuildings) return
      lastPrint = p.seconds
      const share = Math.round((100 * p.buildings) / p.targetBuildings)
      console.error(
        `  ${p.seconds.toFixed(1)} s  ${p.phase}: ${p.buildings} buildings (${share} %), ${p.rows} rows`,
      )
    },
  })
  console.log(
    `合成城市 / synthetic city: dataset #${result.datasetId} in ${database.backend}, region ${result.regionCode}\n` +
      `  ${result.buildings} buildings, ${result.compounds} compounds, ${result.blocks} blocks, ` +
      `${result.facilities} facilities, ${result.roads} roads, ${result.cells} population cells, ` +
      `${Math.round(result.residents)} residents\n` +
      `  ${result.seconds.toFixed(1)} s`,
  )
} catch (error) {
  console.error(
    `生成失败，未写入任何数据 / generation failed, nothing was written: ${(error as Error).message}`,
  )
  process.exitCode = 1
} finally {
  await database.close()
}

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`)
  process.exit(2)
}
