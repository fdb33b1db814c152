/**
 * LOD1 3D Tiles 1.1 generation for CityCheck buildings.
 *
 * Tiling: buildings are placed in a quadtree over a fixed root extent (lon/lat degrees) by
 * their anchor point, the centre of the footprint's bounding box. A cell holding more than
 * `maxFeaturesPerTile` buildings is split into four; the buildings are in the leaves (one GLB each,
 * `<level>-<x>-<y>.glb`). With `massingDepth` 0 the parents are empty with `refine: ADD`; otherwise each holds
 * a block massing of everything below it (massing.ts) and tiles refine by REPLACE. A tile's `transform` is the
 * ENU→ECEF frame at its cell centre (relative to the nearest ancestor with content), so it never depends on the
 * buildings inside.
 *
 * Regeneration: manifest.json records the root extent, the options and the set of split
 * cells, so `TileIndex.keyOf(footprint)` maps any building to its leaf key deterministically
 * by descending the split cells. When buildings change, the caller computes the affected keys
 * (old and new key of each changed building), loads every building currently in those cells
 * and calls `regenerateTiles`: only those GLBs are rewritten (a cell that outgrows the limit is
 * split in place), then tileset.json is rebuilt from the manifest so bounding volumes follow the
 * new content; `regenerateMassings` then rebuilds the massings above the rewritten leaves. GLBs are written
 * before the tileset that references them, and obsolete ones are
 * deleted after, all via rename, so a server reading the directory never sees a broken tileset.
 * Runs against one directory must be serialised (manifest.json is read-modify-write).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeTileGlb } from './content.ts'
import {
  BuildingIdRangeError,
  DuplicateBuildingIdError,
  EmptyTilesetError,
  InvalidTilesOptionError,
  ManifestError,
  TileKeyMismatchError,
} from './errors.ts'
import {
  DEG_TO_RAD,
  type EnuFrame,
  enuFrame,
  enuToEcefMatrix,
  invertRigid,
  multiplyMatrices,
  WGS84_A_M,
} from './geodesy.ts'
import {
  contentUriOf,
  MANIFEST_FILE,
  newManifest,
  readManifest,
  serialiseManifest,
  TILESET_FILE,
  TileIndex,
  type TilesetManifest,
} from './manifest.ts'
import {
  groupMassing,
  type MassingGroup,
  type MassingGroups,
  type MassingSource,
  massingOf,
  massingSourceOf,
} from './massing.ts'
import { TileMeshBuilder } from './mesh.ts'
import { METADATA_SCHEMA } from './metadata.ts'
import {
  cellCentreDeg,
  cellIndex,
  childCoords,
  footprintAnchorDeg,
  formatTileKey,
  normalisedX,
  normalisedY,
  type PartitionLeaf,
  parentCoord,
  parseTileKey,
  partition,
  ROOT_TILE,
  type TileCoord,
} from './quadtree.ts'
import type {
  ExtentDeg,
  GenerateTilesetOptions,
  GenerateTilesetResult,
  RegenerateMassingsOptions,
  RegenerateTilesOptions,
  RegenerateTilesResult,
  Region,
  SkippedBuilding,
  TileBuilding,
  TileKey,
} from './types.ts'

export const DEFAULT_MAX_FEATURES_PER_TILE = 2000
export const DEFAULT_MAX_LEVEL = 20
export const DEFAULT_GEOMETRIC_ERROR_SCALE = 0.5
/** Deepest massing allowed: 2^8 × 2^8 boxes at most per inner tile. */
const MAX_MASSING_DEPTH = 8
/** Float32 feature ids are exact integers only up to 2^24. */
const MAX_FEATURES_LIMIT = 1 << 24
/** GLB writes allowed in flight while the next tile is being built. */
const WRITE_CONCURRENCY = 4

