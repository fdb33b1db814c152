import { describe, expect, it } from 'vitest'
import {
  buildWalkGraph,
  type CoverageDiagnosis,
  cellCoverage,
  computeCoverage,
  DijkstraWorkspace,
  diagnoseServiceCoverage,
  multiSourceDijkstra,
  naiveCoverage,
  signedRingAreaM2,
  type TypeCoverage,
} from '../../../jobs/coverage/engine/index.ts'
import { cellId, handTown } from './fixtures.ts'

/** Coverage as a picture, north row first: '#' covered, '.' not. */
function coverageMap(coverage: TypeCoverage): string[] {
  const rows: string[] = []
  for (let r = 3; r >= 0; r--) {
    let line = ''
    for (let c = 0; c < 6; c++) line += coverage.covered[cellId(c, r) - 1] ? '#' : '.'
    rows.push(line)
  }
  return rows
}

function distances(coverage: TypeCoverage): Array<number | null> {
  return Array.from({ length: 24 }, (_, i) => cellCoverage(coverage, i).distanceM)
}

function kindergarten(d: CoverageDiagnosis) {
  const t = d.types.find((x) => x.type === 'kindergarten')
  if (!t) throw new Error('no kindergarten diagnosis')
  return t
}

// Node order follows first appearance on walkable roads: A B C D E F (road 11), G (12), H I J K L (13), M N (15).
const A = 0
const C = 2
const D = 3
const F = 5
const I = 8
const J = 9
const M = 12

