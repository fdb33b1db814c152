/** Age groups the population grid is broken down into. */
export type PopulationGroup = 'children' | 'working' | 'elderly'

/** Resident counts per age group. */
export interface GroupCounts {
  children: number
  working: number
  elderly: number
}

/**
 * One square cell of the population grid. Every coordinate in this module is metres in one
 * metric projected CRS (for example a CGCS2000 Gauss-Krüger zone), never degrees.
 */
export interface PopulationCell {
  id: number
  /** Cell centre, metres east. */
  x: number
  /** Cell centre, metres north. */
  y: number
  /** Side of the square cell in metres; identical for every cell of one grid. */
  sizeM: number
  children: number
  working: number
  elderly: number
}

export interface Facility {
  id: number
  type: string
  x: number
  y: number
  /** Places, beds or seats, in the unit the rule's `perCapitaNorm` asks for; null when unknown. */
  capacity: number | null
}

/** A road polyline; ways meeting at a junction share a vertex, crossings without one do not connect. */
export interface Road {
  id: number
  coords: ReadonlyArray<readonly [number, number]>
  /** False for motorways and other roads pedestrians may not use. */
  walkable: boolean
}

/** How one facility type is diagnosed. */
export interface FacilityRule {
  type: string
  /** Service radius (GB 50180-2018 life circles: 300/500/1000 m). */
  radiusM: number
  /** Groups that need this facility; residents of other groups are ignored for this type. */
  servedGroups: readonly PopulationGroup[]
  /**
   * Capacity units needed per served resident (30 kindergarten places per 1000 residents is 0.03).
   * Without it no capacity gap is computed for the type.
   */
  perCapitaNorm?: number
  /** Multiplier expressing how vulnerable the served group is; scales the demand-point priority. */
  vulnerabilityWeight: number
}

export type DistanceModel = 'euclidean' | 'network'

export interface CoverageInput {
  cells: readonly PopulationCell[]
  facilities: readonly Facility[]
  /** Required for the network model; ignored by the euclidean one. */
  roads?: readonly Road[]
  rules: readonly FacilityRule[]
  model: DistanceModel
  /**
   * Facility types of the indicator edition in use; every rule must name one of them. Pass it when a
   * city may have no facility at all of some type, otherwise that rule is rejected as unknown.
   * @defaultValue the distinct types of `facilities`
   */
  facilityTypes?: readonly string[]
}

export interface CoverageOptions {
  /**
   * Longest straight access walk from a cell centre or facility to the nearest walkable road; a point
   * farther away is unreachable in the network model.
   * @defaultValue 300
   */
  maxSnapM?: number
  /**
   * Nearest distances are searched and reported up to `radiusM` times this factor, so planners can
   * see how far an uncovered cell is from being covered; beyond it the distance is null.
   * @defaultValue 2
   */
  distanceCutoffFactor?: number
  /**
   * Road vertices closer than this are merged into one graph node (OSM ways digitised separately
   * rarely share exact coordinates after reprojection).
   * @defaultValue 0.5
   */
  mergeToleranceM?: number
}

/**
 * Coverage of every cell by one facility type, column-wise in input cell order (a city has tens of
 * thousands of cells per type, which would be that many objects).
 */
export interface TypeCoverage {
  type: string
  radiusM: number
  /** Distances beyond this are not searched; `radiusM × distanceCutoffFactor`. */
  cutoffM: number
  /** 1 when the nearest facility is within `radiusM`. */
  covered: Uint8Array
  /** Distance to the nearest facility; NaN when unreachable or beyond `cutoffM`. */
  distanceM: Float64Array
  /** Id of the nearest facility; NaN exactly when `distanceM` is NaN. */
  nearestFacilityId: Float64Array
  /** Facilities of this type farther than `maxSnapM` from any walkable road (network model only). */
  unreachableFacilityIds: number[]
}

export interface CoverageResult {
  model: DistanceModel
  /** One entry per rule, in rule order. */
  types: TypeCoverage[]
  /** Straight access distance from each cell centre to the road network; NaN when unreachable; null for euclidean. */
  cellAccessM: Float64Array | null
  /** Cells farther than `maxSnapM` from any walkable road (always 0 for euclidean). */
  unreachableCells: number
}

/** One cell's coverage as a plain object, nulls instead of NaN. */
export interface CellCoverage {
  covered: boolean
  distanceM: number | null
  nearestFacilityId: number | null
}

export interface PointM {
  x: number
  y: number
}

/** A closed ring of [x, y] metres; first and last positions are equal. */
export type RingM = Array<[number, number]>

/**
 * GeoJSON Polygon coordinates in metres: the outer ring counter-clockwise, then holes clockwise
 * (RFC 7946 winding), each ring starting at its lowest, then leftmost vertex.
 */