export async function generateTileset(
  buildings: readonly TileBuilding[],
  options: GenerateTilesetOptions,
): Promise<GenerateTilesetResult> {
  const maxFeatures = options.maxFeaturesPerTile ?? DEFAULT_MAX_FEATURES_PER_TILE
  const maxLevel = options.maxLevel ?? DEFAULT_MAX_LEVEL
  const geScale = options.geometricErrorScale ?? DEFAULT_GEOMETRIC_ERROR_SCALE
  const massingDepth = options.massingDepth ?? 0
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1 || maxFeatures > MAX_FEATURES_LIMIT) {
    throw new InvalidTilesOptionError(`maxFeaturesPerTile must be an integer in 1..${MAX_FEATURES_LIMIT}`)
  }
  if (!Number.isInteger(maxLevel) || maxLevel < 0 || maxLevel > 30) {
    throw new InvalidTilesOptionError('maxLevel must be an integer in 0..30')
  }
  if (!(geScale > 0 && Number.isFinite(geScale))) {
    throw new InvalidTilesOptionError('geometricErrorScale must be a positive number')
  }
  if (!Number.isInteger(massingDepth) || massingDepth < 0 || massingDepth > MAX_MASSING_DEPTH) {
    throw new InvalidTilesOptionError(`massingDepth must be an integer in 0..${MAX_MASSING_DEPTH}`)
  }
  if (options.rootExtentDeg) assertExtent(options.rootExtentDeg)
  checkIds(buildings)

  const skipped: SkippedBuilding[] = []
  const anchors = computeAnchors(buildings, skipped)
  const root = options.rootExtentDeg ?? extentOfAnchors(anchors)
  const tx = new Float64Array(buildings.length)
  const ty = new Float64Array(buildings.length)
  const items: number[] = []
  for (const i of anchors.valid) {
    tx[i] = normalisedX(anchors.lonDeg[i]!, root)
    ty[i] = normalisedY(anchors.latDeg[i]!, root)
    if (tx[i]! >= 0 && tx[i]! <= 1 && ty[i]! >= 0 && ty[i]! <= 1) items.push(i)
    else skipped.push({ id: buildings[i]!.id, reason: 'anchor outside root extent' })
  }
  sortById(items, buildings)

  const manifest = newManifest(root, maxFeatures, maxLevel, geScale, massingDepth)
  const { leaves, split } = partition(ROOT_TILE, items, tx, ty, maxFeatures, maxLevel)
  manifest.split = split

  await mkdir(options.outDir, { recursive: true })
  const previous = await readManifest(options.outDir).catch((err: unknown) => {
    if (err instanceof ManifestError) return null
    throw err
  })
  const written = await writeLeaves(options.outDir, manifest, leaves, buildings, skipped)
  if (massingDepth > 0 && split.length > 0) {
    // In id order, the order an update reads them in from the database, so both give the same bytes.
    const sources: MassingSource[] = []
    for (const i of items) {
      const source = massingSourceOf(buildings[i]!)
      if (source) sources.push(source)
    }
    await writeMassings(options.outDir, manifest, split, sources)
  }
  await writeTilesetFiles(options.outDir, manifest)
  if (previous) {
    const stale = Object.keys(previous.tiles).filter((key) => !(key in manifest.tiles))
    await removeGlbs(options.outDir, stale)
  }

  skipped.sort((a, b) => a.id - b.id)
  const contentUris = Object.keys(manifest.tiles).sort().map(contentUriOf)
  return { tiles: contentUris.length, bytes: written.bytes, contentUris, tileOf: written.tileOf, skipped }
}

