import { createReadStream } from 'node:fs'
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { type Browser, errors as playwrightErrors } from 'playwright-core'
import { buildCityTileset, CITY_MAX_FEATURES_PER_TILE, updateCityTiles } from '../jobs/tiles/city.ts'
import { PROJECT_ROOT } from '../server/config.ts'
import { type Database, openDatabase } from '../server/db/client.ts'
import { safeJoin } from '../server/static.ts'
import { launchChromium, VIEWPORT } from '../test/helpers/browser.ts'
import { createScratchDatabase, dropScratchDatabase, loadSyntheticCity, postgresUrl } from './database.ts'
import { SYNTHETIC_SIZES, type SyntheticSize } from './synthetic/city.ts'
import type { BenchOrbit } from './viewer-page/main.ts'

/**
 * `npm run bench -- viewer --size S|M|L [--keep] [--entity-timeout 900] [--skip-entities] [--tileset-only]
 *   [--features-per-tile 500] [--orbit 5] [--trace]` (size M by default)
 *
 * A synthetic city (seed 1) in a fresh PostgreSQL database, made into 3D Tiles by the real job code
 * (`buildCityTileset`: reading the buildings, writing tileset.json, the leaves' and the block massings' GLBs), then
 * shown in headless Chromium (software GL, SwiftShader) from the same camera over the whole city: the tileset as
 * the viewer shows it, the tileset with every building drawn, and the same buildings as GeoJSON (footprints, base
 * and roof heights from the database) loaded as extruded polygon entities — the usual CesiumJS recipe without
 * 3D Tiles. Measures:
 * - `tilesetS`: wall time of the tileset build from the database, and the bytes of tileset.json + GLBs per building;
 * - `updateS`: wall time of the incremental update after a problem is opened on one building (its leaf and the
 *   massings above it rewritten, `updateTilesRewritten`);
 * - `firstViewS` / `entityFirstViewS`: from navigation start of the bench page (bench/viewer-page/index.html) to the end of
 *   the first frame in which everything the view needs is loaded and drawn (tiles: the tileset reports all tiles
 *   of the view loaded; entities: every entity's geometry is ready), the globe's tiles loaded too. `firstViewS`
 *   uses the real viewer's maximumScreenSpaceError (8): far parts of the city show as block massings (jobs/tiles/
 *   massing.ts) that stand for every building, so `buildingsShown` counts the buildings drawn or stood for and
 *   `featuresShown` the features drawn (buildings and boxes);
 * - `allBuildingsFirstViewS`: the same with maximumScreenSpaceError 0, which refines every tile in view down to
 *   the leaves, so each building is drawn itself, as with the entities;
 * - `fps`: frames rendered while the camera orbits the city for `--orbit` seconds.
 *
 * An entity view that is not complete within `--entity-timeout` seconds is reported at the timeout with
 * `entityTimedOut: true`, which makes `speedup` a lower bound. `--skip-entities` leaves out the entity view,
 * `--tileset-only` everything after the tileset build (no browser), `--trace` prints every frame up to each first
 * full view (contents loaded, requests pending, contents processing); `--features-per-tile N` overrides the job's
 * buildings per GLB (CITY_MAX_FEATURES_PER_TILE). `--keep` keeps the database
 * (`citycheck_bench_viewer_<size>`). Screenshots of both views go to `test-results/bench-viewer-<size>-<mode>.png`.
 * Prints figures and asserts nothing about time; the last line is one JSON object.
 */

const SEED = 1
const VIEWER_ROOT = path.join(PROJECT_ROOT, 'viewer')
const BENCH_PAGE_ROOT = path.join(PROJECT_ROOT, 'bench', 'viewer-page')
const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results')
/** The real viewer's maximumScreenSpaceError (viewer/map/cityTileset.ts). */
const VIEWER_SSE = 8
/** Tileset files a client downloads; manifest.json and source.json are the generator's bookkeeping. */
const isTilesetFile = (name: string) => name === 'tileset.json' || name.endsWith('.glb')

