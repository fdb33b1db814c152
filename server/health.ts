import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import type { Database } from './db/client.ts'

export interface HealthReport {
  status: 'ok'
  backend: Database['backend']
  counts: { regions: number; buildings: number; facilities: number; populationCells: number; roads: number }
  residents: number
}

/** What `/healthz` answers: the backend in use and what the city model holds. */
export async function healthReport(database: Database): Promise<HealthReport> {
  const [row] = await database.rows<{
    regions: number
    buildings: number
    facilities: number
    cells: number
    roads: number
    residents: number
  }>(sql`select
      (select count(*) from regions)::int as regions,
      (select count(*) from buildings)::int as buildings,
      (select count(*) from facilities)::int as facilities,
      (select count(*) from population_cells)::int as cells,
      (select count(*) from roads)::int as roads,
      (select coalesce(sum(total), 0) from population_cells)::float8 as residents`)
  if (!row) throw new Error('health query returned no row')
  return {
    status: 'ok',
    backend: database.backend,
    counts: {
      regions: row.regions,
      buildings: row.buildings,
      facilities: row.facilities,
      populationCells: row.cells,
      roads: row.roads,
    },
    residents: Math.round(row.residents),
  }
}

/** What `/readyz` answers: whether each backing service answers (details go to the log, not to callers). */
export interface ReadinessReport {
  status: 'ready' | 'unavailable'
  checks: { database: 'ok' | 'unavailable'; redis?: 'ok' | 'unavailable' }
}

/** A check that does not answer within this long counts as failed: a probe must not hang. */
const READY_TIMEOUT_MS = 2_000

/** Asks the database (and Redis, when the server uses one) to answer; `onFailure` hears why one did not. */
export async function readinessReport(
  database: Database,
  redis: Redis | null,
  onFailure: (service: 'database' | 'redis', error: unknown) => void,
): Promise<ReadinessReport> {
  const check = async (service: 'database' | 'redis', probe: () => Promise<unknown>) => {
    try {
      await withTimeout(probe(), `${service} did not answer within ${READY_TIMEOUT_MS} ms`)
      return 'ok' as const
    } catch (error) {
      onFailure(service, error)
      return 'unavailable' as const
    }
  }
  const [databaseCheck, redisCheck] = await Promise.all([
    check('database', () => database.rows(sql`select 1`)),
    redis ? check('redis', () => pingRedis(redis)) : undefined,
  ])
  const checks: ReadinessReport['checks'] = {
    database: databaseCheck,
    ...(redisCheck ? { redis: redisCheck } : {}),
  }
  const ready = databaseCheck === 'ok' && (redisCheck ?? 'ok') === 'ok'
  return { status: ready ? 'ready' : 'unavailable', checks }
}

/** Waits out a connection in progress (the client queues nothing while offline), then pings. */
async function pingRedis(redis: Redis): Promise<void> {
  if (['wait', 'connecting', 'connect'].includes(redis.status)) {
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        redis.off('ready', settle)
        redis.off('error', settle)
        if (error) reject(error)
        else resolve()
      }
      redis.on('ready', settle)
      redis.on('error', settle)
    })
  }
  await redis.ping()
}

async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), READY_TIMEOUT_MS)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
