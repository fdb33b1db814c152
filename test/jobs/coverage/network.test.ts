import { describe, expect, it } from 'vitest'
import { buildWalkGraph, multiSourceDijkstra, type Road } from '../../../jobs/coverage/engine/index.ts'

function road(id: number, ...coords: Array<[number, number]>): Road {
  return { id, coords, walkable: true }
}

describe('buildWalkGraph', () => {
  it('merges vertices within the tolerance and keeps farther ones apart', () => {
    // (100.3, 0.2) is √(0.3² + 0.2²) = 0.36 m from (100, 0): merged. (100.6, 0) is 0.6 m away: not.
    const merged = buildWalkGraph([road(1, [0, 0], [100, 0]), road(2, [100.3, 0.2], [100.3, 100])])
    expect(merged.nodeCount).toBe(3)
    expect(merged.edgeLengthM[1]).toBeCloseTo(Math.hypot(0.3, 100), 12)
    const apart = buildWalkGraph([road(1, [0, 0], [100, 0]), road(2, [100.6, 0], [100.6, 100])])
    expect(apart.nodeCount).toBe(4)
    expect(
      buildWalkGraph([road(1, [0, 0], [100, 0]), road(2, [100.6, 0], [100.6, 100])], { mergeToleranceM: 1 })
        .nodeCount,
    ).toBe(3)
  })

  it('connects ways only at shared vertices', () => {
    const crossing = buildWalkGraph([road(1, [0, 0], [100, 0]), road(2, [50, -50], [50, 50])])
    expect(crossing.nodeCount).toBe(4)
    const fromWest = multiSourceDijkstra(crossing, { node: [0], distM: [0], label: [0] }, 1e9)
    expect(Array.from(fromWest.distM)).toEqual([0, 100, Infinity, Infinity])

    const junction = buildWalkGraph([
      road(1, [0, 0], [50, 0], [100, 0]),
      road(2, [50, -50], [50, 0], [50, 50]),
    ])
    expect(junction.nodeCount).toBe(5)
    expect(junction.edgeCount).toBe(4)
    const fromJunctionWest = multiSourceDijkstra(junction, { node: [0], distM: [0], label: [0] }, 1e9)
    // West end → junction 50 → north end 50 + 50.
    expect(fromJunctionWest.distM[4]).toBe(100)
  })

  it('ignores non-walkable roads, single vertices and repeated vertices', () => {
    const graph = buildWalkGraph([
      {
        id: 1,
        walkable: false,
        coords: [
          [0, 0],
          [100, 0],
        ],
      },
      road(2, [5, 5]),
      road(3, [0, 10], [0, 10], [40, 10]),
    ])
    expect(graph.nodeCount).toBe(2)
    expect(graph.edgeCount).toBe(1)
    expect(Array.from(graph.edgeRoadId)).toEqual([3])
    expect(Array.from(graph.adjStart)).toEqual([0, 1, 2])
  })
})

describe('multiSourceDijkstra', () => {
  // A path 0 — 1 — 2 — 3 — 4 with 100 m edges; node 2 is 200 m from either end.
  const path = buildWalkGraph([road(1, [0, 0], [100, 0], [200, 0], [300, 0], [400, 0])])

  it('resolves equal distances to the lower label', () => {
    const a = multiSourceDijkstra(path, { node: [4, 0], distM: [0, 0], label: [5, 2] }, 1e9)
    expect(Array.from(a.distM)).toEqual([0, 100, 200, 100, 0])
    expect(Array.from(a.label)).toEqual([2, 2, 2, 5, 5])
    const b = multiSourceDijkstra(path, { node: [4, 0], distM: [0, 0], label: [1, 7] }, 1e9)
    expect(Array.from(b.label)).toEqual([7, 7, 1, 1, 1])
    const sameNode = multiSourceDijkstra(path, { node: [2, 2], distM: [10, 10], label: [8, 3] }, 1e9)
    expect(Array.from(sameNode.label)).toEqual([3, 3, 3, 3, 3])
  })

  it('drops sources beyond the bound and rejects nodes outside the graph', () => {
    const r = multiSourceDijkstra(path, { node: [0], distM: [500], label: [0] }, 400)
    expect(r.settledCount).toBe(0)
    expect(() => multiSourceDijkstra(path, { node: [5], distM: [0], label: [0] }, 400)).toThrow(RangeError)
  })
})
