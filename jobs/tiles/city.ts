/**
 * The city model as 3D Tiles (docs/adr/0006, 0024): a public tileset per city (public buildings, public
 * attributes) and a tileset per region (every building of the region with its open-problem summary), written by
 * {@link generateTileset}; when buildings or their problems change, only the tiles holding
 * them are rewritten. Runs against one directory are serialised in this process (the generator's manifest is
 * read-modify-write); the tiles job keeps runs on other processes apart.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { buildingIdRange, loadBuildingColumns, paddedExtentOf } from './city-columns.ts'
import {
  loadBuildings,
  loadMassingSources,
  overlapsExtent,
  regionFilter,
  tilesetFilter,
} from './city-rows.ts'
import { ManifestError } from './errors.ts'
import { decodeGlb, readBufferView } from './glb.ts'
import { contentUriOf, readManifest, TileIndex } from './manifest.ts'
import { generateTilesetOnWorkers } from './parallel-build.ts'
import { formatTileKey, parentCoord, parseTileKey } from './quadtree.ts'
import {
  readSourceState,
  removeSourceState,
  type SourceState,
  sameSourceState,
  sourceState,
  writeSourceState,
} from './source-state.ts'
import { defaultTileWorkers, TileWorkers } from './tile-pool.ts'
import {
  DEFAULT_GEOMETRIC_ERROR_SCALE,
  generateTileset,
  massingUpdateArea,
  regenerateMassings,
  regenerateTiles,
} from './tileset.ts'
import type { ExtentDeg, GenerateTilesetResult, RegenerateTilesResult, TileKey } from './types.ts'

/**
 * Directory of a city's public tileset under the data directory (docs/adr/0024: one per city-level region).
 * Without a city: the directory of one tileset of everything, for tools and tests that tile a single city.
 */
export function cityTilesDir(dataDir: string, cityCode?: string): string {
  const dir = path.join(dataDir, 'tiles', 'city')
  return cityCode ? path.join(dir, cityCode) : dir
}

/** Directory of a region's tileset (with problems, read with a token) under the data directory. */
export function regionTilesDir(dataDir: string, regionCode: string): string {
  return path.join(dataDir, 'tiles', 'region', regionCode)
}

export interface BuildCityTilesetOptions {
  /** Directory receiving tileset.json and the GLBs, usually {@link cityTilesDir}. */
  outDir: string
  /** Only buildings whose region code starts with this region's scope prefix. */
  regionCode?: string
  /** The public tileset: public buildings only, without problem attributes. @defaultValue false */
  publicOnly?: boolean
  /** Passed through to {@link generateTileset}. @defaultValue {@link CITY_MAX_FEATURES_PER_TILE} */
  maxFeaturesPerTile?: number
  /**
   * Worker threads building the tiles beside this one (ADR 0008); 0 builds them on this thread alone.
   * @defaultValue one per core but one, at most three, for {@link MIN_BUILDINGS_ON_WORKERS} buildings or more
   */
  workers?: number
}

export interface BuildCityTilesetResult extends GenerateTilesetResult {
  buildings: number
  rootExtentDeg: ExtentDeg
  seconds: number
}

/**
 * Buildings per GLB for the city: small enough that a district streams as several tiles (about 0.6 MB
 * each) and the quadtree's geometric errors let Cesium skip far-away tiles.
 */
export const CITY_MAX_FEATURES_PER_TILE = 500

/**
 * Block massing under every inner tile (massing.ts): 16 × 16 cells, so a whole-city view draws a few thousand
 * boxes instead of every building, and a district view the buildings themselves.
 */
export const CITY_MASSING_DEPTH = 4

/** Below this a city's tiles take well under a second on one thread, less than starting the workers. */
export const MIN_BUILDINGS_ON_WORKERS = 20_000

/** Runs per tiles directory, chained so they never overlap. */
const queues = new Map<string, Promise<unknown>>()

