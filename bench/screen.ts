import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { queueRegionTilesRun } from '../jobs/api.ts'
import { createProcessors } from '../jobs/processors.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import { signToken } from '../server/auth/token.ts'
import { loadConfig, PROJECT_ROOT } from '../server/config.ts'
import { type Database, migrateDatabase, openDatabase } from '../server/db/client.ts'
import { startHttpServer } from '../server/http.ts'
import { seedDatabase } from '../server/seed/demo.ts'
import { ensureScreenBuilt } from '../server/static/screen.ts'
import { launchChromium } from '../test/helpers/browser.ts'
import { writeScreenFigures } from '../test/screen/fixture.ts'
import { createScratchDatabase, dropScratchDatabase, postgresUrl } from './database.ts'
import { type Sample, slopePerHour } from './screen-soak.ts'

/**
 * `npm run bench -- screen [--minutes 5] [--rate 2] [--sample 30] [--keep]`
 *
 * A soak of the big screen: the demo city with the screen's figures (test/screen/fixture.ts) in a database of its
 * own (`citycheck_bench_screen`), a real server with its tiles built, and `/screen/` open at 1920×1080 in headless
 * Chromium for `--minutes`, while `--rate` problems a second are opened and moved to assigned through
 * `transitionProblem` (each one event on the feed and, debounced, a read of every panel). Every `--sample`
 * seconds, after a forced garbage collection, it prints the page's JS heap and DOM node count; at the end the
 * leak rate of each, the slope of a least-squares line through the second half's samples (per hour). A screen
 * that runs for days holds a flat heap and a flat node count: the feed is bounded, the charts are redrawn in
 * place. Prints figures and asserts nothing; the last line is one JSON object.
 */

const BENCH_DATABASE = 'citycheck_bench_screen'
const WALL = { width: 1920, height: 1080 }
const log = (line: string) => console.log(`bench screen: ${line}`)
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

export interface ScreenBenchResult {
  bench: 'screen'
  minutes: number
  /** Problems moved (one feed event each). */
  events: number
  /** Events the page received, and the times it read its figures again. */
  pageEvents: number
  refreshes: number
  samples: Sample[]
  heapStartMB: number
  heapEndMB: number
  /** Growth of the JS heap after garbage collection, MB per hour (least squares over the second half's samples). */
  heapLeakMBPerHour: number
  nodesStart: number
  nodesEnd: number
  domNodesLeakPerHour: number
  /** Feed items shown at the end (bounded). */
  feedItems: number
  pageErrors: string[]
}

export async function runScreenBench(args: string[]): Promise<ScreenBenchResult> {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: 'string', default: '5' },
      rate: { type: 'string', default: '2' },
      sample: { type: 'string', default: '30' },
      keep: { type: 'boolean', default: false },
    },
  })
  const minutes = Number(values.minutes)
  const url = postgresUrl()
  log(`database ${BENCH_DATABASE} …`)
  const database = await openDatabase({
    databaseUrl: await createScratchDatabase(url, BENCH_DATABASE),
    poolSize: 5,
  })
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'citycheck-bench-screen-'))
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  try {
    await migrateDatabase(database)
    log('migrated; seeding the demo city …')
    await seedDatabase(database, { demo: true })
    await writeScreenFigures(database)
    log('demo city seeded with the screen figures')
    const config = { ...loadConfig(), port: 0, host: '127.0.0.1', dataDir }
    const server = await startHttpServer({ config, database, jobs: runner })
    try {
      await queueRegionTilesRun(database, runner, { dataDir, regionCode: '310100' })
      await runner.idle()
      log('tiles built; building the screen …')
      await ensureScreenBuilt()
      const token = await signToken(
        { sub: 'bench-screen', role: 'city', region: '310100' },
        config.jwtSecret,
        {
          expiresIn: 24 * 3600,
        },
      )
      return await soak(database, server.url, token, {
        minutes,
        rate: Number(values.rate),
        sampleS: Number(values.sample),
      })
    } finally {
      await server.close()
    }
  } finally {
    await runner.close()
    await database.close()
    await rm(dataDir, { recursive: true, force: true })
    if (!values.keep) await dropScratchDatabase(url, BENCH_DATABASE)
  }
}

