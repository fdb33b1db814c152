import type {
  CapacityAssessment,
  Catchment,
  Facility,
  FacilityRule,
  PopulationCell,
  TypeCoverage,
} from './types.ts'
import { servedResidents } from './validate.ts'

/**
 * Set-based capacity balance of one facility type (see {@link CapacityAssessment} for the
 * formulas). Each covered cell belongs wholly to the catchment of its nearest facility, so a
 * facility can show a gap while a neighbour that is also in reach has spare places; the catchment's
 * `spare` makes that visible rather than hiding it in a reallocation model.
 *
 * @param facilities the type's facilities (any order; catchments come out in id order).
 * @returns null when the rule has no `perCapitaNorm`.
 */
export function assessCapacity(
  cells: readonly PopulationCell[],
  facilities: readonly Facility[],
  coverage: TypeCoverage,
  rule: FacilityRule,
): CapacityAssessment | null {
  const norm = rule.perCapitaNorm
  if (norm === undefined) return null
  const sorted = [...facilities].sort((a, b) => a.id - b.id)
  const slot = new Map<number, number>(sorted.map((f, k) => [f.id, k]))
  const residents = new Float64Array(sorted.length)
  const cellCount = new Int32Array(sorted.length)
  const wx = new Float64Array(sorted.length)
  const wy = new Float64Array(sorted.length)
  let totalServed = 0
  let uncoveredServed = 0
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!
    const r = servedResidents(cell, rule)
    totalServed += r
    const k = coverage.covered[i] ? slot.get(coverage.nearestFacilityId[i]!) : undefined
    if (k === undefined) {
      uncoveredServed += r
      continue
    }
    residents[k]! += r
    cellCount[k]!++
    wx[k]! += r * cell.x
    wy[k]! += r * cell.y
  }

  let supply = 0
  let catchmentGap = 0
  let unknownCapacityDemand = 0
  const catchments: Catchment[] = sorted.map((f, k) => {
    const served = residents[k]!
    const demand = served * norm
    const capacity = f.capacity
    if (capacity === null) unknownCapacityDemand += demand
    else supply += capacity
    const gap = capacity === null ? null : Math.max(0, demand - capacity)
    if (gap !== null) catchmentGap += gap
    return {
      facilityId: f.id,
      capacity,
      cellCount: cellCount[k]!,
      servedResidents: served,
      demand,
      gap,
      spare: capacity === null ? null : Math.max(0, capacity - demand),
      centroid: served > 0 ? { x: wx[k]! / served, y: wy[k]! / served } : null,
    }
  })
  const uncoveredDemand = uncoveredServed * norm
  return {
    perCapitaNorm: norm,
    demand: totalServed * norm,
    supply,
    catchments,
    catchmentGap,
    uncoveredDemand,
    unknownCapacityDemand,
    totalGap: catchmentGap + uncoveredDemand,
  }
}