function serialised<T>(outDir: string, run: () => Promise<T>): Promise<T> {
  const key = path.resolve(outDir)
  const next = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(run)
  queues.set(key, next)
  void next
    .finally(() => {
      if (queues.get(key) === next) queues.delete(key)
    })
    .catch(() => {})
  return next
}

export function buildCityTileset(
  database: Database,
  options: BuildCityTilesetOptions,
): Promise<BuildCityTilesetResult> {
  return serialised(options.outDir, () => buildNow(database, options))
}

async function buildNow(
  database: Database,
  options: BuildCityTilesetOptions,
): Promise<BuildCityTilesetResult> {
  const started = performance.now()
  const publicOnly = options.publicOnly ?? false
  const where = tilesetFilter(options.regionCode, publicOnly)
  const source = await sourceState(database, options.regionCode, publicOnly)
  await removeSourceState(options.outDir)
  const range = await buildingIdRange(database, where)
  const threads = options.workers ?? (range.count >= MIN_BUILDINGS_ON_WORKERS ? defaultTileWorkers() : 0)
  // Started before the read, so the threads are up when the buildings are.
  const pool = threads > 0 ? TileWorkers.start(threads) : null
  try {
    const columns = await loadBuildingColumns(database, where, !publicOnly, range)
    const rootExtentDeg = paddedExtentOf(columns)
    const generateOptions = {
      outDir: options.outDir,
      publicOnly,
      rootExtentDeg,
      maxFeaturesPerTile: options.maxFeaturesPerTile ?? CITY_MAX_FEATURES_PER_TILE,
      massingDepth: CITY_MASSING_DEPTH,
    }
    const result = await generateTilesetOnWorkers(columns, generateOptions, pool)
    await writeSourceState(options.outDir, source)
    const seconds = (performance.now() - started) / 1000
    return { ...result, buildings: columns.count, rootExtentDeg, seconds }
  } finally {
    await pool?.close()
  }
}

export type RefreshCityTilesResult =
  | { kind: 'unchanged' }
  | { kind: 'built'; result: BuildCityTilesetResult }
  | { kind: 'updated'; result: UpdateCityTilesResult }

/**
 * Brings a city tileset up to date with the database: nothing when nothing changed, only the affected tiles
 * when buildings were edited or added or their problems changed, a full build when there is no tileset yet,
 * buildings were deleted or a new building lies outside the tileset's root extent.
 */
export function refreshCityTiles(
  database: Database,
  options: BuildCityTilesetOptions,
): Promise<RefreshCityTilesResult> {
  return serialised(options.outDir, async () => {
    const rebuild = async (): Promise<RefreshCityTilesResult> => ({
      kind: 'built',
      result: await buildNow(database, options),
    })
    const previous = await readSourceState(options.outDir)
    const current = await sourceState(database, options.regionCode, options.publicOnly ?? false)
    if (!previous || !(await patchable(options, previous, current))) return rebuild()
    if (sameSourceState(previous, current)) return { kind: 'unchanged' }
    let result: UpdateCityTilesResult
    try {
      result = await updateChangedSince(database, options, previous, current)
    } catch (err) {
      // Files the update needs are missing or unreadable (a massing summary, say): build afresh.
      if (err instanceof ManifestError) return rebuild()
      throw err
    }
    if (result.skipped.length > 0) return rebuild()
    await writeSourceState(options.outDir, current)
    return { kind: 'updated', result }
  })
}

