/**
 * LOD1 3D Tiles 1.1 from buildings (ADR 0006, block massings ADR 0008): a whole tileset, the leaves of changed
 * buildings, the massings above them. GLBs are written before the tileset.json that references them and obsolete
 * ones deleted after, so a server reading the directory never sees a broken tileset. Runs against one directory
 * must be serialised: manifest.json is read-modify-write.
 */
import { mkdir } from 'node:fs/promises'
import { InvalidTilesOptionError, ManifestError, TileKeyMismatchError } from './errors.ts'
import { contentUriOf, newManifest, readManifest, TileIndex, type TilesetManifest } from './manifest.ts'
import { type MassingSource, massingSourceOf } from './massing.ts'
import { writeMassings } from './massing-tiles.ts'
import {
  type Anchors,
  assertExtent,
  checkIds,
  computeAnchors,
  extentOfAnchors,
  idsOf,
  placeAnchors,
  sortById,
} from './placement.ts'
import {
  formatTileKey,
  type PartitionLeaf,
  parentCoord,
  parseTileKey,
  partition,
  ROOT_TILE,
  type TileCoord,
} from './quadtree.ts'
import { removeGlbs, removeLegacySummaries, writeLeaves, writeTilesetFiles } from './tile-files.ts'
import type {
  GenerateTilesetOptions,
  GenerateTilesetResult,
  RegenerateMassingsOptions,
  RegenerateTilesOptions,
  RegenerateTilesResult,
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

/** The options with their defaults, checked. */
function checkedOptions(options: GenerateTilesetOptions) {
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
  return { maxFeatures, maxLevel, geScale, massingDepth }
}

/**
 * Writes the tileset of `buildings` into `outDir`: a quadtree over a fixed root extent, split while a cell holds
 * more than `maxFeaturesPerTile` buildings, one GLB per leaf (`<level>-<x>-<y>.glb`). With `massingDepth` 0 the
 * parents are empty and refine by ADD; otherwise each holds a block massing of everything below it and tiles
 * refine by REPLACE. Files of an earlier tileset in the directory that this one no longer has are deleted.
 */
export async function generateTileset(
  buildings: readonly TileBuilding[],
  options: GenerateTilesetOptions,
): Promise<GenerateTilesetResult> {
  const ids = idsOf(buildings)
  checkIds(ids)
  const skipped: SkippedBuilding[] = []
  const { manifest, items, leaves } = planTileset(ids, computeAnchors(buildings, skipped), skipped, options)
  const previous = await previousManifest(options.outDir)
  const written = await writeLeaves(options.outDir, manifest, leaves, buildings, skipped)
  if (manifest.massingDepth && manifest.split.length > 0) {
    // In id order, the order an update reads them in from the database, so both give the same bytes.
    const sources: MassingSource[] = []
    for (const i of items) {
      const source = massingSourceOf(buildings[i]!)
      if (source) sources.push(source)
    }
    await writeMassings(options.outDir, manifest, manifest.split, sources)
  }
  await finishTileset(options.outDir, manifest, previous)

  skipped.sort((a, b) => a.id - b.id)
  const contentUris = Object.keys(manifest.tiles).sort().map(contentUriOf)
  return { tiles: contentUris.length, bytes: written.bytes, contentUris, tileOf: written.tileOf, skipped }
}

/**
 * What a whole build writes where, from the buildings' ids and anchors: the manifest with its split cells, the
 * placed buildings in id order (`items`) and the leaves. Buildings left out are added to `skipped`.
 */
export function planTileset(
  ids: ArrayLike<number>,
  anchors: Anchors,
  skipped: SkippedBuilding[],
  options: GenerateTilesetOptions,
): { manifest: TilesetManifest; items: number[]; leaves: PartitionLeaf[] } {
  const { maxFeatures, maxLevel, geScale, massingDepth } = checkedOptions(options)
  const root = options.rootExtentDeg ?? extentOfAnchors(anchors)
  const { tx, ty, inside: items } = placeAnchors(ids, anchors, root, skipped)
  sortById(items, ids)
  const manifest = newManifest(root, maxFeatures, maxLevel, geScale, massingDepth, options.publicOnly)
  const { leaves, split } = partition(ROOT_TILE, items, tx, ty, maxFeatures, maxLevel)
  manifest.split = split
  return { manifest, items, leaves }
}

/** Creates `outDir` and reads the manifest of the tileset already in it, if any. */
export async function previousManifest(outDir: string): Promise<TilesetManifest | null> {
  await mkdir(outDir, { recursive: true })
  return readManifest(outDir).catch((err: unknown) => {
    if (err instanceof ManifestError) return null
    throw err
  })
}

/** Writes tileset.json and manifest.json, then deletes the files of the previous tileset this one no longer has. */
export async function finishTileset(
  outDir: string,
  manifest: TilesetManifest,
  previous: TilesetManifest | null,
): Promise<void> {
  await writeTilesetFiles(outDir, manifest)
  if (previous) {
    const stale = Object.keys(previous.tiles).filter((key) => !(key in manifest.tiles))
    await removeGlbs(outDir, stale)
    await removeLegacySummaries(outDir)
  }
}

/**
 * Rewrites the leaves `tileKeys` from `buildings`, which must be every building now anchored in them: the caller
 * maps each changed building to its old and new key (`TileIndex.keyOf`, deterministic from manifest.json). A leaf
 * that outgrows the limit is split in place; tileset.json is rebuilt so bounding volumes follow the new content.
 * Massings above are left as they were: see {@link regenerateMassings}.
 */
export async function regenerateTiles(
  buildings: readonly TileBuilding[],
  options: RegenerateTilesOptions,
): Promise<RegenerateTilesResult> {
  const manifest = await readManifest(options.outDir)
  const index = new TileIndex(manifest)
  const targets = new Map<TileKey, TileCoord>()
  for (const key of options.tileKeys) targets.set(key, index.assertLeaf(key))
  const ids = idsOf(buildings)
  checkIds(ids)

  const skipped: SkippedBuilding[] = []
  const anchors = computeAnchors(buildings, skipped)
  const { tx, ty, inside } = placeAnchors(ids, anchors, manifest.rootExtentDeg, skipped)
  const groups = new Map<TileKey, number[]>()
  for (const key of targets.keys()) groups.set(key, [])
  for (const i of inside) {
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
    sortById(group, ids)
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
