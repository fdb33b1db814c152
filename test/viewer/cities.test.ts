/**
 * Many cities (docs/adr/0024): with Wuhan and Yichang imported beside the demo's Shanghai, every city has its own
 * tileset a few kilometres across; the viewer opens on the token's city, offers a province's cities (or the public's)
 * in a chooser that flies to the city chosen and draws its buildings; the screen opens on the token's city.
 */
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { ensureScreenBuilt } from '../../server/static/screen.ts'
import { frames, waitForTiles } from '../helpers/browser.ts'
import { addSecondCities, HUBEI, regionSizeKm, tokenFor, WUHAN, YICHANG } from './cities-fixture.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import { BROWSER_TIMEOUT_MS, changedPixelShare } from './scene.ts'

const SHOTS = path.join(PROJECT_ROOT, 'test-results')

interface TilesetJson {
  root: { boundingVolume: { region: number[] } }
}

/** Share of the middle of the screen the buildings draw: a screenshot with them against one without. */
async function buildingsInMiddle(
  page: Page,
  shot: string,
  handle: '__citycheck' | '__screen',
): Promise<number> {
  const withBuildings = await page.screenshot({ path: path.join(SHOTS, shot) })
  const toggle = (visible: boolean) =>
    page.evaluate(
      ([name, show]) => {
        const map = name === '__screen' ? window.__screen.map : window.__citycheck.map
        map!.setLayerVisible('buildings', show)
      },
      [handle, visible] as const,
    )
  await toggle(false)
  await frames(page, 5)
  const without = await page.screenshot()
  await toggle(true)
  await frames(page, 3)
  return changedPixelShare(page, withBuildings, without, 'middle')
}

