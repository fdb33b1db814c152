/** The block massing tiles of subdivided cells (ADR 0008), and the summaries they are updated from. */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ManifestError } from './errors.ts'
import type { TilesetManifest } from './manifest.ts'
import { groupMassing, type MassingGroups, type MassingSource, massingOf } from './massing.ts'
import { decodeMassingSummary, encodeMassingSummary, MassingSummaryError } from './massing-summary.ts'
import {
  cellIndex,
  formatTileKey,
  normalisedX,
  normalisedY,
  POW2,
  parseTileKey,
  type TileCoord,
} from './quadtree.ts'
import {
  type Content,
  drawRows,
  MASSING_SUMMARY_DIR,
  massingSummaryPath,
  type WrittenTiles,
  writeAtomic,
  writeContents,
} from './tile-files.ts'
import type { TileKey } from './types.ts'

async function readMassingGroups(outDir: string, key: TileKey): Promise<MassingGroups> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(massingSummaryPath(outDir, key))
  } catch (err) {
    // A tileset written before the summaries were binary has `<key>.json` instead: the refresh builds it afresh.
    throw new ManifestError(`the massing summary of ${key} is missing in ${outDir}; rebuild the tileset`, {
      cause: err,
    })
  }
  try {
    return decodeMassingSummary(bytes)
  } catch (err) {
    if (!(err instanceof MassingSummaryError)) throw err
    throw new ManifestError(`the massing summary of ${key} in ${outDir} is unreadable; rebuild the tileset`, {
      cause: err,
    })
  }
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

/** The deepest level whose cell indices, x × 2^level + y, stay exact small integers for Map keys. */
const NUMERIC_LEVELS = 26

/**
 * Each source under every wanted cell on its anchor's path, in source order: one pass, depth × sources. A city's
 * build visits millions, so a cell is a number per level (x × 2^level + y), and a source's cell at each level
 * comes from its cell at the deepest by a shift (scaling by powers of two is exact, so this is `cellIndex`).
 */
function sourcesBelow(
  manifest: TilesetManifest,
  wanted: ReadonlySet<TileKey>,
  sources: readonly MassingSource[],
): Map<TileKey, MassingSource[]> {
  const root = manifest.rootExtentDeg
  const splitByLevel: Map<number, MassingSource[] | null>[] = []
  const coords = manifest.split.map(parseTileKey)
  const deepest = Math.max(-1, ...coords.map((c) => c.level))
  if (deepest > NUMERIC_LEVELS) return sourcesBelowByKey(manifest, wanted, sources)
  for (const c of coords) {
    splitByLevel[c.level] ??= new Map()
    splitByLevel[c.level]!.set(c.x * 2 ** c.level + c.y, wanted.has(formatTileKey(c)) ? [] : null)
  }
  for (const s of sources) {
    const tx = normalisedX(s.lonDeg, root)
    const ty = normalisedY(s.latDeg, root)
    if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) continue
    const xd = cellIndex(tx, deepest)
    const yd = cellIndex(ty, deepest)
    for (let level = 0; level <= deepest; level++) {
      const shift = POW2[deepest - level]!
      const key = Math.floor(xd / shift) * POW2[level]! + Math.floor(yd / shift)
      const list = splitByLevel[level]?.get(key)
      if (list === undefined) break
      list?.push(s)
    }
  }
  const below = new Map<TileKey, MassingSource[]>()
  for (const key of wanted) {
    const c = parseTileKey(key)
    const list = splitByLevel[c.level]?.get(c.x * 2 ** c.level + c.y)
    if (list && list.length > 0) below.set(key, list)
  }
  return below
}

/** The same with key strings, for a tree deeper than {@link NUMERIC_LEVELS}. */
function sourcesBelowByKey(
  manifest: TilesetManifest,
  wanted: ReadonlySet<TileKey>,
  sources: readonly MassingSource[],
): Map<TileKey, MassingSource[]> {
  const split = new Set(manifest.split)
  const below = new Map<TileKey, MassingSource[]>()
  for (const s of sources) {
    const tx = normalisedX(s.lonDeg, manifest.rootExtentDeg)
    const ty = normalisedY(s.latDeg, manifest.rootExtentDeg)
    if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) continue
    for (let level = 0; ; level++) {
      const key = formatTileKey({ level, x: cellIndex(tx, level), y: cellIndex(ty, level) })
      if (!split.has(key)) break
      if (!wanted.has(key)) continue
      const list = below.get(key)
      if (list) list.push(s)
      else below.set(key, [s])
    }
  }
  return below
}

/**
 * Writes the massing of each split cell in `keys`, with its summary, from the sources anchored below it: every
 * box, or with `dirty` only those overlapping the dirty cells (the rest from the summary written before).
 */
export async function writeMassings(
  outDir: string,
  manifest: TilesetManifest,
  keys: readonly TileKey[],
  sources: readonly MassingSource[],
  dirty?: readonly TileCoord[],
): Promise<WrittenTiles> {
  const depth = manifest.massingDepth ?? 0
  const root = manifest.rootExtentDeg
  const wanted = new Set(keys)
  const below = sourcesBelow(manifest, wanted, sources)
  const massings: MassingToWrite[] = []
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
    massings.push({ key, coord, groups })
  }
  return writeMassingGroups(outDir, manifest, massings)
}

export interface MassingToWrite {
  key: TileKey
  coord: TileCoord
  groups: MassingGroups
}

/** Writes each massing with its summary; one without groups gets neither. */
export async function writeMassingGroups(
  outDir: string,
  manifest: TilesetManifest,
  massings: readonly MassingToWrite[],
): Promise<WrittenTiles> {
  await mkdir(join(outDir, MASSING_SUMMARY_DIR), { recursive: true })
  const written = massings.filter(({ groups }) => groups.size > 0)
  for (const { key, groups } of written) {
    await writeAtomic(massingSummaryPath(outDir, key), encodeMassingSummary(groups))
  }
  const contents = function* (): Generator<Content> {
    for (const { key, coord, groups } of written) {
      const massing = massingOf(groups)
      const rows = massing.boxes
      yield { key, coord, rows, draw: drawRows(rows), geometricError: massing.geometricErrorM }
    }
  }
  return writeContents(outDir, manifest, contents(), null)
}
