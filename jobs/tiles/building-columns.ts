/**
 * Buildings as columns: one typed array per attribute and every footprint's WKB in one byte array. This is how a
 * whole city's buildings travel from the database to the tile builders on other threads (ADR 0008, "The tiles
 * are built on every core"): a few buffers handed over without copying, where half a million building objects
 * with nested coordinate arrays would be copied one by one. The thread that meshes a building reads its footprint
 * from the WKB in place.
 */
import { footprintBoundsFromWkb, footprintFromWkb } from './footprint-wkb.ts'
import type { TileAttributes, TileBuilding } from './types.ts'

export interface BuildingColumns {
  count: number
  id: Float64Array
  baseM: Float64Array
  heightM: Float64Array
  /** NaN where the building has none. */
  floors: Float64Array
  /** NaN where the building has none. */
  yearBuilt: Float64Array
  openProblems: Float64Array
  worstSeverity: Float64Array
  use: (string | null)[]
  /** Building i's footprint is the WKB `wkb[wkbStart[i]]` up to `wkb[wkbStart[i + 1]]`. */
  wkb: Uint8Array
  wkbStart: Float64Array
}

const NUMERIC = ['id', 'baseM', 'heightM', 'floors', 'yearBuilt', 'openProblems', 'worstSeverity'] as const

/** Empty columns for `count` buildings whose footprints take `wkbBytes` bytes together. */
export function allocateColumns(count: number, wkbBytes: number): BuildingColumns {
  return {
    count,
    id: new Float64Array(count),
    baseM: new Float64Array(count),
    heightM: new Float64Array(count),
    floors: new Float64Array(count),
    yearBuilt: new Float64Array(count),
    openProblems: new Float64Array(count),
    worstSeverity: new Float64Array(count),
    use: new Array<string | null>(count).fill(null),
    wkb: new Uint8Array(wkbBytes),
    wkbStart: new Float64Array(count + 1),
  }
}

export function footprintWkbAt(columns: BuildingColumns, i: number): Uint8Array {
  return columns.wkb.subarray(columns.wkbStart[i], columns.wkbStart[i + 1])
}

/** Building `i`'s footprint bounding box, without building its rings (see `footprintBoundsFromWkb`). */
export function boundsAt(columns: BuildingColumns, i: number): [number, number, number, number] | null {
  return footprintBoundsFromWkb(footprintWkbAt(columns, i))
}

const orNull = (v: number) => (Number.isNaN(v) ? null : v)

/** Building `i`'s id and attributes, as a massing sums them and a tile stores them. */
export function tileAttributesAt(columns: BuildingColumns, i: number): TileAttributes {
  return {
    id: columns.id[i]!,
    baseM: columns.baseM[i]!,
    heightM: columns.heightM[i]!,
    floors: orNull(columns.floors[i]!),
    use: columns.use[i]!,
    yearBuilt: orNull(columns.yearBuilt[i]!),
    openProblems: columns.openProblems[i]!,
    worstSeverity: columns.worstSeverity[i]!,
  }
}

export function tileBuildingAt(columns: BuildingColumns, i: number): TileBuilding {
  return { ...tileAttributesAt(columns, i), footprint: footprintFromWkb(footprintWkbAt(columns, i)) }
}

export function tileBuildingsOf(columns: BuildingColumns): TileBuilding[] {
  const buildings: TileBuilding[] = new Array(columns.count)
  for (let i = 0; i < columns.count; i++) buildings[i] = tileBuildingAt(columns, i)
  return buildings
}

/** The buildings at `indices`, in that order, as columns of their own. */
export function selectColumns(columns: BuildingColumns, indices: readonly number[]): BuildingColumns {
  let bytes = 0
  for (const i of indices) bytes += columns.wkbStart[i + 1]! - columns.wkbStart[i]!
  const out = allocateColumns(indices.length, bytes)
  let at = 0
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!
    for (const name of NUMERIC) out[name][k] = columns[name][i]!
    out.use[k] = columns.use[i]!
    const wkb = footprintWkbAt(columns, i)
    out.wkb.set(wkb, at)
    out.wkbStart[k] = at
    at += wkb.byteLength
  }
  out.wkbStart[indices.length] = at
  return out
}

/** The buffers of `columns` to transfer to a worker instead of copying. */
export function columnBuffers(columns: BuildingColumns): ArrayBuffer[] {
  return [...NUMERIC.map((name) => columns[name].buffer), columns.wkb.buffer, columns.wkbStart.buffer].filter(
    (b): b is ArrayBuffer => b instanceof ArrayBuffer,
  )
}