export interface ViewerBenchResult {
  bench: 'viewer'
  size: SyntheticSize
  buildings: number
  /** Wall time of `buildCityTileset` from the database to the files on disk. */
  tilesetS: number
  tiles: number
  featuresPerTile: number
  /** Wall time of `updateCityTiles` after one building's problems changed. */
  updateS: number
  updateTilesRewritten: number
  tilesetBytes: number
  bytesPerBuilding: number
  /** Time to the first full view of the tileset as the viewer shows it (maximumScreenSpaceError 8). */
  firstViewS: number | null
  /**
   * When the buildings alone were complete (all tiles of the view loaded / all entity geometry ready), before
   * the globe's own tiles; the full view waits for both.
   */
  buildingsLoadedS: number | null
  entityBuildingsLoadedS: number | null
  /** entityBuildingsLoadedS / buildingsLoadedS. */
  buildingsSpeedup: number | null
  /** Buildings in that first view: drawn in leaf tiles or stood for by the massings of coarse tiles. */
  tilesBuildingsShown: number | null
  /** Features drawn in that first view: buildings and massing boxes. */
  tilesFeaturesShown: number | null
  tilesLoaded: number | null
  /** Frames per second while orbiting the tileset. */
  fps: number | null
  /** The tileset with maximumScreenSpaceError 0: every tile in view refined to the leaves, every building drawn. */
  allBuildingsFirstViewS: number | null
  allBuildingsShown: number | null
  allBuildingsTilesLoaded: number | null
  allBuildingsFps: number | null
  /** Time to the first full view of the entities; the timeout when `entityTimedOut`. */
  entityFirstViewS: number | null
  entityTimedOut: boolean
  entities: number | null
  fpsEntities: number | null
  /** entityFirstViewS / firstViewS; a lower bound when `entityTimedOut`. */
  speedup: number | null
  speedupIsLowerBound: boolean
  /** entityFirstViewS / allBuildingsFirstViewS: both draw every building. */
  allBuildingsSpeedup: number | null
  geojsonBytes: number | null
  /** Node's peak RSS (database reads, tile build). */
  peakRssMB: number
  /** JS heap of the bench page after the first view, per mode. */
  tilesPageHeapMB: number | null
  entitiesPageHeapMB: number | null
  cpus: number
  cpuModel: string
  totalMemGB: number
  node: string
  chromium: string | null
}

interface Options {
  size: SyntheticSize
  keep: boolean
  entityTimeoutS: number
  skipEntities: boolean
  /** Only build the tileset: no GeoJSON, no browser. */
  tilesetOnly: boolean
  /** Buildings per GLB. @defaultValue {@link CITY_MAX_FEATURES_PER_TILE}, the job's own */
  featuresPerTile: number
  orbitS: number
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: 'string', default: 'M' },
      keep: { type: 'boolean', default: false },
      'entity-timeout': { type: 'string', default: '900' },
      'skip-entities': { type: 'boolean', default: false },
      'tileset-only': { type: 'boolean', default: false },
      'features-per-tile': { type: 'string', default: String(CITY_MAX_FEATURES_PER_TILE) },
      orbit: { type: 'string', default: '5' },
      trace: { type: 'boolean', default: false },
    },
  })
  const size = String(values.size).toUpperCase()
  if (!(size in SYNTHETIC_SIZES)) throw new RangeError(`--size must be S, M or L, got "${values.size}"`)
  const entityTimeoutS = Number(values['entity-timeout'])
  if (!(entityTimeoutS > 0)) throw new RangeError('--entity-timeout must be a positive number of seconds')
  const featuresPerTile = Number(values['features-per-tile'])
  if (!(Number.isInteger(featuresPerTile) && featuresPerTile > 0)) {
    throw new RangeError('--features-per-tile must be a positive integer')
  }
  traceFrames = values.trace
  const orbitS = Number(values.orbit)
  if (!(orbitS > 0)) throw new RangeError('--orbit must be a positive number of seconds')
  return {
    size: size as SyntheticSize,
    keep: values.keep,
    entityTimeoutS,
    skipEntities: values['skip-entities'],
    tilesetOnly: values['tileset-only'],
    featuresPerTile,
    orbitS,
  }
}

