import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { PROJECT_ROOT } from '../server/config.ts'
import { type Database, migrateDatabase, openDatabase } from '../server/db/client.ts'
import { seedDatabase } from '../server/seed/demo.ts'
import { assertSameAnswers, type Shape, type Viewport, viewportShape } from './api-answers.ts'
import { districtBlocksShape } from './api-blocks.ts'
import { type LoadResult, load, summary } from './api-load.ts'
import { postgresUrl, withDatabase } from './database.ts'

/**
 * `npm run bench -- api`: two query shapes — buildings in a viewport with their compound and region, and a
 * district's blocks with their buildings — served by CityCheck and by PostGraphile v5 from the same PostgreSQL
 * database, under the same concurrent load. Prints figures, asserts nothing about time; the last line is one JSON
 * object (the viewport's figures at the top level, every shape's under `queries`).
 */

const BENCH_DATABASE = 'citycheck_bench_api'
/** The demo's districts: 黄浦区, 虹口区, 浦东新区. */
const DISTRICTS = ['310101', '310109', '310115']
const PEER_DIR = path.join(PROJECT_ROOT, 'bench/peer')

/** One shape's figures: requests per second and 95th percentile latency of each server, and their ratio. */
export interface ShapeResult {
  name: string
  rps: number
  p95Ms: number
  peerRps: number
  peerP95Ms: number
  ratio: number
}

export interface ApiBenchResult extends Omit<ShapeResult, 'name'> {
  bench: 'api'
  queries: ShapeResult[]
}

interface Options {
  durationS: number
  warmupS: number
  concurrency: number
  pageSize: number
  rounds: number
  poolSize: number
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      'page-size': { type: 'string', default: '100' },
      rounds: { type: 'string', default: '2' },
      'pool-size': { type: 'string', default: '10' },
    },
  })
  return {
    durationS: Number(values.duration),
    warmupS: Number(values.warmup),
    concurrency: Number(values.concurrency),
    pageSize: Number(values['page-size']),
    rounds: Number(values.rounds),
    poolSize: Number(values['pool-size']),
  }
}

const log = (line: string) => console.log(`bench api: ${line}`)

/** The benchmark's own database: migrated, seeded with the Bund demo; reused by later runs. */
async function prepareDatabase(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await admin.connect()
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [BENCH_DATABASE])
    if (!found.rowCount) await admin.query(`create database ${BENCH_DATABASE}`)
  } finally {
    await admin.end()
  }
  const benchUrl = withDatabase(url, BENCH_DATABASE)
  const database = await openDatabase({ databaseUrl: benchUrl, poolSize: 2 })
  try {
    await migrateDatabase(database)
    await seedDatabase(database, { demo: true })
    await installPeerFunctions(database)
    await database.rows(sql`analyze`)
  } finally {
    await database.close()
  }
  return benchUrl
}

/** What PostGraphile users write without the PostGIS plugin, in a schema of its own. */
async function installPeerFunctions(database: Database): Promise<void> {
  await database.rows(sql`create schema if not exists bench_peer`)
  // The stored GeoJSON text is the peer's too: it reads the same column CityCheck reads, cast to json.
  await database.rows(sql`drop function if exists bench_peer.buildings_footprint_geojson(public.buildings)`)
  await database.rows(sql`create or replace function bench_peer.buildings_footprint_json(b public.buildings)
    returns json language sql stable parallel safe as $$ select b.footprint_geojson::json $$`)
  await database.rows(sql`create or replace function bench_peer.blocks_in_region(code text)
    returns setof public.blocks language sql stable parallel safe as $$
      select b.* from public.blocks b where b.region_code like code || '%' order by b.id $$`)
  await database.rows(sql`create or replace function bench_peer.buildings_in_viewport(
      west double precision, south double precision, east double precision, north double precision)
    returns setof public.buildings language sql stable parallel safe as $$
      select b.* from public.buildings b
      where ST_Intersects(b.footprint, ST_MakeEnvelope(west, south, east, north, 4326))
      order by b.id $$`)
}

function ensurePeerInstalled(): void {
  const nodeBinary = path.join(PEER_DIR, 'node_modules/.bin/node')
  if (fs.existsSync(nodeBinary) && fs.existsSync(path.join(PEER_DIR, 'node_modules/postgraphile'))) return
  log('installing PostGraphile v5 and Node 22 into bench/peer/node_modules (once)')
  execFileSync('npm', ['install', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit',
  })
}

/** Starts a server process that prints `{"url": …}` once it listens. */
async function startServer(name: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stderr: string[] = []
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr.join('')}`)), 120_000)
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string }
        if (parsed.url) {
          clearTimeout(timer)
          // From here the output is drained unread: the load generator shares this process and its cores.
          lines.close()
          child.stdout?.resume()
          resolve(parsed.url)
        }
      } catch {
        // Not the line we wait for.
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}: ${stderr.join('')}`))
    })
  })
  return { child, url }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** Viewports of about 700 m × 600 m tiled over the demo city, each with buildings in it. */
