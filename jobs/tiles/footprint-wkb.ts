/**
 * Footprints read from PostGIS as well-known binary (`ST_AsBinary`) rather than GeoJSON text: the tiles job reads
 * every building of a city, and at 500k buildings formatting, shipping and parsing the coordinates as text was
 * about a third of the tileset build. WKB also keeps every digit (GeoJSON output stops at 9 decimals).
 */
import type { Footprint, PolygonRings, Ring } from './types.ts'

const WKB_POLYGON = 3
const WKB_MULTIPOLYGON = 6

class WkbReader {
  private readonly view: DataView
  private at = 0
  private little = true

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

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

/** A Polygon or MultiPolygon footprint from its WKB. @throws RangeError for any other geometry. */
export function footprintFromWkb(bytes: Uint8Array): Footprint {
  const reader = new WkbReader(bytes)
  const type = reader.header()
  if (type === WKB_POLYGON) return { type: 'Polygon', coordinates: reader.rings() }
  if (type !== WKB_MULTIPOLYGON)
    throw new RangeError(`a footprint is a Polygon or MultiPolygon, not WKB type ${type}`)
  const polygons: PolygonRings[] = new Array(reader.count())
  for (let p = 0; p < polygons.length; p++) {
    if (reader.header() !== WKB_POLYGON) throw new RangeError('a MultiPolygon footprint holds a non-polygon')
    polygons[p] = reader.rings()
  }
  return { type: 'MultiPolygon', coordinates: polygons }
}
