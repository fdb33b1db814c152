import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { PROJECT_ROOT } from '../server/config.ts'
import { type Database, migrateDatabase, openDatabase } from '../server/db/client.ts'
import { seedDatabase } from '../server/seed/demo.ts'
import { postgresUrl, withDatabase } from './database.ts'

/**
 * `npm run bench -- api`: buildings in a viewport with their compound and region, served by CityCheck and by
 * PostGraphile v5 from the same PostgreSQL database, under the same concurrent load. Prints figures, asserts
 * nothing about time; the last line is one JSON object.
 */

const BENCH_DATABASE = 'citycheck_bench_api'
const PEER_DIR = path.join(PROJECT_ROOT, 'bench/peer')

export interface ApiBenchResult {
  bench: 'api'
  rps: number
  p95Ms: number
  peerRps: number
  peerP95Ms: number
  ratio: number
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
  await database.rows(sql`create or replace function bench_peer.buildings_footprint_geojson(b public.buildings)
    returns json language sql stable parallel safe as $$ select ST_AsGeoJSON(b.footprint)::json $$`)
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

interface Viewport {
  west: number
  south: number
  east: number
  north: number
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

const OUR_QUERY = `query Viewport($filter: SpatialFilter!, $first: Int!) {
  buildings(filter: $filter, first: $first) {
    nodes { id name heightM footprint compound { id name } region { code name } }
  }
}`

const PEER_QUERY = `query Viewport($west: Float!, $south: Float!, $east: Float!, $north: Float!, $first: Int!) {
  benchPeerBuildingsInViewport(west: $west, south: $south, east: $east, north: $north, first: $first) {
    nodes { rowId name heightM footprintGeojson compoundByCompoundId { rowId name } regionByRegionCode { code name } }
  }
}`

const ourBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: OUR_QUERY, variables: { filter: { bbox: v }, first } })
const peerBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: PEER_QUERY, variables: { ...v, first } })

const agentFor = (concurrency: number) => new http.Agent({ keepAlive: true, maxSockets: concurrency })

function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

interface Row {
  id: number
  name: string | null
  heightM: number
  footprint: unknown
  compound: { id: number; name: string | null } | null
  region: { code: string; name: string } | null
}

const round = (value: unknown): unknown =>
  typeof value === 'number' ? Math.round(value * 1e7) / 1e7 : Array.isArray(value) ? value.map(round) : value

const rawId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1])

/** Both answers as the same plain rows, so the benchmark compares like with like before it times anything. */
function normaliseOurs(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { buildings: { nodes: Record<string, never>[] } }
  }
  if (body.errors) throw new Error(`CityCheck answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.buildings.nodes.map((n: Record<string, never>) => {
    const b = n as unknown as {
      id: string
      name: string | null
      heightM: number
      footprint: { type: string; coordinates: unknown }
      compound: { id: string; name: string | null } | null
      region: { code: string; name: string } | null
    }
    return {
      id: rawId(b.id),
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprint.type, coordinates: round(b.footprint.coordinates) },
      compound: b.compound ? { id: rawId(b.compound.id), name: b.compound.name } : null,
      region: b.region,
    }
  })
}

function normalisePeer(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { benchPeerBuildingsInViewport: { nodes: unknown[] } }
  }
  if (body.errors) throw new Error(`PostGraphile answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.benchPeerBuildingsInViewport.nodes.map((n) => {
    const b = n as {
      rowId: number
      name: string | null
      heightM: number
      footprintGeojson: { type: string; coordinates: unknown }
      compoundByCompoundId: { rowId: number; name: string | null } | null
      regionByRegionCode: { code: string; name: string } | null
    }
    return {
      id: b.rowId,
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprintGeojson.type, coordinates: round(b.footprintGeojson.coordinates) },
      compound: b.compoundByCompoundId
        ? { id: b.compoundByCompoundId.rowId, name: b.compoundByCompoundId.name }
        : null,
      region: b.regionByRegionCode,
    }
  })
}

async function assertSameAnswers(ours: URL, peer: URL, views: Viewport[], first: number): Promise<number> {
  const agent = agentFor(1)
  let rows = 0
  for (const v of views) {
    const a = await post(agent, ours, ourBody(v, first))
    const b = await post(agent, peer, peerBody(v, first))
    if (a.status !== 200 || b.status !== 200) {
      throw new Error(`status ${a.status} / ${b.status}: ${a.text.slice(0, 300)} ${b.text.slice(0, 300)}`)
    }
    const x = JSON.stringify(normaliseOurs(a.text))
    const y = JSON.stringify(normalisePeer(b.text))
    if (x !== y) {
      throw new Error(
        `the two servers answer differently for ${JSON.stringify(v)}:\n${x.slice(0, 600)}\n${y.slice(0, 600)}`,
      )
    }
    rows += normaliseOurs(a.text).length
  }
  agent.destroy()
  return rows
}

interface LoadResult {
  requests: number
  failures: number
  seconds: number
  latenciesMs: number[]
}

/** `concurrency` workers posting back to back for a fixed time, each walking the viewports in turn. */
async function load(url: URL, bodies: string[], concurrency: number, seconds: number): Promise<LoadResult> {
  const agent = agentFor(concurrency)
  const latenciesMs: number[] = []
  let failures = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let i = worker
      while (performance.now() < end) {
        const body = bodies[i++ % bodies.length] as string
        const t0 = performance.now()
        const response = await post(agent, url, body)
        latenciesMs.push(performance.now() - t0)
        if (response.status !== 200 || response.text.includes('"errors"')) failures += 1
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  return { requests: latenciesMs.length, failures, seconds: elapsed, latenciesMs }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

const summary = (runs: LoadResult[]) => {
  const requests = runs.reduce((n, r) => n + r.requests, 0)
  const seconds = runs.reduce((n, r) => n + r.seconds, 0)
  return {
    rps: Math.round((requests / seconds) * 10) / 10,
    p95Ms:
      Math.round(
        percentile(
          runs.flatMap((r) => r.latenciesMs),
          95,
        ) * 100,
      ) / 100,
    failures: runs.reduce((n, r) => n + r.failures, 0),
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

  const env = { DATABASE_URL: url, POOL_SIZE: String(options.poolSize), NODE_ENV: 'production' }
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
    const rows = await assertSameAnswers(ourUrl, peerUrl, views, options.pageSize)
    log(
      `both servers return the same ${rows} buildings (fields, compounds, regions, footprints) over all viewports`,
    )

    const ourBodies = views.map((v) => ourBody(v, options.pageSize))
    const peerBodies = views.map((v) => peerBody(v, options.pageSize))
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
        `round ${r + 1}: CityCheck ${a.rps} req/s (p95 ${a.p95Ms} ms), PostGraphile ${b.rps} req/s (p95 ${b.p95Ms} ms)`,
      )
    }
    const a = summary(ourRuns)
    const b = summary(peerRuns)
    if (a.failures || b.failures) log(`failed requests: CityCheck ${a.failures}, PostGraphile ${b.failures}`)
    const result: ApiBenchResult = {
      bench: 'api',
      rps: a.rps,
      p95Ms: a.p95Ms,
      peerRps: b.rps,
      peerP95Ms: b.p95Ms,
      ratio: Math.round((a.rps / b.rps) * 100) / 100,
    }
    return result
  } finally {
    await Promise.all([stop(ours.child), stop(peer.child)])
  }
}