/** Whether changes can be patched into the tileset, rather than building it afresh. */
async function patchable(
  options: BuildCityTilesetOptions,
  previous: SourceState,
  current: SourceState,
): Promise<boolean> {
  const manifest = await readManifest(options.outDir).catch(() => null)
  if (!manifest || previous.regionCode !== (options.regionCode ?? null)) return false
  const publicOnly = options.publicOnly ?? false
  if ((manifest.publicOnly ?? false) !== publicOnly || (previous.publicOnly ?? false) !== publicOnly)
    return false
  // Built by an earlier version with other tiling parameters (e.g. the smaller parent geometric error that left
  // whole-city views empty): rebuilt once rather than patched.
  const maxFeatures = options.maxFeaturesPerTile ?? CITY_MAX_FEATURES_PER_TILE
  if (
    manifest.geometricErrorScale !== DEFAULT_GEOMETRIC_ERROR_SCALE ||
    manifest.maxFeaturesPerTile !== maxFeatures ||
    (manifest.massingDepth ?? 0) !== CITY_MASSING_DEPTH
  ) {
    return false
  }
  // A deleted building may have left its tile and the massings above it: only a build finds them all.
  return current.buildings >= previous.buildings
}

/**
 * Rewrites the tiles of the buildings edited, and of those whose problems changed, since `previous`. For the
 * public tileset every edited building counts, public or not (one that stopped being public leaves its tile),
 * and problems do not.
 */
async function updateChangedSince(
  database: Database,
  options: BuildCityTilesetOptions,
  previous: SourceState,
  current: SourceState,
): Promise<UpdateCityTilesResult> {
  const since = (at: string | null) => (at === null ? sql`true` : sql`updated_at > ${at}::timestamptz`)
  const problems = options.publicOnly
    ? sql``
    : sql`union select building_id from problems where building_id is not null and ${since(previous.problemsUpdatedAt)}`
  const ids = await database.rows<{ id: number }>(sql`
    select b.id from buildings b where ${regionFilter(options.regionCode)} and b.id in (
        select id from buildings where ${since(previous.buildingsUpdatedAt)} ${problems}
      )`)
  return updateNow(database, {
    outDir: options.outDir,
    buildingIds: ids.map((r) => Number(r.id)),
    ...(options.regionCode ? { regionCode: options.regionCode } : {}),
    ...(options.publicOnly ? { publicOnly: true } : {}),
    footprintsChanged: current.buildingsUpdatedAt !== previous.buildingsUpdatedAt,
  })
}

export interface UpdateCityTilesOptions {
  /** Directory of a tileset written by {@link buildCityTileset}. */
  outDir: string
  /** Buildings that changed (attributes, problems, footprint) or were deleted. */
  buildingIds: readonly number[]
  /** The region the tileset was built for, if any. */
  regionCode?: string
  /** The tileset is the public one (public buildings, no problems). */
  publicOnly?: boolean
  /**
   * Set when footprints may have moved or buildings were deleted: the tiles that held these buildings are
   * then found by reading the GLBs' id columns. Without it a building's tile follows from its footprint.
   */
  footprintsChanged?: boolean
}

export interface UpdateCityTilesResult extends RegenerateTilesResult {
  /** Leaf cells that were rebuilt from the database. */
  tileKeys: TileKey[]
  seconds: number
}

/**
 * Rewrites only the tiles holding the given buildings: each affected cell is rebuilt from every building
 * whose anchor lies in it, so a recoloured building (e.g. a problem closed) costs one GLB.
 */
export function updateCityTiles(
  database: Database,
  options: UpdateCityTilesOptions,
): Promise<UpdateCityTilesResult> {
  return serialised(options.outDir, () => updateNow(database, options))
}

