import { describe, expect, it } from 'vitest'
import {
  buildWalkGraph,
  type CoverageInput,
  type CoverageResult,
  computeCoverage,
  diagnoseFromCoverage,
  diagnoseServiceCoverage,
  naiveCoverage,
  SegmentIndex,
} from '../../../jobs/coverage/engine/index.ts'
import { mulberry32, randomCity } from './fixtures.ts'

const CITY = {
  seed: 20240601,
  cols: 60,
  rows: 50,
  cellSizeM: 100,
  facilitiesPerType: 80,
  streetSpacingM: 180,
}

/** Cell-by-cell differences between two coverage results, as readable strings (empty when equal). */
function differences(input: CoverageInput, fast: CoverageResult, naive: CoverageResult): string[] {
  const out: string[] = []
  fast.types.forEach((f, ti) => {
    const n = naive.types[ti]!
    for (let i = 0; i < input.cells.length; i++) {
      const a = f.distanceM[i]!
      const b = n.distanceM[i]!
      const sameDistance = Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= 1e-6
      if (
        f.covered[i] !== n.covered[i] ||
        !sameDistance ||
        !Object.is(f.nearestFacilityId[i], n.nearestFacilityId[i])
      ) {
        out.push(
          `${f.type} cell ${input.cells[i]!.id}: fast ${a}/${f.nearestFacilityId[i]} naive ${b}/${n.nearestFacilityId[i]}`,
        )
      }
    }
  })
  return out
}

describe.each(['euclidean', 'network'] as const)('random city, %s model', (model) => {
  const input = randomCity(CITY, model)
  const fast = computeCoverage(input)
  const naive = naiveCoverage(input)

  it('exercises covered, uncovered and out-of-reach cells', () => {
    let covered = 0
    let uncovered = 0
    let none = 0
    for (const t of fast.types) {
      for (let i = 0; i < input.cells.length; i++) {
        if (t.covered[i]) covered++
        else if (Number.isNaN(t.distanceM[i]!)) none++
        else uncovered++
      }
    }
    expect(input.cells.length).toBe(3000)
    expect(input.facilities.length).toBe(320)
    expect(covered).toBeGreaterThan(1000)
    expect(uncovered).toBeGreaterThan(200)
    expect(none).toBeGreaterThan(50)
    if (model === 'network') {
      expect(fast.unreachableCells).toBeGreaterThan(10)
      expect(fast.types.some((t) => t.unreachableFacilityIds.length > 0)).toBe(true)
    }
  })

  it('equals the naive reference for every cell and type', () => {
    expect(differences(input, fast, naive)).toEqual([])
    expect(fast.unreachableCells).toBe(naive.unreachableCells)
    expect(fast.types.map((t) => t.unreachableFacilityIds)).toEqual(
      naive.types.map((t) => t.unreachableFacilityIds),
    )
  }, 60_000)

  it('gives the same diagnosis on naive coverage', () => {
    const a = diagnoseServiceCoverage(input)
    const b = diagnoseFromCoverage(input, naive)
    const digest = (d: typeof a) => ({
      types: d.types.map((t) => [
        t.type,
        t.uncovered,
        t.blindSpots.map((s) => s.cellIds),
        t.capacity?.totalGap,
      ]),
      points: d.demandPoints.map((p) => [p.id, p.score]),
    })
    expect(digest(b)).toEqual(digest(a))
    for (const t of a.types) {
      for (const spot of t.blindSpots) expect(spot.areaM2).toBe(spot.cellIds.length * 100 * 100)
    }
  })
})

describe('segment index', () => {
  it('finds the same nearest edge as a scan over all edges', () => {
    const graph = buildWalkGraph(randomCity(CITY, 'network').roads ?? [])
    for (const bucketM of [7, 40, 250]) {
      const index = new SegmentIndex(graph, bucketM)
      const rand = mulberry32(bucketM)
      for (let q = 0; q < 500; q++) {
        const x = 500_000 - 500 + rand() * 7000
        const y = 3_450_000 - 500 + rand() * 6000
        const maxDistM = rand() * 400
        let best = -1
        let bestD = Number.POSITIVE_INFINITY
        for (let e = 0; e < graph.edgeCount; e++) {
          const d = pointSegmentDistance(graph, e, x, y)
          if (d < bestD) {
            bestD = d
            best = e
          }
        }
        const found = index.nearest(x, y, maxDistM)
        if (bestD > maxDistM + 1e-9) expect(found).toBe(-1)
        else if (bestD < maxDistM - 1e-9) {
          // Two edges meeting at the nearest vertex are equally near; either may win the last bit.
          expect(found >= 0 && (found === best || Math.abs(index.lastDistanceM - bestD) < 1e-9)).toBe(true)
          expect(index.lastDistanceM).toBeCloseTo(bestD, 9)
        }
      }
    }
  })
})

/** Independent point-to-segment distance (parametric form) for checking the index. */
function pointSegmentDistance(
  graph: ReturnType<typeof buildWalkGraph>,
  e: number,
  x: number,
  y: number,
): number {
  const ax = graph.nodeX[graph.edgeFrom[e]!]!
  const ay = graph.nodeY[graph.edgeFrom[e]!]!
  const bx = graph.nodeX[graph.edgeTo[e]!]!
  const by = graph.nodeY[graph.edgeTo[e]!]!
  const t = Math.max(
    0,
    Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
  )
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))
}
