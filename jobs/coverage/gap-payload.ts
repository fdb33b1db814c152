import type { PolygonM } from './engine/index.ts'
import type { UnrankedGap } from './gaps.ts'

/**
 * A step's gaps as the staging insert takes them (docs/adr/0023): one PostgreSQL array literal per column, unnested
 * side by side, and the points and outlines as buffers of WKB that each row cuts its own from (`substring`): a point
 * at a fixed stride, an outline at its offset. No JSON, no GeoJSON, no join, and no coordinate printed as text: an L
 * city stages about 100k gaps, and parsing text or matching rows to shapes had cost PostGIS more than the inserts.
 * A step's facility type and distance model are the same for all its gaps and travel once (`step`).
 */
export interface GapPayload {
  step: { facilityType: string; distanceModel: string; radiusM: number }
  /** Text columns: `kind`, `gap_key`. */
  text: Record<(typeof TEXT_COLUMNS)[number], string>
  /** Numeric columns, in `NUMERIC_COLUMNS` order. */
  numbers: Record<(typeof NUMERIC_COLUMNS)[number], string>
  /** Every gap's point as a WKB Point in metres, `POINT_WKB_BYTES` each, in gap order. */
  points: Uint8Array
  /** Per gap, the 1-based byte position of its outline in `outlines`, and its length (0: none, capacity gaps). */
  outlineFrom: string
  outlineLength: string
  /** Every outline as a WKB Polygon in metres, one after the other in gap order. */
  outlines: Uint8Array
}

export const POINT_WKB_BYTES = 21
export const TEXT_COLUMNS = ['kind', 'gap_key'] as const
export const NUMERIC_COLUMNS = [
  'cells',
  'uncovered_children',
  'uncovered_working',
  'uncovered_elderly',
  'unserved',
  'capacity_gap',
  'priority',
] as const

/**
 * @throws Error when the gaps are not of one facility type, distance model and radius (one step's).
 */
export function gapPayload(gaps: readonly UnrankedGap[]): GapPayload {
  const first = gaps[0]
  const step = {
    facilityType: first?.facility_type ?? '',
    distanceModel: first?.distance_model ?? '',
    radiusM: first?.radius_m ?? 0,
  }
  for (const g of gaps) {
    if (
      g.facility_type !== step.facilityType ||
      g.distance_model !== step.distanceModel ||
      g.radius_m !== step.radiusM
    ) {
      throw new Error(
        `a payload holds one step's gaps: ${g.gap_key} is not of ${step.facilityType}/${step.distanceModel}`,
      )
    }
  }
  const text = Object.fromEntries(
    TEXT_COLUMNS.map((c) => [c, textArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['text']
  const numbers = Object.fromEntries(
    NUMERIC_COLUMNS.map((c) => [c, numberArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['numbers']
  const points = new WkbWriter(POINT_WKB_BYTES * gaps.length)
  for (const g of gaps) points.point(g.x, g.y)
  const sizes = gaps.map((g) => (g.outline ? polygonSize(g.outline) : 0))
  const w = new WkbWriter(sizes.reduce((a, b) => a + b, 0))
  const from: number[] = []
  for (const g of gaps) {
    from.push(w.at + 1)
    if (g.outline) w.polygon(g.outline)
  }
  return {
    step,
    text,
    numbers,
    points: points.bytes,
    outlineFrom: numberArray(from),
    outlineLength: numberArray(sizes),
    outlines: w.bytes,
  }
}

/** `{"a","b"}`: every value quoted, so no value is read as NULL or split. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => (/[\\"]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`)).join(',')}}`
}

/** Numbers print as the shortest text that reads back to the same double; NaN and ±Infinity as PostgreSQL spells them. */
export function numberArray(values: ArrayLike<number>): string {
  const out: string[] = new Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    out[i] = Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
  }
  return `{${out.join(',')}}`
}

const WKB_POINT = 1
const WKB_POLYGON = 3

function polygonSize(rings: PolygonM): number {
  let size = 9
  for (const ring of rings) size += 4 + 16 * ring.length
  return size
}

/** Little-endian WKB written into one buffer sized up front. */
class WkbWriter {
  private readonly view: DataView
  readonly bytes: Uint8Array
  at = 0

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  point(x: number, y: number): void {
    this.view.setUint8(this.at, 1)
    this.view.setUint32(this.at + 1, WKB_POINT, true)
    this.view.setFloat64(this.at + 5, x, true)
    this.view.setFloat64(this.at + 13, y, true)
    this.at += POINT_WKB_BYTES
  }

  polygon(rings: PolygonM): void {
    this.view.setUint8(this.at, 1)
    this.view.setUint32(this.at + 1, WKB_POLYGON, true)
    this.view.setUint32(this.at + 5, rings.length, true)
    this.at += 9
    for (const ring of rings) {
      this.view.setUint32(this.at, ring.length, true)
      this.at += 4
      for (const [x, y] of ring) {
        this.view.setFloat64(this.at, x, true)
        this.view.setFloat64(this.at + 8, y, true)
        this.at += 16
      }
    }
  }
}
