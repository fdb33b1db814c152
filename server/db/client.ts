import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import type { SQL } from 'drizzle-orm'
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres'
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { PROJECT_ROOT } from '../config.ts'
import * as tables from './tables.ts'

export type Tables = typeof tables
export type Db = PgDatabase<PgQueryResultHKT, Tables>
export type Backend = 'postgresql' | 'pglite'

export interface Database {
  db: Db
  backend: Backend
  /** Runs raw SQL and returns its rows; the one escape hatch both drivers share. */
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>
  close(): Promise<void>
  /** LISTENs on a notification channel; the returned function stops listening. */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    options?: ListenOptions,
  ): Promise<() => Promise<void>>
  /** The embedded client, for dumping its data directory. */
  pglite?: PGlite
  /** The node-postgres pool. */
  pool?: pg.Pool
}

export interface ListenOptions {
  /**
   * Called after the listening session was lost (the server restarted, the network dropped) and is listening
   * again: notices sent in between are lost, so a listener that must not miss one reads the current state here.
   */
  onReconnect?: () => void
}

export interface OpenOptions {
  /** PostgreSQL URL; without it the embedded PGlite database under `dataDir` is used. */
  databaseUrl?: string | undefined
  /** Directory for the embedded database; `memory://` keeps it in memory. */
  dataDir?: string | undefined
  /** Connections for node-postgres. @defaultValue 10 */
  poolSize?: number
  /** A PGlite data-directory dump to start from (tests start every file from one prepared database). */
  loadDataDir?: Blob | undefined
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError'
}

const MIGRATIONS = path.join(PROJECT_ROOT, 'migrations')

// node-postgres returns int8 and numeric as strings; counts and sums here fit a double.
pg.types.setTypeParser(20, (v) => Number(v))
pg.types.setTypeParser(1700, (v) => Number(v))

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10)
  return openPglite(options.dataDir ?? 'memory://', options.loadDataDir)
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  })
  const db = drizzleNodePg(pool, { schema: tables, casing: 'snake_case' }) as unknown as Db
  return {
    db,
    backend: 'postgresql',
    pool,
    listen: (channel, onPayload, options) => listenResiliently(url, channel, onPayload, options),
    rows: async <T>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows,
    close: () => pool.end(),
  }
}

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://')
  let release = () => {}
  if (!inMemory) {
    fs.mkdirSync(dataDir, { recursive: true })
    release = acquireLock(dataDir)
  }
  try {
    const client = await PGlite.create(dataDir, {
      extensions: { postgis },
      ...(loadDataDir ? { loadDataDir } : {}),
    })
    const db = drizzlePglite(client, { schema: tables, casing: 'snake_case' }) as unknown as Db
    return {
      db,
      backend: 'pglite',
      pglite: client,
      listen: async (channel, onPayload) => {
        const unlisten = await client.listen(channel, onPayload)
        return async () => {
          await unlisten()
        }
      },
      rows: async <T>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows,
      close: async () => {
        await client.close()
        release()
      },
    }
  } catch (error) {
    release()
    throw error
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** PGlite is single-process: a second process on the same directory would corrupt it. */
function acquireLock(dataDir: string): () => void {
  const lockFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`)
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'))
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new DatabaseInUseError(
        `The embedded database ${dataDir} is in use by process ${pid} (the running server?). ` +
          'Stop it first, or use PostgreSQL through DATABASE_URL to share one database between processes.',
      )
    }
  } catch (error) {
    if (error instanceof DatabaseInUseError) throw error
  }
  fs.writeFileSync(lockFile, String(process.pid))
  return () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile)
    } catch {
      // Already gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Applies the drizzle-kit migrations (the first creates PostGIS). */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.backend === 'postgresql') {
    await migrateNodePg(database.db as never, { migrationsFolder: MIGRATIONS })
  } else {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS })
  }
}

/** Delays between attempts to listen again after the session was lost, in milliseconds. */
const RELISTEN_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000]

/**
 * A LISTEN that survives a restarted server: notifications need one session for their lifetime, so the listener
 * holds its own connection and, when it is lost, opens another and listens again until stopped.
 */
async function listenResiliently(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  options: ListenOptions = {},
): Promise<() => Promise<void>> {
  let stopped = false
  let current: pg.Client | null = null

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url })
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onPayload(n.payload)
    })
    client.on('error', () => {}) // 'end' follows, and listening starts again from there
    client.on('end', () => {
      if (!stopped && current === client) void relisten()
    })
    try {
      await client.connect()
      await client.query(`listen ${quoteIdentifier(channel)}`)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    return client
  }

  const relisten = async (): Promise<void> => {
    current = null
    for (let attempt = 0; !stopped; attempt++) {
      const delayMs = RELISTEN_DELAYS_MS[Math.min(attempt, RELISTEN_DELAYS_MS.length - 1)]
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      const client = await connect().catch(() => null)
      if (!client) continue // still down
      if (stopped) {
        await client.end().catch(() => {})
        return
      }
      current = client
      options.onReconnect?.()
      return
    }
  }

  current = await connect()
  return async () => {
    stopped = true
    await current?.end().catch(() => {})
  }
}