describe('walking graph of the hand town', () => {
  const graph = buildWalkGraph(handTown('network').roads ?? [])

  it('merges shared vertices, splits only there and leaves the motorway out', () => {
    expect(graph.nodeCount).toBe(14)
    expect(graph.edgeCount).toBe(13)
    // 100+110+100+100+100 (A..F) + 80 (bridge) + 100+100+100+110+100 (G..L) + 110+100 (I..N)
    expect(graph.edgeLengthM.reduce((s, x) => s + x, 0)).toBe(1310)
    for (let e = 0; e < graph.edgeCount; e++) {
      const ends = [graph.edgeFrom[e], graph.edgeTo[e]].sort()
      expect(ends).not.toEqual([C, J])
    }
  })

  it('multi-source Dijkstra gives every node its nearest kindergarten', () => {
    // KW (id 1, label 0) snaps to (120,50) on A–B: access 20, 70 m to A, 30 m to B.
    // KE (id 2, label 1) snaps to (380,150) on I–M: access 10, 40 m to I, 70 m to M.
    const sources = { node: [A, 1, I, M], distM: [20 + 70, 20 + 30, 10 + 40, 10 + 70], label: [0, 0, 1, 1] }
    const { distM, label, settledCount } = multiSourceDijkstra(graph, sources, 10_000)
    // KW: A 90, B 50, C = 50+110 = 160, D 260, E 360 (KE would be 430); F: KW 460 vs KE 330.
    // KE: I 50, M 80, N = 80+100 = 180, H = 50+100 = 150, J 150, G = 150+100 = 250,
    //     K = 150+110 = 260, L 360, F = 250+80 = 330.
    expect(Array.from(distM)).toEqual([90, 50, 160, 260, 360, 330, 250, 150, 50, 150, 260, 360, 80, 180])
    expect(Array.from(label)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    expect(settledCount).toBe(14)
  })

  it('stops at the bound and reuses its workspace', () => {
    const ws = new DijkstraWorkspace(graph.nodeCount)
    const keOnly = { node: [I, M], distM: [50, 80], label: [7, 7] }
    // Unbounded from KE: across the bridge D = 330 + 100 + 100 = 530, C 630, B 740, A 840.
    const far = multiSourceDijkstra(graph, keOnly, 10_000, ws)
    expect(far.distM[D]).toBe(530)
    expect(far.distM[A]).toBe(840)
    // Bound 300: only I 50, M 80, H 150, J 150, N 180, G 250, K 260 are within it.
    const near = multiSourceDijkstra(graph, keOnly, 300, ws)
    expect(near.settledCount).toBe(7)
    expect(near.distM[F]).toBe(Number.POSITIVE_INFINITY)
    expect(near.label[F]).toBe(-1)
    expect(near.distM[A]).toBe(Number.POSITIVE_INFINITY)
    expect(near.label[I]).toBe(7)
  })
})

describe('euclidean model on the hand town', () => {
  const d = diagnoseServiceCoverage(handTown('euclidean'))
  const k = kindergarten(d)

  it('covers every cell by straight line', () => {
    expect(coverageMap(k.coverage)).toEqual(['######', '######', '######', '######'])
    // Across the river: cell (250,150) is 130.38 m from KE = √(130² + 10²) = √17000, nearer than KW at √23300.
    expect(cellCoverage(k.coverage, cellId(2, 1) - 1)).toEqual({
      covered: true,
      distanceM: Math.sqrt(17000),
      nearestFacilityId: 2,
    })
    // Farthest cell (50,350) to KW (120,70): √(70² + 280²) = √83300 = 288.62 m.
    expect(k.coverage.distanceM[cellId(0, 3) - 1]).toBeCloseTo(288.6174, 4)
    expect(k.uncoveredServed).toBe(0)
    expect(k.blindSpots).toEqual([])
  })

  it('allocates each cell to its nearest kindergarten', () => {
    // KW catchment: columns 0-1 plus (250,50) = 9 cells, 8 × 10 + 30 children = 110 → demand 55, capacity 20.
    // KE catchment: the other 15 cells, 14 × 10 + 0 = 140 children → demand 70, capacity 50.
    const cap = k.capacity!
    expect(
      cap.catchments.map((c) => [c.facilityId, c.cellCount, c.servedResidents, c.demand, c.gap]),
    ).toEqual([
      [1, 9, 110, 55, 35],
      [2, 15, 140, 70, 20],
    ])
    expect(cap.uncoveredDemand).toBe(0)
    expect(cap.totalGap).toBe(55)
  })
})

describe('network model on the hand town', () => {
  const d = diagnoseServiceCoverage(handTown('network'))
  const k = kindergarten(d)

  it('finds the cells the river cuts off', () => {
    expect(coverageMap(k.coverage)).toEqual(['...#..', '#..###', '######', '#####.'])
  })

  it('measures walking distances (access + graph + access)', () => {
    // Node distances to the nearest kindergarten (see the Dijkstra test): A 90 B 50 C 160 D 260
    // E 360 F 330 G 250 H 150 I 50 J 150 K 260 L 360 M 80 N 180.
    expect(distances(k.coverage)).toEqual([
      // row 0, y = 50: cells on the streets, access 0
      90, // (50,50) at A
      50, // (150,50) at B
      150, // (250,50) on B–C 100 m from B: 100 + 50 (via C: 10 + 160 = 170)
      160, // (350,50) on J–K 10 m from J: 10 + 150
      260, // (450,50) at K
      360, // (550,50) at L: beyond the 300 m radius
      // row 1, y = 150
      190, // (50,150) → A, access 100: 100 + 90
      150, // (150,150) → B, access 100 (D is 110 away): 100 + 50
      270, // (250,150) → D, access 10: 10 + 260; KE is 131 m away by air but 10 + 530 = 540 m on foot
      40, // (350,150) on I–M 10 m from I, KE 40 m from I on the same edge: |40 − 10| + 10
      80, // (450,150) at M: 0 + 80
      180, // (550,150) at N
      // row 2, y = 250
      290, // (50,250) → A, access 200 (E is 210 away): 200 + 90
      470, // (150,250) → E, access 110: 110 + 360
      370, // (250,250) → E, access 10: 10 + 360
      160, // (350,250) → H, access 10: 10 + 150
      180, // (450,250) → M, access 100: 100 + 80
      280, // (550,250) → N, access 100: 100 + 180
      // row 3, y = 350
      540, // (50,350) → F, access 210: 210 + 330
      440, // (150,350) → F, access 110: 110 + 330
      340, // (250,350) → F, access 10: 10 + 330
      260, // (350,350) → G, access 10: 10 + 250
      360, // (450,350) → G, access 110: 110 + 250
      380, // (550,350) → N, access 200: 200 + 180
    ])
    expect(k.coverage.nearestFacilityId[cellId(2, 1) - 1]).toBe(1)
    expect(d.unreachableCells).toBe(0)
  })

  it('counts uncovered residents per group', () => {
    // Uncovered: ids 6 (no children), 14, 15, 19 (30 children), 20, 21, 23, 24.
    // Children 0 + 6 × 10 + 30 = 90; working 8 × 20 = 160; elderly 8 × 5 = 40.
    expect(k.uncovered).toEqual({ children: 90, working: 160, elderly: 40 })
    expect(k.uncoveredServed).toBe(90)
    // 22 × 10 + 0 + 30 = 250 children; 1 − 90 / 250.
    expect(k.servedResidents).toBe(250)
    expect(k.coveredShare).toBeCloseTo(0.64, 12)
  })

  it('dissolves uncovered cells with children into blind spots', () => {
    // Cell 6 is uncovered but has no children, so it is no blind spot.
    expect(k.blindSpots.map((b) => [b.id, b.cellIds, b.areaM2, b.uncoveredServed, b.gap])).toEqual([
      ['kindergarten/1', [14, 15, 19, 20, 21], 50_000, 70, 35],
      ['kindergarten/2', [23, 24], 20_000, 20, 10],
    ])
    const [west, east] = k.blindSpots
    expect(west!.outline).toEqual([
      [
        [100, 200],
        [300, 200],
        [300, 400],
        [0, 400],
        [0, 300],
        [100, 300],
        [100, 200],
      ],
    ])
    expect(signedRingAreaM2(west!.outline[0]!)).toBe(50_000)
    // Children-weighted centroid: x = (150·10 + 250·10 + 50·30 + 150·10 + 250·10) / 70 = 9500 / 70,
    // y = (250·10 + 250·10 + 350·30 + 350·10 + 350·10) / 70 = 22500 / 70.
    expect(west!.centroid.x).toBeCloseTo(9500 / 70, 9)
    expect(west!.centroid.y).toBeCloseTo(22500 / 70, 9)
    expect(east!.outline).toEqual([
      [
        [400, 300],
        [600, 300],
        [600, 400],
        [400, 400],
        [400, 300],
      ],
    ])
    expect(east!.centroid).toEqual({ x: 500, y: 350 })
  })

  it('computes capacity gaps per catchment and for uncovered demand', () => {
    // KW catchment: ids 1, 2, 3, 7, 8, 9, 13 = 70 children × 0.5 = 35 places > 20 → gap 15.
    // KE catchment: ids 4, 5, 10, 11, 12, 16, 17, 18, 22 = 90 children → 45 places < 50 → spare 5.
    // Uncovered: 90 children → 45 places, all missing. Total gap 15 + 45 = 60.
    const cap = k.capacity!
    expect(cap.catchments.map(({ centroid: _, ...rest }) => rest)).toEqual([
      { facilityId: 1, capacity: 20, cellCount: 7, servedResidents: 70, demand: 35, gap: 15, spare: 0 },
      { facilityId: 2, capacity: 50, cellCount: 9, servedResidents: 90, demand: 45, gap: 0, spare: 5 },
    ])
    // Children-weighted centroids; every catchment cell has 10 children.
    const [kw, ke] = cap.catchments.map((c) => c.centroid!)
    expect(kw!.x).toBeCloseTo((50 + 150 + 250 + 50 + 150 + 250 + 50) / 7, 9)
    expect(kw!.y).toBeCloseTo((3 * 50 + 3 * 150 + 250) / 7, 9)
    expect(ke!.x).toBeCloseTo((350 + 450 + 350 + 450 + 550 + 350 + 450 + 550 + 350) / 9, 9)
    expect(ke!.y).toBeCloseTo((2 * 50 + 3 * 150 + 3 * 250 + 350) / 9, 9)
    expect([cap.demand, cap.supply, cap.catchmentGap, cap.uncoveredDemand, cap.totalGap]).toEqual([
      125, 70, 15, 45, 60,
    ])
  })

  it('outlines a type without any facility as one blind spot with a hole', () => {
    const elderly = d.types.find((t) => t.type === 'elderly_care')!
    expect(elderly.coverage.distanceM.every(Number.isNaN)).toBe(true)
    expect(elderly.coveredShare).toBe(0)
    // Every cell has 5 elderly except (250,150), which becomes a hole of the 23-cell blind spot.
    expect(elderly.blindSpots).toHaveLength(1)
    const spot = elderly.blindSpots[0]!
    expect(spot.areaM2).toBe(230_000)
    expect(spot.uncoveredServed).toBe(115)
    expect(spot.gap).toBeNull()
    expect(spot.outline).toEqual([
      [
        [0, 0],
        [600, 0],
        [600, 400],
        [0, 400],
        [0, 0],
      ],
      [
        [200, 100],
        [200, 200],
        [300, 200],
        [300, 100],
        [200, 100],
      ],
    ])
    expect(spot.outline.map(signedRingAreaM2)).toEqual([240_000, -10_000])
  })

  it('ranks demand points by weighted unserved residents and unmet share', () => {
    // score = weight × unserved × (1 + unmetShare)
    // elderly blind spot:      2   × 115 × (1 + 1)      = 460
    // kindergarten/1:          1.5 × 70  × (1 + 1)      = 210
    // KW over capacity:        1.5 × (15 / 0.5 = 30) × (1 + 15/35) = 450 / 7 ≈ 64.29
    // kindergarten/2:          1.5 × 20  × (1 + 1)      = 60
    // KE has spare places, so no point.
    expect(d.demandPoints.map((p) => [p.rank, p.id, p.unservedResidents, p.gap])).toEqual([
      [1, 'blind_spot:elderly_care/1', 115, null],
      [2, 'blind_spot:kindergarten/1', 70, 35],
      [3, 'over_capacity:kindergarten/1', 30, 15],
      [4, 'blind_spot:kindergarten/2', 20, 10],
    ])
    const scores = d.demandPoints.map((p) => p.score)
    expect(scores[0]).toBe(460)
    expect(scores[1]).toBe(210)
    expect(scores[2]).toBeCloseTo(450 / 7, 12)
    expect(scores[3]).toBe(60)
    const over = d.demandPoints[2]!
    expect(over.unmetShare).toBeCloseTo(3 / 7, 12)
    expect(over.facilityId).toBe(1)
    expect(over.x).toBeCloseTo(950 / 7, 9)
    expect(over.y).toBeCloseTo(850 / 7, 9)
  })

  it('agrees with the naive reference', () => {
    const fast = computeCoverage(handTown('network'))
    const naive = naiveCoverage(handTown('network'))
    expect(naive.types.map((t) => Array.from(t.distanceM))).toEqual(
      fast.types.map((t) => Array.from(t.distanceM)),
    )
    expect(naive.types.map((t) => Array.from(t.nearestFacilityId))).toEqual(
      fast.types.map((t) => Array.from(t.nearestFacilityId)),
    )
  })
})

describe('limits of the models', () => {
  it('treats cells and facilities beyond maxSnapM as unreachable', () => {
    // Access walks over 150 m: (50,250) 200, (50,350) 210, (550,350) 200.
    const far = computeCoverage(handTown('network'), { maxSnapM: 150 })
    expect(far.unreachableCells).toBe(3)
    expect(Number.isNaN(far.cellAccessM![cellId(0, 2) - 1]!)).toBe(true)
    expect(cellCoverage(far.types[0]!, cellId(0, 2) - 1)).toEqual({
      covered: false,
      distanceM: null,
      nearestFacilityId: null,
    })
    // KW's access walk is 20 m, KE's 10 m.
    const tight = computeCoverage(handTown('network'), { maxSnapM: 15 })
    expect(tight.types[0]!.unreachableFacilityIds).toEqual([1])
  })

  it('reports distances up to radius × distanceCutoffFactor', () => {
    // With factor 1.5 the cutoff is 450 m: 470 (150,250), 540 (50,350) are dropped, 440 (150,350) kept.
    const cov = computeCoverage(handTown('network'), { distanceCutoffFactor: 1.5 }).types[0]!
    expect(cov.cutoffM).toBe(450)
    expect(cellCoverage(cov, cellId(1, 2) - 1).distanceM).toBeNull()
    expect(cellCoverage(cov, cellId(0, 3) - 1).distanceM).toBeNull()
    expect(cellCoverage(cov, cellId(1, 3) - 1)).toEqual({
      covered: false,
      distanceM: 440,
      nearestFacilityId: 2,
    })
  })

  it('counts a facility exactly at the radius as covering', () => {
    const input = handTown('euclidean')
    input.facilities = [
      { id: 1, type: 'kindergarten', x: 350, y: 50, capacity: null },
      { id: 2, type: 'kindergarten', x: 5000, y: 50, capacity: null },
    ]
    const cov = computeCoverage(input).types[0]!
    expect(cellCoverage(cov, cellId(0, 0) - 1)).toEqual({
      covered: true,
      distanceM: 300,
      nearestFacilityId: 1,
    })
  })

  it('breaks distance ties towards the lower facility id', () => {
    const input = handTown('euclidean')
    // Both 100 m from cell (150,50); listed with the higher id first.
    input.facilities = [
      { id: 9, type: 'kindergarten', x: 250, y: 50, capacity: null },
      { id: 4, type: 'kindergarten', x: 50, y: 50, capacity: null },
    ]
    for (const impl of [computeCoverage, naiveCoverage]) {
      expect(cellCoverage(impl(input).types[0]!, cellId(1, 0) - 1).nearestFacilityId).toBe(4)
    }
  })
})
