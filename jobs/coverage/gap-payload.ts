import type { PolygonM } from './engine/index.ts'
import type { GapRow } from './gaps.ts'

/**
 * The gaps of a run as the write transaction takes them (docs/adr/0023): one PostgreSQL array literal per column,
 * unnested side by side, and the geometries in metres as two WKB collections, each projected by one
 * `ST_Transform` and split by `ST_Dump`. An L city writes about 100k gaps; as JSON with GeoJSON outlines, PostGIS
 * spent most of the write parsing text and setting up the projection once per row.
 */
export interface GapPayload {
  /** Text columns: `facility_type`, `distance_model`, `kind`, `gap_key`. */
  text: Record<(typeof TEXT_COLUMNS)[number], string>
  /** Numeric columns, in `NUMERIC_COLUMNS` order. */
  numbers: Record<(typeof NUMERIC_COLUMNS)[number], string>
  /** Per gap, the 1-based position of its outline in `outlines`, or 0 when it has none (capacity gaps). */
  outlineAt: string
  /** WKB GeometryCollection of the outlines' Polygons, in gap order. */
  outlines: Uint8Array
  /** WKB MultiPoint of every gap's point, in gap order. */
  points: Uint8Array
}

export const TEXT_COLUMNS = ['facility_type', 'distance_model', 'kind', 'gap_key'] as const
export const NUMERIC_COLUMNS = [
  'cells',
  'uncovered_children',
  'uncovered_working',
  'uncovered_elderly',
  'unserved',
  'capacity_gap',
  'priority',
  'rank',
  'severity',
  'radius_m',
] as const

export function gapPayload(gaps: readonly GapRow[]): GapPayload {
  const text = Object.fromEntries(
    TEXT_COLUMNS.map((c) => [c, textArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['text']
  const numbers = Object.fromEntries(
    NUMERIC_COLUMNS.map((c) => [c, numberArray(gaps.map((g) => g[c]))]),
  ) as GapPayload['numbers']
  const outlined: PolygonM[] = []
  const outlineAt = gaps.map((g) => (g.outline ? outlined.push(g.outline) : 0))
  return {
    text,
    numbers,
    outlineAt: numberArray(outlineAt),
    outlines: polygonCollection(outlined),
    points: multiPoint(gaps),
  }
}

/** `{"a","b"}`: every value quoted, so no value is read as NULL or split. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => (/[\\"]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`)).join(',')}}`
}

/** Numbers print as the shortest text that reads back to the same double; NaN and ±Infinity as PostgreSQL spells them. */
function numberArray(values: readonly number[]): string {
  return `{${values.map((v) => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity')).join(',')}}`
}

const WKB_POINT = 1
const WKB_POLYGON = 3
const WKB_MULTIPOINT = 4
const WKB_COLLECTION = 7

/** Little-endian WKB written into one buffer sized up front. */
class WkbWriter {
  private readonly view: DataView
  readonly bytes: Uint8Array
  private at = 0

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  header(type: number, count: number | null): void {
    this.view.setUint8(this.at, 1)
    this.view.setUint32(this.at + 1, type, true)
    this.at += 5
    if (count !== null) this.count(count)
  }

  count(n: number): void {
    this.view.setUint32(this.at, n, true)
    this.at += 4
  }

  xy(x: number, y: number): void {
    this.view.setFloat64(this.at, x, true)
    this.view.setFloat64(this.at + 8, y, true)
    this.at += 16
  }
}

function polygonCollection(polygons: readonly PolygonM[]): Uint8Array {
  let size = 9
  for (const rings of polygons) {
    size += 9
    for (const ring of rings) size += 4 + 16 * ring.length
  }
  const w = new WkbWriter(size)
  w.header(WKB_COLLECTION, polygons.length)
  for (const rings of polygons) {
    w.header(WKB_POLYGON, rings.length)
    for (const ring of rings) {
      w.count(ring.length)
      for (const [x, y] of ring) w.xy(x, y)
    }
  }
  return w.bytes
}

function multiPoint(gaps: readonly GapRow[]): Uint8Array {
  const w = new WkbWriter(9 + 21 * gaps.length)
  w.header(WKB_MULTIPOINT, gaps.length)
  for (const g of gaps) {
    w.header(WKB_POINT, null)
    w.xy(g.x, g.y)
  }
  return w.bytes
}
