/**
 * Buildings as columns: one typed array per attribute and every footprint's WKB in one byte array. This is how a
 * whole city's buildings travel from the database to the tile builders on other threads (ADR 0008, "The tiles
 * are built on every core"): a few buffers handed over without copying, where half a million building objects
 * with nested coordinate arrays would be copied one by one. The thread that meshes a building reads its footprint
 * from the WKB in place.
 */
import { boundsOfWkbAt } from './footprint-wkb.ts'
import type { TileAttributes } from './types.ts'

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
  /**
   * Building i's footprint's bounding box at `4i` (west, south, east, north, degrees), once {@link fillBoxes} ran;
   * NaN where it has no valid lon/lat.
   */
  box: Float64Array
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
    box: new Float64Array(4 * count),
  }
}

/** The columns of `parts` one after the other. */
export function concatColumns(parts: readonly BuildingColumns[]): BuildingColumns {
  const count = parts.reduce((sum, part) => sum + part.count, 0)
  const out = allocateColumns(
    count,
    parts.reduce((sum, part) => sum + part.wkb.byteLength, 0),
  )
  let at = 0
  let wkbAt = 0
  for (const part of parts) {
    for (const name of NUMERIC) out[name].set(part[name], at)
    for (let k = 0; k < part.count; k++) {
      out.use[at + k] = part.use[k]!
      out.wkbStart[at + k] = wkbAt + part.wkbStart[k]!
    }
    out.wkb.set(part.wkb, wkbAt)
    out.box.set(part.box, 4 * at)
    at += part.count
    wkbAt += part.wkb.byteLength
  }
  out.wkbStart[count] = wkbAt
  return out
}

/** Fills `box` from the footprints' WKB (see `boundsOfWkbAt`). */
export function fillBoxes(columns: BuildingColumns): void {
  const { wkb } = columns
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength)
  const box = new Float64Array(4)
  for (let i = 0; i < columns.count; i++) {
    if (boundsOfWkbAt(view, columns.wkbStart[i]!, box)) columns.box.set(box, 4 * i)
    else columns.box.fill(Number.NaN, 4 * i, 4 * i + 4)
  }
}

/** Building `i`'s footprint's bounding box from {@link fillBoxes}, or null where it has none. */
export function boxAt(columns: BuildingColumns, i: number): [number, number, number, number] | null {
  const b = columns.box
  return Number.isNaN(b[4 * i]!) ? null : [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!]
}

export function footprintWkbAt(columns: BuildingColumns, i: number): Uint8Array {
  return columns.wkb.subarray(columns.wkbStart[i], columns.wkbStart[i + 1])
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

/** The buildings at `indices`, in that order, as columns of their own. */
export function selectColumns(columns: BuildingColumns, indices: readonly number[]): BuildingColumns {
  let bytes = 0
  for (const i of indices) bytes += columns.wkbStart[i + 1]! - columns.wkbStart[i]!
  const out = allocateColumns(indices.length, bytes)
  // Column by column: one typed array at a time, no view made per building.
  for (const name of NUMERIC) {
    const from = columns[name]
    const to = out[name]
    for (let k = 0; k < indices.length; k++) to[k] = from[indices[k]!]!
  }
  let at = 0
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!
    out.use[k] = columns.use[i]!
    const start = columns.wkbStart[i]!
    const end = columns.wkbStart[i + 1]!
    out.wkb.set(columns.wkb.subarray(start, end), at)
    out.wkbStart[k] = at
    at += end - start
    for (let c = 0; c < 4; c++) out.box[4 * k + c] = columns.box[4 * i + c]!
  }
  out.wkbStart[indices.length] = at
  return out
}

/** The buffers of `columns` to transfer to a worker instead of copying. */
export function columnBuffers(columns: BuildingColumns): ArrayBuffer[] {
  const arrays = [...NUMERIC.map((name) => columns[name]), columns.wkb, columns.wkbStart, columns.box]
  return arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
}
