/** Shared by the overlays that draw polygons given as rings of [lon, lat] degrees. */
import { Cartesian3, PolygonHierarchy } from 'cesium'
import type { Ring } from '../core/gaps.ts'

/** The first ring outside, the others holes. */
export function hierarchyOf(rings: readonly Ring[]): PolygonHierarchy {
  const positions = (ring: Ring) => Cartesian3.fromDegreesArray(ring.flat())
  const [outer, ...holes] = rings
  return new PolygonHierarchy(
    positions(outer ?? []),
    holes.map((hole) => new PolygonHierarchy(positions(hole))),
  )
}