/** Waits for the viewer's last camera flight to end and the tiles of the view to load. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.__citycheck.map?.lastFlight()?.ended
  })
  await waitForTiles(page)
}

describe('many cities', () => {
  let harness: ViewerHarness
  let page: Page

  beforeAll(async () => {
    harness = await openViewerHarness('cities')
    page = harness.page
    await addSecondCities(harness, harness.dataDir)
    fs.mkdirSync(SHOTS, { recursive: true })
  }, BROWSER_TIMEOUT_MS)

  afterAll(async () => {
    await harness?.close()
  })

  it('cuts the public tiles per city: each tile tree a few kilometres across, not the 700 km between them', async () => {
    const url = harness.server.url
    const index = (await (await fetch(`${url}/tiles/city/index.json`)).json()) as {
      defaultCity: string
      cities: { code: string; tileset: string; buildings: number }[]
    }
    expect(index.defaultCity).toBe('310100')
    expect(index.cities.map((c) => c.code)).toEqual(['310100', WUHAN, YICHANG])
    const centres: [number, number][] = []
    for (const city of index.cities) {
      const tileset = (await (await fetch(`${url}${city.tileset}`)).json()) as TilesetJson
      const { widthKm, heightKm } = regionSizeKm(tileset.root.boundingVolume.region)
      expect(widthKm, `${city.code} root width`).toBeLessThan(30)
      expect(heightKm, `${city.code} root height`).toBeLessThan(30)
      expect(widthKm * heightKm).toBeGreaterThan(0.1)
      const [w = 0, s = 0, e = 0, n = 0] = tileset.root.boundingVolume.region
      centres.push([(w + e) / 2, (s + n) / 2])
    }
    // Shanghai to Wuhan: one tree over both would span hundreds of kilometres of nothing.
    const [sh, wh] = [centres[0]!, centres[1]!]
    const apartKm = regionSizeKm([Math.min(sh[0], wh[0]), sh[1], Math.max(sh[0], wh[0]), sh[1], 0, 0]).widthKm
    expect(apartKm).toBeGreaterThan(600)
    // The old address stands for the default city's tileset.
    const old = (await (await fetch(`${url}/tiles/city/tileset.json`)).json()) as TilesetJson
    const demo = (await (await fetch(`${url}/tiles/city/310100/tileset.json`)).json()) as TilesetJson
    expect(old.root.boundingVolume).toEqual(demo.root.boundingVolume)
    // A province's tiles are its cities': no tree spanning the province.
    const province = await fetch(`${url}/tiles/region/${HUBEI}/tileset.json`, {
      headers: { authorization: `Bearer ${await tokenFor('province', HUBEI)}` },
    })
    expect(province.status).toBe(404)
    expect(((await province.json()) as { message: string }).message).toMatch(/按城市.* \/ .*per city/)
    // Not a city: no public tileset.
    expect((await fetch(`${url}/tiles/city/${HUBEI}/tileset.json`)).status).toBe(404)
  })

  it(
    'opens a city token on its city, the Bund with its buildings in the middle, and offers no chooser',
    async () => {
      await page.goto(`${harness.server.url}/viewer/?lite&token=${harness.token}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await page.waitForFunction(() => !!document.querySelector('[data-preset="310101"]'), undefined, {
        timeout: 60_000,
      })
      await settle(page)
      const shown = await page.evaluate(() => ({
        city: window.__citycheck.city,
        cities: window.__citycheck.cities,
        url: window.__citycheck.tilesetUrl,
      }))
      expect(shown).toEqual({ city: '310100', cities: ['310100'], url: '/tiles/region/310100/tileset.json' })
      expect(await page.$('#city-select')).toBeNull()
      expect(await buildingsInMiddle(page, 'cities-city-token.png', '__citycheck')).toBeGreaterThan(0.1)
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'opens a province token on its first city and flies to the city chosen, drawing its buildings',
    async () => {
      const token = await tokenFor('province', HUBEI)
      await page.goto(`${harness.server.url}/viewer/?lite&poll=1&token=${token}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await settle(page)
      expect(await page.evaluate(() => window.__citycheck.cities)).toEqual([WUHAN, YICHANG])
      expect(await page.$$eval('#city-select option', (o) => o.map((x) => x.textContent))).toEqual([
        '武汉市',
        '宜昌市',
      ])
      expect(await page.evaluate(() => window.__citycheck.city)).toBe(WUHAN)
      expect(await buildingsInMiddle(page, 'cities-province-wuhan.png', '__citycheck')).toBeGreaterThan(0.05)

      await page.selectOption('#city-select', YICHANG)
      await page.waitForFunction((code) => window.__citycheck.city === code, YICHANG, { timeout: 120_000 })
      await settle(page)
      expect(await page.evaluate(() => window.__citycheck.tilesetUrl)).toBe(
        `/tiles/region/${YICHANG}/tileset.json`,
      )
      // The camera is over Yichang (111.3° E), not Wuhan (114.3° E).
      const camera = await page.evaluate(() => window.__citycheck.map!.cameraPosition())
      expect(Math.abs(camera.lonDeg - 111.29)).toBeLessThan(0.3)
      expect(await buildingsInMiddle(page, 'cities-province-yichang.png', '__citycheck')).toBeGreaterThan(
        0.05,
      )
      // Live: an edit of a Yichang building (its tileset alone goes stale) reloads the buildings shown, so the
      // watch follows the city chosen.
      const version = await page.evaluate(() => window.__citycheck.tilesetVersion)
      await harness.database.rows(sql`
        update buildings set floors = coalesce(floors, 0) + 1, updated_at = now()
        where id = (select max(id) from buildings where region_code like '4205%')`)
      await page.waitForFunction((v) => window.__citycheck.tilesetVersion > v, version, { timeout: 120_000 })
      // Yichang's districts as presets (from their buildings: the synthetic city has no boundaries).
      await page.waitForFunction(() => !!document.querySelector('[data-preset^="4205"]'), undefined, {
        timeout: 60_000,
      })
      // The chooser's label follows the language switch (the division data has no English city names).
      const label = () => page.$eval('#city-select', (s) => s.previousElementSibling?.textContent)
      expect(await label()).toBe('城市')
      await page.click('[data-lang="en"]')
      expect(await label()).toBe('City')
      await page.click('[data-lang="zh-CN"]')
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'offers every city to the public, opening on the demo city, and flies 690 km to Wuhan',
    async () => {
      await page.goto(`${harness.server.url}/viewer/?lite`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await settle(page)
      expect(await page.evaluate(() => window.__citycheck.city)).toBe('310100')
      expect(await page.$$eval('#city-select option', (o) => o.map((x) => x.getAttribute('value')))).toEqual([
        '310100',
        WUHAN,
        YICHANG,
      ])
      await page.selectOption('#city-select', WUHAN)
      await page.waitForFunction((code) => window.__citycheck.city === code, WUHAN, { timeout: 120_000 })
      await settle(page)
      expect(await page.evaluate(() => window.__citycheck.tilesetUrl)).toBe(
        `/tiles/city/${WUHAN}/tileset.json`,
      )
      expect(await buildingsInMiddle(page, 'cities-public-wuhan.png', '__citycheck')).toBeGreaterThan(0.05)
      expect(harness.pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'opens a district token on its district, named as the whole area',
    async () => {
      const token = await tokenFor('district', '310101')
      await page.goto(`${harness.server.url}/viewer/?lite&token=${token}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await settle(page)
      expect(await page.evaluate(() => [window.__citycheck.city, window.__citycheck.tilesetUrl])).toEqual([
        '310101',
        '/tiles/region/310101/tileset.json',
      ])
      expect(await page.$('#city-select')).toBeNull()
      expect(await page.textContent('[data-preset="city"]')).toBe('黄浦区')
      expect(await buildingsInMiddle(page, 'cities-district-token.png', '__citycheck')).toBeGreaterThan(0.05)
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    "opens the screen on the token's city",
    async () => {
      await ensureScreenBuilt()
      const token = await tokenFor('city', WUHAN)
      await page.goto(`${harness.server.url}/screen/?lite&token=${token}`)
      await page.waitForFunction(() => window.__screen?.ready || window.__screen?.error, undefined, {
        timeout: 120_000,
      })
      expect(await page.evaluate(() => window.__screen.error)).toBeNull()
      expect(await page.evaluate(() => window.__screen.tilesetUrl)).toBe(
        `/tiles/region/${WUHAN}/tileset.json`,
      )
      await page.waitForFunction(
        () => {
          const s = window.__screen.map?.status()
          return !!s?.tilesLoaded && s.tileContentsLoaded > 0
        },
        undefined,
        { timeout: 120_000, polling: 250 },
      )
      await frames(page, 5)
      const camera = await page.evaluate(() => window.__screen.map!.cameraPosition())
      expect(Math.abs(camera.lonDeg - 114.3)).toBeLessThan(0.3)
      expect(await buildingsInMiddle(page, 'cities-screen-wuhan.png', '__screen')).toBeGreaterThan(0.02)
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'gives the screen of a province its cities, each with its own tileset',
    async () => {
      const token = await tokenFor('province', HUBEI)
      await page.goto(`${harness.server.url}/screen/?lite&token=${token}`)
      await page.waitForFunction(() => window.__screen?.ready || window.__screen?.error, undefined, {
        timeout: 120_000,
      })
      expect(await page.evaluate(() => window.__screen.error)).toBeNull()
      expect(await page.evaluate(() => window.__screen.presets)).toEqual(['city', WUHAN, YICHANG])
      expect(await page.evaluate(() => window.__screen.tilesetUrl)).toBe(
        `/tiles/region/${WUHAN}/tileset.json`,
      )
      await page.click(`button[data-key="${YICHANG}"]`)
      await page.waitForFunction(
        (url) => window.__screen.tilesetUrl === url,
        `/tiles/region/${YICHANG}/tileset.json`,
        { timeout: 120_000 },
      )
      await page.evaluate(async () => {
        await window.__screen.map?.lastFlight()?.ended
      })
      const camera = await page.evaluate(() => window.__screen.map!.cameraPosition())
      expect(Math.abs(camera.lonDeg - 111.29)).toBeLessThan(0.3)
    },
    BROWSER_TIMEOUT_MS,
  )
})