export async function regenerateTiles(
  buildings: readonly TileBuilding[],
  options: RegenerateTilesOptions,
): Promise<RegenerateTilesResult> {
  const manifest = await readManifest(options.outDir)
  const index = new TileIndex(manifest)
  const targets = new Map<TileKey, TileCoord>()
  for (const key of options.tileKeys) targets.set(key, index.assertLeaf(key))
  checkIds(buildings)

  const skipped: SkippedBuilding[] = []
  const anchors = computeAnchors(buildings, skipped)
  const root = manifest.rootExtentDeg
  const tx = new Float64Array(buildings.length)
  const ty = new Float64Array(buildings.length)
  const groups = new Map<TileKey, number[]>()
  for (const key of targets.keys()) groups.set(key, [])
  for (const i of anchors.valid) {
    tx[i] = normalisedX(anchors.lonDeg[i]!, root)
    ty[i] = normalisedY(anchors.latDeg[i]!, root)
    if (!(tx[i]! >= 0 && tx[i]! <= 1 && ty[i]! >= 0 && ty[i]! <= 1)) {
      skipped.push({ id: buildings[i]!.id, reason: 'anchor outside root extent' })
      continue
    }
    const key = index.keyOfNormalised(tx[i]!, ty[i]!)
    const group = groups.get(key)
    if (!group) throw new TileKeyMismatchError(buildings[i]!.id, key)
    group.push(i)
  }

  const leaves: PartitionLeaf[] = []
  const splitKeys: TileKey[] = []
  const previousTiles = new Set<TileKey>()
  for (const [key, coord] of [...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key in manifest.tiles) previousTiles.add(key)
    delete manifest.tiles[key]
    const group = groups.get(key)!
    sortById(group, buildings)
    const parts = partition(coord, group, tx, ty, manifest.maxFeaturesPerTile, manifest.maxLevel)
    leaves.push(...parts.leaves)
    splitKeys.push(...parts.split)
  }
  manifest.split = [...new Set([...manifest.split, ...splitKeys])]

  const written = await writeLeaves(options.outDir, manifest, leaves, buildings, skipped)
  await writeTilesetFiles(options.outDir, manifest)
  const removed = [...previousTiles].filter((key) => !(key in manifest.tiles)).sort()
  await removeGlbs(options.outDir, removed)

  skipped.sort((a, b) => a.id - b.id)
  return {
    rewritten: written.keys,
    removed,
    split: splitKeys.sort(),
    bytes: written.bytes,
    tileOf: written.tileOf,
    skipped,
  }
}

/**
 * Rebuilds the block massings of the given inner cells. With `dirtyKeys`, only the boxes whose cells overlap
 * those cells are recomputed, from `sources`, which must then hold every building anchored in them; the other
 * boxes come from the summary kept beside each massing (`massings/<key>.json`). Without, every box is recomputed
 * and `sources` must hold every building below the given cells. Sources come in id order; others are ignored.
 * A cell left without buildings loses its massing. Call after {@link regenerateTiles} with the subdivided
 * ancestors of the cells it rewrote and those cells as `dirtyKeys` (see {@link massingUpdateArea}).
 */
export async function regenerateMassings(
  sources: readonly MassingSource[],
  options: RegenerateMassingsOptions,
): Promise<{ rewritten: TileKey[]; removed: TileKey[]; bytes: number }> {
  const manifest = await readManifest(options.outDir)
  if (!(manifest.massingDepth && manifest.massingDepth > 0)) {
    throw new InvalidTilesOptionError('this tileset was written without block massings (massingDepth 0)')
  }
  const index = new TileIndex(manifest)
  const keys = [...new Set(options.tileKeys)].sort()
  for (const key of keys) {
    parseTileKey(key)
    if (!index.isSplit(key)) throw new InvalidTilesOptionError(`${key} is not a subdivided cell`)
  }
  const dirty = options.dirtyKeys?.map(parseTileKey)
  const before = new Set(keys.filter((key) => key in manifest.tiles))
  for (const key of keys) delete manifest.tiles[key]
  const result = await writeMassings(options.outDir, manifest, keys, sources, dirty)
  await writeTilesetFiles(options.outDir, manifest)
  const removed = [...before].filter((key) => !(key in manifest.tiles))
  await removeGlbs(options.outDir, removed)
  return { rewritten: result.keys, removed, bytes: result.bytes }
}

/**
 * The cell whose buildings an update of the massings above `dirtyKey` reads: its ancestor `massingDepth` levels
 * below the root, or the cell itself when it is shallower. Every massing box that can overlap the dirty cell lies
 * inside it (the root's boxes are cells of that level; deeper massings have smaller boxes).
 */
export function massingUpdateArea(dirtyKey: TileKey, massingDepth: number): TileKey {
  let coord = parseTileKey(dirtyKey)
  while (coord.level > massingDepth) coord = parentCoord(coord)
  return formatTileKey(coord)
}

