/**
 * `npm run bench -- scale`: a province on one database (ADR 0018) — synthetic cities added one by one, and at
 * each checkpoint the API latency of one city's list, the tile build of the newest city; then the diagnosis of
 * every city with N workers. Sizes are small by default: the figures are about growth, not absolute speed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { startCoverageRun, startTilesRun } from '../jobs/api.ts'
import { createProcessors } from '../jobs/processors.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import { signToken } from '../server/auth/token.ts'
import { loadConfig } from '../server/config.ts'
import { type Database, openDatabase } from '../server/db/client.ts'
import { startHttpServer } from '../server/http.ts'
import { createScratchDatabase, dropScratchDatabase, postgresUrl, prepareSchema } from './database.ts'
import { startRunner } from './diagnostics-runner.ts'
import { generateSyntheticCity } from './synthetic/generate.ts'

const DATABASE_NAME = 'citycheck_bench_scale'
const JWT_SECRET = 'citycheck-bench-scale'
const LIST_QUERY = '{ buildings(first: 50) { totalCount nodes { id heightM } } }'

interface Options {
  cities: number
  buildings: number
  workers: number[]
  requests: number
  keep: boolean
}

export interface CityCheckpoint {
  cities: number
  buildingsInDatabase: number
  apiP50Ms: number
  apiP95Ms: number
  tileBuildS: number
}

export interface WorkerRound {
  workers: number
  runs: number
  seconds: number
  runsPerMinute: number
}

function parse(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      cities: { type: 'string', default: '20' },
      buildings: { type: 'string', default: '400' },
      workers: { type: 'string', default: '1,2' },
      requests: { type: 'string', default: '30' },
      keep: { type: 'boolean', default: false },
    },
  })
  const cities = Number(values.cities)
  const buildings = Number(values.buildings)
  const workers = values.workers.split(',').map(Number)
  if (!(Number.isInteger(cities) && cities >= 1 && cities <= 20)) throw new RangeError('--cities: 1 to 20')
  if (!(Number.isInteger(buildings) && buildings >= 50))
    throw new RangeError('--buildings: at least 50 a city')
  if (!workers.every((w) => Number.isInteger(w) && w >= 0)) throw new RangeError('--workers: e.g. 1,2,4')
  return { cities, buildings, workers, requests: Number(values.requests), keep: values.keep }
}

/** Prefecture-level cities whose districts the synthetic generator can share a city among. */
async function cityCodes(database: Database, count: number): Promise<string[]> {
  const rows = await database.rows<{ code: string }>(sql`select r.code from regions r where r.level = 'city'
      and (select count(*) from regions d where d.parent_code = r.code and d.level = 'district') >= 3
    order by r.code limit ${count}`)
  return rows.map((r) => r.code)
}

function percentile(sorted: number[], p: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return Math.round((sorted[at] ?? 0) * 10) / 10
}

async function apiLatency(url: string, token: string, requests: number): Promise<[number, number]> {
  const ask = async () => {
    const started = performance.now()
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: LIST_QUERY }),
    })
    const body = (await response.json()) as { errors?: unknown[] }
    if (body.errors) throw new Error(`the list query failed: ${JSON.stringify(body.errors)}`)
    return performance.now() - started
  }
  // Enough warm-up that the first checkpoint does not measure the JIT and the plan cache warming.
  for (let i = 0; i < 15; i++) await ask()
  const times: number[] = []
  for (let i = 0; i < requests; i++) times.push(await ask())
  times.sort((a, b) => a - b)
  return [percentile(times, 50), percentile(times, 95)]
}

async function tileBuild(database: Database, regionCode: string, outDir: string): Promise<number> {
  const runner = new InProcessRunner(database, createProcessors(), { maxAttempts: 1 })
  try {
    const started = performance.now()
    await startTilesRun(database, runner, { regionCode, onlyRegion: true, outDir, requestedBy: 'bench' })
    await runner.idle()
    return Math.round(performance.now() - started) / 1000
  } finally {
    await runner.close()
  }
}

