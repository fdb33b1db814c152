import type { DistanceModel, diagnoseServiceCoverage, PolygonM, TypeDiagnosis } from './engine/index.ts'

/** One gap as the output transaction reads it (column names of `coverage_gaps`, plus the problem's figures). */
export interface GapRow {
  gap_key: string
  facility_type: string
  distance_model: DistanceModel
  kind: 'blind_spot' | 'capacity'
  /** Polygon coordinates in metres of the run's metric CRS; null for capacity gaps. */
  outline: PolygonM | null
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
export function gapRows(model: DistanceModel, t: TypeDiagnosis, demandPoints: DemandPoints): UnrankedGap[] {
  const rows: UnrankedGap[] = []
  // Lookups by id: a big city has thousands of blind spots and catchments per type.
  const spots = new Map(t.blindSpots.map((s) => [s.id, s]))
  const catchments = new Map((t.capacity?.catchments ?? []).map((c) => [c.facilityId, c]))
  for (const p of demandPoints) {
    if (p.kind === 'blind_spot') {
      const spot = p.blindSpotId === null ? undefined : spots.get(p.blindSpotId)
      if (!spot) continue
      rows.push({
        facility_type: t.type,
        distance_model: model,
        x: p.x,
        y: p.y,
        radius_m: t.radiusM,
        gap_key: `${t.type}:${model}:blind_spot:${lowest(spot.cellIds)}`,
        kind: 'blind_spot',
        outline: spot.outline,
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
      rows.push({
        facility_type: t.type,
        distance_model: model,
        x: p.x,
        y: p.y,
        radius_m: t.radiusM,
        gap_key: `${t.type}:${model}:capacity:${p.facilityId}`,
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

/** The lowest id; a loop, not Math.min(...ids): a spot of a big city holds more cells than a call takes arguments. */
function lowest(ids: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY
  for (const id of ids) if (id < min) min = id
  return min
}

/**
 * One ranking over every type and model; severity by rank tercile (top third high). The gaps come back in the order
 * given (the order they were staged in), each with its rank.
 */
export function rankGaps(points: UnrankedGap[]): GapRow[] {
  const sorted = [...points].sort((a, b) => b.priority - a.priority || (a.gap_key < b.gap_key ? -1 : 1))
  const n = sorted.length
  const high = Math.ceil(n / 3)
  const middle = Math.ceil((2 * n) / 3)
  // The gaps are the diagnosis's own fresh rows: ranked in place rather than copied (an L city has ~100k).
  sorted.forEach((p, i) => {
    const ranked = p as GapRow
    ranked.rank = i + 1
    ranked.severity = i < high ? 3 : i < middle ? 2 : 1
  })
  return points as GapRow[]
}
