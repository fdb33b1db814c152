import { timingSafeEqual } from 'node:crypto'
import type http from 'node:http'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { JobRunner } from '../../jobs/api.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'

/** Seconds buckets around the API's budget: most answers well under 50 ms, a report query up to seconds. */
const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Operation names come from clients: past this many, new ones are counted as `other` to bound the series. */
const MAX_OPERATION_NAMES = 500

export interface ServerMetrics {
  registry: Registry
  /** One answered HTTP request; `route` is a fixed name (graphql, healthz, viewer…), never the raw path. */
  request(route: string, status: number, seconds: number): void
  /** One GraphQL request: its operation name (null when anonymous or unparsed) and its errors' codes. */
  graphql(operation: string | null, seconds: number, errorCodes: readonly string[]): void
  /** Answers `/metrics` in the Prometheus text format, or 403 to a caller who may not read it. */
  serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>
}

export interface MetricsOptions {
  config: Pick<Config, 'metricsToken'>
  database: Database
  jobs?: JobRunner | undefined
  /** A registry to add to (the job runner's observer may already have registered its metrics there). */
  registry?: Registry | undefined
}

export function createMetrics(options: MetricsOptions): ServerMetrics {
  const registry = options.registry ?? new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const httpSeconds = new Histogram({
    name: 'citycheck_http_request_duration_seconds',
    help: 'HTTP requests by route and status, with their duration',
    labelNames: ['route', 'status'] as const,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers,
  })
  const operationSeconds = new Histogram({
    name: 'citycheck_graphql_operation_duration_seconds',
    help: 'GraphQL requests by operation name, with their duration',
    labelNames: ['operation'] as const,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers,
  })
  const errors = new Counter({
    name: 'citycheck_graphql_errors_total',
    help: 'Errors in GraphQL answers by extensions.code (RATE_LIMITED, BAD_USER_INPUT, INTERNAL_SERVER_ERROR…)',
    labelNames: ['code'] as const,
    registers,
  })
  observeQueue(registry, options.jobs)
  observePool(registry, options.database)
  const operations = new Set<string>()
  const operationLabel = (name: string | null): string => {
    if (!name) return '(anonymous)'
    if (operations.has(name)) return name
    if (operations.size >= MAX_OPERATION_NAMES) return 'other'
    operations.add(name)
    return name
  }
  return {
    registry,
    request: (route, status, seconds) => httpSeconds.observe({ route, status }, seconds),
    graphql(operation, seconds, errorCodes) {
      operationSeconds.observe({ operation: operationLabel(operation) }, seconds)
      for (const code of errorCodes) errors.inc({ code })
    },
    async serve(req, res) {
      if (!mayRead(req, options.config.metricsToken)) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(
          '指标仅对本机或持有 METRICS_TOKEN 的调用方开放 / Metrics are for loopback or METRICS_TOKEN callers only\n',
        )
        return
      }
      const body = await registry.metrics()
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
      res.end(body)
    },
  }
}

/** Queue depth by state: BullMQ's counts from Redis, or the in-process runner's own. */
function observeQueue(registry: Registry, jobs: JobRunner | undefined): void {
  const counts = jobs?.counts?.bind(jobs)
  if (!counts) return
  new Gauge({
    name: 'citycheck_job_queue_jobs',
    help: 'Background jobs by state (waiting, active, delayed, waiting-children)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      // A scrape while Redis is away reports no queue rather than failing the whole page.
      const byState = await counts().catch(() => ({}))
      this.reset()
      for (const [state, count] of Object.entries(byState)) this.set({ state }, count)
    },
  })
}

/** node-postgres pool use; PGlite has one embedded connection and no pool. */
function observePool(registry: Registry, database: Database): void {
  const pool = database.pool
  if (!pool) return
  new Gauge({
    name: 'citycheck_db_pool_connections',
    help: 'PostgreSQL pool connections: total, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount)
      this.set({ state: 'idle' }, pool.idleCount)
      this.set({ state: 'waiting' }, pool.waitingCount)
    },
  })
}

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/**
 * With METRICS_TOKEN, a caller must send it as a bearer token. Without it only a loopback caller that no proxy
 * forwarded may read: a reverse proxy on the same host would otherwise make every visitor look local.
 */
function mayRead(req: http.IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(req.headers.authorization ?? '')
    const expected = Buffer.from(`Bearer ${token}`)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  if (req.headers['x-forwarded-for'] || req.headers.forwarded) return false
  return LOOPBACK_ADDRESSES.has(req.socket.remoteAddress ?? '')
}