const MASSING_SUMMARY_DIR = 'massings'
const massingSummaryPath = (outDir: string, key: TileKey) => join(outDir, MASSING_SUMMARY_DIR, `${key}.json`)

async function readMassingGroups(outDir: string, key: TileKey): Promise<MassingGroups> {
  let text: string
  try {
    text = await readFile(massingSummaryPath(outDir, key), 'utf8')
  } catch (err) {
    throw new ManifestError(`the massing summary of ${key} is missing in ${outDir}; rebuild the tileset`, {
      cause: err,
    })
  }
  return new Map((JSON.parse(text) as { groups: [number, MassingGroup][] }).groups)
}

/** Whether the box of cell `cell` of the massing at `coord` overlaps any dirty cell. */
function overlapsDirty(
  coord: TileCoord,
  depth: number,
  dirty: readonly TileCoord[],
): (cell: number) => boolean {
  const side = 2 ** depth
  const level = coord.level + depth
  return (cell) => {
    const x = coord.x * side + (cell % side)
    const y = coord.y * side + Math.floor(cell / side)
    return dirty.some((d) => {
      if (d.level >= level) return d.x >> (d.level - level) === x && d.y >> (d.level - level) === y
      return x >> (level - d.level) === d.x && y >> (level - d.level) === d.y
    })
  }
}

/**
 * Writes the massing of each split cell in `keys`, with its summary, from the sources anchored below it: every
 * box, or with `dirty` only those overlapping the dirty cells (the rest from the summary written before).
 */
async function writeMassings(
  outDir: string,
  manifest: TilesetManifest,
  keys: readonly TileKey[],
  sources: readonly MassingSource[],
  dirty?: readonly TileCoord[],
): Promise<WrittenLeaves> {
  const depth = manifest.massingDepth ?? 0
  const root = manifest.rootExtentDeg
  const wanted = new Set(keys)
  const split = new Set(manifest.split)
  // Each source under every wanted cell on its anchor's path: one pass, depth × sources.
  const below = new Map<TileKey, MassingSource[]>()
  for (const s of sources) {
    const tx = normalisedX(s.lonDeg, root)
    const ty = normalisedY(s.latDeg, root)
    if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) continue
    for (let level = 0; ; level++) {
      const key = formatTileKey({ level, x: cellIndex(tx, level), y: cellIndex(ty, level) })
      if (!split.has(key)) break
      if (wanted.has(key)) {
        let list = below.get(key)
        if (!list) {
          list = []
          below.set(key, list)
        }
        list.push(s)
      }
    }
  }
  await mkdir(join(outDir, MASSING_SUMMARY_DIR), { recursive: true })
  const massings: { key: TileKey; coord: TileCoord; groups: MassingGroups }[] = []
  for (const key of [...wanted].sort()) {
    const coord = parseTileKey(key)
    const list = below.get(key) ?? []
    let groups: MassingGroups
    if (dirty) {
      const isDirty = overlapsDirty(coord, depth, dirty)
      groups = await readMassingGroups(outDir, key).catch((err: unknown) => {
        // A cell split by this update has no summary yet; it is dirty as a whole, so every box is recomputed.
        if (err instanceof ManifestError && dirty.some((d) => formatTileKey(d) === key)) return new Map()
        throw err
      })
      for (const cell of [...groups.keys()]) if (isDirty(cell)) groups.delete(cell)
      for (const [cell, group] of groupMassing(coord, root, depth, list, isDirty)) groups.set(cell, group)
    } else {
      groups = groupMassing(coord, root, depth, list)
    }
    if (groups.size === 0) continue
    const sorted = [...groups].sort(([a], [b]) => a - b)
    await writeAtomic(massingSummaryPath(outDir, key), `${JSON.stringify({ groups: sorted })}\n`)
    massings.push({ key, coord, groups })
  }
  const contents = function* (): Generator<Content> {
    for (const { key, coord, groups } of massings) {
      const massing = massingOf(groups)
      yield { key, coord, rows: massing.boxes, geometricError: massing.geometricErrorM }
    }
  }
  return writeContents(outDir, manifest, contents(), null)
}

