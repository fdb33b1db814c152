import type { Grid, Raster } from './raster.ts'

/** Polygon rings as GeoJSON coordinates (a Polygon's or every polygon of a MultiPolygon), in the raster's CRS. */
export type Rings = number[][][]

export interface Zone {
  /** Values of the pixels whose centre lies inside the rings, nodata left out. */
  values: number[]
  /** Pixels inside, nodata included. */
  pixels: number
}

/**
 * The pixels of `grid` whose centre lies inside `rings` (even-odd over all rings, so holes and the ring
 * around a footprint work alike). Scanline fill per row: exact for pixel centres and linear in the pixels of
 * the zone's bounding box, where a point-in-polygon test per pixel would be O(pixels × vertices).
 */
export function zoneOf(raster: Raster, grid: Grid, rings: Rings): Zone {
  const zone: Zone = { values: [], pixels: 0 }
  let minY = Number.POSITIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const ring of rings)
    for (const p of ring) {
      minY = Math.min(minY, p[1] as number)
      maxY = Math.max(maxY, p[1] as number)
    }
  const rowFrom = Math.max(grid.row0, Math.floor((raster.originY - maxY) / raster.pixelY))
  const rowTo = Math.min(grid.row0 + grid.height, Math.ceil((raster.originY - minY) / raster.pixelY))
  const crossings: number[] = []
  for (let row = rowFrom; row < rowTo; row++) {
    const y = raster.originY - (row + 0.5) * raster.pixelY
    crossings.length = 0
    for (const ring of rings) addCrossings(ring, y, crossings)
    crossings.sort((a, b) => a - b)
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Columns whose centre x lies in [xa, xb).
      const colFrom = Math.max(
        grid.col0,
        Math.ceil(((crossings[k] as number) - raster.originX) / raster.pixelX - 0.5),
      )
      const colTo = Math.min(
        grid.col0 + grid.width,
        Math.ceil(((crossings[k + 1] as number) - raster.originX) / raster.pixelX - 0.5),
      )
      const offset = (row - grid.row0) * grid.width - grid.col0
      for (let col = colFrom; col < colTo; col++) {
        zone.pixels++
        const v = grid.values[offset + col] as number
        if (!Number.isNaN(v)) zone.values.push(v)
      }
    }
  }
  return zone
}

/** Where the ring's edges cross the horizontal line at `y` (half-open in y, so a vertex counts once). */
function addCrossings(ring: number[][], y: number, out: number[]): void {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > y !== yj > y) out.push(xi + ((y - yi) / (yj - yi)) * (xj - xi))
  }
}

/** The p-th percentile (0–1) by linear interpolation between order statistics; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const rank = p * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return (sorted[lo] as number) + (rank - lo) * ((sorted[hi] as number) - (sorted[lo] as number))
}

/** Every polygon's rings of a GeoJSON Polygon or MultiPolygon. */
export function ringsOf(geometry: { type: string; coordinates: unknown }): Rings {
  if (geometry.type === 'Polygon') return geometry.coordinates as Rings
  if (geometry.type === 'MultiPolygon') return (geometry.coordinates as Rings[]).flat()
  return []
}
