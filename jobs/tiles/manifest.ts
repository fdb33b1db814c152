import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidTileKeyError, ManifestError } from './errors.ts'
import {
  cellExtentDeg,
  cellIndex,
  footprintAnchorDeg,
  formatTileKey,
  normalisedX,
  normalisedY,
  parentCoord,
  parseTileKey,
  type TileCoord,
} from './quadtree.ts'
import type { ExtentDeg, Footprint, Region, TileKey } from './types.ts'

export const MANIFEST_FILE = 'manifest.json'
export const TILESET_FILE = 'tileset.json'
const MANIFEST_FORMAT = 'citycheck-3dtiles-manifest'

export interface ManifestTile {
  features: number
  bytes: number
  /** Region of the tile's actual vertices (padded), as written to tileset.json. */
  region: Region
  /** Block massing of an inner cell: the farthest a building lies from its box, metres. Absent on leaves. */
  geometricError?: number
}

/**
 * Everything needed to rebuild tileset.json and to map a building to its tile without reading
 * the GLBs: the fixed root extent, the set of subdivided cells and per-leaf summaries.
 */
export interface TilesetManifest {
  format: typeof MANIFEST_FORMAT
  version: 1
  rootExtentDeg: ExtentDeg
  maxFeaturesPerTile: number
  maxLevel: number
  geometricErrorScale: number
  /** Levels of block massing under inner cells (massing.ts); 0 or absent: inner cells have no content. */
  massingDepth?: number
  /**
   * The public tileset: its GLBs and tileset.json carry no problem properties (docs/adr/0006). Absent: they do.
   */
  publicOnly?: boolean
  /** Keys of subdivided cells, sorted. A cell is a leaf iff its parent is split and it is not. */
  split: TileKey[]
  /**
   * Tiles with content, keyed by tile key; the GLB is `contentUriOf(key)`. Leaves hold buildings; subdivided
   * cells hold block massings when `massingDepth` > 0.
   */
  tiles: Record<TileKey, ManifestTile>
}

export function newManifest(
  rootExtentDeg: ExtentDeg,
  maxFeaturesPerTile: number,
  maxLevel: number,
  geometricErrorScale: number,
  massingDepth: number,
  publicOnly = false,
): TilesetManifest {
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    rootExtentDeg,
    maxFeaturesPerTile,
    maxLevel,
    geometricErrorScale,
    massingDepth,
    ...(publicOnly ? { publicOnly } : {}),
    split: [],
    tiles: {},
  }
}

export function contentUriOf(key: TileKey): string {
  return `${key}.glb`
}

export async function readManifest(outDir: string): Promise<TilesetManifest> {
  let text: string
  try {
    text = await readFile(join(outDir, MANIFEST_FILE), 'utf8')
  } catch (err) {
    throw new ManifestError(`cannot read ${MANIFEST_FILE} in ${outDir}`, { cause: err })
  }
  const parsed = JSON.parse(text) as Partial<TilesetManifest> | null
  if (
    parsed?.format !== MANIFEST_FORMAT ||
    parsed.version !== 1 ||
    typeof parsed.rootExtentDeg !== 'object' ||
    !Array.isArray(parsed.split) ||
    typeof parsed.tiles !== 'object'
  ) {
    throw new ManifestError(`${MANIFEST_FILE} in ${outDir} is not a version 1 ${MANIFEST_FORMAT}`)
  }
  return parsed as TilesetManifest
}

/** Stable serialisation: tile entries sorted by key so identical trees give identical bytes. */
export function serialiseManifest(m: TilesetManifest): string {
  const tiles: Record<TileKey, ManifestTile> = {}
  for (const key of Object.keys(m.tiles).sort()) tiles[key] = m.tiles[key]!
  return `${JSON.stringify({ ...m, split: [...m.split].sort(), tiles }, null, 1)}\n`
}

/**
 * Maps buildings to tiles of an existing tileset. Descends from the root through the manifest's
 * split cells using the building's anchor point, so the answer depends only on the manifest and
 * the footprint, never on which other buildings exist.
 */
export class TileIndex {
  private readonly splitKeys: Set<TileKey>

  constructor(readonly manifest: TilesetManifest) {
    this.splitKeys = new Set(manifest.split)
  }

  /** Leaf key for a point, or null when it lies outside the root extent. */
  keyOfPoint(lonDeg: number, latDeg: number): TileKey | null {
    const root = this.manifest.rootExtentDeg
    const tx = normalisedX(lonDeg, root)
    const ty = normalisedY(latDeg, root)
    if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) return null
    return this.keyOfNormalised(tx, ty)
  }

  /** Leaf key for a footprint's anchor, or null when invalid or outside the root extent. */
  keyOf(footprint: Footprint): TileKey | null {
    const anchor = footprintAnchorDeg(footprint)
    return anchor ? this.keyOfPoint(anchor[0], anchor[1]) : null
  }

  keyOfNormalised(tx: number, ty: number): TileKey {
    let level = 0
    let key = '0-0-0'
    while (this.splitKeys.has(key)) {
      level++
      key = formatTileKey({ level, x: cellIndex(tx, level), y: cellIndex(ty, level) })
    }
    return key
  }

  isSplit(key: TileKey): boolean {
    return this.splitKeys.has(key)
  }

  /** Checks that a key names a current leaf cell (with or without content). */
  assertLeaf(key: TileKey): TileCoord {
    const coord = parseTileKey(key)
    if (this.splitKeys.has(key)) throw new InvalidTileKeyError(key, 'cell is subdivided')
    if (coord.level > 0 && !this.splitKeys.has(formatTileKey(parentCoord(coord)))) {
      throw new InvalidTileKeyError(key, 'parent cell is not subdivided')
    }
    return coord
  }

  /** Geographic extent of a cell; a building belongs to it iff its anchor lies inside. */
  extentDeg(key: TileKey): ExtentDeg {
    return cellExtentDeg(parseTileKey(key), this.manifest.rootExtentDeg)
  }
}