async function viewports(url: string): Promise<Viewport[]> {
  const database = await openDatabase({ databaseUrl: url, poolSize: 1 })
  try {
    const [extent] = await database.rows<Viewport>(
      sql`select ST_XMin(e) as west, ST_YMin(e) as south, ST_XMax(e) as east, ST_YMax(e) as north
          from (select ST_Extent(footprint) as e from buildings) x`,
    )
    if (!extent) throw new Error('the benchmark database has no buildings')
    const out: Viewport[] = []
    const dx = 0.0075
    const dy = 0.0055
    for (let west = extent.west; west < extent.east; west += dx) {
      for (let south = extent.south; south < extent.north; south += dy) {
        const v = { west, south, east: west + dx, north: south + dy }
        const [{ n } = { n: 0 }] = await database.rows<{ n: number }>(
          sql`select count(*)::int as n from buildings
              where ST_Intersects(footprint, ST_MakeEnvelope(${v.west}::float8, ${v.south}::float8, ${v.east}::float8, ${v.north}::float8, 4326))`,
        )
        if (n >= 20) out.push(v)
      }
    }
    return out
  } finally {
    await database.close()
  }
}

export async function runApiBench(args: string[] = []): Promise<ApiBenchResult> {
  const options = parseOptions(args)
  const url = await prepareDatabase(postgresUrl())
  ensurePeerInstalled()
  const views = await viewports(url)
  log(
    `${views.length} viewports, page size ${options.pageSize}, ${options.concurrency} concurrent clients, ` +
      `${options.rounds} × ${options.durationS} s per server, pool ${options.poolSize} connections each`,
  )

  // Neither server logs a line per request while measured (PostGraphile logs none; CityCheck's access log is
  // an operator's choice, LOG_LEVEL=info by default).
  const env = {
    DATABASE_URL: url,
    POOL_SIZE: String(options.poolSize),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  }
  const tsx = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')
  const ours = await startServer('CityCheck', tsx, ['bench/api-server.ts'], env)
  const peer = await startServer(
    'PostGraphile',
    path.join(PEER_DIR, 'node_modules/.bin/node'),
    ['bench/peer/server.mjs'],
    env,
  )
  try {
    const ourUrl = new URL(ours.url)
    const peerUrl = new URL(peer.url)
    const shapes = [viewportShape(views, options.pageSize), districtBlocksShape(DISTRICTS, 20)]
    const queries: ShapeResult[] = []
    for (const shape of shapes) {
      const rows = await assertSameAnswers(ourUrl, peerUrl, shape)
      log(`${shape.name}: both servers return the same ${rows} rows over ${shape.ours.length} requests`)
      const { a, b } = await alternateRounds(ourUrl, peerUrl, shape, options)
      const ratio = Math.round((a.rps / b.rps) * 100) / 100
      queries.push({
        name: shape.name,
        rps: a.rps,
        p95Ms: a.p95Ms,
        peerRps: b.rps,
        peerP95Ms: b.p95Ms,
        ratio,
      })
    }
    const [{ name: _, ...viewport }] = queries as [ShapeResult]
    return { bench: 'api', ...viewport, queries }
  } finally {
    await Promise.all([stop(ours.child), stop(peer.child)])
  }
}

/** Warm-up, then rounds of load on one server and the other in turn; the summaries of all rounds. */
async function alternateRounds(ourUrl: URL, peerUrl: URL, shape: Shape, options: Options) {
  const ourBodies = shape.ours
  const peerBodies = shape.peer
  await load(ourUrl, ourBodies, options.concurrency, options.warmupS)
  await load(peerUrl, peerBodies, options.concurrency, options.warmupS)
  const ourRuns: LoadResult[] = []
  const peerRuns: LoadResult[] = []
  // Alternate the two, so drift (caches, CPU frequency, neighbours) falls on both alike.
  for (let r = 0; r < options.rounds; r++) {
    ourRuns.push(await load(ourUrl, ourBodies, options.concurrency, options.durationS))
    peerRuns.push(await load(peerUrl, peerBodies, options.concurrency, options.durationS))
    const a = summary([ourRuns[r] as LoadResult])
    const b = summary([peerRuns[r] as LoadResult])
    log(
      `${shape.name} round ${r + 1}: CityCheck ${a.rps} req/s (p95 ${a.p95Ms} ms), PostGraphile ${b.rps} req/s (p95 ${b.p95Ms} ms)`,
    )
  }
  const a = summary(ourRuns)
  const b = summary(peerRuns)
  if (a.failures || b.failures) log(`failed requests: CityCheck ${a.failures}, PostGraphile ${b.failures}`)
  return { a, b }
}
