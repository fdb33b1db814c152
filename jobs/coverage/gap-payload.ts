import type { PolygonM } from './engine/index.ts'
import type { UnrankedGap } from './gaps.ts'

/**
 * A step's gaps as the staging insert takes them (docs/adr/0023): one PostgreSQL array literal per column, unnested
 * side by side, the points as their metric x and y, and the outlines as one buffer of WKB polygons that each row cuts
 * its own from (`substring`). No JSON, no GeoJSON and no join: an L city stages about 100k gaps, and parsing text or
 * matching rows to shapes had cost PostGIS more than the inserts.
 */
export interface GapPayload {
  /** Text columns: `facility_type`, `distance_model`, `kind`, `gap_key`. */
  text: Record<(typeof TEXT_COLUMNS)[number], string>
  /** Numeric columns, in `NUMERIC_COLUMNS` order. */
  numbers: Record<(typeof NUMERIC_COLUMNS)[number], string>
  /** Per gap, the 1-based byte position of its outline in `outlines`, and its length (0: none, capacity gaps). */
  outlineFrom: string
  outlineLength: string
  /** Every outline as a WKB Polygon in metres, one after the other in gap order. */
  outlines: Uint8Array
}

export const TEXT_COLUMNS = ['facility_type', 'distance_model', 'kind', 'gap_key'] as const
export const NUMERIC_COLUMNS = [
  'x',
  'y',
  'cells',
  'uncovered_children',
  'uncovered_working',
  'uncovered_elderly',
  'unserved',
  'capacity_gap',
  'priority',
  'radius_m',
] as const

export function gapPayload(gaps: readonly UnrankedGap[]): GapPayload {
  const text = Object.fromEntries(
    TEXT_COLUMNS.map((c) => [c, textArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['text']
  const numbers = Object.fromEntries(
    NUMERIC_COLUMNS.map((c) => [c, numberArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['numbers']
  const sizes = gaps.map((g) => (g.outline ? polygonSize(g.outline) : 0))
  const w = new WkbWriter(sizes.reduce((a, b) => a + b, 0))
  const from: number[] = []
  for (const g of gaps) {
    from.push(w.at + 1)
    if (g.outline) w.polygon(g.outline)
  }
  return {
    text,
    numbers,
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
