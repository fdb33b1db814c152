/**
 * The city-model job: reads every building (optionally of one region) from PostGIS with its open-problem
 * summary and writes a 3D Tiles 1.1 tileset with {@link generateTileset}.
 *
 * When buildings or their problems change, {@link updateCityTiles} rewrites only the tiles holding them.
 * Runs against one directory are serialised in this process (the generator's manifest is read-modify-write).
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { ManifestError } from './errors.ts'
import { decodeGlb, readBufferView } from './glb.ts'
import { contentUriOf, readManifest, TileIndex } from './manifest.ts'
import { type MassingSource, massingSource } from './massing.ts'
import { formatTileKey, parentCoord, parseTileKey } from './quadtree.ts'
import {
  DEFAULT_GEOMETRIC_ERROR_SCALE,
  generateTileset,
  massingUpdateArea,
  regenerateMassings,
  regenerateTiles,
} from './tileset.ts'
import type {
  ExtentDeg,
  Footprint,
  GenerateTilesetResult,
  RegenerateTilesResult,
  TileBuilding,
  TileKey,
} from './types.ts'

/** Tileset directory of the whole city under the data directory. */
export function cityTilesDir(dataDir: string): string {
  return path.join(dataDir, 'tiles', 'city')
}

export interface BuildCityTilesetOptions {
  /** Directory receiving tileset.json and the GLBs, usually {@link cityTilesDir}. */
  outDir: string
  /** Only buildings whose region code starts with this region's scope prefix. */
  regionCode?: string
  /** Passed through to {@link generateTileset}. @defaultValue {@link CITY_MAX_FEATURES_PER_TILE} */
  maxFeaturesPerTile?: number
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

/** Margin around the buildings' extent so later regeneration can place new buildings near the edge. */
const EXTENT_MARGIN_DEG = 0.005

interface BuildingRow {
  id: number
  footprint: string | Footprint
  height_m: number
  min_height_m: number
  floors: number | null
  use: string | null
  year_built: number | null
  open_problems: number | string | null
  worst_severity: number | string | null
}

interface MassingRow extends Omit<BuildingRow, 'footprint'> {
  west: number
  south: number
  east: number
  north: number
}

interface ExtentRow {
  west: number | null
  south: number | null
  east: number | null
  north: number | null
}

/** The `where` clause restricting buildings to a region (by its scope prefix), or true. */
function regionFilter(regionCode: string | undefined): SQL {
  if (!regionCode) return sql`true`
  return sql`b.region_code like (select r.scope_prefix from regions r where r.code = ${regionCode}) || '%'`
}

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

/** Open problems per building: count and worst severity. */
const openProblemSummary = sql`
  select building_id, count(*)::int as open_problems, max(severity)::int as worst_severity
  from problems where state <> 'closed' and building_id is not null group by building_id`

/** Buildings (with their open-problem summary) matching `where`, ordered by id. */
async function loadBuildings(database: Database, where: SQL): Promise<TileBuilding[]> {
  const rows = await database.rows<BuildingRow>(sql`
    select b.id, ST_AsGeoJSON(b.footprint) as footprint, b.height_m, b.min_height_m, b.floors, b.use,
      b.year_built, coalesce(p.open_problems, 0) as open_problems, coalesce(p.worst_severity, 0) as worst_severity
    from buildings b
    left join (${openProblemSummary}) p on p.building_id = b.id
    where ${where}
    order by b.id`)
  return rows.map(toTileBuilding)
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
  const where = regionFilter(options.regionCode)
  const source = await sourceState(database, options.regionCode)
  const buildings = await loadBuildings(database, where)
  const [extent] = await database.rows<ExtentRow>(sql`
    select ST_XMin(e) as west, ST_YMin(e) as south, ST_XMax(e) as east, ST_YMax(e) as north
    from (select ST_Extent(b.footprint) as e from buildings b where ${where}) t`)
  const rootExtentDeg = padExtent(extent)
  const result = await generateTileset(buildings, {
    outDir: options.outDir,
    rootExtentDeg,
    maxFeaturesPerTile: options.maxFeaturesPerTile ?? CITY_MAX_FEATURES_PER_TILE,
    massingDepth: CITY_MASSING_DEPTH,
  })
  await writeSourceState(options.outDir, source)
  const seconds = (performance.now() - started) / 1000
  return { ...result, buildings: buildings.length, rootExtentDeg, seconds }
}

/** What the tileset was built from, to tell later whether the database has moved on. */
interface SourceState {
  regionCode: string | null
  buildings: number
  /** `max(updated_at)::text` of the buildings and of the problems attached to buildings. */
  buildingsUpdatedAt: string | null
  problemsUpdatedAt: string | null
}

const SOURCE_FILE = 'source.json'

async function sourceState(database: Database, regionCode: string | undefined): Promise<SourceState> {
  const [b] = await database.rows<{ n: number; at: string | null }>(sql`
    select count(*)::int as n, max(b.updated_at)::text as at from buildings b where ${regionFilter(regionCode)}`)
  const [p] = await database.rows<{ at: string | null }>(
    sql`select max(updated_at)::text as at from problems where building_id is not null`,
  )
  return {
    regionCode: regionCode ?? null,
    buildings: Number(b?.n ?? 0),
    buildingsUpdatedAt: b?.at ?? null,
    problemsUpdatedAt: p?.at ?? null,
  }
}

async function writeSourceState(outDir: string, state: SourceState): Promise<void> {
  const file = path.join(outDir, SOURCE_FILE)
  await writeFile(`${file}.tmp`, JSON.stringify(state))
  await rename(`${file}.tmp`, file)
}

async function readSourceState(outDir: string): Promise<SourceState | null> {
  try {
    return JSON.parse(await readFile(path.join(outDir, SOURCE_FILE), 'utf8')) as SourceState
  } catch {
    return null
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
    const previous = await readSourceState(options.outDir)
    const manifest = await readManifest(options.outDir).catch(() => null)
    const current = await sourceState(database, options.regionCode)
    const rebuild = async (): Promise<RefreshCityTilesResult> => ({
      kind: 'built',
      result: await buildNow(database, options),
    })
    if (!previous || !manifest || previous.regionCode !== (options.regionCode ?? null)) return rebuild()
    // Built by an earlier version with other tiling parameters (e.g. the smaller parent geometric error that left
    // whole-city views empty): rebuilt once rather than patched.
    const maxFeatures = options.maxFeaturesPerTile ?? CITY_MAX_FEATURES_PER_TILE
    if (
      manifest.geometricErrorScale !== DEFAULT_GEOMETRIC_ERROR_SCALE ||
      manifest.maxFeaturesPerTile !== maxFeatures ||
      (manifest.massingDepth ?? 0) !== CITY_MASSING_DEPTH
    ) {
      return rebuild()
    }
    if (current.buildings < previous.buildings) return rebuild()
    const changedBuildings = current.buildingsUpdatedAt !== previous.buildingsUpdatedAt
    const changedProblems = current.problemsUpdatedAt !== previous.problemsUpdatedAt
    if (!changedBuildings && !changedProblems && current.buildings === previous.buildings) {
      return { kind: 'unchanged' }
    }
    const since = (at: string | null) => (at === null ? sql`true` : sql`updated_at > ${at}::timestamptz`)
    const where = regionFilter(options.regionCode)
    const ids = await database.rows<{ id: number }>(sql`
      select b.id from buildings b where ${where} and b.id in (
          select id from buildings where ${since(previous.buildingsUpdatedAt)}
          union select building_id from problems where building_id is not null and ${since(previous.problemsUpdatedAt)}
        )`)
    let result: UpdateCityTilesResult
    try {
      result = await updateNow(database, {
        outDir: options.outDir,
        buildingIds: ids.map((r) => Number(r.id)),
        ...(options.regionCode ? { regionCode: options.regionCode } : {}),
        footprintsChanged: changedBuildings,
      })
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

export interface UpdateCityTilesOptions {
  /** Directory of a tileset written by {@link buildCityTileset}. */
  outDir: string
  /** Buildings that changed (attributes, problems, footprint) or were deleted. */
  buildingIds: readonly number[]
  /** The region the tileset was built for, if any. */
  regionCode?: string
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
  const where = regionFilter(options.regionCode)
  const ids = [...new Set(options.buildingIds)]
  const keys = new Set<TileKey>()
  if (ids.length > 0) {
    const changed = await loadBuildings(
      database,
      sql`${where} and b.id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
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
  const envelopes = tileKeys.map((key) => {
    const e = index.extentDeg(key)
    return sql`b.footprint && ST_MakeEnvelope(${e.westDeg}, ${e.southDeg}, ${e.eastDeg}, ${e.northDeg}, 4326)`
  })
  const candidates = await loadBuildings(database, sql`${where} and (${sql.join(envelopes, sql` or `)})`)
  const buildings = candidates.filter((b) => {
    const key = index.keyOf(b.footprint)
    return key !== null && keys.has(key)
  })
  const result = await regenerateTiles(buildings, { outDir: options.outDir, tileKeys })
  const massings = await updateMassings(database, options.outDir, where, [...tileKeys, ...result.rewritten])
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
  outDir: string,
  where: SQL,
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
  const areas = [...new Set(changed.map((key) => massingUpdateArea(key, depth)))].map((key) => {
    const e = index.extentDeg(key)
    return sql`b.footprint && ST_MakeEnvelope(${e.westDeg}, ${e.southDeg}, ${e.eastDeg}, ${e.northDeg}, 4326)`
  })
  const rows = await database.rows<MassingRow>(sql`
    select b.id, ST_XMin(b.footprint) as west, ST_YMin(b.footprint) as south, ST_XMax(b.footprint) as east,
      ST_YMax(b.footprint) as north, b.height_m, b.min_height_m, b.floors, b.use, b.year_built,
      coalesce(p.open_problems, 0) as open_problems, coalesce(p.worst_severity, 0) as worst_severity
    from buildings b
    left join (${openProblemSummary}) p on p.building_id = b.id
    where ${where} and (${sql.join(areas, sql` or `)})
    order by b.id`)
  const sources: MassingSource[] = []
  for (const row of rows) {
    const source = massingSource(
      [Number(row.west), Number(row.south), Number(row.east), Number(row.north)],
      toTileAttributes(row),
    )
    if (source) sources.push(source)
  }
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

function toTileBuilding(row: BuildingRow): TileBuilding {
  const footprint =
    typeof row.footprint === 'string' ? (JSON.parse(row.footprint) as Footprint) : row.footprint
  return { id: Number(row.id), footprint, ...toTileAttributes(row) }
}

function toTileAttributes(row: Omit<BuildingRow, 'footprint'>): Omit<TileBuilding, 'id' | 'footprint'> {
  const baseM = Number(row.min_height_m) || 0
  return {
    baseM,
    heightM: Number(row.height_m) - baseM,
    floors: row.floors === null ? null : Number(row.floors),
    use: row.use,
    yearBuilt: row.year_built === null ? null : Number(row.year_built),
    openProblems: Number(row.open_problems ?? 0),
    worstSeverity: Math.min(3, Math.max(0, Number(row.worst_severity ?? 0))),
  }
}

function padExtent(row: ExtentRow | undefined): ExtentDeg {
  if (!row || row.west === null || row.south === null || row.east === null || row.north === null) {
    // No buildings: generateTileset reports the empty input; any valid extent will do.
    return { westDeg: 0, southDeg: 0, eastDeg: 1, northDeg: 1 }
  }
  return {
    westDeg: Number(row.west) - EXTENT_MARGIN_DEG,
    southDeg: Number(row.south) - EXTENT_MARGIN_DEG,
    eastDeg: Number(row.east) + EXTENT_MARGIN_DEG,
    northDeg: Number(row.north) + EXTENT_MARGIN_DEG,
  }
}
