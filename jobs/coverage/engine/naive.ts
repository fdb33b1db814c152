import { emptyTypeCoverage } from './engine.ts'
import { closestAlongM, distanceM, distanceToAlongM } from './geometry.ts'
import type { Snaps } from './segment-index.ts'
import type { CoverageInput, CoverageOptions, CoverageResult } from './types.ts'
import { prepareCoverageInput } from './validate.ts'
import { buildWalkGraph, type WalkGraph } from './walk-graph.ts'

/**
 * Deliberately brute-force reference for {@link computeCoverage}, with the same definitions and the
 * same output: euclidean compares every cell with every facility; network snaps by scanning every
 * edge and runs one unbounded single-source Dijkstra per cell. O(cells × facilities) and
 * O(cells × E log V); for tests and as the benchmark baseline only.
 */
export function naiveCoverage(input: CoverageInput, options: CoverageOptions = {}): CoverageResult {
  const prepared = prepareCoverageInput(input, options)
  const cells = input.cells
  const outs = prepared.types.map((t) => emptyTypeCoverage(t, cells.length))

  if (input.model === 'euclidean') {
    prepared.types.forEach((t, ti) => {
      const out = outs[ti]!
      for (let i = 0; i < cells.length; i++) {
        const cell = cells[i]!
        let best = Number.POSITIVE_INFINITY
        let bestId = Number.NaN
        for (const f of t.facilities) {
          const d = distanceM(cell.x, cell.y, f.x, f.y)
          if (d < best) {
            best = d
            bestId = f.id
          }
        }
        if (!(best <= t.cutoffM)) continue
        out.distanceM[i] = best
        out.nearestFacilityId[i] = bestId
        out.covered[i] = best <= t.rule.radiusM ? 1 : 0
      }
    })
    return { model: 'euclidean', types: outs, cellAccessM: null, unreachableCells: 0 }
  }

  const graph = buildWalkGraph(input.roads ?? [], { mergeToleranceM: prepared.options.mergeToleranceM })
  const maxSnapM = prepared.options.maxSnapM
  const cellSnaps = bruteForceSnap(graph, cells, maxSnapM)
  const facilitySnaps = prepared.types.map((t) => bruteForceSnap(graph, t.facilities, maxSnapM))
  prepared.types.forEach((t, ti) => {
    const snaps = facilitySnaps[ti]!
    t.facilities.forEach((f, k) => {
      if (snaps.edge[k]! < 0) outs[ti]!.unreachableFacilityIds.push(f.id)
    })
  })

  let unreachableCells = 0
  for (let i = 0; i < cells.length; i++) {
    const ce = cellSnaps.edge[i]!
    if (ce < 0) {
      unreachableCells++
      continue
    }
    const cAlong = cellSnaps.alongM[i]!
    const dist = dijkstraFromEdgePoint(graph, ce, cAlong)
    prepared.types.forEach((t, ti) => {
      const snaps = facilitySnaps[ti]!
      const out = outs[ti]!
      let best = Number.POSITIVE_INFINITY
      let bestId = Number.NaN
      t.facilities.forEach((f, k) => {
        const fe = snaps.edge[k]!
        if (fe < 0) return
        const fAlong = snaps.alongM[k]!
        let path = Math.min(
          dist[graph.edgeFrom[fe]!]! + fAlong,
          dist[graph.edgeTo[fe]!]! + (graph.edgeLengthM[fe]! - fAlong),
        )
        if (fe === ce) path = Math.min(path, Math.abs(cAlong - fAlong))
        const total = cellSnaps.accessM[i]! + snaps.accessM[k]! + path
        if (total < best) {
          best = total
          bestId = f.id
        }
      })
      if (!(best <= t.cutoffM)) return
      out.distanceM[i] = best
      out.nearestFacilityId[i] = bestId
      out.covered[i] = best <= t.rule.radiusM ? 1 : 0
    })
  }
  return { model: 'network', types: outs, cellAccessM: cellSnaps.accessM, unreachableCells }
}

function bruteForceSnap(
  graph: WalkGraph,
  points: ReadonlyArray<{ x: number; y: number }>,
  maxSnapM: number,
): Snaps {
  const snaps: Snaps = {
    edge: new Int32Array(points.length).fill(-1),
    alongM: new Float64Array(points.length).fill(Number.NaN),
    accessM: new Float64Array(points.length).fill(Number.NaN),
  }
  points.forEach((p, i) => {
    let best = Number.POSITIVE_INFINITY
    for (let e = 0; e < graph.edgeCount; e++) {
      const u = graph.edgeFrom[e]!
      const v = graph.edgeTo[e]!
      const ux = graph.nodeX[u]!
      const uy = graph.nodeY[u]!
      const vx = graph.nodeX[v]!
      const vy = graph.nodeY[v]!
      const len = graph.edgeLengthM[e]!
      const along = closestAlongM(p.x, p.y, ux, uy, vx, vy, len)
      const d = distanceToAlongM(p.x, p.y, ux, uy, vx, vy, len, along)
      if (d < best) {
        best = d
        snaps.edge[i] = e
        snaps.alongM[i] = along
        snaps.accessM[i] = d
      }
    }
    if (!(best <= maxSnapM)) {
      snaps.edge[i] = -1
      snaps.alongM[i] = Number.NaN
      snaps.accessM[i] = Number.NaN
    }
  })
  return snaps
}

/** Unbounded textbook Dijkstra with a lazy binary heap of [distance, node] pairs. */
function dijkstraFromEdgePoint(graph: WalkGraph, edge: number, alongM: number): Float64Array {
  const dist = new Float64Array(graph.nodeCount).fill(Number.POSITIVE_INFINITY)
  const heap: Array<[number, number]> = []
  const push = (d: number, n: number): void => {
    if (!(d < dist[n]!)) return
    dist[n] = d
    heap.push([d, n])
    let k = heap.length - 1
    while (k > 0) {
      const parent = (k - 1) >> 1
      if (heap[parent]![0] <= heap[k]![0]) break
      ;[heap[parent], heap[k]] = [heap[k]!, heap[parent]!]
      k = parent
    }
  }
  const pop = (): [number, number] => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let k = 0
      for (;;) {
        const l = 2 * k + 1
        const r = l + 1
        let m = k
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r
        if (m === k) break
        ;[heap[m], heap[k]] = [heap[k]!, heap[m]!]
        k = m
      }
    }
    return top
  }
  push(alongM, graph.edgeFrom[edge]!)
  push(graph.edgeLengthM[edge]! - alongM, graph.edgeTo[edge]!)
  while (heap.length > 0) {
    const [d, u] = pop()
    if (d > dist[u]!) continue
    for (let k = graph.adjStart[u]!; k < graph.adjStart[u + 1]!; k++) {
      push(d + graph.adjLengthM[k]!, graph.adjNode[k]!)
    }
  }
  return dist
}
