import type { DistanceModel, diagnoseServiceCoverage, TypeDiagnosis } from './engine/index.ts'

/** One gap as the output transaction reads it (column names of `coverage_gaps`, plus the problem's figures). */
export interface GapRow {
  gap_key: string
  dedupe_key: string
  facility_type: string
  distance_model: DistanceModel
  kind: 'blind_spot' | 'capacity'
  /** GeoJSON Polygon in metres of the run's metric CRS; null for capacity gaps. */
  outline: string | null
  x: number
  y: number
  cells: number
  uncovered_children: number
  uncovered_working: number
  uncovered_elderly: number
  unserved: number
  capacity_gap: number
  priority: number
  rank: number
  severity: number
  radius_m: number
}

/** A gap before the run's ranking over every type and model. */
export type UnrankedGap = Omit<GapRow, 'rank' | 'severity'>

type DemandPoints = ReturnType<typeof diagnoseServiceCoverage>['demandPoints']

/**
 * Gap keys name what a gap is rather than its position in a list: a blind spot by its lowest cell id, a capacity
 * gap by its facility. A rerun on slightly changed inputs then updates the same problem instead of renaming it.
 */
export function gapRows(
  regionCode: string,
  model: DistanceModel,
  t: TypeDiagnosis,
  demandPoints: DemandPoints,
): UnrankedGap[] {
  const rows: UnrankedGap[] = []
  // Lookups by id: a big city has thousands of blind spots and catchments per type.
  const spots = new Map(t.blindSpots.map((s) => [s.id, s]))
  const catchments = new Map((t.capacity?.catchments ?? []).map((c) => [c.facilityId, c]))
  for (const p of demandPoints) {
    const base = { facility_type: t.type, distance_model: model, x: p.x, y: p.y, radius_m: t.radiusM }
    if (p.kind === 'blind_spot') {
      const spot = p.blindSpotId === null ? undefined : spots.get(p.blindSpotId)
      if (!spot) continue
      // A loop, not Math.min(...ids): a spot of a big city can hold more cells than the call stack takes arguments.
      const lowestCell = spot.cellIds.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
      const gapKey = `${t.type}:${model}:blind_spot:${lowestCell}`
      rows.push({
        ...base,
        gap_key: gapKey,
        dedupe_key: `coverage:${regionCode}:${gapKey}`,
        kind: 'blind_spot',
        outline: JSON.stringify({ type: 'Polygon', coordinates: spot.outline }),
        cells: spot.cellIds.length,
        uncovered_children: spot.uncovered.children,
        uncovered_working: spot.uncovered.working,
        uncovered_elderly: spot.uncovered.elderly,
        unserved: p.unservedResidents,
        capacity_gap: spot.gap ?? 0,
        priority: p.score,
      })
    } else {
      const catchment = p.facilityId === null ? undefined : catchments.get(p.facilityId)
      const gapKey = `${t.type}:${model}:capacity:${p.facilityId}`
      rows.push({
        ...base,
        gap_key: gapKey,
        dedupe_key: `coverage:${regionCode}:${gapKey}`,
        kind: 'capacity',
        outline: null,
        cells: catchment?.cellCount ?? 0,
        uncovered_children: 0,
        uncovered_working: 0,
        uncovered_elderly: 0,
        unserved: p.unservedResidents,
        capacity_gap: p.gap ?? 0,
        priority: p.score,
      })
    }
  }
  return rows
}

/** One ranking over every type and model; severity by rank tercile (top third high). */
export function rankGaps(points: readonly UnrankedGap[]): GapRow[] {
  const sorted = [...points].sort((a, b) => b.priority - a.priority || (a.gap_key < b.gap_key ? -1 : 1))
  const n = sorted.length
  return sorted.map((p, i) => ({
    ...p,
    rank: i + 1,
    severity: i < Math.ceil(n / 3) ? 3 : i < Math.ceil((2 * n) / 3) ? 2 : 1,
  }))
}
