import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { queueCityTilesRuns, queueRegionTilesRun } from '../../jobs/api.ts'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { signToken } from '../../server/auth/token.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { CITY_CODE } from '../../viewer/core/presets.ts'
import { launchChromium, VIEWPORT } from '../helpers/browser.ts'
import { openTestDatabase } from '../helpers/database.ts'

/**
 * The demo city behind a real server with an in-process runner, a city-staff token and a headless page. The public
 * tileset and the city's are built by tiles runs queued as the server would, finished before the harness is returned.
 */
export interface ViewerHarness {
  database: Database
  server: RunningServer
  runner: InProcessRunner
  /** The server's data directory (its tiles under `tiles/`). */
  dataDir: string
  token: string
  browser: Browser
  page: Page
  /** Uncaught errors of the page. */
  pageErrors: string[]
  /** GraphQL over HTTP with the token; the untyped JSON response. */
  // biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: unknown[] }>
  /** Starts a coverage diagnosis over the API: the new run's id (null on errors) and the errors. */
  startCoverage(input: Record<string, unknown>): Promise<{ runId: number | null; errors?: unknown[] }>
  /** Polls `diagnosticRuns` until the run has succeeded or failed (or about five minutes passed): its state. */
  finalState(runId: number): Promise<string>
  close(): Promise<void>
}

export async function openViewerHarness(name: string): Promise<ViewerHarness> {
  const database = await openTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `citycheck-${name}-`))
  const config = { ...loadConfig(), port: 0, dataDir }
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const server = await startHttpServer({ config, database, jobs: runner })
  const token = await signToken({ sub: `${name}-e2e`, role: 'city', region: CITY_CODE }, config.jwtSecret, {
    expiresIn: 3600,
  })
  const gql: ViewerHarness['gql'] = async (query, variables = {}) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    return (await response.json()) as { data?: unknown; errors?: unknown[] }
  }
  const finalState: ViewerHarness['finalState'] = async (runId) => {
    let state = ''
    for (let i = 0; i < 1500 && state !== 'succeeded' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200))
      const runs = await gql(`{ diagnosticRuns { databaseId state } }`)
      state = runs.data.diagnosticRuns.find((r: { databaseId: number }) => r.databaseId === runId)?.state
    }
    return state
  }
  // The public tileset (what the viewer loads without a token) and the city's (with the token), as a first
  // tileset.json request of each would queue them.
  const tiles = await queueCityTilesRuns(database, runner, { dataDir })
  const regionTiles = await queueRegionTilesRun(database, runner, { dataDir, regionCode: CITY_CODE })
  const states = [] as string[]
  for (const run of tiles) states.push(await finalState(run.runId))
  const tilesState = tiles.length === 0 ? 'no run' : (states.find((s) => s !== 'succeeded') ?? 'succeeded')
  const regionState = await finalState(regionTiles.runId)
  if (tilesState !== 'succeeded' || regionState !== 'succeeded') {
    await server.close()
    await runner.close()
    await database.close()
    throw new Error(`the tilesets were not built: tiles runs ${tilesState}, ${regionState}`)
  }
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: VIEWPORT })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  return {
    database,
    server,
    runner,
    dataDir,
    token,
    browser,
    page,
    pageErrors,
    gql,
    startCoverage: async (input) => {
      const started = await gql(
        `mutation ($input: StartCoverageDiagnosisInput!) {
          startCoverageDiagnosis(input: $input) { run { databaseId } } }`,
        { input },
      )
      return { runId: started.data?.startCoverageDiagnosis?.run?.databaseId ?? null, errors: started.errors }
    },
    finalState,
    close: async () => {
      await browser.close()
      await server.close()
      await runner.close()
      await database.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
