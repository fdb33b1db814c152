/**
 * A footprint's positions in flat arrays, refilled for each building a tile meshes: a whole build meshes half a
 * million footprints, and decoding each into nested [lon, lat] arrays kept them alive until their subtree was
 * written — the young-generation collector then copied them, about a sixth of a build's thread time.
 */
import type { Footprint } from './types.ts'

export class FlatFootprint {
  /** lon, lat of every position, ring after ring, polygon after polygon. */
  coords = new Float64Array(2 * 256)
  /** Position count so far. */
  positions = 0
  /** Position index one past each ring's last. */
  readonly ringEnds: number[] = []
  /** Rings of each polygon (the first of them is its outer ring). */
  readonly polygonRings: number[] = []

  clear(): this {
    this.positions = 0
    this.ringEnds.length = 0
    this.polygonRings.length = 0
    return this
  }

  /** Room for `more` positions past those held. */
  reserve(more: number): void {
    const need = 2 * (this.positions + more)
    if (need <= this.coords.length) return
    const grown = new Float64Array(Math.max(need, 2 * this.coords.length))
    grown.set(this.coords.subarray(0, 2 * this.positions))
    this.coords = grown
  }

  /** Appends a position; room must have been reserved. */
  push(lon: number, lat: number): void {
    this.coords[2 * this.positions] = lon
    this.coords[2 * this.positions + 1] = lat
    this.positions++
  }

  endRing(): void {
    this.ringEnds.push(this.positions)
  }

  endPolygon(rings: number): void {
    this.polygonRings.push(rings)
  }
}

/** `footprint` (GeoJSON-shaped) into `into`, cleared first. */
export function flattenFootprint(footprint: Footprint, into: FlatFootprint): FlatFootprint {
  into.clear()
  const polygons = footprint.type === 'Polygon' ? [footprint.coordinates] : footprint.coordinates
  for (const rings of polygons) {
    for (const ring of rings) {
      into.reserve(ring.length)
      for (const pos of ring) into.push(pos[0]!, pos[1]!)
      into.endRing()
    }
    into.endPolygon(rings.length)
  }
  return into
}
