import { type SQL, sql } from 'drizzle-orm'
import { customType } from 'drizzle-orm/pg-core'

/** GeoJSON geometry object as stored and returned by the API (EPSG:4326, lon/lat degrees). */
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] }
export type Position = number[]

export type GeometryKind =
  | 'Geometry'
  | 'Point'
  | 'LineString'
  | 'Polygon'
  | 'MultiPoint'
  | 'MultiLineString'
  | 'MultiPolygon'

/** The SRID every geometry column uses; CGCS2000 (EPSG:4490) input is treated as equal. */
export const STORAGE_SRID = 4326

/**
 * A PostGIS geometry column of any type. drizzle's built-in `geometry()` maps points only, so polygons and
 * lines go through this: values are written from GeoJSON with `ST_GeomFromGeoJSON` and read back from the
 * EWKB hex string that both node-postgres and PGlite return for geometry.
 */
export const geometry = (name: string, kind: GeometryKind = 'Geometry') =>
  customType<{ data: Geometry; driverData: string | SQL; config: { kind: GeometryKind } }>({
    dataType: (config) => `geometry(${config?.kind ?? 'Geometry'}, ${STORAGE_SRID})`,
    toDriver: (value: Geometry): SQL => geometryFromGeoJson(value),
    fromDriver: (value) => decodeEwkb(value as string),
  })(name, { kind })

export function geometryFromGeoJson(value: Geometry): SQL {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(value)}), ${sql.raw(String(STORAGE_SRID))})`
}

class WkbReader {
  private offset = 0
  private littleEndian = true
  private readonly view: DataView

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  readGeometry(): Geometry {
    this.littleEndian = this.view.getUint8(this.offset) === 1
    this.offset += 1
    const raw = this.uint32()
    if (raw & 0x20000000) this.offset += 4 // embedded SRID: always STORAGE_SRID here
    // EWKB flags Z and M in the high bits; ISO WKB adds 1000 (Z), 2000 (M) or 3000 (ZM) to the type.
    const iso = raw & 0x0fffffff
    const hasZ = (raw & 0x80000000) !== 0 || (iso >= 1000 && iso < 2000) || iso >= 3000
    const hasM = (raw & 0x40000000) !== 0 || iso >= 2000
    const type = iso % 1000
    const point = (): Position => {
      const p = [this.float64(), this.float64()]
      if (hasZ) p.push(this.float64())
      if (hasM) this.offset += 8
      return p
    }
    const points = (): Position[] => {
      const n = this.uint32()
      const out: Position[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = point()
      return out
    }
    const rings = (): Position[][] => {
      const n = this.uint32()
      const out: Position[][] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = points()
      return out
    }
    switch (type) {
      case 1:
        return { type: 'Point', coordinates: point() }
      case 2:
        return { type: 'LineString', coordinates: points() }
      case 3:
        return { type: 'Polygon', coordinates: rings() }
      case 4:
        return { type: 'MultiPoint', coordinates: this.parts().map((g) => g.coordinates as Position) }
      case 5:
        return { type: 'MultiLineString', coordinates: this.parts().map((g) => g.coordinates as Position[]) }
      case 6:
        return { type: 'MultiPolygon', coordinates: this.parts().map((g) => g.coordinates as Position[][]) }
      case 7:
        return { type: 'GeometryCollection', geometries: this.parts() }
      default:
        throw new Error(`Unsupported WKB geometry type ${type}`)
    }
  }

  private parts(): (Geometry & { coordinates?: unknown })[] {
    const n = this.uint32()
    const out: Geometry[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = this.readGeometry()
    return out as (Geometry & { coordinates?: unknown })[]
  }

  private uint32(): number {
    const v = this.view.getUint32(this.offset, this.littleEndian)
    this.offset += 4
    return v
  }

  private float64(): number {
    const v = this.view.getFloat64(this.offset, this.littleEndian)
    this.offset += 8
    return v
  }
}

/** Decodes PostGIS EWKB (hex string or bytes) into a GeoJSON geometry. */
export function decodeEwkb(value: string | Uint8Array): Geometry {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'hex') : value
  return new WkbReader(bytes).readGeometry()
}