export type PolygonM = RingM[]

/** A connected (4-neighbour) group of uncovered cells that have residents of the served groups. */
export interface BlindSpot {
  /** `<type>/<n>`, n counting from 1 in order of the lowest, then leftmost cell. */
  id: string
  type: string
  cellIds: number[]
  areaM2: number
  /** Residents of every group living in the blind spot. */
  uncovered: GroupCounts
  /** Residents of the served groups living in the blind spot. */
  uncoveredServed: number
  /** `uncoveredServed × perCapitaNorm` capacity units; null without a norm. */
  gap: number | null
  /** Centroid of the cell centres weighted by served residents. */
  centroid: PointM
  outline: PolygonM
}

/** The cells whose nearest facility (within the radius) is one facility. */
export interface Catchment {
  facilityId: number
  capacity: number | null
  cellCount: number
  servedResidents: number
  /** `servedResidents × perCapitaNorm`. */
  demand: number
  /** `max(0, demand − capacity)`; null when the capacity is unknown. */
  gap: number | null
  /** `max(0, capacity − demand)`; null when the capacity is unknown. */
  spare: number | null
  /** Centroid of the catchment's cell centres weighted by served residents; null when nobody lives there. */
  centroid: PointM | null
}

/**
 * Set-based capacity balance of one facility type. Each covered cell's demand goes entirely to its
 * nearest facility (no spill-over to a second facility that is also in reach), uncovered demand is
 * entirely unmet:
 *
 * - demand(cell) = Σ residents of the served groups × perCapitaNorm
 * - gap(facility) = max(0, Σ demand of its catchment − capacity), unknown capacity gives null
 * - uncoveredDemand = Σ demand of uncovered cells
 * - totalGap = Σ known catchment gaps + uncoveredDemand
 */
export interface CapacityAssessment {
  perCapitaNorm: number
  /** Demand of every cell, covered or not. */
  demand: number
  /** Σ known capacities. */
  supply: number
  /** One per facility of the type, in facility id order; unreachable ones have empty catchments. */
  catchments: Catchment[]
  /** Σ catchment gaps over facilities with known capacity. */
  catchmentGap: number
  uncoveredDemand: number
  /** Demand of catchments whose facility has unknown capacity; in no gap. */
  unknownCapacityDemand: number
  totalGap: number
}

export interface TypeDiagnosis {
  type: string
  radiusM: number
  servedGroups: readonly PopulationGroup[]
  vulnerabilityWeight: number
  perCapitaNorm: number | null
  coverage: TypeCoverage
  /** Σ residents of the served groups over all cells. */
  servedResidents: number
  /** Residents of each group living in uncovered cells. */
  uncovered: GroupCounts
  /** Residents of the served groups living in uncovered cells. */
  uncoveredServed: number
  /** `1 − uncoveredServed / servedResidents`; null when nobody of the served groups lives in the city. */
  coveredShare: number | null
  blindSpots: BlindSpot[]
  /** Null when the rule has no `perCapitaNorm`. */
  capacity: CapacityAssessment | null
}

export type DemandPointKind = 'blind_spot' | 'over_capacity'

/**
 * A place that needs a facility (blind spot) or a bigger one (over-capacity catchment).
 *
 * - unservedResidents: blind spot: its residents of the served groups; over-capacity catchment:
 *   `gap / perCapitaNorm`, the residents the capacity cannot take
 * - unmetShare: share of the area's demand that is unmet; 1 for a blind spot, `gap / demand` for a
 *   catchment
 * - score = vulnerabilityWeight × unservedResidents × (1 + unmetShare)
 *
 * The score counts people weighted by vulnerability, and at equal headcount puts an area with no
 * service at all (factor 2) before one whose facility is merely too small.
 */
export interface DemandPoint {
  /** 1-based position after sorting by score descending, then type, x, y and id ascending. */
  rank: number
  /** `blind_spot:<blind spot id>` or `over_capacity:<type>/<facility id>`. */
  id: string
  kind: DemandPointKind
  type: string
  /** Weighted centroid of the area. */
  x: number
  y: number
  unservedResidents: number
  /** Capacity units missing; null when the rule has no `perCapitaNorm`. */
  gap: number | null
  unmetShare: number
  vulnerabilityWeight: number
  score: number
  blindSpotId: string | null
  facilityId: number | null
}

export interface CoverageDiagnosis {
  model: DistanceModel
  /** Residents of the whole grid. */
  population: GroupCounts
  unreachableCells: number
  /** One per rule, in rule order. */
  types: TypeDiagnosis[]
  demandPoints: DemandPoint[]
}