const log = (line: string) => console.log(`bench viewer: ${line}`)
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits
const seconds = (startMs: number) => (performance.now() - startMs) / 1000

interface CityBounds {
  buildings: number
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
  maxHeightM: number
}

async function cityBounds(database: Database): Promise<CityBounds> {
  const [row] = await database.rows<Record<keyof CityBounds, number | string>>(sql`
    select count(*)::int as buildings, ST_XMin(ST_Extent(footprint)) as "westDeg",
      ST_YMin(ST_Extent(footprint)) as "southDeg", ST_XMax(ST_Extent(footprint)) as "eastDeg",
      ST_YMax(ST_Extent(footprint)) as "northDeg", max(height_m) as "maxHeightM"
    from buildings`)
  if (!row) throw new Error('the synthetic city has no buildings')
  return {
    buildings: Number(row.buildings),
    westDeg: Number(row.westDeg),
    southDeg: Number(row.southDeg),
    eastDeg: Number(row.eastDeg),
    northDeg: Number(row.northDeg),
    maxHeightM: Number(row.maxHeightM),
  }
}

/**
 * The buildings as one GeoJSON FeatureCollection: footprint, base and roof height (metres above the ellipsoid,
 * like the tiles) and use, written in batches so a large city never becomes one string.
 */
async function writeBuildingsGeoJson(database: Database, file: string): Promise<number> {
  const handle = await open(file, 'w')
  try {
    await handle.write('{"type":"FeatureCollection","features":[\n')
    let afterId = 0
    let first = true
    for (;;) {
      const rows = await database.rows<{
        id: number
        geometry: string
        base: number
        top: number
        use: string
      }>(
        sql`select id, ST_AsGeoJSON(footprint, 7) as geometry, min_height_m as base, height_m as top, use
          from buildings where id > ${afterId} order by id limit 20000`,
      )
      if (rows.length === 0) break
      const chunk = rows.map((r) => {
        const properties = JSON.stringify({
          id: Number(r.id),
          base: Number(r.base),
          top: Number(r.top),
          use: r.use,
        })
        return `{"type":"Feature","id":${Number(r.id)},"geometry":${r.geometry},"properties":${properties}}`
      })
      await handle.write(`${first ? '' : ',\n'}${chunk.join(',\n')}`)
      first = false
      afterId = Number(rows.at(-1)!.id)
    }
    await handle.write('\n]}\n')
  } finally {
    await handle.close()
  }
  return (await stat(file)).size
}

async function tilesetBytes(dir: string): Promise<number> {
  let bytes = 0
  for (const name of await readdir(dir)) {
    if (isTilesetFile(name)) bytes += (await stat(path.join(dir, name))).size
  }
  return bytes
}

/** Builds only the bench page (bench/viewer-page/index.html) with the viewer's Vite config, into `outDir`. */
async function buildBenchPage(outDir: string): Promise<void> {
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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json',
  '.glb': 'model/gltf-binary',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
}

