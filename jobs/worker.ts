/**
 * `npm run worker`: processes diagnosis jobs from Redis. Start one or many; BullMQ hands each job to one of
 * them. Needs REDIS_URL and a shared PostgreSQL (DATABASE_URL): the embedded database is single-process, so
 * without them jobs run inside the server instead.
 */
import http from 'node:http'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { renderReport } from '../server/annual-reports/render.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/client.ts'
import { createPackageSender } from '../server/exchange/send.ts'
import { createDeadlineWorker } from './deadlines/schedule.ts'
import { sweptAnything } from './deadlines/sweep.ts'
import { createProcessors } from './processors.ts'
import { BullMqRunner, createBullMqWorker } from './runs/bullmq.ts'
import { KEEPER_INTERVAL_MS, keepRunsQueued } from './runs/keeper.ts'
import { createJobObserver } from './runs/observe.ts'
import { DEFAULT_QUEUE_NAME } from './runs/queue.ts'

const config = loadConfig()
if (!config.redisUrl) {
  console.error('REDIS_URL 未设置，任务在服务进程内运行 / REDIS_URL is not set: jobs run inside the server')
  process.exit(1)
}
if (!config.databaseUrl) {
  console.error(
    'DATABASE_URL 未设置，嵌入式数据库不能被多个进程共享 / DATABASE_URL is not set: the embedded database cannot be shared with a worker',
  )
  process.exit(1)
}

const queueName = process.env.CITYCHECK_QUEUE || DEFAULT_QUEUE_NAME
const concurrency = Number(process.env.CITYCHECK_WORKER_CONCURRENCY || 1)
const logger = pino({ level: config.logLevel, base: { service: 'citycheck-worker' } })
const registry = new Registry()
collectDefaultMetrics({ register: registry })
const database = await openDatabase({ databaseUrl: config.databaseUrl })
const worker = createBullMqWorker({
  database,
  processors: createProcessors({
    annualReport: { render: renderReport, dataDir: config.dataDir },
    exchange: createPackageSender(config.upstream),
  }),
  redisUrl: config.redisUrl,
  queueName,
  concurrency,
  observer: createJobObserver(logger, registry),
  onError: (message, error) => logger.error({ err: error }, message),
})
await worker.waitUntilReady()
// The deadline sweeps the server schedules (超期/督办), on their own queue.
const deadlines = createDeadlineWorker(database, {
  redisUrl: config.redisUrl,
  graceWorkingDays: config.escalationGraceWorkingDays,
  onSwept: (result) => logger[sweptAnything(result) ? 'info' : 'debug'](result, 'deadline sweep'),
  onError: (error) => logger.warn({ err: error }, 'deadline sweep failed'),
})
await deadlines.waitUntilReady()
// Runs whose jobs Redis lost (a restart without persistence) go back on the queue, at start and then every sweep.
const enqueuer = new BullMqRunner({ redisUrl: config.redisUrl, queueName })
const keeper = keepRunsQueued(database, enqueuer, {
  intervalMs: Number(process.env.CITYCHECK_REQUEUE_INTERVAL_S || KEEPER_INTERVAL_MS / 1000) * 1000,
  onError: (error) => logger.warn({ err: error }, 'requeue sweep failed'),
})
const requeued = await keeper.sweep().catch(() => 0)
if (requeued > 0) logger.info({ requeued }, 'unfinished runs handed to the queue')
const metrics = await serveMetrics(process.env.CITYCHECK_WORKER_METRICS_PORT)
console.log(`worker listening on queue ${queueName} (concurrency ${concurrency})`)
if (metrics) console.log(`  metrics: ${metrics}`)

/**
 * The worker's job durations for Prometheus, on loopback only: it has no tokens to check, so whoever scrapes it
 * runs on the same host (or reaches it through a proxy that guards it).
 */
async function serveMetrics(port: string | undefined): Promise<string | null> {
  if (!port) return null
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    registry.metrics().then((body) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve))
  server.unref()
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`
}

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`${signal}: finishing the current job, then stopping`)
  // worker.close() waits for jobs in hand; a job cut off by a second kill is re-delivered as stalled.
  keeper.stop()
  await worker.close()
  await deadlines.close()
  await enqueuer.close()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
