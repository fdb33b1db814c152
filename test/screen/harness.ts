import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Browser } from 'playwright-core'
import { queueRegionTilesRun } from '../../jobs/api.ts'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { signToken } from '../../server/auth/token.ts'
import { type Config, loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { PROBLEM_EVENTS_CHANNEL } from '../../server/domain/problem-states.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { ensureScreenBuilt } from '../../server/static/screen.ts'
import { launchChromium } from '../helpers/browser.ts'
import { openTestDatabase } from '../helpers/database.ts'

export const CITY = '310100'
/** The wall the screen is designed for. */
export const WALL = { width: 1920, height: 1080 }

/**
 * The demo city behind a real server that a test can stop and start again on the same port (a restart, as a
 * wall sees one), with an in-process runner, the city's tileset built, a city-staff token and a browser.
 */
// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
type Json = { data?: any; errors?: unknown[] }

export interface ScreenHarness {
  database: Database
  server: RunningServer
  token: string
  browser: Browser
  /** Stops the server (its WebSockets too) and starts a new one on the same port, database and tiles. */
  restart(): Promise<void>
  /** Stops the server only; `start()` brings it back. */
  stop(): Promise<void>
  start(): Promise<void>
  /** Resolves once `n` sessions of this database LISTEN for problem events (subscriptions are in place). */
  problemListeners(atLeast: number): Promise<void>
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<Json>
  close(): Promise<void>
}

export async function openScreenHarness(name: string): Promise<ScreenHarness> {
  const database = await openTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `citycheck-${name}-`))
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  let config: Config = { ...loadConfig(), port: 0, dataDir }
  let server: RunningServer | null = await startHttpServer({ config, database, jobs: runner })
  // Later starts take the same port, as a restarted service would.
  config = { ...config, port: Number(new URL(server.url).port) }
  const token = await signToken({ sub: `${name}-e2e`, role: 'city', region: CITY }, config.jwtSecret, {
    expiresIn: 3600,
  })
  const current = () => {
    if (!server) throw new Error('the server is stopped')
    return server
  }
  const gql: ScreenHarness['gql'] = async (query, variables = {}, as = token) => {
    const response = await fetch(`${current().url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
      body: JSON.stringify({ query, variables }),
    })
    return (await response.json()) as Json
  }
  const tiles = await queueRegionTilesRun(database, runner, { dataDir, regionCode: CITY })
  await runner.idle()
  await waitUntil(async () => {
    const [run] = await database.rows<{ state: string }>(
      sql`select state from diagnostic_runs where id = ${tiles.runId}`,
    )
    if (run?.state === 'failed') throw new Error('the city tileset was not built')
    return run?.state === 'succeeded'
  }, 600_000)
  // Built before the first page asks for it, so that no page load waits on Vite.
  await ensureScreenBuilt()
  const browser = await launchChromium()
  const stop = async () => {
    await server?.close()
    server = null
  }
  const start = async () => {
    server = await startHttpServer({ config, database, jobs: runner })
  }
  return {
    database,
    get server() {
      return current()
    },
    token,
    browser,
    stop,
    start,
    restart: async () => {
      await stop()
      await start()
    },
    problemListeners: (atLeast) =>
      waitUntil(async () => {
        const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and query ilike ${`listen%${PROBLEM_EVENTS_CHANNEL}%`}`)
        return (row?.n ?? 0) >= atLeast
      }, 30_000),
    gql,
    close: async () => {
      await browser.close()
      await server?.close()
      await runner.close()
      await database.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Polls `condition` every 200 ms until it holds; fails after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