/** Local static files: URL prefix → directory. */
async function serveDirectories(
  mounts: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    const prefix = Object.keys(mounts).find((p) => pathname.startsWith(p))
    const file = prefix ? safeJoin(mounts[prefix]!, pathname.slice(prefix.length)) : null
    const send404 = () => {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    }
    if (!file) return send404()
    stat(file).then(
      (info) => {
        if (!info.isFile()) return send404()
        res.writeHead(200, {
          'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          'content-length': info.size,
          'cache-control': 'no-store',
        })
        createReadStream(file).pipe(res)
      },
      () => send404(),
    )
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

interface ViewMeasurement {
  firstViewS: number | null
  timedOut: boolean
  buildingsShown: number | null
  featuresShown: number | null
  tilesLoaded: number | null
  framesToFirstView: number | null
  phases: Record<string, number>
  trace?: [number, number, number, number, number][]
  orbit: BenchOrbit | null
  heapMB: number | null
  pageErrors: string[]
  foreignRequests: string[]
}

/** One view of the city in a fresh browser: load, wait for the first full view, screenshot, orbit. */
async function measureView(
  baseUrl: string,
  query: URLSearchParams,
  options: { timeoutS: number; orbitS: number; screenshot: string },
): Promise<ViewMeasurement & { chromium: string }> {
  const browser: Browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: VIEWPORT })
    const pageErrors: string[] = []
    const foreignRequests: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        foreignRequests.push(url)
      }
    })
    const started = performance.now()
    await page.goto(`${baseUrl}/viewer/index.html?${query}`, { timeout: options.timeoutS * 1000 })
    let timedOut = false
    try {
      await page.waitForFunction(
        () => {
          const h = window.__citycheckBench
          if (h?.error) throw new Error(h.error)
          return h?.firstViewS !== null && h?.firstViewS !== undefined
        },
        undefined,
        { timeout: Math.max(1, options.timeoutS * 1000 - (performance.now() - started)), polling: 250 },
      )
    } catch (error) {
      if (!(error instanceof playwrightErrors.TimeoutError)) throw error
      timedOut = true
    }
    await page.screenshot({ path: options.screenshot, timeout: 300_000 }).catch((error: unknown) => {
      log(`  screenshot failed: ${(error as Error).message.split('\n')[0]}`)
    })
    if (timedOut) {
      const phases = await page
        .evaluate(() => window.__citycheckBench?.phases ?? {})
        .catch(() => ({}) as Record<string, number>)
      return {
        firstViewS: options.timeoutS,
        timedOut,
        buildingsShown: null,
        featuresShown: null,
        tilesLoaded: null,
        framesToFirstView: null,
        phases,
        orbit: null,
        heapMB: null,
        pageErrors,
        foreignRequests,
        chromium: browser.version(),
      }
    }
    const first = await page.evaluate(() => {
      const h = window.__citycheckBench
      const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory
      return {
        firstViewS: h.firstViewS,
        buildingsShown: h.buildingsShown,
        featuresShown: h.featuresShown,
        tilesLoaded: h.tilesLoaded,
        framesToFirstView: h.framesToFirstView,
        phases: h.phases,
        trace: h.trace,
        heapMB: memory ? memory.usedJSHeapSize / 2 ** 20 : null,
      }
    })
    const orbit = await page.evaluate((s) => window.__citycheckBench.orbit(s), options.orbitS)
    return { ...first, timedOut, orbit, pageErrors, foreignRequests, chromium: browser.version() }
  } finally {
    await browser.close()
  }
}

/** Set by `--trace`: print every frame up to the first full view. */
let traceFrames = false

function describeView(label: string, m: ViewMeasurement): void {
  const phases = Object.entries(m.phases)
    .map(([k, v]) => `${k} ${round(v, 2)} s`)
    .join(', ')
  if (m.timedOut) {
    log(`${label}: NOT complete after the ${m.firstViewS} s timeout (milestones: ${phases || 'none'})`)
  } else {
    log(
      `${label}: first full view ${round(m.firstViewS ?? 0, 2)} s after navigation start ` +
        `(${m.framesToFirstView} frames; ${m.buildingsShown} buildings shown` +
        `${m.featuresShown !== m.buildingsShown ? ` by ${m.featuresShown} features (buildings and massing boxes)` : ''}` +
        `${m.tilesLoaded === null ? '' : ` from ${m.tilesLoaded} tiles`}; milestones: ${phases})`,
    )
  }
  const trace = m.trace ?? []
  if (traceFrames) {
    for (const [t, loaded, pending, processing, flags] of trace) {
      log(
        `  frame at ${round(t, 2)} s: ${loaded} contents loaded, ${pending} requests pending, ` +
          `${processing} processing${flags & 1 ? ', tileset loaded' : ''}${flags & 2 ? ', globe loaded' : ''}`,
      )
    }
  }
  const total = trace.at(-1)?.[1] ?? 0
  if (total > 0) {
    const at = (share: number) => trace.find((f) => f[1] >= share * total)?.[0] ?? Number.NaN
    const busiest = Math.max(...trace.map((f) => f[2]))
    log(
      `${label}: tiles loaded (of ${total}): 25% at ${round(at(0.25), 1)} s, 50% at ${round(at(0.5), 1)} s, ` +
        `75% at ${round(at(0.75), 1)} s, all at ${round(at(1), 1)} s; at most ${busiest} requests in flight`,
    )
  }
  if (m.orbit) {
    log(
      `${label}: orbit ${round(m.orbit.seconds, 1)} s, ${m.orbit.frames} frames → ${round(m.orbit.fps, 2)} fps ` +
        `(worst frame ${Math.round(m.orbit.worstFrameMs)} ms)${m.heapMB === null ? '' : `; page JS heap ${Math.round(m.heapMB)} MiB`}`,
    )
  }
  if (m.pageErrors.length > 0) log(`${label}: page errors: ${m.pageErrors.slice(0, 3).join(' | ')}`)
  if (m.foreignRequests.length > 0)
    log(`${label}: requests off the local server: ${m.foreignRequests.length}`)
}