function assertExtent(e: ExtentDeg): void {
  const ok =
    e.westDeg >= -180 && e.eastDeg <= 180 && e.southDeg >= -90 && e.northDeg <= 90 && e.westDeg < e.eastDeg
  if (!ok || !(e.southDeg < e.northDeg)) {
    throw new InvalidTilesOptionError(
      'rootExtentDeg must satisfy -180 ≤ west < east ≤ 180, -90 ≤ south < north ≤ 90',
    )
  }
}

function checkIds(buildings: readonly TileBuilding[]): void {
  const seen = new Set<number>()
  for (const b of buildings) {
    if (!Number.isInteger(b.id) || b.id < 0 || b.id > 0xffffffff) throw new BuildingIdRangeError(b.id)
    if (seen.has(b.id)) throw new DuplicateBuildingIdError(b.id)
    seen.add(b.id)
  }
}

interface Anchors {
  lonDeg: Float64Array
  latDeg: Float64Array
  valid: number[]
}

function computeAnchors(buildings: readonly TileBuilding[], skipped: SkippedBuilding[]): Anchors {
  const lonDeg = new Float64Array(buildings.length)
  const latDeg = new Float64Array(buildings.length)
  const valid: number[] = []
  for (let i = 0; i < buildings.length; i++) {
    const b = buildings[i]!
    const anchor =
      b.footprint?.type === 'Polygon' || b.footprint?.type === 'MultiPolygon'
        ? footprintAnchorDeg(b.footprint)
        : null
    if (!anchor) {
      skipped.push({ id: b.id, reason: 'footprint has no valid lon/lat coordinates' })
      continue
    }
    lonDeg[i] = anchor[0]
    latDeg[i] = anchor[1]
    valid.push(i)
  }
  return { lonDeg, latDeg, valid }
}

/** Root extent from the anchors, widened where all anchors share a coordinate (≈ 1 m). */
function extentOfAnchors(anchors: Anchors): ExtentDeg {
  if (anchors.valid.length === 0) {
    throw new EmptyTilesetError('no building has a valid footprint and no rootExtentDeg was given')
  }
  let westDeg = Number.POSITIVE_INFINITY
  let southDeg = Number.POSITIVE_INFINITY
  let eastDeg = Number.NEGATIVE_INFINITY
  let northDeg = Number.NEGATIVE_INFINITY
  for (const i of anchors.valid) {
    westDeg = Math.min(westDeg, anchors.lonDeg[i]!)
    eastDeg = Math.max(eastDeg, anchors.lonDeg[i]!)
    southDeg = Math.min(southDeg, anchors.latDeg[i]!)
    northDeg = Math.max(northDeg, anchors.latDeg[i]!)
  }
  const minSpanDeg = 1e-5
  if (eastDeg - westDeg < minSpanDeg) {
    westDeg -= minSpanDeg / 2
    eastDeg += minSpanDeg / 2
  }
  if (northDeg - southDeg < minSpanDeg) {
    southDeg -= minSpanDeg / 2
    northDeg += minSpanDeg / 2
  }
  return { westDeg, southDeg, eastDeg, northDeg }
}

function sortById(items: number[], buildings: readonly TileBuilding[]): void {
  items.sort((a, b) => buildings[a]!.id - buildings[b]!.id)
}

export function tileFrame(coord: TileCoord, root: ExtentDeg): EnuFrame {
  const [lonDeg, latDeg] = cellCentreDeg(coord, root)
  return enuFrame(lonDeg * DEG_TO_RAD, latDeg * DEG_TO_RAD, 0)
}

interface WrittenLeaves {
  keys: TileKey[]
  bytes: number
  tileOf: Map<number, string>
}

/** One tile's content to write: buildings of a leaf, or the boxes of a massing with its geometric error. */
interface Content {
  key: TileKey
  coord: TileCoord
  rows: readonly TileBuilding[]
  geometricError?: number
}