async function updateNow(
  database: Database,
  options: UpdateCityTilesOptions,
): Promise<UpdateCityTilesResult> {
  const started = performance.now()
  const index = new TileIndex(await readManifest(options.outDir))
  const withProblems = !options.publicOnly
  const where = tilesetFilter(options.regionCode, !withProblems)
  const ids = [...new Set(options.buildingIds)]
  const keys = new Set<TileKey>()
  if (ids.length > 0) {
    const changed = await loadBuildings(
      database,
      sql`${where} and b.id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
      withProblems,
    )
    for (const b of changed) {
      const key = index.keyOf(b.footprint)
      if (key) keys.add(key)
    }
    if (options.footprintsChanged || changed.length < ids.length) {
      for (const key of await tilesHolding(options.outDir, index, new Set(ids))) keys.add(key)
    }
  }
  const tileKeys = [...keys].sort()
  if (tileKeys.length === 0) {
    return {
      rewritten: [],
      removed: [],
      split: [],
      bytes: 0,
      tileOf: new Map(),
      skipped: [],
      tileKeys,
      seconds: 0,
    }
  }
  // Candidates by bounding box (a building's anchor is its bbox centre), then exactly by the index.
  const envelopes = tileKeys.map((key) => overlapsExtent(index.extentDeg(key)))
  const candidates = await loadBuildings(
    database,
    sql`${where} and (${sql.join(envelopes, sql` or `)})`,
    withProblems,
  )
  const buildings = candidates.filter((b) => {
    const key = index.keyOf(b.footprint)
    return key !== null && keys.has(key)
  })
  const result = await regenerateTiles(buildings, { outDir: options.outDir, tileKeys })
  const massings = await updateMassings(database, { outDir: options.outDir, where, withProblems }, [
    ...tileKeys,
    ...result.rewritten,
  ])
  return {
    ...result,
    rewritten: [...result.rewritten, ...massings.rewritten].sort(),
    removed: [...result.removed, ...massings.removed].sort(),
    bytes: result.bytes + massings.bytes,
    tileKeys,
    seconds: (performance.now() - started) / 1000,
  }
}

/**
 * Rebuilds the block massings above the changed cells: in every subdivided ancestor of `changed`, the boxes
 * that overlap a changed cell, from the bounding boxes and attributes (no footprints) of the buildings around it
 * (`massingUpdateArea`: at most a 4^-depth share of the city for a deep leaf); the other boxes stay as they are.
 */
async function updateMassings(
  database: Database,
  { outDir, where, withProblems }: { outDir: string; where: SQL; withProblems: boolean },
  changed: readonly TileKey[],
): Promise<{ rewritten: TileKey[]; removed: TileKey[]; bytes: number }> {
  const manifest = await readManifest(outDir)
  const depth = manifest.massingDepth ?? 0
  if (depth === 0 || changed.length === 0) return { rewritten: [], removed: [], bytes: 0 }
  const split = new Set(manifest.split)
  const ancestors = new Set<TileKey>()
  for (const key of changed) {
    let coord = parseTileKey(key)
    if (split.has(key)) ancestors.add(key)
    while (coord.level > 0) {
      coord = parentCoord(coord)
      ancestors.add(formatTileKey(coord))
    }
  }
  const keys = [...ancestors].filter((key) => split.has(key))
  if (keys.length === 0) return { rewritten: [], removed: [], bytes: 0 }
  const index = new TileIndex(manifest)
  const areas = [...new Set(changed.map((key) => massingUpdateArea(key, depth)))].map((key) =>
    overlapsExtent(index.extentDeg(key)),
  )
  const sources = await loadMassingSources(
    database,
    sql`${where} and (${sql.join(areas, sql` or `)})`,
    withProblems,
  )
  return regenerateMassings(sources, { outDir, tileKeys: keys, dirtyKeys: changed })
}

/** Keys of the content tiles whose feature table holds any of `ids`. */
async function tilesHolding(outDir: string, index: TileIndex, ids: ReadonlySet<number>): Promise<TileKey[]> {
  const out: TileKey[] = []
  for (const key of Object.keys(index.manifest.tiles)) {
    const glb = decodeGlb(await readFile(path.join(outDir, contentUriOf(key))))
    const table = glb.json.extensions?.EXT_structural_metadata?.propertyTables?.[0]
    const view = table?.properties?.id?.values
    if (typeof view !== 'number') continue
    const column = readBufferView(glb, view, 5125) as Uint32Array
    if (column.some((id) => ids.has(id))) out.push(key)
  }
  return out
}