interface Views {
  tiles: ViewMeasurement & { chromium: string }
  allBuildings: ViewMeasurement & { chromium: string }
  entities: (ViewMeasurement & { chromium: string }) | null
  geojsonBytes: number | null
}

/** The GeoJSON for the entities, the bench page, a local server, and the three views in headless Chromium. */
async function measureViews(
  database: Database,
  city: CityBounds,
  built: { buildings: number; skipped: readonly unknown[] },
  workDir: string,
  options: Options,
): Promise<Views> {
  const tilesDir = path.join(workDir, 'tiles')
  let geojsonBytes: number | null = null
  if (!options.skipEntities) {
    const t1 = performance.now()
    geojsonBytes = await writeBuildingsGeoJson(database, path.join(workDir, 'buildings.geojson'))
    log(
      `GeoJSON for the entities: ${round(geojsonBytes / 1e6, 1)} MB ` +
        `(${Math.round(geojsonBytes / city.buildings)} bytes/building), written in ${round(seconds(t1), 2)} s`,
    )
  }

  const t2 = performance.now()
  const pageDir = path.join(workDir, 'viewer')
  await buildBenchPage(pageDir)
  log(`bench page built with Vite in ${round(seconds(t2), 1)} s`)
  const site = await serveDirectories({ '/viewer/': pageDir, '/tiles/': tilesDir, '/data/': workDir })

  try {
    const query = (mode: 'tiles' | 'entities', sse = 0) =>
      new URLSearchParams({
        mode,
        sse: String(sse),
        bbox: [city.westDeg, city.southDeg, city.eastDeg, city.northDeg].join(','),
        maxHeight: String(city.maxHeightM),
        tileset: '/tiles/tileset.json',
        geojson: '/data/buildings.geojson',
      })
    const screenshot = (mode: string) =>
      path.join(SCREENSHOT_DIR, `bench-viewer-${options.size.toLowerCase()}-${mode}.png`)
    const drawable = built.buildings - built.skipped.length

    log(
      `3D Tiles view as the viewer shows it (maximumScreenSpaceError ${VIEWER_SSE}; viewport ` +
        `${VIEWPORT.width}×${VIEWPORT.height}, software GL)…`,
    )
    const tiles = await measureView(site.url, query('tiles', VIEWER_SSE), {
      timeoutS: options.entityTimeoutS,
      orbitS: options.orbitS,
      screenshot: screenshot('tiles'),
    })
    log(`Chromium ${tiles.chromium}`)
    describeView('3D Tiles', tiles)
    if (tiles.buildingsShown !== null && tiles.buildingsShown < drawable) {
      log(`3D Tiles: NOT every building was shown in the first view (${tiles.buildingsShown} of ${drawable})`)
    }
    log('3D Tiles view with every tile in view refined to the leaves (maximumScreenSpaceError 0)…')
    const allBuildings = await measureView(site.url, query('tiles', 0), {
      timeoutS: options.entityTimeoutS,
      orbitS: options.orbitS,
      screenshot: screenshot('tiles-all'),
    })
    describeView('3D Tiles, every building', allBuildings)
    if (allBuildings.featuresShown !== null && allBuildings.featuresShown < drawable) {
      log(
        `3D Tiles, every building: NOT every building was drawn (${allBuildings.featuresShown} of ${drawable})`,
      )
    }

    let entities: (ViewMeasurement & { chromium: string }) | null = null
    if (!options.skipEntities) {
      log(`entity view (timeout ${options.entityTimeoutS} s)…`)
      entities = await measureView(site.url, query('entities'), {
        timeoutS: options.entityTimeoutS,
        orbitS: options.orbitS,
        screenshot: screenshot('entities'),
      })
      describeView('GeoJSON entities', entities)
    }

    log(
      `screenshots: ${screenshot('tiles')}, ${screenshot('tiles-all')}` +
        `${entities ? `, ${screenshot('entities')}` : ''}`,
    )
    return { tiles, allBuildings, entities, geojsonBytes }
  } finally {
    await site.close()
  }
}