/** Builds and writes the GLB of each leaf and records it in the manifest; see {@link writeContents}. */
function writeLeaves(
  outDir: string,
  manifest: TilesetManifest,
  leaves: readonly PartitionLeaf[],
  buildings: readonly TileBuilding[],
  skipped: SkippedBuilding[],
): Promise<WrittenLeaves> {
  const contents = function* (): Generator<Content> {
    for (const leaf of leaves) {
      yield { key: leaf.key, coord: leaf.coord, rows: leaf.items.map((i) => buildings[i]!) }
    }
  }
  return writeContents(outDir, manifest, contents(), skipped)
}

/**
 * Builds and writes the GLB of each content and records it in the manifest. Buildings that cannot be drawn are
 * reported in `skipped` (leaves) and contents left with none get no GLB. Writes overlap with building the next
 * tile.
 */
async function writeContents(
  outDir: string,
  manifest: TilesetManifest,
  contents: Iterable<Content>,
  skipped: SkippedBuilding[] | null,
): Promise<WrittenLeaves> {
  const builder = new TileMeshBuilder()
  const result: WrittenLeaves = { keys: [], bytes: 0, tileOf: new Map() }
  const pending: Promise<void>[] = []
  const rows: TileBuilding[] = []
  for (const content of contents) {
    builder.begin(tileFrame(content.coord, manifest.rootExtentDeg))
    rows.length = 0
    for (const b of content.rows) {
      const reason = builder.addBuilding(b, rows.length)
      if (!reason) rows.push(b)
      else if (skipped) skipped.push({ id: b.id, reason })
    }
    if (rows.length === 0) continue
    const mesh = builder.finish()
    const glb = encodeTileGlb(mesh, rows)
    const uri = contentUriOf(content.key)
    if (content.geometricError === undefined) for (const b of rows) result.tileOf.set(b.id, uri)
    manifest.tiles[content.key] = {
      features: rows.length,
      bytes: glb.byteLength,
      region: padRegion(mesh.region!, 0.01 + mesh.maxAbsCoordM * 2 ** -22),
      ...(content.geometricError === undefined ? {} : { geometricError: content.geometricError }),
    }
    result.keys.push(content.key)
    result.bytes += glb.byteLength
    if (pending.length >= WRITE_CONCURRENCY) await pending.shift()
    pending.push(writeAtomic(join(outDir, uri), glb))
  }
  await Promise.all(pending)
  result.keys.sort()
  return result
}

/**
 * Widens a region by `padM` metres on every side: float32 positions and the round trip through
 * the tile transform move vertices by up to ~1e-7 of their distance from the tile origin.
 */
function padRegion(r: Region, padM: number): Region {
  const dLat = padM / 6.3e6
  const maxAbsLat = Math.min(Math.max(Math.abs(r[1]), Math.abs(r[3])) + dLat, Math.PI / 2 - 1e-6)
  const dLon = dLat / Math.cos(maxAbsLat)
  return [
    Math.max(r[0] - dLon, -Math.PI),
    Math.max(r[1] - dLat, -Math.PI / 2),
    Math.min(r[2] + dLon, Math.PI),
    Math.min(r[3] + dLat, Math.PI / 2),
    r[4] - padM,
    r[5] + padM,
  ]
}

function unionRegions(regions: readonly Region[]): Region {
  const u = [...regions[0]!] as Region
  for (const r of regions) {
    u[0] = Math.min(u[0], r[0])
    u[1] = Math.min(u[1], r[1])
    u[2] = Math.max(u[2], r[2])
    u[3] = Math.max(u[3], r[3])
    u[4] = Math.min(u[4], r[4])
    u[5] = Math.max(u[5], r[5])
  }
  return u
}

/**
 * Diagonal of a region in metres, measured at the latitude nearest the equator so that it
 * never grows from parent to child (3D Tiles expects child geometric error ≤ parent's).
 */
export function regionDiagonalM(r: Region): number {
  const nearestEquatorLat = r[1] <= 0 && r[3] >= 0 ? 0 : Math.min(Math.abs(r[1]), Math.abs(r[3]))
  const widthM = (r[2] - r[0]) * WGS84_A_M * Math.cos(nearestEquatorLat)
  const heightM = (r[3] - r[1]) * WGS84_A_M
  return Math.hypot(widthM, heightM, r[5] - r[4])
}

