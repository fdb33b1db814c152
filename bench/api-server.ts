import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/client.ts'
import { startHttpServer } from '../server/http.ts'

// Our side of `npm run bench -- api`, in its own process like the peer: the load generator must not share
// its event loop. No rate limit: the load generator is one client sending thousands of requests a second, and
// the peer limits nothing either.
const config = { ...loadConfig(), port: 0, host: '127.0.0.1', rateLimitPerMinute: null }
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  poolSize: Number(process.env.POOL_SIZE ?? 10),
})
const server = await startHttpServer({ config, database })
console.log(JSON.stringify({ url: `${server.url}/graphql` }))
const stop = async () => {
  await server.close()
  await database.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
