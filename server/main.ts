import path from 'node:path'
import { Registry } from 'prom-client'
import { queueCityTilesRuns } from '../jobs/api.ts'
import { startDeadlineSweeps } from '../jobs/deadlines/schedule.ts'
import { sweptAnything } from '../jobs/deadlines/sweep.ts'
import { createProcessors } from '../jobs/processors.ts'
import { createJobObserver } from '../jobs/runs/observe.ts'
import { createJobRunner, requeueUnfinishedRuns } from '../jobs/runs/runner.ts'
import { renderReport } from './annual-reports/render.ts'
import { assertDeployable, loadConfig } from './config.ts'
import { migrateDatabase, openDatabase } from './db/client.ts'
import { createPackageSender } from './exchange/send.ts'
import { startHttpServer } from './http.ts'
import { createLogger } from './observability/logger.ts'
import { seedDatabase } from './seed/demo.ts'
import { startDemoCheck } from './seed/demo-check.ts'
import { watchDemoHistory } from './seed/demo-history.ts'

const started = performance.now()
const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
const config = loadConfig()
try {
  assertDeployable(config)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
const backend = config.databaseUrl
  ? 'PostgreSQL (DATABASE_URL)'
  : `embedded PGlite + PostGIS (${config.dataDir})`
console.log(`CityCheck 城市体检 — starting on ${backend}`)
if (config.jwtSecretIsDevelopmentKey) {
  console.warn('JWT_SECRET is not set: using the development key. Set JWT_SECRET in production.')
}

const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: path.join(config.dataDir, 'pglite'),
})
console.log(`database open in ${seconds()} s`)
await migrateDatabase(database)
const demo = process.env.CITYCHECK_DEMO !== 'off'
const seed = await seedDatabase(database, { demo })
if (seed.demo) {
  const r = seed.demo
  console.log(
    `demo city imported (first run): ${r.imported.buildings} buildings, ${Object.values(r.imported.facilities).reduce((a, b) => a + b, 0)} facilities, ` +
      `${r.imported.populationCells} population cells, ${r.imported.residents} residents in ${r.seconds.toFixed(1)} s`,
  )
}
console.log(`schema migrated and seeds checked in ${seconds()} s`)
const logger = createLogger(config.logLevel)
// One registry for /metrics: the in-process runner times its jobs into it; BullMQ workers report their own.
const registry = new Registry()
const processors = createProcessors({
  annualReport: { render: renderReport, dataDir: config.dataDir },
  exchange: createPackageSender(config.upstream),
})
const jobs = createJobRunner(database, processors, {
  redisUrl: config.redisUrl,
  observer: createJobObserver(logger, registry),
})
// 超期/督办: a sweep every interval, on a timer here or (with Redis) by `npm run worker`.
const deadlines = await startDeadlineSweeps(database, {
  redisUrl: config.redisUrl,
  intervalMs: config.deadlineSweepMinutes * 60_000,
  graceWorkingDays: config.escalationGraceWorkingDays,
  onSwept: (result) => logger[sweptAnything(result) ? 'info' : 'debug'](result, 'deadline sweep'),
  onError: (error) => logger.warn({ err: error }, 'deadline sweep failed'),
})
const requeued = await requeueUnfinishedRuns(database, jobs)
if (requeued > 0) console.log(`re-queued ${requeued} unfinished diagnostic runs`)
const check = demo ? await startDemoCheck(database, jobs) : null
if (check?.created) {
  console.log(`demo check created (campaign ${check.campaignId}): coverage diagnosis and indicators queued`)
}
// The demo's 2023 and 2024 checks are derived from the 2025 values once its indicator run has succeeded.
const demoHistory = demo
  ? await watchDemoHistory(database, (error) => logger.warn({ err: error }, 'demo history not derived yet'))
  : null
void demoHistory?.done.then((h) => {
  if (h.created) console.log(`demo history derived: 2023 and 2024 checks with ${h.values} values`)
})
// The runner builds the first tilesets, one per city (or brings existing ones up to date); requests never build them.
const tiles = await queueCityTilesRuns(database, jobs, {
  dataDir: config.dataDir,
  requestedBy: 'server start',
})
console.log(
  tiles.length > 0
    ? `3D Tiles: refresh queued for ${tiles.map((t) => `${t.cityCode} (run ${t.runId})`).join(', ')}; the viewer shows a city once its run has finished`
    : '3D Tiles: no buildings imported, nothing to tile',
)
console.log(
  config.redisUrl
    ? 'jobs: BullMQ on REDIS_URL (start workers with `npm run worker`)'
    : 'jobs: in-process (no REDIS_URL)',
)
const server = await startHttpServer({ config, database, jobs, logger, registry })
console.log(`ready in ${seconds()} s`)
console.log(`  GraphQL:   ${server.url}/graphql`)
console.log(`  3D viewer: ${server.url}/viewer/`)
console.log(
  `  screen:    ${server.url}/screen/?token=… (a token: npm run token -- --role city --region 310100)`,
)
console.log(`  health:    ${server.url}/healthz (ready: /readyz, metrics: /metrics)`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`${signal}: shutting down`)
  await server.close().catch(() => {})
  await deadlines.stop().catch(() => {})
  await jobs.close().catch(() => {})
  await demoHistory?.stop().catch(() => {})
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