/** Every city's coverage diagnosis (straight-line distances) with `workers` workers; 0 is the in-process runner. */
async function diagnoseAll(
  database: Database,
  databaseUrl: string,
  codes: string[],
  workers: number,
  log: (line: string) => void,
): Promise<WorkerRound> {
  await database.rows(sql`delete from diagnostic_runs where kind in ('coverage', 'coverage_part')`)
  const { runner, stop } = await startRunner(database, databaseUrl, workers, log)
  const started = performance.now()
  try {
    for (const regionCode of codes) {
      await startCoverageRun(database, runner, {
        regionCode,
        distanceModels: ['euclidean'],
        requestedBy: 'bench',
      })
    }
    for (;;) {
      const [row] = await database.rows<{ done: number; failed: number }>(sql`select
          count(*) filter (where state in ('succeeded', 'failed', 'cancelled'))::int as done,
          count(*) filter (where state = 'failed')::int as failed
        from diagnostic_runs where kind = 'coverage' and parent_id is null`)
      if ((row?.failed ?? 0) > 0) throw new Error(`${row?.failed} coverage runs failed`)
      if ((row?.done ?? 0) >= codes.length) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  } finally {
    await stop()
  }
  const seconds = Math.round(performance.now() - started) / 1000
  return {
    workers,
    runs: codes.length,
    seconds,
    runsPerMinute: Math.round((codes.length / seconds) * 600) / 10,
  }
}

export async function runScaleBench(args: string[]) {
  const options = parse(args)
  const log = (line: string) => console.log(line)
  const url = await createScratchDatabase(postgresUrl(), DATABASE_NAME)
  const database = await openDatabase({ databaseUrl: url, poolSize: 8 })
  const outRoot = mkdtempSync(path.join(os.tmpdir(), 'citycheck-scale-'))
  try {
    await prepareSchema(database)
    const codes = (await cityCodes(database, options.cities)).slice(0, options.cities)
    const config = { ...loadConfig({}), port: 0, rateLimitPerMinute: null, jwtSecret: JWT_SECRET }
    const server = await startHttpServer({ config, database })
    const checkpoints: CityCheckpoint[] = []
    try {
      const token = await signToken({ sub: 'bench', role: 'city', region: codes[0] }, JWT_SECRET, {
        expiresIn: 7200,
      })
      const marks = new Set([1, 5, 10, 20, options.cities].filter((n) => n <= options.cities))
      for (const [i, regionCode] of codes.entries()) {
        await generateSyntheticCity(database, {
          buildings: options.buildings,
          seed: i + 1,
          regionCode,
          centerLonDeg: 108 + (i % 5) * 1.5,
          centerLatDeg: 24 + Math.floor(i / 5) * 1.5,
        })
        if (!marks.has(i + 1)) continue
        const [p50, p95] = await apiLatency(server.url, token, options.requests)
        const tileBuildS = await tileBuild(database, regionCode, path.join(outRoot, regionCode))
        const [count] = await database.rows<{ n: number }>(sql`select count(*)::int as n from buildings`)
        const row = {
          cities: i + 1,
          buildingsInDatabase: count?.n ?? 0,
          apiP50Ms: p50,
          apiP95Ms: p95,
          tileBuildS,
        }
        checkpoints.push(row)
        log(
          `cities ${row.cities}: ${row.buildingsInDatabase} buildings · list of one city p50 ${p50} ms, p95 ${p95} ms · tiles of the newest city ${tileBuildS} s`,
        )
      }
    } finally {
      await server.close()
    }
    const rounds: WorkerRound[] = []
    for (const workers of options.workers) {
      const round = await diagnoseAll(database, url, codes, workers, log)
      rounds.push(round)
      log(
        `workers ${workers}: ${round.runs} coverage runs in ${round.seconds} s (${round.runsPerMinute} a minute)`,
      )
    }
    printTable(checkpoints, rounds)
    return { bench: 'scale', buildingsPerCity: options.buildings, cities: codes.length, checkpoints, rounds }
  } finally {
    await database.close()
    rmSync(outRoot, { recursive: true, force: true })
    if (!options.keep) await dropScratchDatabase(postgresUrl(), DATABASE_NAME)
  }
}

function printTable(checkpoints: CityCheckpoint[], rounds: WorkerRound[]): void {
  console.log('\n| cities | buildings | API p50 ms | API p95 ms | tiles of one city s |')
  console.log('|---|---|---|---|---|')
  for (const c of checkpoints) {
    console.log(
      `| ${c.cities} | ${c.buildingsInDatabase} | ${c.apiP50Ms} | ${c.apiP95Ms} | ${c.tileBuildS} |`,
    )
  }
  console.log('\n| workers | coverage runs | seconds | runs a minute |')
  console.log('|---|---|---|---|')
  for (const r of rounds) console.log(`| ${r.workers} | ${r.runs} | ${r.seconds} | ${r.runsPerMinute} |`)
}
