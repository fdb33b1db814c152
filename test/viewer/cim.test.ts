import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import proj4 from 'proj4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { frames, waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import { BROWSER_TIMEOUT_MS, type KnownBuilding, knownBuilding, meanColour } from './scene.ts'

const RESULTS = path.join(PROJECT_ROOT, 'test-results')

type LonLat = [number, number]

/**
 * The reference figures: a transverse Mercator on WGS84 centred on the points (scale 1 there, distortion far
 * under 0.1 % within a kilometre), and plane geometry in it — independent of the geodesic code measured.
 */
function planar(points: LonLat[]): [number, number][] {
  const [lon0, lat0] = points[0]!
  const tm = proj4(
    'WGS84',
    `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m`,
  )
  return points.map((p) => tm.forward(p) as [number, number])
}
function planarLength(a: LonLat, b: LonLat): number {
  const [p, q] = planar([a, b])
  return Math.hypot(q![0] - p![0], q![1] - p![1])
}
function planarArea(ring: LonLat[]): number {
  const xy = planar(ring)
  let sum = 0
  for (let i = 0; i < xy.length; i++) {
    const [x1, y1] = xy[i]!
    const [x2, y2] = xy[(i + 1) % xy.length]!
    sum += x1 * y2 - x2 * y1
  }
  return Math.abs(sum) / 2
}

/** Where a point on the ground (or at a height) is on the page. */
async function screenOf(page: Page, [lon, lat]: LonLat, heightM = 0): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.project(lon, lat, h), {
    lon,
    lat,
    h: heightM,
  })
  if (!p) throw new Error(`${lon}, ${lat} is not in view`)
  return p
}

/** A point `eastM`/`northM` metres from `origin` (small offsets, local flat approximation). */
function offset([lon, lat]: LonLat, eastM: number, northM: number): LonLat {
  const mPerDegLat = 110_574
  const mPerDegLon = 111_320 * Math.cos((lat * Math.PI) / 180)
  return [lon + eastM / mPerDegLon, lat + northM / mPerDegLat]
}

