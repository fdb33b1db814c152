/**
 * A whole tileset built on every core (ADR 0008, "The tiles are built on every core"): this thread places the
 * buildings and partitions the quadtree as {@link generateTileset} does, then cuts the tree into subtrees that the
 * tile workers and this thread build (their leaves and massings, subtree-build.ts), and writes the few massings
 * above them. The files are those a build on one thread writes, byte for byte: every tile depends only on the
 * buildings below it, in id order.
 */
import { type BuildingColumns, boxAt, columnBuffers, selectColumns } from './building-columns.ts'
import { contentUriOf, type TilesetManifest } from './manifest.ts'
import type { MassingGroups } from './massing.ts'
import { writeMassingGroups } from './massing-tiles.ts'
import { type Anchors, checkIds, sortById } from './placement.ts'
import { formatTileKey, type PartitionLeaf, parseTileKey, type TileCoord } from './quadtree.ts'
import { buildSubtree, type SubtreeResult, type SubtreeTask } from './subtree-build.ts'
import type { TileWorkers } from './tile-pool.ts'
import { finishTileset, planTileset, previousManifest } from './tileset.ts'
import type { GenerateTilesetOptions, GenerateTilesetResult, SkippedBuilding, TileKey } from './types.ts'

/** Subtrees per thread: enough that a thread finishing early takes another instead of waiting on the last. */
const SUBTREES_PER_BUILDER = 4

/** Anchors from the footprints' boxes, as `computeAnchors` gives them from the decoded footprints. */
function columnAnchors(columns: BuildingColumns, skipped: SkippedBuilding[]): Anchors {
  const lonDeg = new Float64Array(columns.count)
  const latDeg = new Float64Array(columns.count)
  const valid: number[] = []
  for (let i = 0; i < columns.count; i++) {
    const box = boxAt(columns, i)
    if (!box) {
      skipped.push({ id: columns.id[i]!, reason: 'footprint has no valid lon/lat coordinates' })
      continue
    }
    lonDeg[i] = (box[0] + box[2]) / 2
    latDeg[i] = (box[1] + box[3]) / 2
    valid.push(i)
  }
  return { lonDeg, latDeg, valid }
}

interface Subtree {
  root: TileCoord
  leaves: PartitionLeaf[]
  massings: TileKey[]
  above: TileCoord[]
  buildings: number
}

const ancestorOf = (c: TileCoord, level: number): TileCoord =>
  c.level <= level ? c : { level, x: c.x >> (c.level - level), y: c.y >> (c.level - level) }

/**
 * The subtrees below the shallowest level that has at least {@link SUBTREES_PER_BUILDER} per builder (a leaf above
 * it is a subtree of its own), largest first, and the split cells above that level. That level is at most the
 * massing depth, so every box of a massing above stands for a cell inside one subtree.
 */
export function planSubtrees(
  leaves: readonly PartitionLeaf[],
  split: readonly TileKey[],
  massingDepth: number,
  builders: number,
) {
  const deepest = Math.max(0, ...leaves.map((leaf) => leaf.coord.level))
  const cap = split.length > 0 ? Math.min(deepest, massingDepth) : deepest
  let level = 0
  for (; level < cap; level++) {
    const roots = new Set(leaves.map((leaf) => formatTileKey(ancestorOf(leaf.coord, level))))
    if (roots.size >= SUBTREES_PER_BUILDER * builders) break
  }
  const subtrees = new Map<TileKey, Subtree>()
  for (const leaf of leaves) {
    const root = ancestorOf(leaf.coord, level)
    const key = formatTileKey(root)
    const subtree = subtrees.get(key) ?? { root, leaves: [], massings: [], above: [], buildings: 0 }
    subtree.leaves.push(leaf)
    subtree.buildings += leaf.items.length
    subtrees.set(key, subtree)
  }
  const above: TileKey[] = []
  for (const key of split) {
    const coord = parseTileKey(key)
    if (coord.level < level) above.push(key)
    else subtrees.get(formatTileKey(ancestorOf(coord, level)))?.massings.push(key)
  }
  const aboveSet = new Set(above)
  for (const subtree of subtrees.values()) {
    for (let l = 0; l < subtree.root.level; l++) {
      const coord = ancestorOf(subtree.root, l)
      if (aboveSet.has(formatTileKey(coord))) subtree.above.push(coord)
    }
  }
  return { above, subtrees: [...subtrees.values()].sort((a, b) => b.buildings - a.buildings) }
}

