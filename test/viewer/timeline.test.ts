import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { frames, waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import { BROWSER_TIMEOUT_MS, meanColour } from './scene.ts'

const RESULTS = path.join(PROJECT_ROOT, 'test-results')

interface Landmark {
  id: number
  lon: number
  lat: number
  height_m: number
  year_built: number
  region_code: string
}

async function landmark(harness: ViewerHarness, name: string): Promise<Landmark> {
  const [row] = await harness.database.rows<Landmark>(sql`
    select id, ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat, height_m,
      year_built, region_code
    from buildings where name = ${name} order by height_m desc limit 1`)
  if (!row) throw new Error(`${name} is not in the demo`)
  return { ...row, lon: Number(row.lon), lat: Number(row.lat), height_m: Number(row.height_m) }
}

/** Mean colour of a 10 px square around a canvas point. */
async function colourAt(page: Page, p: { x: number; y: number }): Promise<number[]> {
  return meanColour(page, await page.screenshot({ clip: { x: p.x - 5, y: p.y - 5, width: 10, height: 10 } }))
}
const differs = (p: number[], q: number[]) => p.reduce((s, v, i) => s + Math.abs(v - q[i]!), 0)

/** Moves the slider as a user lets it go at `year`. */
async function slideTo(page: Page, year: number): Promise<void> {
  await page.$eval(
    '#time-year',
    (input, y) => {
      const slider = input as HTMLInputElement
      slider.value = String(y)
      slider.dispatchEvent(new Event('input'))
      slider.dispatchEvent(new Event('change'))
    },
    year,
  )
  await frames(page, 5)
  await waitForTiles(page)
}

describe('the time slider and the polygon clip on the 3D city', () => {
  let harness: ViewerHarness
  let page: Page
  let tower: Landmark
  let customs: Landmark

  beforeAll(async () => {
    harness = await openViewerHarness('timeline')
    page = harness.page
    tower = await landmark(harness, '上海中心大厦')
    customs = await landmark(harness, '上海海关')
    // Two problems with their own dates: found in 2020 and closed in 2022; found in 2024, open.
    const place = sql`ST_SetSRID(ST_MakePoint(${customs.lon}, ${customs.lat}), 4326)`
    const [closed] = await harness.database.rows<{ id: number }>(sql`
      insert into problems (region_code, type, title, geom, severity, source, year_found, state, created_at)
      values (${customs.region_code}, 'facade_safety', '外立面脱落隐患', ${place}, 2, 'inspection', 2020, 'closed',
        '2020-05-01T02:00:00Z') returning id`)
    await harness.database.rows(sql`
      insert into problem_transitions (problem_id, from_state, to_state, actor, at)
      values (${closed!.id}, 're_inspected', 'closed', 'test', '2022-03-01T02:00:00Z')`)
    await harness.database.rows(sql`
      insert into problems (region_code, type, title, geom, severity, source, year_found, state, created_at)
      values (${customs.region_code}, 'facade_safety', '外墙空鼓', ${place}, 1, 'inspection', 2024, 'identified',
        '2024-06-01T02:00:00Z')`)
    fs.mkdirSync(RESULTS, { recursive: true })
    await page.goto(`${harness.server.url}/viewer/?lite&poll=600&token=${encodeURIComponent(harness.token)}`)
    await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
  }, BROWSER_TIMEOUT_MS)

  afterAll(async () => {
    await harness?.close()
  })

  /** What the database says a year shows: problems found by its end, open then or closed by then. */
  async function expectedProblems(year: number): Promise<{ open: number; closed: number }> {
    const [row] = await harness.database.rows<{ open: number; closed: number }>(sql`
      with dated as (
        select extract(year from p.created_at at time zone 'Asia/Shanghai')::int as found,
          (select extract(year from max(t.at) at time zone 'Asia/Shanghai')::int from problem_transitions t
            where t.problem_id = p.id and t.to_state = 'closed' and p.state = 'closed') as closed
        from problems p where p.geom is not null and p.region_code like '3101%')
      select count(*) filter (where found <= ${year} and (closed is null or closed > ${year}))::int as open,
        count(*) filter (where found <= ${year} and closed <= ${year})::int as closed
      from dated`)
    return row!
  }

  it(
    'hides the buildings built after the chosen year and shows the problems found and closed by then',
    async () => {
      expect(tower.year_built).toBe(2015)
      expect(customs.year_built).toBe(1927)
      await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.lookDownAt(lon, lat, h + 400), {
        lon: tower.lon,
        lat: tower.lat,
        h: tower.height_m,
      })
      await waitForTiles(page)
      const roof = (await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.project(lon, lat, h), {
        lon: tower.lon,
        lat: tower.lat,
        h: tower.height_m,
      }))!
      const today = await colourAt(page, roof)

      await page.click('#time-toggle')
      await page.waitForSelector('#time-year', { timeout: 60_000 })
      const span = await page.$eval('#time-year', (i) => [
        Number((i as HTMLInputElement).min),
        Number((i as HTMLInputElement).max),
      ])
      // From the oldest dated building (the Gutzlaff signal tower, 1907) to this year at least.
      expect(span[0]).toBeLessThanOrEqual(1907)
      expect(span[1]).toBeGreaterThanOrEqual(new Date().getFullYear())
      await waitForTiles(page)
      const now = await page.evaluate(() => window.__citycheck.map!.tools.time.counts())
      expect(now.hidden, JSON.stringify(now)).toBe(0)
      // Most buildings of the demo have no year: drawn faded, not hidden.
      expect(now.unknownYear).toBeGreaterThan(0)

      await slideTo(page, 2010)
      const before = await page.evaluate(() => window.__citycheck.map!.tools.time.counts())
      await page.screenshot({ path: path.join(RESULTS, 'viewer-time-2010.png') })
      // The Shanghai Tower (2015) is gone: its roof turned to what lies under it.
      expect(before.hidden, JSON.stringify(before)).toBeGreaterThan(0)
      expect(before.shown).toBe(now.shown - before.hidden)
      const then = await colourAt(page, roof)
      console.info(`features drawn today ${JSON.stringify(now)}, in 2010 ${JSON.stringify(before)}`)
      expect(differs(today, then), `roof ${today} → ${then}`).toBeGreaterThan(30)

      // The problems as the database dates them: the 2020 one open in 2021, closed in 2023; both by 2025.
      for (const year of [2019, 2021, 2023, 2025]) {
        await slideTo(page, year)
        const drawn = await page.evaluate(() => window.__citycheck.map!.tools.time.problemCounts())
        expect(drawn, String(year)).toEqual(await expectedProblems(year))
      }
      expect(await page.textContent('#time-open')).toMatch(/已发现: 1$/)
      expect(await page.textContent('#time-closed')).toMatch(/已销号: 1$/)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-time-2025.png') })
      await page.click('#time-toggle')
      await frames(page, 5)
      await waitForTiles(page)
      expect(await page.evaluate(() => window.__citycheck.map!.tools.time.year())).toBeNull()
      await expect
        .poll(async () => differs(today, await colourAt(page, roof)), { timeout: 60_000 })
        .toBeLessThan(15)
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'cuts away the buildings inside a polygon drawn on the ground, and puts them back when cleared',
    async () => {
      const state = await page.evaluate(() => window.__citycheck.map!.tools.polygon.state())
      expect(state.supported).toBe(true)
      await page.evaluate(({ lon, lat }) => window.__citycheck.map!.lookDownAt(lon, lat, 600), {
        lon: customs.lon,
        lat: customs.lat,
      })
      await waitForTiles(page)
      const roof = (await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.project(lon, lat, h), {
        lon: customs.lon,
        lat: customs.lat,
        h: customs.height_m,
      }))!
      const before = await colourAt(page, roof)
      await page.click('#clip-polygon')
      // A square some 60 m around the Customs House, clicked corner by corner on the ground.
      const d = 0.0006
      for (const [dx, dy] of [
        [-d, -d],
        [d, -d],
        [d, d],
        [-d, d],
      ] as const) {
        const corner = (await page.evaluate(({ lon, lat }) => window.__citycheck.map!.project(lon, lat, 0), {
          lon: customs.lon + dx,
          lat: customs.lat + dy,
        }))!
        await page.mouse.click(corner.x, corner.y)
      }
      expect(await page.evaluate(() => window.__citycheck.map!.tools.polygon.state().points)).toBe(4)
      // Drawing took the clicks: no building details opened.
      expect(await page.evaluate(() => window.__citycheck.detailsFor)).toBeNull()
      await page.click('#clip-polygon-finish')
      await frames(page, 5)
      await waitForTiles(page)
      await expect
        .poll(async () => differs(before, await colourAt(page, roof)), { timeout: 60_000 })
        .toBeGreaterThan(30)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-clip-polygon.png') })
      // Cutting outside instead: the Customs House stands again.
      await page.click('#clip-polygon-side')
      await frames(page, 5)
      await expect
        .poll(async () => differs(before, await colourAt(page, roof)), { timeout: 60_000 })
        .toBeLessThan(15)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-clip-polygon-outside.png') })
      await page.click('#clip-off')
      await expect
        .poll(async () => differs(before, await colourAt(page, roof)), { timeout: 60_000 })
        .toBeLessThan(15)
      expect(await page.evaluate(() => window.__citycheck.map!.tools.polygon.state().applied)).toBe(false)
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
