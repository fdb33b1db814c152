/** Real PostgreSQL databases for the benchmarks: where the server is, and scratch databases on it. */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { PROJECT_ROOT } from '../server/config.ts'
import { type Database, migrateDatabase } from '../server/db/client.ts'
import { loadIndicatorCatalogue } from '../server/seed/indicators.ts'
import { ensureRegions } from '../server/seed/regions.ts'
import type { SyntheticSize } from './synthetic/city.ts'
import { generateSyntheticCity } from './synthetic/generate.ts'

/** A real PostgreSQL: DATABASE_URL, or the private instance of scripts/services.sh. */
export function postgresUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL
  const url = /export DATABASE_URL=(\S+)/.exec(servicesExports())?.[1]
  if (!url) throw new Error('no DATABASE_URL: the benchmark needs a real PostgreSQL with PostGIS')
  return url
}

/** A Redis: REDIS_URL, or the private instance of scripts/services.sh, started when it is not running. */
export function redisUrl(): string {
  if (process.env.REDIS_URL) return process.env.REDIS_URL
  const url = /export REDIS_URL=(\S+)/.exec(servicesExports())?.[1]
  if (!url) throw new Error('no REDIS_URL: scripts/services.sh printed none')
  return url
}

let exports: string | null = null

/** What scripts/services.sh prints (it starts or reuses both services), run once per process. */
function servicesExports(): string {
  if (exports !== null) return exports
  try {
    exports = execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/services.sh')], { encoding: 'utf8' })
  } catch (error) {
    throw new Error(
      `scripts/services.sh failed (${(error as Error).message}): ` +
        'the benchmark needs a real PostgreSQL with PostGIS and, with --workers, a Redis',
    )
  }
  return exports
}

/** The same server, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function asAdmin<T>(url: string, run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await admin.connect()
  try {
    return await run(admin)
  } finally {
    await admin.end()
  }
}

/** Creates an empty database `name` on the server of `url` (dropping one left over by name) and returns its URL. */
export async function createScratchDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a plain database name: ${name}`)
  await asAdmin(url, async (admin) => {
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.query(`create database ${name}`)
  })
  return withDatabase(url, name)
}

export async function dropScratchDatabase(url: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a plain database name: ${name}`)
  await asAdmin(url, (admin) => admin.query(`drop database if exists ${name} with (force)`))
}

/** Migrates and seeds a benchmark database, then generates the synthetic city, logging each phase. */
export async function loadSyntheticCity(
  database: Database,
  size: SyntheticSize,
  seed: number,
  log: (line: string) => void,
): Promise<{ regionCode: string; datasetId: number; seconds: number }> {
  await prepareSchema(database)
  let lastPhase = ''
  const result = await generateSyntheticCity(database, {
    size,
    seed,
    onProgress: (p) => {
      if (p.phase !== lastPhase) log(`  ${p.phase} · ${p.buildings} buildings · ${p.seconds} s`)
      lastPhase = p.phase
    },
  })
  log(`synthetic city ${size} (seed ${seed}) generated in ${result.seconds} s, region ${result.regionCode}`)
  return result
}

/** Schema, administrative divisions and the national indicator edition. */
export async function prepareSchema(database: Database): Promise<void> {
  await migrateDatabase(database)
  await ensureRegions(database)
  await loadIndicatorCatalogue(database, { year: 2025 })
}
