/** Where buildings go in the quadtree: their ids checked, their anchors, the root extent around them. */
import {
  BuildingIdRangeError,
  DuplicateBuildingIdError,
  EmptyTilesetError,
  InvalidTilesOptionError,
} from './errors.ts'
import { footprintAnchorDeg, normalisedX, normalisedY } from './quadtree.ts'
import type { ExtentDeg, SkippedBuilding, TileBuilding } from './types.ts'

export function assertExtent(e: ExtentDeg): void {
  const ok =
    e.westDeg >= -180 && e.eastDeg <= 180 && e.southDeg >= -90 && e.northDeg <= 90 && e.westDeg < e.eastDeg
  if (!ok || !(e.southDeg < e.northDeg)) {
    throw new InvalidTilesOptionError(
      'rootExtentDeg must satisfy -180 ≤ west < east ≤ 180, -90 ≤ south < north ≤ 90',
    )
  }
}

/** The buildings' ids by index: the placement below needs nothing else of a building. */
export function idsOf(buildings: readonly TileBuilding[]): Float64Array {
  const ids = new Float64Array(buildings.length)
  for (let i = 0; i < buildings.length; i++) ids[i] = buildings[i]!.id
  return ids
}

export function checkIds(ids: ArrayLike<number>): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new BuildingIdRangeError(id)
  }
  // Sorted numbers rather than a set of half a million: a third of the time, before the threads have work.
  const sorted = Float64Array.from(ids).sort()
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new DuplicateBuildingIdError(sorted[i]!)
  }
}

/** Anchor of each building (its footprint's bbox centre), by index; `valid` lists those that have one. */
export interface Anchors {
  lonDeg: Float64Array
  latDeg: Float64Array
  valid: number[]
}

export function computeAnchors(buildings: readonly TileBuilding[], skipped: SkippedBuilding[]): Anchors {
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
export function extentOfAnchors(anchors: Anchors): ExtentDeg {
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

/** Normalised quadtree coordinates of the anchored buildings; `inside` lists those within the root extent. */
export interface PlacedAnchors {
  tx: Float64Array
  ty: Float64Array
  inside: number[]
}

/** Places each anchored building in the root extent; those outside are reported in `skipped`. */
export function placeAnchors(
  ids: ArrayLike<number>,
  anchors: Anchors,
  root: ExtentDeg,
  skipped: SkippedBuilding[],
): PlacedAnchors {
  const tx = new Float64Array(ids.length)
  const ty = new Float64Array(ids.length)
  const inside: number[] = []
  for (const i of anchors.valid) {
    tx[i] = normalisedX(anchors.lonDeg[i]!, root)
    ty[i] = normalisedY(anchors.latDeg[i]!, root)
    if (tx[i]! >= 0 && tx[i]! <= 1 && ty[i]! >= 0 && ty[i]! <= 1) inside.push(i)
    else skipped.push({ id: ids[i]!, reason: 'anchor outside root extent' })
  }
  return { tx, ty, inside }
}

export function sortById(items: number[], ids: ArrayLike<number>): void {
  items.sort((a, b) => ids[a]! - ids[b]!)
}
