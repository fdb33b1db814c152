import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { isReportFilePath, serveReportFile } from './annual-reports/api.ts'
import type { AppContext } from './app-context.ts'
import { createTokenVerifier, type TokenVerifier } from './auth/verifier.ts'
import { EXCHANGE_PACKAGES_PATH, serveExchangePackages } from './exchange/api.ts'
import { serveFillingApi } from './fillings/api.ts'
import { requestIdOf } from './graphql/context.ts'
import { createGraphQLHandler, type GraphQLHandler, type GraphQLOutcome } from './graphql/server.ts'
import { attachSubscriptions } from './graphql/subscriptions.ts'
import { healthReport, readinessReport } from './health.ts'
import { KPI_WORKBOOK_PATH, serveKpiWorkbook } from './kpis/api.ts'
import { fallbackLogger, type Logger } from './observability/logger.ts'
import { createMetrics, type ServerMetrics } from './observability/metrics.ts'
import { OPEN311_PREFIX, serveOpen311 } from './open311/api.ts'
import { isProblemApiPath, serveProblemApi } from './problems/api.ts'
import { isListsPath, serveListsWorkbook } from './projects/api.ts'
import { createRateLimiter } from './rate-limit.ts'
import { isResourceApiPath, serveResourceApi } from './resources/api.ts'
import { serveStatic, useTokenVerifier } from './static.ts'

export interface RunningServer {
  server: http.Server
  url: string
  close(): Promise<void>
}

interface Routes {
  app: AppContext
  graphql: GraphQLHandler
  metrics: ServerMetrics
  redis: Redis | null
  logger: Logger
  verifier: TokenVerifier
}

/** One HTTP server for `/healthz`, `/readyz`, `/metrics`, `/graphql`, `/api/`, `/open311/v2/`, `/viewer/` and `/tiles/`. */
export async function startHttpServer(app: AppContext): Promise<RunningServer> {
  const logger = app.logger ?? fallbackLogger
  // One verifier for queries and subscriptions: one revocation list, one cache of verified tokens.
  const verifier = await createTokenVerifier(app.config, app.database)
  useTokenVerifier(app, verifier)
  const redis = app.config.redisUrl ? connectRedis(app.config.redisUrl, logger) : null
  const rateLimiter = app.config.rateLimitPerMinute
    ? createRateLimiter(app.config.rateLimitPerMinute, redis)
    : null
  const graphql = await createGraphQLHandler({ ...app, verifier, logger, rateLimiter })
  const metrics = createMetrics({ ...app, registry: app.registry })
  const routes: Routes = { app, graphql, metrics, redis, logger, verifier }
  const server = http.createServer((req, res) => answer(routes, req, res))
  const subscriptions = await attachSubscriptions(server, { ...app, verifier })
  await new Promise<void>((resolve) => server.listen(app.config.port, app.config.host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://${app.config.host}:${port}`,
    close: async () => {
      await subscriptions.close()
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
      await graphql.stop()
      await verifier.close()
      redis?.disconnect()
    },
  }
}

/**
 * The Redis connection for shared rate limits and `/readyz`. Commands fail at once while it is down (no offline
 * queue), so a request never waits on Redis: the rate limiter falls back to memory.
 */
function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  // Without a listener each failed reconnect would print a stack; /readyz reports the outage.
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'))
  return redis
}

/** Routes one request and writes its log line (id, method, path, status, duration, operation). */
function answer(routes: Routes, req: http.IncomingMessage, res: http.ServerResponse): void {
  const started = performance.now()
  const requestId = requestIdOf(req.headers)
  res.setHeader('x-request-id', requestId)
  const url = URL.parse(req.url ?? '/', 'http://localhost') ?? new URL('http://localhost/?unparsable')
  const finish = (outcome: GraphQLOutcome | null) => {
    const seconds = (performance.now() - started) / 1000
    const route = routeOf(url.pathname)
    routes.metrics.request(route, res.statusCode, seconds)
    if (outcome) routes.metrics.graphql(outcome.operation, seconds, outcome.errorCodes)
    routes.logger.info(
      {
        reqId: requestId,
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(outcome?.operation ? { operation: outcome.operation } : {}),
      },
      'request',
    )
  }
  handle(routes, req, res, url, requestId).then(finish, (error) => {
    routes.logger.error({ reqId: requestId, err: error }, 'request failed')
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'Unexpected error' }))
    finish(null)
  })
}

/** A fixed label per route, so metrics never carry a raw (client-chosen) path. */
function routeOf(pathname: string): string {
  if (pathname === '/graphql') return 'graphql'
  if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname.slice(1)
  if (pathname.startsWith('/tiles/')) return 'tiles'
  if (pathname.startsWith(OPEN311_PREFIX)) return 'open311'
  if (pathname === KPI_WORKBOOK_PATH) return 'kpis'
  if (isListsPath(pathname)) return 'lists'
  if (pathname === '/viewer' || pathname.startsWith('/viewer/')) return 'viewer'
  if (isProblemApiPath(pathname)) return 'photos'
  if (isReportFilePath(pathname)) return 'reports'
  if (isResourceApiPath(pathname)) return 'resources'
  if (pathname === EXCHANGE_PACKAGES_PATH) return 'exchange'
  if (pathname.startsWith('/api/'))
    return /^\/api\/(campaigns\/\d+\/)?evidence\b/.test(pathname) ? 'evidence' : 'forms'
  return 'other'
}

async function handle(
  { app, graphql, metrics, redis, logger, verifier }: Routes,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<GraphQLOutcome | null> {
  if (url.pathname === '/graphql') return graphql.handle(req, res, requestId)
  if (url.pathname === '/healthz') {
    sendJson(res, 200, await healthReport(app.database))
    return null
  }
  if (url.pathname === '/readyz') {
    const report = await readinessReport(app.database, redis, (service, error) =>
      logger.warn({ reqId: requestId, service, err: error }, 'readiness check failed'),
    )
    sendJson(res, report.status === 'ready' ? 200 : 503, report)
    return null
  }
  if (url.pathname === '/metrics') {
    await metrics.serve(req, res)
    return null
  }
  if (url.pathname.startsWith(OPEN311_PREFIX)) {
    await serveOpen311(app, verifier, req, res, url, requestId)
    return null
  }
  if (url.pathname === KPI_WORKBOOK_PATH) {
    await serveKpiWorkbook(app, verifier, req, res, url, requestId)
    return null
  }
  if (isListsPath(url.pathname)) {
    await serveListsWorkbook(app, verifier, req, res, url, requestId)
    return null
  }
  if (isReportFilePath(url.pathname)) {
    await serveReportFile(app, verifier, req, res, url, requestId)
    return null
  }
  if (isProblemApiPath(url.pathname)) {
    await serveProblemApi(app, verifier, req, res, url, requestId)
    return null
  }
  if (isResourceApiPath(url.pathname)) {
    await serveResourceApi(app, verifier, req, res, url, requestId)
    return null
  }
  if (url.pathname === EXCHANGE_PACKAGES_PATH) {
    await serveExchangePackages(app, verifier, req, res, requestId)
    return null
  }
  if (url.pathname.startsWith('/api/')) {
    await serveFillingApi(app, verifier, req, res, url, requestId)
    return null
  }
  if (await serveStatic(app, req, res, url.pathname)) return null
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('Not found')
  return null
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}