describe('CIM tools on the 3D city: measuring, the section box, two years side by side', () => {
  let harness: ViewerHarness
  let page: Page
  let known: KnownBuilding
  /** Open ground: the middle of the Huangpu, where nothing stands. */
  let river: LonLat

  beforeAll(async () => {
    harness = await openViewerHarness('cim')
    page = harness.page
    known = await knownBuilding(harness.database)
    const [water] = await harness.database.rows<{ lon: number; lat: number }>(sql`
      select ST_X(p) as lon, ST_Y(p) as lat from (select ST_PointOnSurface(geom) as p from land_cover
        where cover = 'water' and name = '黄浦江' order by ST_Area(geom) desc limit 1) w`)
    river = [Number(water!.lon), Number(water!.lat)]
    fs.mkdirSync(RESULTS, { recursive: true })
    await page.goto(`${harness.server.url}/viewer/?lite`)
    await page.waitForFunction(
      () => window.__citycheck?.ready && window.__citycheck.baseMap !== null,
      undefined,
      {
        timeout: 120_000,
      },
    )
  }, BROWSER_TIMEOUT_MS)

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'measures a distance, an area and a height between picked points, geodesic and with units',
    async () => {
      await page.evaluate(([lon, lat]) => window.__citycheck.map!.lookDownAt(lon, lat, 900), river)
      await waitForTiles(page)
      // Two points 300 m apart across the river, clicked on the page.
      const a = offset(river, -150, -40)
      const b = offset(river, 150, 40)
      await page.click('#measure-distance')
      for (const p of [a, b]) {
        const s = await screenOf(page, p)
        await page.mouse.click(s.x, s.y)
      }
      const distance = await page.evaluate(() => window.__citycheck.map!.tools.measurement())
      const expected = planarLength(a, b)
      expect(distance?.mode).toBe('distance')
      expect(
        Math.abs(distance!.value! - expected) / expected,
        `${distance?.value} m vs ${expected} m`,
      ).toBeLessThan(0.01)
      expect(await page.textContent('#measure-result')).toMatch(/^\d+(\.\d)? 米$/)
      await frames(page, 3)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-measure-distance.png') })

      // A triangle: its area within 1 % of the spherical area of the same points.
      await page.click('#measure-area')
      const triangle = [offset(river, -200, -100), offset(river, 200, -100), offset(river, 0, 150)]
      for (const p of triangle) {
        const s = await screenOf(page, p)
        await page.mouse.click(s.x, s.y)
      }
      const area = await page.evaluate(() => window.__citycheck.map!.tools.measurement())
      const expectedArea = planarArea(triangle)
      expect(Math.abs(area!.value! - expectedArea) / expectedArea).toBeLessThan(0.01)
      expect(await page.textContent('#measure-result')).toMatch(/公顷$/)

      // A height: the ground beside a building, then its roof.
      await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.lookDownAt(lon, lat, h + 250), {
        lon: known.lon,
        lat: known.lat,
        h: known.height_m,
      })
      await waitForTiles(page)
      await page.click('#measure-height')
      const beside = await page.evaluate(() => {
        // The ground where no building stands: a corner of the view, found by picking.
        const map = window.__citycheck.map!
        for (const [x, y] of [
          [300, 80],
          [1000, 80],
          [300, 600],
          [1000, 600],
        ] as const)
          if (!map.pick({ x, y })) return { x, y }
        return null
      })
      expect(beside).not.toBeNull()
      await page.mouse.click(beside!.x, beside!.y)
      const roof = await screenOf(page, [known.lon, known.lat], known.height_m)
      await page.mouse.click(roof.x, roof.y)
      const height = await page.evaluate(() => window.__citycheck.map!.tools.measurement())
      expect(
        Math.abs(height!.value! - known.height_m),
        `${height?.value} m vs ${known.height_m} m`,
      ).toBeLessThan(Math.max(1, known.height_m * 0.05))
      await frames(page, 3)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-measure-height.png') })
      await page.click('#measure-clear')
      expect(await page.evaluate(() => window.__citycheck.map!.tools.busy())).toBe(false)
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'cuts the city with a section box',
    async () => {
      await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.lookDownAt(lon, lat, h + 250), {
        lon: known.lon,
        lat: known.lat,
        h: known.height_m,
      })
      await waitForTiles(page)
      const roof = await screenOf(page, [known.lon, known.lat], known.height_m)
      const clip = { x: roof.x - 3, y: roof.y - 3, width: 6, height: 6 }
      const roofColour = async () => meanColour(page, await page.screenshot({ clip }))
      const differs = (p: number[], q: number[]) => p.reduce((s, v, i) => s + Math.abs(v - q[i]!), 0)
      const before = await roofColour()

      // Section box around the view's centre (the building), its top at 3 m: the roof is cut away.
      await page.fill('#section-top', '3')
      await page.click('#clip-box')
      await frames(page, 5)
      await waitForTiles(page)
      expect(await page.evaluate(() => window.__citycheck.map!.tools.clipState().box?.topM)).toBe(3)
      const boxed = await roofColour()
      await page.screenshot({ path: path.join(RESULTS, 'viewer-clip-box.png') })
      expect(differs(before, boxed), `roof ${before} → ${boxed}`).toBeGreaterThan(30)
      // Without the box the roof is drawn again (every tile's shader is rebuilt first: wait for it).
      await page.click('#clip-off')
      await expect.poll(async () => differs(before, await roofColour()), { timeout: 60_000 }).toBeLessThan(15)

      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'compares two campaigns side by side: the earlier year left of the splitter, the later right',
    async () => {
      // Two annual checks of the city: graded poor in 2023, excellent in 2025 (every building takes the city's).
      const [indicator] = await harness.database.rows<{ id: number; system_id: number }>(
        sql`select id, system_id from indicators order by sort_order, id limit 1`,
      )
      for (const [year, grade] of [
        [2023, 'poor'],
        [2025, 'excellent'],
      ] as const) {
        const [campaign] = await harness.database.rows<{ id: number }>(
          sql`insert into campaigns (kind, year, name, region_code, system_id, status)
            values ('annual', ${year}, ${`上海市 ${year} 年城市体检`}, '310100', ${indicator!.system_id}, 'collecting')
            returning id`,
        )
        await harness.database.rows(
          sql`insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, grade, source)
            values (${campaign!.id}, ${indicator!.id}, 'region', '310100', '310100', ${grade}, 'reported')`,
        )
      }
      await page.goto(`${harness.server.url}/viewer/?lite&token=${encodeURIComponent(harness.token)}`)
      await page.waitForFunction(() => (window.__citycheck.grades?.buildings ?? 0) > 0, undefined, {
        timeout: 120_000,
      })
      await waitForTiles(page)
      // Red minus green of each half of the city (left of the middle, right of it; the panel excluded).
      const redness = async () => {
        const [l, r] = [
          await meanColour(
            page,
            await page.screenshot({ clip: { x: 300, y: 150, width: 200, height: 380 } }),
          ),
          await meanColour(
            page,
            await page.screenshot({ clip: { x: 530, y: 150, width: 360, height: 380 } }),
          ),
        ]
        return { left: l[0] - l[1], right: r[0] - r[1] }
      }
      const single = await redness()
      await page.click('#compare')
      await page.waitForFunction(() => window.__citycheck.compare !== null, undefined, { timeout: 60_000 })
      expect(await page.evaluate(() => window.__citycheck.compare)).toEqual({ left: 2023, right: 2025 })
      await page.waitForFunction(() => window.__citycheck.map!.tools.compareState().tilesLoaded, undefined, {
        timeout: 120_000,
      })
      await waitForTiles(page)
      await frames(page, 5)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-compare.png') })
      expect(await page.textContent('#compare-left')).toContain('2023')
      expect(await page.textContent('#compare-right')).toContain('2025')
      const split = await redness()
      // The left half turned red (2023 poor), the right stayed green (2025 excellent).
      expect(split.left - single.left, `left ${single.left} → ${split.left}`).toBeGreaterThan(8)
      expect(Math.abs(split.right - single.right), `right ${single.right} → ${split.right}`).toBeLessThan(8)
      await page.click('#compare')
      await page.waitForFunction(() => window.__citycheck.compare === null)
      expect(await page.$('#splitter')).toBeNull()
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
