/**
 * The grade theme in a far view: block massings (jobs/tiles/massing.ts) take the worst grade of the buildings
 * they stand for (their `members`), so a whole-city view is coloured before any leaf loads. A synthetic city in a
 * tileset written by the tiles job, shown on the viewer benchmark's page with the viewer's tileset options and
 * grade style, in headless Chromium; asserted on the screenshot's pixels.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForFirstView } from '../../bench/viewer-browser.ts'
import { buildBenchPage, serveDirectories } from '../../bench/viewer-views.ts'
import { generateTileset } from '../../jobs/tiles/tileset.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { BuildingGrade } from '../../viewer/core/grades.ts'
import { launchChromium, VIEWPORT } from '../helpers/browser.ts'
import { gridBuildings } from '../jobs/tiles/helpers.ts'

const RESULTS = path.join(PROJECT_ROOT, 'test-results')
const COUNT = 4000
const HEIGHT_M = 15

type Rgb = [number, number, number]
/** Clearly red (poor), clearly green (good, excellent), or the light neutral grey of "no data" (lit or shaded). */
const isRed = ([r, g, b]: Rgb) => r > 110 && g < 0.45 * r && b < 0.45 * r
const isGreen = ([r, g, b]: Rgb) => g > 80 && r < 0.6 * g && b < 0.75 * g
const isGrey = ([r, g, b]: Rgb) => r > 90 && Math.max(r, g, b) - Math.min(r, g, b) < 12

/** Pixels of the screenshot by class, and where the red ones are (x), decoded by the page from the PNG. */
async function pixelClasses(page: Page, png: Buffer): Promise<{ pixels: Rgb[]; width: number }> {
  const { data, width } = await page.evaluate(async (b64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob())
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d')!
    context.drawImage(bitmap, 0, 0)
    return {
      data: Array.from(context.getImageData(0, 0, bitmap.width, bitmap.height).data),
      width: bitmap.width,
    }
  }, png.toString('base64'))
  const pixels: Rgb[] = []
  for (let i = 0; i < data.length; i += 4) pixels.push([data[i]!, data[i + 1]!, data[i + 2]!])
  return { pixels, width }
}

describe('grade theme on the block massings of a far view', () => {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-massing-grades-'))
  const { buildings } = gridBuildings({ count: COUNT, spacingM: 30 })
  // Low and level, so the massings' errors are their boxes' sizes and the whole-city view stops at them.
  const city = buildings.map((b) => ({ ...b, heightM: HEIGHT_M }))
  const corner = (b: (typeof city)[number]) =>
    (b.footprint.type === 'Polygon' ? b.footprint.coordinates : b.footprint.coordinates[0]!)[0]![0]!
  const lons = city.map((b) => corner(b)[0]!)
  const lats = city.map((b) => corner(b)[1]!)
  const midLon = (Math.min(...lons) + Math.max(...lons)) / 2
  let browser: Browser
  let site: Awaited<ReturnType<typeof serveDirectories>>

  beforeAll(async () => {
    const tilesDir = path.join(workDir, 'tiles')
    await generateTileset(city, { outDir: tilesDir, maxFeaturesPerTile: 50, massingDepth: 4 })
    // The west half poor, the east half excellent.
    const grades: BuildingGrade[] = city.map((b, i) => ({
      buildingId: b.id,
      grade: lons[i]! < midLon ? 'poor' : 'excellent',
      unitType: 'building',
    }))
    fs.writeFileSync(path.join(workDir, 'grades.json'), JSON.stringify(grades))
    await buildBenchPage(path.join(workDir, 'viewer'))
    site = await serveDirectories({
      '/viewer/': path.join(workDir, 'viewer'),
      '/tiles/': tilesDir,
      '/data/': workDir,
    })
    browser = await launchChromium()
    fs.mkdirSync(RESULTS, { recursive: true })
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    fs.rmSync(workDir, { recursive: true, force: true })
  })

  it('colours the massings of the whole-city view by the worst grade of their buildings', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT })
    const [west, south, east, north] = [
      Math.min(...lons),
      Math.min(...lats),
      Math.max(...lons),
      Math.max(...lats),
    ]
    const [dLon, dLat] = [east - west, north - south]
    const query = new URLSearchParams({
      mode: 'tiles',
      sse: '8',
      // The camera frames four times the city's extent: from that far, its 1.9 km are drawn as block massings.
      bbox: [west - 1.5 * dLon, south - 1.5 * dLat, east + 1.5 * dLon, north + 1.5 * dLat].join(','),
      maxHeight: String(HEIGHT_M),
      tileset: '/tiles/tileset.json',
      grades: '/data/grades.json',
    })
    await page.goto(`${site.url}/viewer/index.html?${query}`)
    expect(await waitForFirstView(page, 240_000)).toBe(true)
    const shown = await page.evaluate(() => ({
      buildings: window.__citycheckBench.buildingsShown,
      features: window.__citycheckBench.featuresShown,
    }))
    // Every building is in view, mostly stood for by boxes: the view is of massings, not of leaves.
    expect(shown.buildings).toBe(COUNT)
    expect(shown.features!).toBeLessThan(COUNT / 2)

    const png = await page.screenshot({ path: path.join(RESULTS, 'viewer-massing-grades.png') })
    const { pixels, width } = await pixelClasses(page, png)
    const at = (test: (p: Rgb) => boolean) =>
      pixels.flatMap((p, i) => (test(p) ? [{ x: i % width, y: Math.floor(i / width) }] : []))
    const red = at(isRed)
    const green = at(isGreen)
    expect(red.length).toBeGreaterThan(1000)
    expect(green.length).toBeGreaterThan(1000)
    // Poor on the west (left: the camera looks north), excellent on the east.
    const meanX = (xs: { x: number }[]) => xs.reduce((a, b) => a + b.x, 0) / xs.length
    expect(meanX(red)).toBeLessThan(meanX(green))
    // No massing left in the grey of "no data" within the city's part of the picture.
    const city = [...red, ...green]
    const [x0, x1] = [Math.min(...city.map((p) => p.x)), Math.max(...city.map((p) => p.x))]
    const [y0, y1] = [Math.min(...city.map((p) => p.y)), Math.max(...city.map((p) => p.y))]
    const grey = at(isGrey).filter((p) => p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1)
    expect(grey.length).toBeLessThan(0.01 * city.length)
  }, 300_000)
})