async function soak(
  database: Database,
  baseUrl: string,
  token: string,
  options: { minutes: number; rate: number; sampleS: number },
): Promise<ScreenBenchResult> {
  const browser = await launchChromium()
  try {
    const { page, pageErrors } = await openWall(browser, baseUrl, token)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const samples: Sample[] = []
    const started = Date.now()
    const take = async () => {
      const sample = await measure(page, cdp, (Date.now() - started) / 60_000, events)
      samples.push(sample)
      log(
        `${round(sample.minute)} min · heap ${sample.heapMB} MB · ${sample.domNodes} nodes · ${events} events`,
      )
    }
    let events = 0
    await take()
    let nextSample = started + options.sampleS * 1000
    const end = started + options.minutes * 60_000
    while (Date.now() < end) {
      const tick = Date.now()
      await moveProblem(database, baseUrl, token, events)
      events++
      if (Date.now() >= nextSample) {
        await take()
        nextSample += options.sampleS * 1000
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 1000 / options.rate - (Date.now() - tick))),
      )
    }
    await take()
    await page.screenshot({ path: path.join(PROJECT_ROOT, 'test-results', 'bench-screen.png') })
    const state = await page.evaluate(() => ({
      pageEvents: window.__screen.liveEvents,
      refreshes: window.__screen.refreshes,
      feedItems: document.querySelectorAll('#feed li').length,
    }))
    // The heap climbs for the first minutes (compiled code, the feed's buffer filling up to its 200 events):
    // the leak rate is read over the second half of the run, when a leak would be all that still grows.
    const steady = samples.filter((x) => x.minute >= options.minutes / 2)
    const first = samples[0]!
    const last = samples[samples.length - 1]!
    return {
      bench: 'screen',
      minutes: options.minutes,
      events,
      ...state,
      samples,
      heapStartMB: first.heapMB,
      heapEndMB: last.heapMB,
      heapLeakMBPerHour: round(slopePerHour(steady, (s) => s.heapMB)),
      nodesStart: first.domNodes,
      nodesEnd: last.domNodes,
      domNodesLeakPerHour: round(
        slopePerHour(steady, (s) => s.domNodes),
        1,
      ),
      pageErrors,
    }
  } finally {
    await browser.close()
  }
}

/** The screen open and loaded: the city's tiles and base map in, the figures drawn once. */
async function openWall(
  browser: Browser,
  baseUrl: string,
  token: string,
): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport: WALL })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${baseUrl}/screen/?lite&token=${encodeURIComponent(token)}`, { timeout: 300_000 })
  await page.waitForFunction(
    () => window.__screen?.ready && window.__screen.live === 'connected',
    undefined,
    {
      timeout: 300_000,
    },
  )
  await page.waitForFunction(
    () => {
      const h = window.__screen
      const status = h.map?.status()
      return !!status?.tilesLoaded && h.map!.baseMapStatus().ready && h.refreshes > 0
    },
    undefined,
    { timeout: 600_000, polling: 500 },
  )
  return { page, pageErrors }
}

/** The page's JS heap and DOM nodes after a full garbage collection. */
async function measure(page: Page, cdp: CDPSession, minute: number, events: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0
  const feedItems = await page.evaluate(() => document.querySelectorAll('#feed li').length)
  return {
    minute: round(minute, 3),
    events,
    heapMB: round(metric('JSHeapUsedSize') / 2 ** 20),
    domNodes: metric('Nodes'),
    feedItems,
  }
}

/** Opens a problem in one of the demo's districts and assigns it through the API: one `problemChanged` event. */
async function moveProblem(database: Database, baseUrl: string, token: string, n: number): Promise<void> {
  const district = ['310101', '310109', '310115'][n % 3]
  const [row] = await database.rows<{ id: number }>(sql`insert into problems
      (region_code, type, title, severity, source, year_found, state)
    values (${district}, 'safety', ${`压力测试问题 #${n}`}, ${1 + (n % 3)}, 'inspection', 2025, 'identified')
    returning id`)
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation ($input: TransitionProblemInput!) { transitionProblem(input: $input) { state } }',
      variables: { input: { id: btoa(`Problem:${Number(row!.id)}`), to: 'assigned' } },
    }),
  })
  const body = (await response.json()) as { errors?: { message: string }[] }
  if (body.errors?.length)
    throw new Error(`transitionProblem: ${body.errors.map((e) => e.message).join('; ')}`)
}
