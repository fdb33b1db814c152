// PostGraphile v5 serving the benchmark database, run by bench/api.ts with the Node 22 of this folder.
// Geometry reaches it the way PostGraphile users serve it without the PostGIS plugin: the computed column
// bench_peer.buildings_footprint_json (reading the stored GeoJSON text) and the set-returning functions
// bench_peer.buildings_in_viewport and bench_peer.blocks_in_region.
import { createServer } from 'node:http'
import { postgraphile } from 'postgraphile'
import { makePgService } from 'postgraphile/adaptors/pg'
import { grafserv } from 'postgraphile/grafserv/node'
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber'

const connectionString = process.env.DATABASE_URL
if (!connectionString) throw new Error('DATABASE_URL is required')
const poolSize = Number(process.env.POOL_SIZE ?? 10)

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString, schemas: ['public', 'bench_peer'], poolConfig: { max: poolSize } }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
}

const pgl = postgraphile(preset)
const serv = pgl.createServ(grafserv)
const server = createServer()
server.once('listening', () => {
  server.on('error', (e) => console.error(e))
  const { port } = server.address()
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` }))
})
serv.addTo(server).catch((e) => {
  console.error(e)
  process.exit(1)
})
server.listen(0, '127.0.0.1')
const stop = () => {
  server.close()
  pgl.release().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
