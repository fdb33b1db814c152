import type { DemandPoint, TypeDiagnosis } from './types.ts'

/**
 * One demand point per blind spot and per catchment with a capacity gap, scored and ranked as
 * documented on {@link DemandPoint}:
 * `score = vulnerabilityWeight × unservedResidents × (1 + unmetShare)`.
 * Sorted by score descending; ties by type, x, y, then id ascending so the ranking is stable
 * across runs and input orders.
 */
export function rankDemandPoints(types: readonly TypeDiagnosis[]): DemandPoint[] {
  // Ranked in place once sorted (rank 0 until then): a big city has ~100k points per run.
  const points: DemandPoint[] = []
  for (const t of types) {
    const w = t.vulnerabilityWeight
    for (const spot of t.blindSpots) {
      points.push({
        rank: 0,
        id: `blind_spot:${spot.id}`,
        kind: 'blind_spot',
        type: t.type,
        x: spot.centroid.x,
        y: spot.centroid.y,
        unservedResidents: spot.uncoveredServed,
        gap: spot.gap,
        unmetShare: 1,
        vulnerabilityWeight: w,
        score: w * spot.uncoveredServed * 2,
        blindSpotId: spot.id,
        facilityId: null,
      })
    }
    const capacity = t.capacity
    if (!capacity) continue
    for (const c of capacity.catchments) {
      if (c.gap === null || !(c.gap > 0) || !c.centroid) continue
      const unserved = c.gap / capacity.perCapitaNorm
      const unmetShare = c.gap / c.demand
      points.push({
        rank: 0,
        id: `over_capacity:${t.type}/${c.facilityId}`,
        kind: 'over_capacity',
        type: t.type,
        x: c.centroid.x,
        y: c.centroid.y,
        unservedResidents: unserved,
        gap: c.gap,
        unmetShare,
        vulnerabilityWeight: w,
        score: w * unserved * (1 + unmetShare),
        blindSpotId: null,
        facilityId: c.facilityId,
      })
    }
  }
  points.sort(
    (a, b) =>
      b.score - a.score ||
      compareStrings(a.type, b.type) ||
      a.x - b.x ||
      a.y - b.y ||
      compareStrings(a.id, b.id),
  )
  for (let k = 0; k < points.length; k++) points[k]!.rank = k + 1
  return points
}

/** Code-unit order, independent of the process locale. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}
