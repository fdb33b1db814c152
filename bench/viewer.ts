import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CITY_MAX_FEATURES_PER_TILE } from '../jobs/tiles/city.ts'
import { type Database, openDatabase } from '../server/db/client.ts'
import { createScratchDatabase, dropScratchDatabase, loadSyntheticCity, postgresUrl } from './database.ts'
import { SYNTHETIC_SIZES, type SyntheticSize } from './synthetic/city.ts'
import { log, round } from './viewer-browser.ts'
import {
  type BuiltTileset,
  buildTileset,
  type CityBounds,
  cityBounds,
  type TilesetUpdate,
  updateAfterProblem,
} from './viewer-data.ts'
import { measureViews, type Views } from './viewer-views.ts'

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
  /** Print every frame up to each first full view. */
  trace: boolean
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
    trace: values.trace,
  }
}

interface Machine {
  cpus: number
  cpuModel: string
  totalMemGB: number
}

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => round(x, 2))
    .join(' ')

function describeMachine(): Machine {
  const cpus = os.cpus()
  const cpuModel = cpus[0]?.model ?? 'unknown'
  const totalMemGB = round(os.totalmem() / 2 ** 30, 1)
  log(
    `machine: ${cpus.length} CPUs (${cpuModel}), ${totalMemGB} GiB RAM, Node ${process.version}, ` +
      `load average ${loadAverage()}`,
  )
  return { cpus: cpus.length, cpuModel, totalMemGB }
}

export async function runViewerBench(args: string[]): Promise<ViewerBenchResult> {
  const options = parseOptions(args)
  const machine = describeMachine()
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
    const { tileset, update } = await buildAndUpdateTiles(
      database,
      city,
      path.join(workDir, 'tiles'),
      options,
    )
    const views = options.tilesetOnly
      ? null
      : await measureViews(database, city, tileset.drawable, workDir, options)
    const result = resultOf(options, city, tileset, update, views, machine)
    log(`load average now ${loadAverage()} (the machine may be shared)`)
    return result
  } finally {
    await database.close()
    await rm(workDir, { recursive: true, force: true })
    if (options.keep) log(`kept database ${databaseName}`)
    else await dropScratchDatabase(serverUrl, databaseName)
  }
}

async function buildAndUpdateTiles(
  database: Database,
  city: CityBounds,
  tilesDir: string,
  options: Options,
): Promise<{ tileset: BuiltTileset; update: TilesetUpdate }> {
  const tileset = await buildTileset(database, tilesDir, options.featuresPerTile)
  const { built } = tileset
  log(
    `tileset: ${built.buildings} buildings (${built.skipped.length} skipped) → ${built.tiles} GLBs ` +
      `(at most ${options.featuresPerTile} buildings each), ` +
      `${round(tileset.bytes / 1e6, 1)} MB (tileset.json + GLBs), ${Math.round(tileset.bytesPerBuilding)} bytes/building, ` +
      `built from the database in ${round(tileset.seconds, 2)} s wall`,
  )
  const update = await updateAfterProblem(database, city, tilesDir)
  log(
    `update after a problem opened on building ${update.buildingId}: ${update.rewritten.length} GLBs rewritten ` +
      `(${update.tileKeys.join(', ')} and the massings above it) in ${round(update.seconds, 2)} s wall`,
  )
  return { tileset, update }
}

/** How much sooner the tiles are complete than the entities, each null when a side is missing or timed out. */
function speedups(views: Views | null) {
  const tiles = views?.tiles ?? null
  const allBuildings = views?.allBuildings ?? null
  const entities = views?.entities ?? null
  const tilesBuildingsS = tiles?.phases.buildingsLoaded ?? null
  const entityBuildingsS = entities?.phases.buildingsLoaded ?? null
  const buildings =
    tilesBuildingsS && entityBuildingsS && !entities?.timedOut ? entityBuildingsS / tilesBuildingsS : null
  const firstView =
    tiles?.firstViewS && entities?.firstViewS && !tiles.timedOut
      ? entities.firstViewS / tiles.firstViewS
      : null
  const allBuildingsView =
    allBuildings?.firstViewS && entities?.firstViewS && !allBuildings.timedOut
      ? entities.firstViewS / allBuildings.firstViewS
      : null
  if (allBuildingsView !== null) {
    log(`every building drawn: 3D Tiles ${round(allBuildingsView, 1)}× faster than the entities`)
  }
  if (firstView !== null) {
    log(
      `first full view: 3D Tiles ${round(firstView, 1)}× ${entities?.timedOut ? 'faster AT LEAST (the entity view timed out, so this is a lower bound)' : 'faster'} than the entities`,
    )
  }
  if (buildings !== null) {
    log(`buildings alone (without waiting for the globe): 3D Tiles ${round(buildings, 1)}× faster`)
  }
  return { tilesBuildingsS, entityBuildingsS, buildings, firstView, allBuildingsView }
}

const rounded = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined ? null : round(x, digits)

function resultOf(
  options: Options,
  city: CityBounds,
  tileset: BuiltTileset,
  update: TilesetUpdate,
  views: Views | null,
  machine: Machine,
): ViewerBenchResult {
  const tiles = views?.tiles ?? null
  const allBuildings = views?.allBuildings ?? null
  const entities = views?.entities ?? null
  const speedup = speedups(views)
  return {
    bench: 'viewer',
    size: options.size,
    buildings: city.buildings,
    tilesetS: round(tileset.seconds),
    tiles: tileset.built.tiles,
    featuresPerTile: options.featuresPerTile,
    updateS: round(update.seconds),
    updateTilesRewritten: update.rewritten.length,
    tilesetBytes: tileset.bytes,
    bytesPerBuilding: round(tileset.bytesPerBuilding, 1),
    firstViewS: !tiles || tiles.timedOut ? null : round(tiles.firstViewS ?? 0),
    buildingsLoadedS: rounded(speedup.tilesBuildingsS),
    entityBuildingsLoadedS: rounded(speedup.entityBuildingsS),
    buildingsSpeedup: rounded(speedup.buildings, 1),
    tilesBuildingsShown: tiles?.buildingsShown ?? null,
    tilesFeaturesShown: tiles?.featuresShown ?? null,
    tilesLoaded: tiles?.tilesLoaded ?? null,
    fps: rounded(tiles?.orbit?.fps, 2),
    allBuildingsFirstViewS:
      !allBuildings || allBuildings.timedOut ? null : round(allBuildings.firstViewS ?? 0),
    allBuildingsShown: allBuildings?.featuresShown ?? null,
    allBuildingsTilesLoaded: allBuildings?.tilesLoaded ?? null,
    allBuildingsFps: rounded(allBuildings?.orbit?.fps, 2),
    entityFirstViewS: rounded(entities?.firstViewS),
    entityTimedOut: entities?.timedOut ?? false,
    entities: entities?.buildingsShown ?? null,
    fpsEntities: rounded(entities?.orbit?.fps, 2),
    speedup: rounded(speedup.firstView, 1),
    speedupIsLowerBound: entities?.timedOut ?? false,
    allBuildingsSpeedup: rounded(speedup.allBuildingsView, 1),
    geojsonBytes: views?.geojsonBytes ?? null,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    tilesPageHeapMB: tiles?.heapMB == null ? null : Math.round(tiles.heapMB),
    entitiesPageHeapMB: entities?.heapMB == null ? null : Math.round(entities.heapMB),
    ...machine,
    node: process.version,
    chromium: tiles?.chromium ?? null,
  }
}
