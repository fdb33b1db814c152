import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { RunningServer } from '../../server/http.ts'
import { demandClass, type Gap, gapOverlay, preferredDistanceModel } from '../../viewer/core/gaps.ts'
import { CITY_CODE } from '../../viewer/core/presets.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'viewer-overlays.png')
const BROWSER_TIMEOUT_MS = 300_000

describe('coverage overlay data (core)', () => {
  const square = (x: number) => [
    [
      [x, 0],
      [x + 1, 0],
      [x + 1, 1],
      [x, 0],
    ],
  ]
  const gap = (rank: number, distanceModel: Gap['distanceModel'], kind: Gap['kind']): Gap => ({
    facilityType: 'kindergarten',
    distanceModel,
    kind,
    rank,
    priority: 1 / rank,
    geom:
      kind === 'blind_spot' ? { type: 'MultiPolygon', coordinates: [square(rank), square(rank + 5)] } : null,
    point: { type: 'Point', coordinates: [rank, 0.5] },
  })

  it('prefers the network model, keeps one entry per blind spot and styles points by rank', () => {
    const gaps = [
      gap(1, 'euclidean', 'blind_spot'),
      gap(1, 'network', 'blind_spot'),
      gap(60, 'network', 'capacity'),
    ]
    expect(preferredDistanceModel(gaps)).toBe('network')
    const overlay = gapOverlay(gaps)
    expect(overlay.distanceModel).toBe('network')
    expect(overlay.polygons).toHaveLength(1)
    expect(overlay.polygons[0]?.polygons).toHaveLength(2)
    expect(overlay.points.map((p) => [p.rank, p.label, p.colour])).toEqual([
      [1, '1', demandClass(1).colour],
      [60, '60', demandClass(60).colour],
    ])
    expect(demandClass(1).pixelSize).toBeGreaterThan(demandClass(60).pixelSize)
    expect(gapOverlay(gaps.slice(0, 1)).distanceModel).toBe('euclidean')
    expect(gapOverlay([]).points).toEqual([])
  })
})

describe('coverage overlays in the 3D viewer', () => {
  let server: RunningServer
  let page: Page
  let token: string
  let pageErrors: string[]
  let gql: ViewerHarness['gql']
  let harness: ViewerHarness

  beforeAll(async () => {
    harness = await openViewerHarness('overlays')
    ;({ server, token, page, pageErrors, gql } = harness)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'draws the blind spots and demand points of the latest run, only with a token',
    async () => {
      // Without a token: a hint instead of overlays.
      await page.goto(`${server.url}/viewer/?lite&poll=600`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await page.click('#layer-blindspots')
      await page.waitForFunction(() => window.__citycheck.gaps !== null, undefined, { timeout: 30_000 })
      expect(await page.evaluate(() => window.__citycheck.gaps)).toMatchObject({
        blindSpots: 0,
        demandPoints: 0,
      })
      expect(await page.textContent('#gaps-hint')).toContain('登录后可见')

      const started = await harness.startCoverage({
        regionCode: CITY_CODE,
        facilityTypes: ['kindergarten'],
        distanceModels: ['euclidean'],
      })
      expect(started.errors).toBeUndefined()
      const runId = started.runId!
      expect(await harness.finalState(runId)).toBe('succeeded')
      const api = await gql(
        `query ($regionCode: String!) { latestCoverageRun(regionCode: $regionCode) {
          databaseId gaps(facilityType: kindergarten, distanceModel: euclidean, first: 2000) { kind geom point } } }`,
        { regionCode: CITY_CODE },
      )
      expect(api.errors).toBeUndefined()
      expect(api.data.latestCoverageRun.databaseId).toBe(runId)
      const apiGaps: { kind: string; geom: unknown }[] = api.data.latestCoverageRun.gaps
      const blindSpots = apiGaps.filter((g) => g.kind === 'blind_spot' && g.geom !== null).length
      expect(apiGaps.length).toBeGreaterThan(0)

      await page.goto(`${server.url}/viewer/?lite&poll=600&token=${encodeURIComponent(token)}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await page.click('#layer-blindspots')
      await page.click('#layer-demandpoints')
      await page.waitForFunction(() => window.__citycheck.gaps?.runId != null, undefined, { timeout: 60_000 })
      const shown = await page.evaluate(() => window.__citycheck.gaps)
      expect(shown).toEqual({
        runId,
        facilityType: 'kindergarten',
        blindSpots,
        demandPoints: apiGaps.length,
      })
      expect(await page.textContent('#gaps-hint')).toContain('直线距离')
      // Facilities off so the overlays stand out; straight down onto the demand points, kept as a picture.
      const points = apiGaps.map(
        (g) => (g as unknown as { point: { coordinates: number[] } }).point.coordinates,
      )
      const lons = points.map((p) => p[0]!)
      const lats = points.map((p) => p[1]!)
      const centre = [
        (Math.min(...lons) + Math.max(...lons)) / 2,
        (Math.min(...lats) + Math.max(...lats)) / 2,
      ]
      const spanM =
        Math.max(Math.max(...lons) - Math.min(...lons), Math.max(...lats) - Math.min(...lats)) * 111_000
      await page.click('#layer-facilities')
      await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
        lon: centre[0]!,
        lat: centre[1]!,
        rangeM: Math.max(spanM * 1.3, 1500),
      })
      await page.waitForFunction(() => window.__citycheck.map!.status().tilesLoaded, undefined, {
        timeout: 120_000,
        polling: 250,
      })
      await page.evaluate(async () => {
        for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(() => r(null)))
      })
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
      await page.screenshot({ path: SCREENSHOT })

      // A newer run (other radius) is announced over the subscription and replaces the overlays.
      await page.waitForFunction(() => window.__citycheck.live === 'connected', undefined, {
        timeout: 30_000,
      })
      const again = await harness.startCoverage({
        regionCode: CITY_CODE,
        facilityTypes: ['kindergarten'],
        distanceModels: ['euclidean'],
        radiusOverrides: { kindergarten: 200 },
      })
      expect(again.errors).toBeUndefined()
      const newer = again.runId
      expect(newer).not.toBe(runId)
      await page.waitForFunction((id) => window.__citycheck.gaps?.runId === id, newer, { timeout: 120_000 })
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS * 2,
  )
})
