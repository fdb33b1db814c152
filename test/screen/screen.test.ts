/**
 * The big screen in headless Chromium on a 1920×1080 wall, as the city's staff open it: the 3D city and the
 * panels' charts drawn, nothing asked of any host but the server, a problem moved through `transitionProblem`
 * shown by its title in the live feed, the district selector flying the camera and narrowing every panel, and
 * the feed live again after the server restarts, without a reload.
 */
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { BROWSER_TIMEOUT_MS } from '../viewer/scene.ts'
import { writeScreenFigures } from './fixture.ts'
import { openScreenHarness, type ScreenHarness, WALL } from './harness.ts'

const SHOTS = path.join(PROJECT_ROOT, 'test-results')
const HUANGPU = '310101'
/** The Must-show's bound for a moved problem to reach the feed. */
const FEED_WITHIN_MS = 10_000

let harness: ScreenHarness
let page: Page
const requests: string[] = []
const pageErrors: string[] = []

/** A problem in Huangpu in state identified, with a title no other test uses. */
async function newProblem(title: string): Promise<string> {
  const [row] = await harness.database.rows<{ id: number }>(sql`insert into problems
      (region_code, type, title, severity, source, year_found, state)
    values (${HUANGPU}, 'safety', ${title}, 3, 'inspection', 2025, 'identified') returning id`)
  return btoa(`Problem:${Number(row!.id)}`)
}

async function transition(id: string, to: string): Promise<void> {
  const r = await harness.gql(
    'mutation ($input: TransitionProblemInput!) { transitionProblem(input: $input) { state } }',
    { input: { id, to } },
  )
  expect(r.errors, `transition to ${to}`).toBeUndefined()
  expect(r.data.transitionProblem.state).toBe(to)
}

const feedHas = (title: string) =>
  page.waitForFunction(
    (text) => [...document.querySelectorAll('#feed li .title')].some((e) => e.textContent === text),
    title,
    { timeout: FEED_WITHIN_MS, polling: 100 },
  )

