import { booleanPointInPolygon } from '@turf/turf'
import { writeArrayBuffer } from 'geotiff'

/** A building to stand on the synthetic surface: its footprint in the raster's CRS and its height. */
export interface SurfaceBuilding {
  footprint: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] }
  heightM: number
}

export interface SurfaceOptions {
  /** The raster's extent in its CRS. */
  minX: number
  minY: number
  maxX: number
  maxY: number
  /** Pixel size in CRS units (degrees for EPSG:4326). */
  pixelX: number
  pixelY: number
  /** @defaultValue 4326 */
  srid?: number
  /** Ground height at a pixel, in metres. @defaultValue 4 m plus a gentle slope eastwards */
  groundM?: (col: number, row: number) => number
  /** Rows per TIFF strip, so that a window reads a few strips, not the file. @defaultValue 16 */
  rowsPerStrip?: number
  /** Written as the TIFF DateTime tag. */
  date?: string
  /** Pixels (col, row) left as nodata (-9999). */
  nodata?: (col: number, row: number) => boolean
}

export const NODATA = -9999

/**
 * A DSM (ground plus each building's height inside its footprint, a pixel counting when its centre is in)
 * and the matching DTM, as GeoTIFF bytes written by geotiff's own writer. Inside-ness is decided by turf, an
 * implementation independent of the one the height import uses.
 */
export function syntheticSurfaces(
  buildings: SurfaceBuilding[],
  o: SurfaceOptions,
): { dsm: ArrayBuffer; dtm: ArrayBuffer; width: number; height: number } {
  const width = Math.round((o.maxX - o.minX) / o.pixelX)
  const height = Math.round((o.maxY - o.minY) / o.pixelY)
  const ground = o.groundM ?? ((col: number) => 4 + col * 0.001)
  const dtm = new Float32Array(width * height)
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) dtm[row * width + col] = ground(col, row)
  const dsm = Float32Array.from(dtm)
  for (const b of buildings) raise(dsm, b, o, width, height, ground)
  if (o.nodata) {
    for (let row = 0; row < height; row++)
      for (let col = 0; col < width; col++) if (o.nodata(col, row)) dsm[row * width + col] = NODATA
  }
  const metadata = {
    width,
    height,
    ModelPixelScale: [o.pixelX, o.pixelY, 0],
    ModelTiepoint: [0, 0, 0, o.minX, o.maxY, 0],
    ...((o.srid ?? 4326) === 4326 || o.srid === 4490
      ? { GeographicTypeGeoKey: o.srid ?? 4326, GTModelTypeGeoKey: 2 }
      : { ProjectedCSTypeGeoKey: o.srid, GTModelTypeGeoKey: 1 }),
    GTRasterTypeGeoKey: 1,
    GDAL_NODATA: String(NODATA),
    ...(o.date ? { DateTime: `${o.date.replaceAll('-', ':')} 00:00:00` } : {}),
  }
  const rows = o.rowsPerStrip ?? 16
  return {
    // The writer consumes the metadata object it is given: each call gets its own copy.
    dsm: inStrips(writeArrayBuffer(dsm, { ...metadata }), width, height, 4, rows),
    dtm: inStrips(writeArrayBuffer(dtm, { ...metadata }), width, height, 4, rows),
    width,
    height,
  }
}

function raise(
  dsm: Float32Array,
  b: SurfaceBuilding,
  o: SurfaceOptions,
  width: number,
  height: number,
  ground: (col: number, row: number) => number,
): void {
  const xs = b.footprint.coordinates.flat(3).filter((_, i) => i % 2 === 0) as number[]
  const ys = b.footprint.coordinates.flat(3).filter((_, i) => i % 2 === 1) as number[]
  const col0 = Math.max(0, Math.floor((Math.min(...xs) - o.minX) / o.pixelX))
  const col1 = Math.min(width, Math.ceil((Math.max(...xs) - o.minX) / o.pixelX))
  const row0 = Math.max(0, Math.floor((o.maxY - Math.max(...ys)) / o.pixelY))
  const row1 = Math.min(height, Math.ceil((o.maxY - Math.min(...ys)) / o.pixelY))
  const polygon = { type: 'Feature' as const, properties: {}, geometry: b.footprint } as Parameters<
    typeof booleanPointInPolygon
  >[1]
  for (let row = row0; row < row1; row++) {
    for (let col = col0; col < col1; col++) {
      const centre = [o.minX + (col + 0.5) * o.pixelX, o.maxY - (row + 0.5) * o.pixelY]
      if (!booleanPointInPolygon(centre, polygon)) continue
      const i = row * width + col
      dsm[i] = Math.max(dsm[i] as number, ground(col, row) + b.heightM)
    }
  }
}

