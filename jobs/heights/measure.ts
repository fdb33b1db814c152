import type { HeightQuality } from '../../server/db/buildings.ts'
import type { Grid, Raster } from './raster.ts'
import { percentile, type Rings, zoneOf } from './zonal.ts'

/** The roof: a high percentile, so that a mast or a crane over one pixel does not make the building. */
export const ROOF_PERCENTILE = 0.9
/** The ground around a footprint without a DTM: a low percentile, as the ring also holds walls and trees. */
export const GROUND_PERCENTILE = 0.1
/** Fewer clear pixels than this in a footprint make the height `coarse`. */
export const MIN_FOOTPRINT_PIXELS = 16
/** A larger share of nodata in the footprint makes the height `partial`. */
export const MAX_NODATA_SHARE = 0.2

/** The two rasters of a height import and the pixels read for the window in hand. */
export interface Surfaces {
  dsm: Raster
  dsmGrid: Grid
  dtm: Raster | null
  dtmGrid: Grid | null
}

export interface Measurement {
  heightM: number
  quality: HeightQuality
  roofM: number
  groundM: number
  pixels: number
}

/**
 * A building's height from the rasters: the roof percentile of the DSM inside the footprint minus the ground —
 * the DTM's median under the footprint, or without a DTM the low percentile of the DSM in the ring around it.
 * Null when the footprint holds no clear pixel or no ground is found.
 */
export function measureBuilding(s: Surfaces, footprint: Rings, ring: Rings): Measurement | null {
  const roof = zoneOf(s.dsm, s.dsmGrid, footprint)
  if (roof.values.length === 0) return null
  const groundM =
    s.dtm && s.dtmGrid
      ? percentile(zoneOf(s.dtm, s.dtmGrid, footprint).values, 0.5)
      : percentile(zoneOf(s.dsm, s.dsmGrid, ring).values, GROUND_PERCENTILE)
  if (Number.isNaN(groundM)) return null
  const roofM = percentile(roof.values, ROOF_PERCENTILE)
  const nodataShare = 1 - roof.values.length / roof.pixels
  const quality: HeightQuality =
    nodataShare > MAX_NODATA_SHARE ? 'partial' : roof.values.length < MIN_FOOTPRINT_PIXELS ? 'coarse' : 'good'
  return { heightM: Math.max(0, roofM - groundM), quality, roofM, groundM, pixels: roof.values.length }
}

/**
 * A measured height disagrees with the recorded one when it is off by more than 5 m and by more than 30 %:
 * a storey or two of difference is what a DSM's roof furniture and an OSM tag's rounding give anyway.
 */
export const MISMATCH_MIN_M = 5
export const MISMATCH_MIN_SHARE = 0.3

export function disagrees(recordedM: number, measuredM: number): boolean {
  const difference = Math.abs(recordedM - measuredM)
  return difference > MISMATCH_MIN_M && difference > MISMATCH_MIN_SHARE * Math.max(recordedM, measuredM)
}
