/**
 * Footprints read from PostGIS as well-known binary (`ST_AsBinary`) rather than GeoJSON text: the tiles job reads
 * every building of a city, and at 500k buildings formatting, shipping and parsing the coordinates as text was
 * about a third of the tileset build. WKB also keeps every digit (GeoJSON output stops at 9 decimals).
 */
import type { FlatFootprint } from './flat-footprint.ts'
import type { Footprint, PolygonRings, Ring } from './types.ts'

const WKB_POLYGON = 3
const WKB_MULTIPOLYGON = 6

class WkbReader {
  private little = true

  constructor(
    private readonly view: DataView,
    private at = 0,
  ) {}

  /** A geometry's byte order and type; the type without Z/M/SRID flags. */
  header(): number {
    this.little = this.view.getUint8(this.at) === 1
    const type = this.view.getUint32(this.at + 1, this.little)
    this.at += 5
    if (type >= 1000) throw new RangeError(`footprint WKB type ${type} is not 2D`)
    return type
  }

  count(): number {
    const n = this.view.getUint32(this.at, this.little)
    this.at += 4
    return n
  }

  /** Widens `box` by every position of the rings that follow; false when one is not a finite lon/lat. */
  widen(box: number[] | Float64Array): boolean {
    const rings = this.count()
    for (let r = 0; r < rings; r++) {
      const n = this.count()
      for (let i = 0; i < n; i++) {
        const lon = this.view.getFloat64(this.at, this.little)
        const lat = this.view.getFloat64(this.at + 8, this.little)
        this.at += 16
        if (!(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90)) return false
        if (lon < box[0]!) box[0] = lon
        if (lat < box[1]!) box[1] = lat
        if (lon > box[2]!) box[2] = lon
        if (lat > box[3]!) box[3] = lat
      }
    }
    return true
  }

  /** The rings that follow into `into`, as one polygon. */
  flatten(into: FlatFootprint): void {
    const rings = this.count()
    for (let r = 0; r < rings; r++) {
      const n = this.count()
      into.reserve(n)
      for (let i = 0; i < n; i++) {
        into.push(this.view.getFloat64(this.at, this.little), this.view.getFloat64(this.at + 8, this.little))
        this.at += 16
      }
      into.endRing()
    }
    into.endPolygon(rings)
  }

  rings(): PolygonRings {
    const rings: Ring[] = new Array(this.count())
    for (let r = 0; r < rings.length; r++) {
      const ring: [number, number][] = new Array(this.count())
      for (let i = 0; i < ring.length; i++) {
        ring[i] = [this.view.getFloat64(this.at, this.little), this.view.getFloat64(this.at + 8, this.little)]
        this.at += 16
      }
      rings[r] = ring
    }
    return rings
  }
}

/**
 * Reads a Polygon's or MultiPolygon's headers, calling `visit` with the reader at each polygon's rings: the type read,
 * or null when a visit returned false. @throws RangeError for any other geometry.
 */
function eachPolygon(reader: WkbReader, visit: () => boolean): 'Polygon' | 'MultiPolygon' | null {
  const type = reader.header()
  if (type === WKB_POLYGON) return visit() === false ? null : 'Polygon'
  if (type !== WKB_MULTIPOLYGON)
    throw new RangeError(`a footprint is a Polygon or MultiPolygon, not WKB type ${type}`)
  const polygons = reader.count()
  for (let p = 0; p < polygons; p++) {
    if (reader.header() !== WKB_POLYGON) throw new RangeError('a MultiPolygon footprint holds a non-polygon')
    if (visit() === false) return null
  }
  return 'MultiPolygon'
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * The lon/lat bounding box of the footprint at byte `at` of `view`, without building its rings, into `box` (west,
 * south, east, north): the box `footprintBoundsDeg` gives for {@link footprintFromWkb}'s result. False where that
 * gives null (a position that is not a finite lon/lat, no position at all). For a city's footprints in one buffer: no
 * view or box per building. @throws RangeError for any geometry but a Polygon or MultiPolygon.
 */
export function boundsOfWkbAt(view: DataView, at: number, box: number[] | Float64Array): boolean {
  const reader = new WkbReader(view, at)
  box[0] = Number.POSITIVE_INFINITY
  box[1] = Number.POSITIVE_INFINITY
  box[2] = Number.NEGATIVE_INFINITY
  box[3] = Number.NEGATIVE_INFINITY
  return eachPolygon(reader, () => reader.widen(box)) !== null && box[0]! <= box[2]!
}

/** A Polygon or MultiPolygon footprint from its WKB. @throws RangeError for any other geometry. */
export function footprintFromWkb(bytes: Uint8Array): Footprint {
  const reader = new WkbReader(viewOf(bytes))
  const polygons: PolygonRings[] = []
  const type = eachPolygon(reader, () => {
    polygons.push(reader.rings())
    return true
  })
  return type === 'Polygon'
    ? { type, coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons }
}

/** A Polygon or MultiPolygon footprint's WKB into `into`, cleared first. @throws RangeError for any other geometry. */
export function flattenWkb(bytes: Uint8Array, into: FlatFootprint): FlatFootprint {
  into.clear()
  const reader = new WkbReader(viewOf(bytes))
  eachPolygon(reader, () => {
    reader.flatten(into)
    return true
  })
  return into
}
