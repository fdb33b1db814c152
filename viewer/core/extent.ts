/** Geographic extent in degrees (EPSG:4326). */
export interface ExtentDeg {
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
}

const RAD_TO_DEG = 180 / Math.PI

/** Extent of a 3D Tiles bounding region ([w, s, e, n] radians, then heights). */
export function extentOfRegion(region: readonly number[]): ExtentDeg {
  const [w = 0, s = 0, e = 0, n = 0] = region
  return {
    westDeg: w * RAD_TO_DEG,
    southDeg: s * RAD_TO_DEG,
    eastDeg: e * RAD_TO_DEG,
    northDeg: n * RAD_TO_DEG,
  }
}

export function padExtent(extent: ExtentDeg, fraction: number): ExtentDeg {
  const dx = (extent.eastDeg - extent.westDeg) * fraction
  const dy = (extent.northDeg - extent.southDeg) * fraction
  return {
    westDeg: extent.westDeg - dx,
    southDeg: extent.southDeg - dy,
    eastDeg: extent.eastDeg + dx,
    northDeg: extent.northDeg + dy,
  }
}

/** Bounding box of every position in a GeoJSON geometry, or null when it has none. */
export function extentOfGeometry(geometry: { type: string; coordinates?: unknown } | null): ExtentDeg | null {
  if (!geometry) return null
  const box = [Infinity, Infinity, -Infinity, -Infinity]
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return
    if (typeof value[0] === 'number' && typeof value[1] === 'number') {
      box[0] = Math.min(box[0]!, value[0])
      box[1] = Math.min(box[1]!, value[1])
      box[2] = Math.max(box[2]!, value[0])
      box[3] = Math.max(box[3]!, value[1])
    } else for (const v of value) visit(v)
  }
  visit(geometry.coordinates)
  if (!Number.isFinite(box[0])) return null
  return { westDeg: box[0]!, southDeg: box[1]!, eastDeg: box[2]!, northDeg: box[3]! }
}

/** The smallest extent holding all of them, or null for none. */
export function unionExtent(extents: readonly ExtentDeg[]): ExtentDeg | null {
  if (extents.length === 0) return null
  return {
    westDeg: Math.min(...extents.map((e) => e.westDeg)),
    southDeg: Math.min(...extents.map((e) => e.southDeg)),
    eastDeg: Math.max(...extents.map((e) => e.eastDeg)),
    northDeg: Math.max(...extents.map((e) => e.northDeg)),
  }
}

export function extentContains(extent: ExtentDeg, lonDeg: number, latDeg: number): boolean {
  return (
    lonDeg >= extent.westDeg &&
    lonDeg <= extent.eastDeg &&
    latDeg >= extent.southDeg &&
    latDeg <= extent.northDeg
  )
}
