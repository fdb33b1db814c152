import { InvalidTileKeyError } from './errors.ts'
import type { ExtentDeg, Footprint, TileKey } from './types.ts'

export interface TileCoord {
  level: number
  x: number
  y: number
}

export const ROOT_TILE: TileCoord = { level: 0, x: 0, y: 0 }

export function formatTileKey(c: TileCoord): TileKey {
  return `${c.level}-${c.x}-${c.y}`
}

const KEY_PATTERN = /^(0|[1-9]\d?)-(0|[1-9]\d*)-(0|[1-9]\d*)$/

/** Parses and range-checks `level-x-y`. */
export function parseTileKey(key: TileKey): TileCoord {
  const m = KEY_PATTERN.exec(key)
  if (!m) throw new InvalidTileKeyError(key, 'expected level-x-y')
  const level = Number(m[1])
  const x = Number(m[2])
  const y = Number(m[3])
  const n = 2 ** level
  if (level > 30 || x >= n || y >= n) throw new InvalidTileKeyError(key, 'outside the quadtree')
  return { level, x, y }
}

export function parentCoord(c: TileCoord): TileCoord {
  return { level: c.level - 1, x: c.x >> 1, y: c.y >> 1 }
}

/** Children in a fixed order (south-west, south-east, north-west, north-east) for stable output. */
export function childCoords(c: TileCoord): TileCoord[] {
  const level = c.level + 1
  const x = c.x * 2
  const y = c.y * 2
  return [
    { level, x, y },
    { level, x: x + 1, y },
    { level, x, y: y + 1 },
    { level, x: x + 1, y: y + 1 },
  ]
}

export function cellExtentDeg(c: TileCoord, root: ExtentDeg): ExtentDeg {
  const n = 2 ** c.level
  const widthDeg = root.eastDeg - root.westDeg
  const heightDeg = root.northDeg - root.southDeg
  return {
    westDeg: root.westDeg + (c.x / n) * widthDeg,
    southDeg: root.southDeg + (c.y / n) * heightDeg,
    eastDeg: root.westDeg + ((c.x + 1) / n) * widthDeg,
    northDeg: root.southDeg + ((c.y + 1) / n) * heightDeg,
  }
}

export function cellCentreDeg(c: TileCoord, root: ExtentDeg): [number, number] {
  const n = 2 ** c.level
  return [
    root.westDeg + ((c.x + 0.5) / n) * (root.eastDeg - root.westDeg),
    root.southDeg + ((c.y + 0.5) / n) * (root.northDeg - root.southDeg),
  ]
}

/**
 * The lon/lat bounding box `[west, south, east, north]` of a footprint's coordinates, or null when it has none
 * or any coordinate is not a finite lon/lat.
 */
export function footprintBoundsDeg(footprint: Footprint): [number, number, number, number] | null {
  let west = Number.POSITIVE_INFINITY
  let south = Number.POSITIVE_INFINITY
  let east = Number.NEGATIVE_INFINITY
  let north = Number.NEGATIVE_INFINITY
  const polygons =
    footprint?.type === 'Polygon'
      ? [footprint.coordinates]
      : footprint?.type === 'MultiPolygon'
        ? footprint.coordinates
        : []
  for (const rings of polygons) {
    for (const ring of rings) {
      for (const pos of ring) {
        const lon = pos[0]
        const lat = pos[1]
        if (lon === undefined || lat === undefined || !(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90))
          return null
        if (lon < west) west = lon
        if (lon > east) east = lon
        if (lat < south) south = lat
        if (lat > north) north = lat
      }
    }
  }
  return west <= east ? [west, south, east, north] : null
}

/**
 * The point that places a building in the quadtree: the centre of its footprint's lon/lat
 * bounding box (PostGIS: `ST_Centroid(ST_Envelope(footprint))`). Null when the footprint has no
 * coordinates or any coordinate is not a finite lon/lat.
 */
export function footprintAnchorDeg(footprint: Footprint): [number, number] | null {
  const box = footprintBoundsDeg(footprint)
  return box ? [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] : null
}

/**
 * Position of a point in the root extent, scaled to [0, 1]; outside when < 0 or > 1. Cell
 * indices derive from it by scaling with powers of two, which is exact in floating point, so a
 * point's cell at level L is always the parent of its cell at level L + 1.
 */
export function normalisedX(lonDeg: number, root: ExtentDeg): number {
  return (lonDeg - root.westDeg) / (root.eastDeg - root.westDeg)
}

export function normalisedY(latDeg: number, root: ExtentDeg): number {
  return (latDeg - root.southDeg) / (root.northDeg - root.southDeg)
}

/**
 * 2^level for the levels a tree can have, looked up: `2 ** level` with a variable exponent is a call to `pow`, and
 * a city's build asks for millions (the values are the same, so is every cell).
 */
export const POW2: Float64Array = Float64Array.from({ length: 64 }, (_, level) => 2 ** level)

/** Cell index at a level; the root's east/north edge belongs to the last cell. */
export function cellIndex(t: number, level: number): number {
  const n = POW2[level] ?? 2 ** level
  return Math.min(Math.floor(t * n), n - 1)
}

export interface PartitionLeaf {
  key: TileKey
  coord: TileCoord
  items: number[]
}

export interface PartitionResult {
  leaves: PartitionLeaf[]
  /** Keys of cells that were subdivided, including `start` if it was. */
  split: TileKey[]
}

/**
 * Splits a cell's items into quadtree leaves of at most `maxItems` (unless `maxLevel` stops
 * it). `tx`/`ty` hold each item's normalised anchor. Empty cells produce no leaf. Leaves come
 * out in depth-first quadrant order, which only depends on the items' positions.
 */
export function partition(
  start: TileCoord,
  items: number[],
  tx: Float64Array,
  ty: Float64Array,
  maxItems: number,
  maxLevel: number,
): PartitionResult {
  const result: PartitionResult = { leaves: [], split: [] }
  const visit = (coord: TileCoord, cellItems: number[]): void => {
    if (cellItems.length === 0) return
    const key = formatTileKey(coord)
    if (cellItems.length <= maxItems || coord.level >= maxLevel) {
      result.leaves.push({ key, coord, items: cellItems })
      return
    }
    result.split.push(key)
    const level = coord.level + 1
    const quadrants: number[][] = [[], [], [], []]
    for (const i of cellItems) {
      const qx = cellIndex(tx[i]!, level) - coord.x * 2
      const qy = cellIndex(ty[i]!, level) - coord.y * 2
      quadrants[qy * 2 + qx]!.push(i)
    }
    const children = childCoords(coord)
    for (let q = 0; q < 4; q++) visit(children[q]!, quadrants[q]!)
  }
  visit(start, items)
  return result
}
