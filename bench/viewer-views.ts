/** The viewer benchmark's browser part: the bench page built and served with the tiles, and the three views. */

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import sirv from 'sirv'
import { PROJECT_ROOT } from '../server/config.ts'
import type { Database } from '../server/db/client.ts'
import { VIEWPORT } from '../test/helpers/browser.ts'
import { describeView, log, measureView, round, type ViewMeasurement } from './viewer-browser.ts'
import { type CityBounds, writeBuildingsGeoJson } from './viewer-data.ts'

const VIEWER_ROOT = path.join(PROJECT_ROOT, 'viewer')
const BENCH_PAGE_ROOT = path.join(PROJECT_ROOT, 'bench', 'viewer-page')
const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results')
/** The real viewer's maximumScreenSpaceError (viewer/map/cityTileset.ts). */
export const VIEWER_SSE = 8

export interface ViewsOptions {
  size: string
  /** Also the time limit of each view. */
  entityTimeoutS: number
  skipEntities: boolean
  orbitS: number
  trace: boolean
}

export interface Views {
  tiles: ViewMeasurement
  allBuildings: ViewMeasurement
  entities: ViewMeasurement | null
  geojsonBytes: number | null
}

/** Builds only the bench page (bench/viewer-page/index.html) with the viewer's Vite config, into `outDir`. */
export async function buildBenchPage(outDir: string): Promise<void> {
  const { build } = await import('vite')
  await build({
    configFile: path.join(VIEWER_ROOT, 'vite.config.ts'),
    root: BENCH_PAGE_ROOT,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      rolldownOptions: { input: path.join(BENCH_PAGE_ROOT, 'index.html') },
    },
  })
}

/**
 * Local static files, URL prefix → directory, never cached by the browser. Every file exists before the server
 * starts, so sirv indexes them once: in dev mode its per-request file lookups, in the process that shares the two
 * cores with Chromium, cost about a tenth of the orbit's frame rate on the M city.
 */
const noStore = (res: http.ServerResponse) => res.setHeader('cache-control', 'no-store')

export async function serveDirectories(
  mounts: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const handlers = Object.entries(mounts).map(
    ([prefix, dir]) => [prefix, sirv(dir, { etag: false, setHeaders: noStore })] as const,
  )
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    const mount = handlers.find(([prefix]) => url.startsWith(prefix))
    if (!mount) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    const [prefix, handler] = mount
    // sirv reads the path from req.url: hand it the part below the mount, with its leading slash.
    req.url = url.slice(prefix.length - 1)
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The GeoJSON for the entities, the bench page, a local server, and the three views in headless Chromium. */
export async function measureViews(
  database: Database,
  city: CityBounds,
  drawable: number,
  workDir: string,
  options: ViewsOptions,
): Promise<Views> {
  let geojsonBytes: number | null = null
  if (!options.skipEntities) {
    const t1 = performance.now()
    geojsonBytes = await writeBuildingsGeoJson(database, path.join(workDir, 'buildings.geojson'))
    log(
      `GeoJSON for the entities: ${round(geojsonBytes / 1e6, 1)} MB ` +
        `(${Math.round(geojsonBytes / city.buildings)} bytes/building), written in ${round((performance.now() - t1) / 1000, 2)} s`,
    )
  }

  const t2 = performance.now()
  const pageDir = path.join(workDir, 'viewer')
  await buildBenchPage(pageDir)
  log(`bench page built with Vite in ${round((performance.now() - t2) / 1000, 1)} s`)
  const tilesDir = path.join(workDir, 'tiles')
  const site = await serveDirectories({ '/viewer/': pageDir, '/tiles/': tilesDir, '/data/': workDir })
  try {
    return { ...(await measureEachView(site.url, city, drawable, options)), geojsonBytes }
  } finally {
    await site.close()
  }
}

async function measureEachView(
  baseUrl: string,
  city: CityBounds,
  drawable: number,
  options: ViewsOptions,
): Promise<Omit<Views, 'geojsonBytes'>> {
  const screenshot = (mode: string) =>
    path.join(SCREENSHOT_DIR, `bench-viewer-${options.size.toLowerCase()}-${mode}.png`)
  const view = async (mode: 'tiles' | 'entities', sse: number, label: string, shot: string) => {
    const query = new URLSearchParams({
      mode,
      sse: String(sse),
      bbox: [city.westDeg, city.southDeg, city.eastDeg, city.northDeg].join(','),
      maxHeight: String(city.maxHeightM),
      tileset: '/tiles/tileset.json',
      geojson: '/data/buildings.geojson',
    })
    const measured = await measureView(baseUrl, query, {
      timeoutS: options.entityTimeoutS,
      orbitS: options.orbitS,
      screenshot: screenshot(shot),
    })
    if (mode === 'tiles' && sse === VIEWER_SSE) log(`Chromium ${measured.chromium}`)
    describeView(label, measured, options.trace)
    return measured
  }

  log(
    `3D Tiles view as the viewer shows it (maximumScreenSpaceError ${VIEWER_SSE}; viewport ` +
      `${VIEWPORT.width}×${VIEWPORT.height}, software GL)…`,
  )
  const tiles = await view('tiles', VIEWER_SSE, '3D Tiles', 'tiles')
  if (tiles.buildingsShown !== null && tiles.buildingsShown < drawable) {
    log(`3D Tiles: NOT every building was shown in the first view (${tiles.buildingsShown} of ${drawable})`)
  }
  log('3D Tiles view with every tile in view refined to the leaves (maximumScreenSpaceError 0)…')
  const allBuildings = await view('tiles', 0, '3D Tiles, every building', 'tiles-all')
  if (allBuildings.featuresShown !== null && allBuildings.featuresShown < drawable) {
    log(
      `3D Tiles, every building: NOT every building was drawn (${allBuildings.featuresShown} of ${drawable})`,
    )
  }
  let entities: ViewMeasurement | null = null
  if (!options.skipEntities) {
    log(`entity view (timeout ${options.entityTimeoutS} s)…`)
    entities = await view('entities', 0, 'GeoJSON entities', 'entities')
  }
  log(
    `screenshots: ${screenshot('tiles')}, ${screenshot('tiles-all')}` +
      `${entities ? `, ${screenshot('entities')}` : ''}`,
  )
  return { tiles, allBuildings, entities }
}