interface TileJson {
  boundingVolume: { region: Region }
  geometricError: number
  refine?: 'ADD' | 'REPLACE'
  transform?: number[]
  content?: { uri: string }
  children?: TileJson[]
}

/**
 * Builds tileset.json purely from the manifest, so regeneration needs no other state. A tile with content gets
 * its cell's ENU frame as `transform`, relative to the nearest ancestor with one (3D Tiles transforms compose
 * down the tree). A subdivided cell with a massing takes the larger of the massing's error and its children's;
 * one without content gets `geometricErrorScale` × its diagonal, so it refines whenever its buildings could show.
 */
export function buildTilesetJson(manifest: TilesetManifest): object {
  const split = new Set(manifest.split)
  const root = manifest.rootExtentDeg
  const placed = (coord: TileCoord, parentAbsolute: number[] | null) => {
    const absolute = enuToEcefMatrix(tileFrame(coord, root))
    const transform = parentAbsolute ? multiplyMatrices(invertRigid(parentAbsolute), absolute) : absolute
    return { absolute, transform }
  }
  const visit = (coord: TileCoord, parentAbsolute: number[] | null): TileJson | null => {
    const key = formatTileKey(coord)
    const tile = manifest.tiles[key]
    if (split.has(key)) {
      const own = tile ? placed(coord, parentAbsolute) : null
      const children = childCoords(coord)
        .map((c) => visit(c, own ? own.absolute : parentAbsolute))
        .filter((c): c is TileJson => c !== null)
      if (children.length === 0 && !tile) return null
      const regions = children.map((c) => c.boundingVolume.region)
      if (tile) regions.push(tile.region)
      const region = unionRegions(regions)
      if (!tile || !own) {
        return {
          boundingVolume: { region },
          geometricError: regionDiagonalM(region) * manifest.geometricErrorScale,
          children,
        }
      }
      const childError = Math.max(0, ...children.map((c) => c.geometricError))
      return {
        boundingVolume: { region },
        geometricError: Math.max(tile.geometricError ?? 0, childError),
        transform: own.transform,
        content: { uri: contentUriOf(key) },
        ...(children.length > 0 ? { children } : {}),
      }
    }
    if (!tile) return null
    return {
      boundingVolume: { region: tile.region },
      geometricError: 0,
      transform: placed(coord, parentAbsolute).transform,
      content: { uri: contentUriOf(key) },
    }
  }
  const e = root
  const rootTile: TileJson = visit(ROOT_TILE, null) ?? {
    boundingVolume: {
      region: [
        e.westDeg * DEG_TO_RAD,
        e.southDeg * DEG_TO_RAD,
        e.eastDeg * DEG_TO_RAD,
        e.northDeg * DEG_TO_RAD,
        0,
        0,
      ],
    },
    geometricError: 0,
  }
  rootTile.refine = (manifest.massingDepth ?? 0) > 0 ? 'REPLACE' : 'ADD'
  const diagonalError = regionDiagonalM(rootTile.boundingVolume.region) * manifest.geometricErrorScale
  return {
    asset: { version: '1.1', generator: 'CityCheck jobs/tiles' },
    schema: METADATA_SCHEMA,
    geometricError: Math.max(diagonalError, rootTile.geometricError, 1),
    root: rootTile,
  }
}

async function writeTilesetFiles(outDir: string, manifest: TilesetManifest): Promise<void> {
  await writeAtomic(join(outDir, TILESET_FILE), `${JSON.stringify(buildTilesetJson(manifest))}\n`)
  await writeAtomic(join(outDir, MANIFEST_FILE), serialiseManifest(manifest))
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, path)
}

/** Deletes the GLBs of these keys, and their massing summaries where they had one. */
async function removeGlbs(outDir: string, keys: readonly TileKey[]): Promise<void> {
  await Promise.all(
    keys.flatMap((key) => [
      rm(join(outDir, contentUriOf(key)), { force: true }),
      rm(massingSummaryPath(outDir, key), { force: true }),
    ]),
  )
}
