/**
 * The files of a tileset directory: GLBs, tileset.json with manifest.json, massing summaries. Each is written
 * under a temporary name and renamed, so a server reading the directory never sees half a file.
 */
import { readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeTileGlb } from './content.ts'
import {
  contentUriOf,
  MANIFEST_FILE,
  serialiseManifest,
  TILESET_FILE,
  type TilesetManifest,
} from './manifest.ts'
import { TileMeshBuilder } from './mesh.ts'
import type { PartitionLeaf, TileCoord } from './quadtree.ts'
import { buildTilesetJson, tileFrame } from './tileset-json.ts'
import type { Region, SkippedBuilding, TileAttributes, TileBuilding, TileKey } from './types.ts'

/** GLB writes allowed in flight while the next tile is being built. */
const WRITE_CONCURRENCY = 4

export const MASSING_SUMMARY_DIR = 'massings'
export const massingSummaryPath = (outDir: string, key: TileKey) =>
  join(outDir, MASSING_SUMMARY_DIR, `${key}.bin`)

export interface WrittenTiles {
  keys: TileKey[]
  bytes: number
  tileOf: Map<number, string>
}

/** One tile's content to write: buildings of a leaf, or the boxes of a massing with its geometric error. */
export interface Content {
  key: TileKey
  coord: TileCoord
  rows: readonly TileAttributes[]
  /** Meshes row `k` as feature `featureId`: null, or why it cannot be drawn (see `TileMeshBuilder#addBuilding`). */
  draw(builder: TileMeshBuilder, k: number, featureId: number): string | null
  geometricError?: number
}

/** A content's `draw` for rows that carry their footprints. */
export const drawRows =
  (rows: readonly TileBuilding[]) =>
  (builder: TileMeshBuilder, k: number, featureId: number): string | null =>
    builder.addBuilding(rows[k]!, featureId)

/** Builds and writes the GLB of each leaf and records it in the manifest; see {@link writeContents}. */
export function writeLeaves(
  outDir: string,
  manifest: TilesetManifest,
  leaves: readonly PartitionLeaf[],
  buildings: readonly TileBuilding[],
  skipped: SkippedBuilding[],
): Promise<WrittenTiles> {
  const contents = function* (): Generator<Content> {
    for (const leaf of leaves) {
      const rows = leaf.items.map((i) => buildings[i]!)
      yield { key: leaf.key, coord: leaf.coord, rows, draw: drawRows(rows) }
    }
  }
  return writeContents(outDir, manifest, contents(), skipped)
}

/**
 * Builds and writes the GLB of each content and records it in the manifest. Buildings that cannot be drawn are
 * reported in `skipped` (leaves) and contents left with none get no GLB. Writes overlap with building the next
 * tile.
 */
export async function writeContents(
  outDir: string,
  manifest: TilesetManifest,
  contents: Iterable<Content>,
  skipped: SkippedBuilding[] | null,
): Promise<WrittenTiles> {
  const builder = new TileMeshBuilder()
  const result: WrittenTiles = { keys: [], bytes: 0, tileOf: new Map() }
  const pending: Promise<void>[] = []
  const rows: TileAttributes[] = []
  for (const content of contents) {
    builder.begin(tileFrame(content.coord, manifest.rootExtentDeg))
    rows.length = 0
    for (let k = 0; k < content.rows.length; k++) {
      const b = content.rows[k]!
      const reason = content.draw(builder, k, rows.length)
      if (!reason) rows.push(b)
      else if (skipped) skipped.push({ id: b.id, reason })
    }
    if (rows.length === 0) continue
    const mesh = builder.finish()
    const glb = encodeTileGlb(mesh, rows, !manifest.publicOnly)
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

export async function writeTilesetFiles(outDir: string, manifest: TilesetManifest): Promise<void> {
  await writeAtomic(join(outDir, TILESET_FILE), `${JSON.stringify(buildTilesetJson(manifest))}\n`)
  await writeAtomic(join(outDir, MANIFEST_FILE), serialiseManifest(manifest))
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, path)
}

/** Deletes the massing summaries written as JSON before they were binary (`massing-summary.ts`). */
export async function removeLegacySummaries(outDir: string): Promise<void> {
  const names = await readdir(join(outDir, MASSING_SUMMARY_DIR)).catch(() => [])
  await Promise.all(
    names.filter((name) => name.endsWith('.json')).map((name) => rm(join(outDir, MASSING_SUMMARY_DIR, name))),
  )
}

/** Deletes the GLBs of these keys, and their massing summaries where they had one. */
export async function removeGlbs(outDir: string, keys: readonly TileKey[]): Promise<void> {
  await Promise.all(
    keys.flatMap((key) => [
      rm(join(outDir, contentUriOf(key)), { force: true }),
      rm(massingSummaryPath(outDir, key), { force: true }),
    ]),
  )
}
