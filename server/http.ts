import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppContext } from './app-context.ts'
import { createTokenVerifier } from './auth/verifier.ts'
import { createGraphQLHandler, type GraphQLHandler } from './graphql/server.ts'
import { attachSubscriptions } from './graphql/subscriptions.ts'
import { healthReport } from './health.ts'
import { serveStatic } from './static.ts'

export interface RunningServer {
  server: http.Server
  url: string
  close(): Promise<void>
}

/** One HTTP server for `/healthz`, `/graphql`, `/viewer/` and `/tiles/`. */
export async function startHttpServer(app: AppContext): Promise<RunningServer> {
  // One verifier for queries and subscriptions: one revocation list, one cache of verified tokens.
  const verifier = await createTokenVerifier(app.config, app.database)
  const graphql = await createGraphQLHandler({ ...app, verifier })
  const server = http.createServer((req, res) => {
    handle(app, graphql, req, res).catch((error) => {
      console.error(error)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'Unexpected error' }))
    })
  })
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
    },
  }
}

async function handle(
  app: AppContext,
  graphql: GraphQLHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname === '/graphql') {
    await graphql.handle(req, res)
    return
  }
  if (url.pathname === '/healthz') {
    const body = JSON.stringify(await healthReport(app.database))
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    res.end(body)
    return
  }
  if (await serveStatic(app, req, res, url.pathname)) return
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('Not found')
}