export async function runViewerBench(args: string[]): Promise<ViewerBenchResult> {
  const options = parseOptions(args)
  const cpus = os.cpus()
  const cpuModel = cpus[0]?.model ?? 'unknown'
  const totalMemGB = round(os.totalmem() / 2 ** 30, 1)
  log(
    `machine: ${cpus.length} CPUs (${cpuModel}), ${totalMemGB} GiB RAM, Node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((x) => round(x, 2))
        .join(' ')}`,
  )

  const serverUrl = postgresUrl()
  const databaseName = `citycheck_bench_viewer_${options.size.toLowerCase()}`
  log(`creating database ${databaseName} and loading the synthetic city ${options.size}…`)
  const database = await openDatabase({
    databaseUrl: await createScratchDatabase(serverUrl, databaseName),
    poolSize: 4,
  })
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'citycheck-bench-viewer-'))
  try {
    await loadSyntheticCity(database, options.size, SEED, log)
    const city = await cityBounds(database)
    log(
      `data: ${city.buildings} buildings over ${round(city.eastDeg - city.westDeg, 4)}° × ` +
        `${round(city.northDeg - city.southDeg, 4)}°, tallest ${round(city.maxHeightM, 1)} m`,
    )

    const tilesDir = path.join(workDir, 'tiles')
    const t0 = performance.now()
    const built = await buildCityTileset(database, {
      outDir: tilesDir,
      maxFeaturesPerTile: options.featuresPerTile,
    })
    const tilesetS = seconds(t0)
    const bytes = await tilesetBytes(tilesDir)
    const bytesPerBuilding = bytes / Math.max(1, built.buildings - built.skipped.length)
    log(
      `tileset: ${built.buildings} buildings (${built.skipped.length} skipped) → ${built.tiles} GLBs ` +
        `(at most ${options.featuresPerTile} buildings each), ` +
        `${round(bytes / 1e6, 1)} MB (tileset.json + GLBs), ${Math.round(bytesPerBuilding)} bytes/building, ` +
        `built from the database in ${round(tilesetS, 2)} s wall`,
    )

    // One building's problems change: the job rewrites its leaf and the massings above it.
    const [target] = await database.rows<{ id: number; region_code: string }>(
      sql`select id, region_code from buildings order by id limit 1 offset ${Math.floor(city.buildings / 2)}`,
    )
    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      values (${target!.region_code}, 'safety', 'bench: facade', ${target!.id}, 3, 'inspection', 2025, 'identified')`)
    const update = await updateCityTiles(database, { outDir: tilesDir, buildingIds: [Number(target!.id)] })
    log(
      `update after a problem opened on building ${target!.id}: ${update.rewritten.length} GLBs rewritten ` +
        `(${update.tileKeys.join(', ')} and the massings above it) in ${round(update.seconds, 2)} s wall`,
    )

    const views = options.tilesetOnly ? null : await measureViews(database, city, built, workDir, options)
    const tiles = views?.tiles ?? null
    const allBuildings = views?.allBuildings ?? null
    const entities = views?.entities ?? null
    const tilesBuildingsS = tiles?.phases.buildingsLoaded ?? null
    const entityBuildingsS = entities?.phases.buildingsLoaded ?? null
    const buildingsSpeedup =
      tilesBuildingsS && entityBuildingsS && !entities?.timedOut ? entityBuildingsS / tilesBuildingsS : null
    const speedup =
      tiles?.firstViewS && entities?.firstViewS && !tiles.timedOut
        ? entities.firstViewS / tiles.firstViewS
        : null
    const allBuildingsSpeedup =
      allBuildings?.firstViewS && entities?.firstViewS && !allBuildings.timedOut
        ? entities.firstViewS / allBuildings.firstViewS
        : null
    if (allBuildingsSpeedup !== null) {
      log(`every building drawn: 3D Tiles ${round(allBuildingsSpeedup, 1)}× faster than the entities`)
    }
    if (speedup !== null) {
      log(
        `first full view: 3D Tiles ${round(speedup, 1)}× ${entities?.timedOut ? 'faster AT LEAST (the entity view timed out, so this is a lower bound)' : 'faster'} than the entities`,
      )
    }
    if (buildingsSpeedup !== null) {
      log(`buildings alone (without waiting for the globe): 3D Tiles ${round(buildingsSpeedup, 1)}× faster`)
    }
    log(
      `load average now ${os
        .loadavg()
        .map((x) => round(x, 2))
        .join(' ')} (the machine may be shared)`,
    )
    const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1)
    return {
      bench: 'viewer',
      size: options.size,
      buildings: city.buildings,
      tilesetS: round(tilesetS),
      tiles: built.tiles,
      featuresPerTile: options.featuresPerTile,
      updateS: round(update.seconds),
      updateTilesRewritten: update.rewritten.length,
      tilesetBytes: bytes,
      bytesPerBuilding: round(bytesPerBuilding, 1),
      firstViewS: !tiles || tiles.timedOut ? null : round(tiles.firstViewS ?? 0),
      buildingsLoadedS: tilesBuildingsS === null ? null : round(tilesBuildingsS),
      entityBuildingsLoadedS: entityBuildingsS === null ? null : round(entityBuildingsS),
      buildingsSpeedup: buildingsSpeedup === null ? null : round(buildingsSpeedup, 1),
      tilesBuildingsShown: tiles?.buildingsShown ?? null,
      tilesFeaturesShown: tiles?.featuresShown ?? null,
      tilesLoaded: tiles?.tilesLoaded ?? null,
      fps: tiles?.orbit ? round(tiles.orbit.fps, 2) : null,
      allBuildingsFirstViewS:
        !allBuildings || allBuildings.timedOut ? null : round(allBuildings.firstViewS ?? 0),
      allBuildingsShown: allBuildings?.featuresShown ?? null,
      allBuildingsTilesLoaded: allBuildings?.tilesLoaded ?? null,
      allBuildingsFps: allBuildings?.orbit ? round(allBuildings.orbit.fps, 2) : null,
      entityFirstViewS: entities?.firstViewS == null ? null : round(entities.firstViewS),
      entityTimedOut: entities?.timedOut ?? false,
      entities: entities?.buildingsShown ?? null,
      fpsEntities: entities?.orbit ? round(entities.orbit.fps, 2) : null,
      speedup: speedup === null ? null : round(speedup, 1),
      speedupIsLowerBound: entities?.timedOut ?? false,
      allBuildingsSpeedup: allBuildingsSpeedup === null ? null : round(allBuildingsSpeedup, 1),
      geojsonBytes: views?.geojsonBytes ?? null,
      peakRssMB,
      tilesPageHeapMB: tiles?.heapMB == null ? null : Math.round(tiles.heapMB),
      entitiesPageHeapMB: entities?.heapMB == null ? null : Math.round(entities.heapMB),
      cpus: cpus.length,
      cpuModel,
      totalMemGB,
      node: process.version,
      chromium: tiles?.chromium ?? null,
    }
  } finally {
    await database.close()
    await rm(workDir, { recursive: true, force: true })
    if (options.keep) log(`kept database ${databaseName}`)
    else await dropScratchDatabase(serverUrl, databaseName)
  }
}