/** One subtree as a task: its buildings in id order (`items` is id-sorted), its leaves' items renumbered. */
function subtreeTask(
  outDir: string,
  manifest: TilesetManifest,
  columns: BuildingColumns,
  subtree: Subtree,
): SubtreeTask {
  const local = new Int32Array(columns.count)
  const items = subtree.leaves.flatMap((leaf) => leaf.items)
  sortById(items, columns.id)
  for (let k = 0; k < items.length; k++) local[items[k]!] = k
  const leaves = subtree.leaves.map((leaf) => ({
    key: leaf.key,
    coord: leaf.coord,
    items: leaf.items.map((i) => local[i]!),
  }))
  const selected = selectColumns(columns, items)
  return { outDir, manifest, columns: selected, leaves, massings: subtree.massings, above: subtree.above }
}

/**
 * Builds the subtrees on the workers and on this thread alike, each taking the next largest when it is free; this
 * thread answers the workers between its own tiles, as it waits for its writes.
 */
async function buildSubtrees(
  workers: TileWorkers | null,
  outDir: string,
  manifest: TilesetManifest,
  columns: BuildingColumns,
  subtrees: readonly Subtree[],
): Promise<SubtreeResult[]> {
  const results: SubtreeResult[] = new Array(subtrees.length)
  let next = 0
  const onWorker = async (pool: TileWorkers) => {
    while (next < subtrees.length) {
      const k = next++
      const task = subtreeTask(outDir, manifest, columns, subtrees[k]!)
      results[k] = await pool.run(task, columnBuffers(task.columns))
    }
  }
  const here = async () => {
    while (next < subtrees.length) {
      const k = next++
      results[k] = await buildSubtree(subtreeTask(outDir, manifest, columns, subtrees[k]!))
    }
  }
  const threads = workers ? Array.from({ length: workers.size }, () => onWorker(workers)) : []
  await Promise.all([...threads, here()])
  return results
}

/** The massings above the subtrees, from the groups each subtree made of its buildings. */
function massingsAbove(
  above: readonly TileKey[],
  subtrees: readonly Subtree[],
  results: readonly SubtreeResult[],
) {
  const groups = new Map<TileKey, MassingGroups>(above.map((key) => [key, new Map()]))
  subtrees.forEach((subtree, k) => {
    subtree.above.forEach((coord, a) => {
      const merged = groups.get(formatTileKey(coord))!
      for (const [cell, group] of results[k]!.aboveGroups[a]!) merged.set(cell, group)
    })
  })
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, g]) => ({ key, coord: parseTileKey(key), groups: g }))
}

/**
 * {@link generateTileset} for buildings as columns, on `workers` and this thread (with no workers, on this thread
 * alone: the same files, one subtree after another).
 */
export async function generateTilesetOnWorkers(
  columns: BuildingColumns,
  options: GenerateTilesetOptions,
  workers: TileWorkers | null,
): Promise<GenerateTilesetResult> {
  checkIds(columns.id)
  const skipped: SkippedBuilding[] = []
  const anchors = columnAnchors(columns, skipped)
  const { manifest, leaves } = planTileset(columns.id, anchors, skipped, options)
  const massingDepth = manifest.massingDepth ?? 0
  const previous = await previousManifest(options.outDir)
  const builders = 1 + (workers?.size ?? 0)
  const plan = planSubtrees(leaves, massingDepth > 0 ? manifest.split : [], massingDepth, builders)
  const results = await buildSubtrees(workers, options.outDir, { ...manifest }, columns, plan.subtrees)
  for (const result of results) {
    Object.assign(manifest.tiles, result.tiles)
    skipped.push(...result.skipped)
  }
  if (plan.above.length > 0) {
    await writeMassingGroups(options.outDir, manifest, massingsAbove(plan.above, plan.subtrees, results))
  }
  await finishTileset(options.outDir, manifest, previous)
  return resultOf(manifest, results, skipped)
}

function resultOf(
  manifest: TilesetManifest,
  results: readonly SubtreeResult[],
  skipped: SkippedBuilding[],
): GenerateTilesetResult {
  const tileOf = new Map<number, string>()
  for (const result of results) {
    for (const [key, ids] of Object.entries(result.drawn)) {
      const uri = contentUriOf(key)
      for (const id of ids) tileOf.set(id, uri)
    }
  }
  skipped.sort((a, b) => a.id - b.id)
  const contentUris = Object.keys(manifest.tiles).sort().map(contentUriOf)
  const bytes = results.reduce((sum, result) => sum + result.bytes, 0)
  return { tiles: contentUris.length, bytes, contentUris, tileOf, skipped }
}
