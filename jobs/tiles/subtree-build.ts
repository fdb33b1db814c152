/**
 * One share of a tileset build (ADR 0008, "The tiles are built on every core"): the leaves and block massings of
 * one subtree of the quadtree, from the buildings anchored in it. Every tile's content depends only on the
 * buildings below it, in id order, so a subtree built on its own gives the bytes a whole build gives. Runs on a
 * tile worker thread; it is plain data in and out.
 */
import { type BuildingColumns, boxAt, footprintWkbAt, tileAttributesAt } from './building-columns.ts'
import { contentUriOf, type ManifestTile, type TilesetManifest } from './manifest.ts'
import { groupMassing, type MassingGroup, type MassingSource, massingSource } from './massing.ts'
import { writeMassings } from './massing-tiles.ts'
import type { TileCoord } from './quadtree.ts'
import { type Content, type WrittenTiles, writeContents } from './tile-files.ts'
import type { SkippedBuilding, TileKey } from './types.ts'

export interface SubtreeTask {
  outDir: string
  /** The tileset's manifest without tiles: root extent, limits, massing depth and every split cell. */
  manifest: TilesetManifest
  /** The buildings anchored in the subtree, in id order. */
  columns: BuildingColumns
  /** The subtree's leaves; items index `columns`. */
  leaves: { key: TileKey; coord: TileCoord; items: number[] }[]
  /** The subtree's split cells, whose massings this task writes. */
  massings: TileKey[]
  /**
   * Split cells above the subtree, whose massings the caller writes: this task groups its own buildings for them.
   * Each of their boxes stands for a cell inside one subtree, so the groups of all subtrees never overlap.
   */
  above: TileCoord[]
}

export interface SubtreeResult {
  tiles: Record<TileKey, ManifestTile>
  /** Bytes of the leaves' GLBs (massings not counted, as in a whole build). */
  bytes: number
  /** The ids drawn in each leaf. */
  drawn: Record<TileKey, number[]>
  skipped: SkippedBuilding[]
  /** Per cell of `above` (same order), this subtree's groups. */
  aboveGroups: [number, MassingGroup][][]
}

/** The leaves' GLBs, each building meshed from its WKB where it lies in the columns. */
function writeColumnLeaves(
  task: SubtreeTask,
  manifest: TilesetManifest,
  skipped: SkippedBuilding[],
): Promise<WrittenTiles> {
  const { columns } = task
  const contents = function* (): Generator<Content> {
    for (const { key, coord, items } of task.leaves) {
      const rows = items.map((i) => tileAttributesAt(columns, i))
      const draw: Content['draw'] = (builder, k, featureId) =>
        builder.addWkb(footprintWkbAt(columns, items[k]!), rows[k]!, featureId)
      yield { key, coord, rows, draw }
    }
  }
  return writeContents(task.outDir, manifest, contents(), skipped)
}

/** The buildings as massing sources, their boxes read with the WKB (those `massingSourceOf` finds from the rings). */
function columnSources(columns: BuildingColumns): MassingSource[] {
  const sources: MassingSource[] = []
  for (let i = 0; i < columns.count; i++) {
    const box = boxAt(columns, i)
    const source = box && massingSource(box, tileAttributesAt(columns, i), columns.id[i]!)
    if (source) sources.push(source)
  }
  return sources
}

export async function buildSubtree(task: SubtreeTask): Promise<SubtreeResult> {
  const manifest: TilesetManifest = { ...task.manifest, tiles: {} }
  const skipped: SkippedBuilding[] = []
  const written = await writeColumnLeaves(task, manifest, skipped)
  const drawn: Record<TileKey, number[]> = {}
  for (const leaf of task.leaves) drawn[leaf.key] = []
  const keyOfUri = new Map(task.leaves.map((leaf) => [contentUriOf(leaf.key), leaf.key]))
  for (const [id, uri] of written.tileOf) drawn[keyOfUri.get(uri)!]!.push(id)
  const sources = task.massings.length > 0 || task.above.length > 0 ? columnSources(task.columns) : []
  if (task.massings.length > 0) await writeMassings(task.outDir, manifest, task.massings, sources)
  const depth = manifest.massingDepth ?? 0
  const aboveGroups = task.above.map((coord) => [
    ...groupMassing(coord, manifest.rootExtentDeg, depth, sources),
  ])
  return { tiles: manifest.tiles, bytes: written.bytes, drawn, skipped, aboveGroups }
}