/** Bytes per value of the TIFF field types the writer uses. */
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 11: 4, 12: 8, 16: 8 }

interface Entry {
  tag: number
  type: number
  count: number
  /** The value bytes, already in little-endian order. */
  bytes: Uint8Array
}

/**
 * geotiff's writer puts the whole image in one big-endian strip: a reader must decode the whole image for any
 * window, and geotiff 3.0.5 reads a big-endian file's deferred strip arrays as little-endian. Real DSMs come
 * from GDAL little-endian, tiled or in strips; this rewrites the writer's output so: little-endian, with the
 * float32 pixels cut into strips of `rows` rows.
 */
function inStrips(tiff: ArrayBuffer, width: number, height: number, bytesPerPixel: number, rows: number) {
  const be = new DataView(tiff)
  const ifd = be.getUint32(4)
  const entries: Entry[] = []
  let dataStart = 0
  for (let e = 0; e < be.getUint16(ifd); e++) {
    const at = ifd + 2 + e * 12
    const [tag, type, count] = [be.getUint16(at), be.getUint16(at + 2), be.getUint32(at + 4)]
    const size = (TYPE_SIZES[type] ?? 1) * count
    const from = size <= 4 ? at + 8 : be.getUint32(at + 8)
    if (tag === 273) dataStart = type === 3 ? be.getUint16(at + 8) : be.getUint32(at + 8)
    if (tag === 273 || tag === 278 || tag === 279) continue
    entries.push({ tag, type, count, bytes: swapped(new Uint8Array(tiff, from, size), type) })
  }
  const strips = Math.ceil(height / rows)
  const rowBytes = width * bytesPerPixel
  const longs = (values: number[]) => {
    const bytes = new Uint8Array(values.length * 4)
    values.forEach((v, i) => {
      new DataView(bytes.buffer).setUint32(i * 4, v, true)
    })
    return bytes
  }
  const counts = Array.from({ length: strips }, (_, s) => Math.min(rows, height - s * rows) * rowBytes)
  entries.push({ tag: 278, type: 4, count: 1, bytes: longs([rows]) })
  entries.push({ tag: 279, type: 4, count: strips, bytes: longs(counts) })
  // Offsets are known once the layout is: placeholder now, filled below.
  const offsetsEntry: Entry = { tag: 273, type: 4, count: strips, bytes: new Uint8Array(strips * 4) }
  entries.push(offsetsEntry)
  entries.sort((a, b) => a.tag - b.tag)
  const ifdSize = 2 + entries.length * 12 + 4
  let overflow = 8 + ifdSize
  const overflowAt = new Map<Entry, number>()
  for (const entry of entries) {
    if (entry.bytes.length <= 4) continue
    overflowAt.set(entry, overflow)
    overflow += entry.bytes.length + (entry.bytes.length % 2)
  }
  const pixelsAt = overflow
  new DataView(offsetsEntry.bytes.buffer).setUint32(0, pixelsAt, true)
  for (let s = 1; s < strips; s++) {
    new DataView(offsetsEntry.bytes.buffer).setUint32(s * 4, pixelsAt + s * rows * rowBytes, true)
  }
  const out = new Uint8Array(pixelsAt + height * rowBytes)
  const le = new DataView(out.buffer)
  out.set([0x49, 0x49])
  le.setUint16(2, 42, true)
  le.setUint32(4, 8, true)
  le.setUint16(8, entries.length, true)
  entries.forEach((entry, i) => {
    const at = 10 + i * 12
    le.setUint16(at, entry.tag, true)
    le.setUint16(at + 2, entry.type, true)
    le.setUint32(at + 4, entry.count, true)
    const pointer = overflowAt.get(entry)
    if (pointer === undefined) out.set(entry.bytes, at + 8)
    else {
      le.setUint32(at + 8, pointer, true)
      out.set(entry.bytes, pointer)
    }
  })
  out.set(swapped(new Uint8Array(tiff, dataStart, height * rowBytes), 11), pixelsAt)
  return out.buffer
}

/** A big-endian field's bytes in little-endian order, element by element (ASCII and bytes as they are). */
function swapped(bytes: Uint8Array, type: number): Uint8Array {
  const size = type === 5 ? 4 : (TYPE_SIZES[type] ?? 1)
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i += size)
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k] as number
  return out
}
