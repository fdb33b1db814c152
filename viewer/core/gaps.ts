/**
 * Coverage overlays from the latest diagnostic run: blind-spot outlines and demand points of one facility type,
 * turned into plain drawing data (no Cesium). Demand points are sized and coloured by priority rank.
 */
import type { FacilityType } from '../generated/graphql.ts'

/** Facility types offered in the layer panel (those a coverage run has radii for by default). */
export const GAP_FACILITY_TYPES = [
  'kindergarten',
  'primary_school',
  'middle_school',
  'clinic',
  'elderly_care',
  'infant_care',
  'market',
  'sports_ground',
  'park',
] as const satisfies readonly FacilityType[]

export type GapFacilityType = (typeof GAP_FACILITY_TYPES)[number]

export const DEFAULT_GAP_FACILITY_TYPE: GapFacilityType = 'kindergarten'

export function isGapFacilityType(value: string): value is GapFacilityType {
  return (GAP_FACILITY_TYPES as readonly string[]).includes(value)
}

/** Fill of a blind-spot polygon (semi-transparent red). */
export const BLIND_SPOT_COLOUR = 'rgba(239, 68, 68, 0.5)'

/** Priority classes of demand points, by rank: colour, marker size (px) and legend label. */
export const DEMAND_CLASSES = [
  { maxRank: 10, colour: '#b10026', pixelSize: 16, label: 'demand.top10' },
  { maxRank: 50, colour: '#fc4e2a', pixelSize: 12, label: 'demand.top50' },
  { maxRank: Number.POSITIVE_INFINITY, colour: '#feb24c', pixelSize: 8, label: 'demand.rest' },
] as const

export type DistanceModel = 'euclidean' | 'network'

export interface Gap {
  facilityType: string
  distanceModel: DistanceModel
  kind: 'blind_spot' | 'capacity'
  rank: number
  priority: number
  geom: { type: string; coordinates?: unknown } | null
  point: { type: string; coordinates?: unknown }
}

/** One ring of a polygon as `[lon, lat]` pairs (first ring outer, the rest holes). */
export type Ring = [number, number][]

/** One blind spot: the polygons of its MultiPolygon outline, each as rings. */
export interface BlindSpotPolygon {
  rank: number
  polygons: Ring[][]
}

export interface DemandPoint {
  lonDeg: number
  latDeg: number
  rank: number
  colour: string
  pixelSize: number
  label: string
}

export interface GapOverlay {
  distanceModel: DistanceModel | null
  polygons: BlindSpotPolygon[]
  points: DemandPoint[]
}

export const EMPTY_OVERLAY: GapOverlay = { distanceModel: null, polygons: [], points: [] }

/** The network model when the run has it, else the straight-line one. */
export function preferredDistanceModel(gaps: readonly Pick<Gap, 'distanceModel'>[]): DistanceModel | null {
  if (gaps.some((g) => g.distanceModel === 'network')) return 'network'
  if (gaps.some((g) => g.distanceModel === 'euclidean')) return 'euclidean'
  return null
}

export function demandClass(rank: number): (typeof DEMAND_CLASSES)[number] {
  return DEMAND_CLASSES.find((c) => rank <= c.maxRank) ?? DEMAND_CLASSES[DEMAND_CLASSES.length - 1]!
}

const isPosition = (value: unknown): value is [number, number] =>
  Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number'

function polygonsOf(geometry: Gap['geom']): Ring[][] {
  if (!geometry) return []
  const toRings = (polygon: unknown): Ring[] =>
    Array.isArray(polygon)
      ? polygon.map((ring: unknown) =>
          Array.isArray(ring)
            ? ring.filter(isPosition).map(([lon, lat]) => [lon, lat] as [number, number])
            : [],
        )
      : []
  if (geometry.type === 'Polygon') return [toRings(geometry.coordinates)]
  if (geometry.type === 'MultiPolygon' && Array.isArray(geometry.coordinates))
    return geometry.coordinates.map(toRings)
  return []
}

/** Blind spots and demand points of the gaps of one distance model (the preferred one unless given). */
export function gapOverlay(gaps: readonly Gap[], model?: DistanceModel | null): GapOverlay {
  const distanceModel = model ?? preferredDistanceModel(gaps)
  const chosen = gaps.filter((g) => g.distanceModel === distanceModel)
  const polygons: BlindSpotPolygon[] = []
  const points: DemandPoint[] = []
  for (const gap of chosen) {
    if (gap.kind === 'blind_spot') {
      const parts = polygonsOf(gap.geom).filter((rings) => (rings[0]?.length ?? 0) >= 4)
      if (parts.length > 0) polygons.push({ rank: gap.rank, polygons: parts })
    }
    const coordinates = gap.point.type === 'Point' ? gap.point.coordinates : null
    if (isPosition(coordinates)) {
      const c = demandClass(gap.rank)
      points.push({
        lonDeg: coordinates[0],
        latDeg: coordinates[1],
        rank: gap.rank,
        colour: c.colour,
        pixelSize: c.pixelSize,
        label: String(gap.rank),
      })
    }
  }
  return { distanceModel, polygons, points }
}

/** Extent of the demand points (for the camera), or null when there are none. */
export function overlayExtent(
  overlay: GapOverlay,
): { westDeg: number; southDeg: number; eastDeg: number; northDeg: number } | null {
  if (overlay.points.length === 0) return null
  const lons = overlay.points.map((p) => p.lonDeg)
  const lats = overlay.points.map((p) => p.latDeg)
  return {
    westDeg: Math.min(...lons),
    southDeg: Math.min(...lats),
    eastDeg: Math.max(...lons),
    northDeg: Math.max(...lats),
  }
}