beforeAll(async () => {
  harness = await openScreenHarness('screen')
  await writeScreenFigures(harness.database)
  page = await harness.browser.newPage({ viewport: WALL })
  page.on('request', (request) => requests.push(request.url()))
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterAll(async () => {
  await harness?.close()
})

describe('the big screen', () => {
  it(
    'draws the 3D city and the charts at 1920×1080, asking nothing of any other host',
    async () => {
      await page.goto(`${harness.server.url}/screen/?lite&token=${encodeURIComponent(harness.token)}`)
      await page.waitForFunction(
        () => {
          const h = window.__screen
          if (h?.error) throw new Error(h.error)
          return h?.ready && h.live === 'connected' && h.figuresFor !== null
        },
        undefined,
        { timeout: 180_000 },
      )
      expect(await page.evaluate(() => window.__screen.tilesetUrl)).toBe('/tiles/region/310100/tileset.json')
      // Coloured by the fixture campaign's grades, over the city's own base map.
      expect(await page.evaluate(() => window.__screen.gradedBuildings)).toBeGreaterThan(100)
      await page.waitForFunction(
        () => {
          const s = window.__screen.map?.status()
          return !!s?.tilesLoaded && s.tileContentsLoaded > 0
        },
        undefined,
        { timeout: 120_000, polling: 250 },
      )
      await page.waitForFunction(() => window.__screen.map!.baseMapStatus().ready, undefined, {
        timeout: 60_000,
      })
      expect(await page.evaluate(() => window.__screen.map!.baseMapStatus().areas)).toBeGreaterThan(0)
      await page.screenshot({ path: path.join(SHOTS, 'screen-city.png') })
      const drawn = await page.evaluate(() => window.__screen.chartsWithData)
      expect(drawn.length, `charts with data: ${drawn.join(', ')}`).toBeGreaterThanOrEqual(4)
      expect([...drawn].sort()).toEqual(
        ['areas', 'blindSpots', 'funding', 'funnel', 'grades', 'pipeline', 'warnings'].sort(),
      )
      // Every chart is a canvas of its panel's size with something painted on it.
      const canvases = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLCanvasElement>('.chart canvas')].map((c) => {
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          let painted = 0
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++
          return { width: c.width, painted }
        }),
      )
      expect(canvases.length).toBeGreaterThanOrEqual(4)
      expect(canvases.filter((c) => c.width > 200 && c.painted > 1000).length).toBeGreaterThanOrEqual(4)
      // The stage fills this wall exactly: scale 1.
      const box = await page.evaluate(() =>
        document.getElementById('stage')!.getBoundingClientRect().toJSON(),
      )
      expect(box).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 })
      // `/screen` without its slash is sent to the page, as `/viewer` is.
      const bare = await fetch(`${harness.server.url}/screen`, { redirect: 'manual' })
      expect([bare.status, bare.headers.get('location')]).toEqual([301, '/screen/'])
      const origin = new URL(harness.server.url).origin
      const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url))
      expect(requests.length).toBeGreaterThan(10)
      expect(elsewhere).toEqual([])
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'shows a moved problem’s title in the feed, and narrows every panel to the district chosen',
    async () => {
      await harness.problemListeners(1)
      const title = `大屏测试：南京东路井盖缺失 ${Date.now()}`
      const id = await newProblem(title)
      const refreshes = await page.evaluate(() => window.__screen.refreshes)
      await transition(id, 'assigned')
      await feedHas(title)
      expect(await page.locator('#feed li').first().locator('.state').textContent()).toBe('已交办')
      // The figures are read again after the event.
      await page.waitForFunction((n) => window.__screen.refreshes > n, refreshes, { timeout: 30_000 })

      await page.click(`#header button[data-key="${HUANGPU}"]`)
      await page.waitForFunction((code) => window.__screen.figuresFor === code, HUANGPU, { timeout: 30_000 })
      const flight = await page.evaluate(async () => {
        const f = window.__screen.map!.lastFlight()!
        return { arrived: await f.ended, extent: f.extent, view: f.view }
      })
      expect(flight.arrived).toBe(true)
      expect(flight.view).toBe('overhead')
      // Every panel now shows Huangpu's figures: its streets, its projects, its share of the funnel.
      const [city, district] = await Promise.all(
        ['310100', HUANGPU].map(
          async (code) =>
            (
              await harness.gql(
                `query { screen(regionCode: "${code}") { problemFunnel { problems } projectFunding { amount } } }`,
              )
            ).data.screen,
        ),
      )
      expect(district.problemFunnel[0].problems).toBeLessThan(city.problemFunnel[0].problems)
      const shown = await page.evaluate(() => window.__screen.shown)
      expect(shown).toMatchObject({
        found: district.problemFunnel[0].problems,
        funding: district.projectFunding.reduce((s: number, f: { amount: number }) => s + f.amount, 0),
      })
      expect(shown!.areas.every((code: string) => code.startsWith(HUANGPU) && code.length > 6)).toBe(true)
      // The title of the district's problem is still listed; the feed is the district's.
      await feedHas(title)
      await page.screenshot({ path: path.join(SHOTS, 'screen-district.png') })
      // Every label in English with the switch, the title of the problem as it was written (it has no English).
      await page.click('#header button.lang')
      await page.waitForFunction(() => document.documentElement.lang === 'en')
      expect(await page.locator('#header h1').textContent()).toBe('City check command centre')
      expect(await page.locator('.panel-funnel h2').textContent()).toBe('Problem funnel')
      expect(await page.locator('#feed li').first().locator('.state').textContent()).toBe('Assigned')
      await feedHas(title)
      await page.screenshot({ path: path.join(SHOTS, 'screen-district-en.png') })
      await page.click('#header button.lang')
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'reconnects after the server restarts and shows the next move without a reload',
    async () => {
      await page.evaluate(() => Object.assign(window, { __sameDocument: true }))
      const title = `大屏测试：重启后 ${Date.now()}`
      const id = await newProblem(title)
      await harness.stop()
      await page.waitForFunction(() => window.__screen.live !== 'connected', undefined, { timeout: 30_000 })
      await page.screenshot({ path: path.join(SHOTS, 'screen-disconnected.png') })
      await harness.start()
      await page.waitForFunction(
        () => window.__screen.live === 'connected' && window.__screen.resumed >= 1,
        undefined,
        { timeout: 60_000 },
      )
      await harness.problemListeners(1)
      await transition(id, 'assigned')
      await feedHas(title)
      expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
      await page.screenshot({ path: path.join(SHOTS, 'screen-resumed.png') })
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
