import fs from 'node:fs'
import path from 'node:path'
import { booleanPointInPolygon } from '@turf/turf'
import { sql } from 'drizzle-orm'
import type { MultiPolygon } from 'geojson'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import type { RunningServer } from '../../server/http.ts'
import { type ExtentDeg, extentContains, extentOfGeometry } from '../../viewer/core/extent.ts'
import { GRADE_COLOURS } from '../../viewer/core/grades.ts'
import { CITY_CODE } from '../../viewer/core/presets.ts'
import { waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'

const RESULTS = path.join(PROJECT_ROOT, 'test-results')
const BROWSER_TIMEOUT_MS = 300_000

interface Building {
  id: number
  lon: number
  lat: number
  height: number
}

const corners = (e: ExtentDeg): [number, number][] => [
  [e.westDeg, e.southDeg],
  [e.eastDeg, e.southDeg],
  [e.eastDeg, e.northDeg],
  [e.westDeg, e.northDeg],
]

describe('grade theme, uncovered population, renewal areas and district presets in the 3D viewer', () => {
  let database: Database
  let server: RunningServer
  let page: Page
  let token: string
  /** A building of a compound graded poor, and one outside any compound (the city's grade, excellent). */
  let inCompound: Building
  let outside: Building
  let pageErrors: string[]
  let gql: ViewerHarness['gql']
  let harness: ViewerHarness

  beforeAll(async () => {
    harness = await openViewerHarness('themes')
    ;({ database, server, token, page, pageErrors, gql } = harness)

    // Indicator values as the reporting and the indicators job write them: one compound graded poor, the
    // city excellent. No building value: the compound's buildings show the compound's grade.
    const [indicator] = await database.rows<{ id: number; system_id: number }>(
      sql`select id, system_id from indicators order by sort_order, id limit 1`,
    )
    const [campaign] = await database.rows<{ id: number }>(
      sql`insert into campaigns (kind, year, name, region_code, system_id, status)
          values ('annual', 2025, '上海市 2025 年城市体检', '310100', ${indicator?.system_id}, 'collecting') returning id`,
    )
    const [compound] = await database.rows<{ id: number }>(
      sql`select compound_id as id from buildings where compound_id is not null and min_height_m = 0
          group by compound_id order by count(*) desc, compound_id limit 1`,
    )
    await database.rows(
      sql`insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, grade, source)
          select ${campaign?.id}::int, ${indicator?.id}::int, 'compound', c.id::text, c.region_code, 'poor', 'computed'
          from compounds c where c.id = ${compound?.id}
          union all select ${campaign?.id}::int, ${indicator?.id}::int, 'region', '310100', '310100', 'excellent', 'reported'`,
    )
    const pick = async (where: ReturnType<typeof sql>) => {
      const [row] = await database.rows<Building>(
        sql`select id, ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat,
            height_m as height from buildings b where min_height_m = 0 and footprint_area_m2 > 300 and ${where}
            order by height_m desc, id limit 1`,
      )
      return {
        id: Number(row!.id),
        lon: Number(row!.lon),
        lat: Number(row!.lat),
        height: Number(row!.height),
      }
    }
    inCompound = await pick(sql`b.compound_id = ${compound?.id}`)
    outside = await pick(
      sql`b.compound_id is null and ST_DWithin(b.centroid::geography, ST_SetSRID(ST_MakePoint(${inCompound.lon}, ${inCompound.lat}), 4326)::geography, 400)`,
    )

    fs.mkdirSync(RESULTS, { recursive: true })
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'colours a building by its compound’s grade, draws the API’s cells and areas, and flies to a district',
    async () => {
      await page.goto(`${server.url}/viewer/?lite&poll=600&token=${encodeURIComponent(token)}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })

      // ---- Grade theme: the compound's building takes the compound's grade, a loose one the city's.
      await page.selectOption('#theme-select', 'grade')
      await page.waitForFunction(() => (window.__citycheck.grades?.buildings ?? 0) > 0, undefined, {
        timeout: 60_000,
      })
      const api = await gql(
        `query { buildingGrades(regionCode: "310100") { campaignName buildings { buildingId grade } } }`,
      )
      expect(api.errors).toBeUndefined()
      expect(await page.evaluate(() => window.__citycheck.grades?.buildings)).toBe(
        api.data.buildingGrades.buildings.length,
      )
      await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
        lon: inCompound.lon,
        lat: inCompound.lat,
        rangeM: inCompound.height + 600,
      })
      await waitForTiles(page)
      const colourOf = (id: number) => page.evaluate((i) => window.__citycheck.map!.buildingColour(i), id)
      expect(await colourOf(inCompound.id)).toBe(GRADE_COLOURS.poor)
      expect(await colourOf(outside.id)).toBe(GRADE_COLOURS.excellent)
      const legend = await page.textContent('#legend')
      const poor = api.data.buildingGrades.buildings.filter(
        (b: { grade: string }) => b.grade === 'poor',
      ).length
      expect(legend).toContain(`较差 (${poor})`)
      expect(await page.textContent('#grades-hint')).toContain('上海市 2025 年城市体检')
      expect(await page.$$eval('#grade-indicator-select option', (o) => o.length)).toBe(2)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-grade-theme.png') })
      // A far view's block massings take the worst grade of their buildings: the legend says so.
      expect(legend).toContain('远景街区体块取其中建筑的最差等级')

      // ---- Uncovered population: as many markers as the API's uncovered cells of the latest run.
      const started = await harness.startCoverage({
        regionCode: CITY_CODE,
        facilityTypes: ['kindergarten'],
        distanceModels: ['euclidean'],
      })
      expect(started.errors).toBeUndefined()
      const runId = started.runId!
      expect(await harness.finalState(runId)).toBe('succeeded')
      const cells = await gql(
        `{ latestCoverageRun(regionCode: "310100") { uncoveredCells(facilityType: kindergarten) { centroid served } } }`,
      )
      const apiCells: { centroid: { coordinates: number[] }; served: number }[] =
        cells.data.latestCoverageRun.uncoveredCells
      expect(apiCells.length).toBeGreaterThan(0)
      await page.selectOption('#theme-select', 'severity')
      await page.click('#layer-facilities')
      await page.click('#layer-uncoveredcells')
      await page.waitForFunction((id) => window.__citycheck.uncoveredCells?.runId === id, runId, {
        timeout: 60_000,
      })
      const shown = await page.evaluate(() => window.__citycheck.uncoveredCells)
      expect(shown).toMatchObject({ runId, facilityType: 'kindergarten', cells: apiCells.length })
      expect(shown?.served).toBeCloseTo(
        apiCells.reduce((s, c) => s + c.served, 0),
        3,
      )
      expect(await page.evaluate(() => window.__citycheck.map!.overlayCounts().uncoveredCells)).toBe(
        apiCells.length,
      )
      expect(await page.textContent('#cells-hint')).toContain('儿童')
      const lons = apiCells.map((c) => c.centroid.coordinates[0]!)
      const lats = apiCells.map((c) => c.centroid.coordinates[1]!)
      const span = Math.max(Math.max(...lons) - Math.min(...lons), Math.max(...lats) - Math.min(...lats))
      await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
        lon: (Math.min(...lons) + Math.max(...lons)) / 2,
        lat: (Math.min(...lats) + Math.max(...lats)) / 2,
        rangeM: Math.max(span * 111_000 * 1.3, 1500),
      })
      await waitForTiles(page)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-uncovered-cells.png') })
      // A newer run (smaller radius, more uncovered cells) is announced over the subscription and redrawn.
      await page.waitForFunction(() => window.__citycheck.live === 'connected', undefined, {
        timeout: 30_000,
      })
      const again = await harness.startCoverage({
        regionCode: CITY_CODE,
        facilityTypes: ['kindergarten'],
        distanceModels: ['euclidean'],
        radiusOverrides: { kindergarten: 150 },
      })
      const newer = again.runId
      expect(newer).not.toBe(runId)
      await page.waitForFunction((id) => window.__citycheck.uncoveredCells?.runId === id, newer, {
        timeout: 120_000,
      })
      const newerCells = await gql(
        `{ latestCoverageRun(regionCode: "310100") { uncoveredCells(facilityType: kindergarten) { served } } }`,
      )
      const redrawn = newerCells.data.latestCoverageRun.uncoveredCells.length
      expect(redrawn).toBeGreaterThan(apiCells.length)
      expect(await page.evaluate(() => window.__citycheck.map!.overlayCounts().uncoveredCells)).toBe(redrawn)
      await page.click('#layer-uncoveredcells')

      // ---- Renewal areas: one outline and name per area the API returns.
      const areas = await gql(`{ renewalAreas(first: 100) { totalCount nodes { name geom } } }`)
      const apiAreas: { name: string; geom: { type: string; coordinates: unknown } }[] =
        areas.data.renewalAreas.nodes
      expect(apiAreas.length).toBeGreaterThan(0)
      await page.click('#layer-renewalareas')
      await page.waitForFunction(() => window.__citycheck.renewalAreas !== null, undefined, {
        timeout: 60_000,
      })
      expect(await page.evaluate(() => window.__citycheck.renewalAreas)).toBe(apiAreas.length)
      expect(await page.evaluate(() => window.__citycheck.map!.overlayCounts().renewalAreas)).toBe(
        apiAreas.length,
      )
      const lilong = apiAreas.find((a) => a.name.includes('旧里')) ?? apiAreas[0]!
      const extent = extentOfGeometry(lilong.geom)!
      await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
        lon: (extent.westDeg + extent.eastDeg) / 2,
        lat: (extent.southDeg + extent.northDeg) / 2,
        rangeM: 1200,
      })
      await waitForTiles(page)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-renewal-areas.png') })

      // ---- District presets from the boundaries: once the flight has ended, the whole district is in view
      // and the camera looks at a point of it.
      const districts = await gql(
        `{ region(code: "310100") { children(level: district) { code boundary } } }`,
      )
      const hongkou: { code: string; boundary: MultiPolygon } = districts.data.region.children.find(
        (d: { code: string }) => d.code === '310109',
      )
      expect(await page.evaluate(() => window.__citycheck.presets)).toEqual([
        { key: 'city', source: 'boundary' },
        { key: '310101', source: 'boundary' },
        { key: '310109', source: 'boundary' },
        { key: '310115', source: 'boundary' },
      ])
      await page.click('[data-preset="310109"]')
      const flight = await page.evaluate(async () => {
        const started = window.__citycheck.map!.lastFlight()
        return started && { extent: started.extent, arrived: await started.ended }
      })
      expect(flight?.arrived, 'the flight arrived').toBe(true)
      const hongkouExtent = extentOfGeometry(hongkou.boundary)!
      // The flight the click started: onto a box around Hongkou, centred on a point of it.
      for (const [lon, lat] of corners(hongkouExtent))
        expect(extentContains(flight!.extent, lon, lat), 'the flight frames Hongkou').toBe(true)
      const e = flight!.extent
      const flightCentre = [(e.westDeg + e.eastDeg) / 2, (e.southDeg + e.northDeg) / 2]
      expect(booleanPointInPolygon(flightCentre, hongkou.boundary), 'the flight aims at Hongkou').toBe(true)
      const canvas = await page.evaluate(() => {
        const c = document.querySelector('.cesium-widget canvas')!
        return { width: c.clientWidth, height: c.clientHeight }
      })
      const outline = hongkou.boundary.coordinates.flat(2)
      const onScreen = await page.evaluate(
        (points) => points.map(([lon, lat]) => window.__citycheck.map!.project(lon!, lat!, 0)),
        outline,
      )
      onScreen.forEach((p, i) => {
        const where = `boundary point ${outline[i]} at ${JSON.stringify(p)} on a ${canvas.width}×${canvas.height} canvas`
        expect(p, where).not.toBeNull()
        expect(p!.x >= 0 && p!.x <= canvas.width && p!.y >= 0 && p!.y <= canvas.height, where).toBe(true)
      })
      const lookedAt = await page.evaluate(
        (c) => window.__citycheck.map!.groundAt({ x: c.width / 2, y: c.height / 2 }),
        canvas,
      )
      expect(lookedAt, 'the ground at the centre of the canvas').not.toBeNull()
      expect(
        booleanPointInPolygon([lookedAt!.lonDeg, lookedAt!.latDeg], hongkou.boundary),
        `looks at ${JSON.stringify(lookedAt)}, in Hongkou`,
      ).toBe(true)
      await waitForTiles(page)
      await page.screenshot({ path: path.join(RESULTS, 'viewer-preset-hongkou.png') })
      await page.click('[data-lang="en"]')
      expect(await page.textContent('[data-preset="310109"]')).toBe('Hongkou')
      expect(await page.textContent('#panel')).toContain('Renewal areas')
      expect(await page.textContent('#panel')).toContain('Uncovered residents')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS * 2,
  )
})
