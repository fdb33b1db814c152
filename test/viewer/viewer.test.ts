import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import type { RunningServer } from '../../server/http.ts'
import { frames, waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import { BROWSER_TIMEOUT_MS, changedPixelShare } from './scene.ts'

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'viewer-city.png')

describe('3D viewer in headless Chromium', () => {
  let harness: ViewerHarness
  let database: Database
  let server: RunningServer
  let page: Page
  let pageErrors: string[]
  const foreignRequests: string[] = []

  beforeAll(async () => {
    harness = await openViewerHarness('viewer')
    ;({ database, server, page, pageErrors } = harness)
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        foreignRequests.push(url)
      }
    })
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'loads the demo city and renders its buildings, offline',
    async () => {
      const started = performance.now()
      await page.goto(`${server.url}/viewer/?lite&poll=1`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      const ready = performance.now()
      // Overlays and presets load after the tileset: wait for them so the screenshot is deterministic.
      await page.waitForFunction(
        () => (window.__citycheck.facilities ?? 0) > 0 && !!document.querySelector('[data-preset="310109"]'),
        undefined,
        { timeout: 60_000 },
      )
      await waitForTiles(page)
      console.log(
        `viewer: tileset ready in ${((ready - started) / 1000).toFixed(1)} s (includes building viewer and tiles if needed), ` +
          `tiles loaded after ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
      const withBuildings = await page.screenshot({ path: SCREENSHOT })
      // The same view without the buildings layer: what changes is the rendered city.
      await page.click('#layer-buildings')
      await frames(page, 3)
      const withoutBuildings = await page.screenshot()
      await page.click('#layer-buildings')
      await frames(page, 3)
      const share = await changedPixelShare(page, withBuildings, withoutBuildings)
      expect(share, 'share of pixels showing buildings').toBeGreaterThan(0.02)

      // Without a token the city opens coloured by use. Another theme recolours the buildings (styled by their
      // tile metadata) and regenerates the legend.
      expect(await page.textContent('#legend')).toContain('居住')
      await page.selectOption('#theme-select', 'height')
      await frames(page, 3)
      const byHeight = await page.screenshot({ path: SCREENSHOT.replace('.png', '-height.png') })
      expect(await page.textContent('#legend')).toContain('24–50 米')
      expect(await changedPixelShare(page, withBuildings, byHeight), 'share recoloured').toBeGreaterThan(0.01)
      await page.selectOption('#theme-select', 'severity')
      expect(await page.textContent('#legend')).toContain('无问题')

      expect(await page.textContent('#attribution')).toContain('© OpenStreetMap contributors (ODbL)')
      const [facilities] = await database.rows<{ n: number }>(
        sql`select count(*)::int as n from facilities where is_public`,
      )
      expect(await page.evaluate(() => window.__citycheck.facilities)).toBe(Number(facilities!.n))
      // Camera presets: the city and the three demo districts, by code (extents from their boundaries).
      const presets = await page.$$eval('[data-preset]', (buttons) =>
        buttons.map((b) => b.getAttribute('data-preset')),
      )
      expect(presets).toEqual(['city', '310101', '310109', '310115'])
      expect(foreignRequests).toEqual([])
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
