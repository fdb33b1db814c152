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
