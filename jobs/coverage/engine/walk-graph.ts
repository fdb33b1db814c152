import { InvalidCoverageOptionError, InvalidRoadError } from './errors.ts'
import type { Road } from './types.ts'

/**
 * Undirected walking graph in typed arrays. Nodes are road vertices (coincident ones merged), edges
 * are the straight segments between consecutive vertices of walkable roads.
 */
export interface WalkGraph {
  nodeCount: number
  nodeX: Float64Array
  nodeY: Float64Array
  edgeCount: number
  edgeFrom: Int32Array
  edgeTo: Int32Array
  /** Straight length between the two (merged) end nodes. */
  edgeLengthM: Float64Array
  edgeRoadId: Float64Array
  /** Neighbours of node n are `adjNode[adjStart[n] .. adjStart[n + 1])`, at `adjLengthM` metres. */
  adjStart: Int32Array
  adjNode: Int32Array
  adjLengthM: Float64Array
}

export interface BuildWalkGraphOptions {
  /**
   * Vertices at most this far apart become one node.
   * @defaultValue 0.5
   */
  mergeToleranceM?: number
}

/**
 * Builds the walking graph from road polylines. Roads connect only where they share a vertex (OSM
 * ways share nodes at junctions); segments that merely cross, such as a footway under a viaduct,
 * stay apart. Non-walkable roads and roads with fewer than two vertices contribute nothing.
 * A vertex joins the nearest existing node within `mergeToleranceM`, found through a hash grid of
 * that cell size, so merging is deterministic in input order.
 *
 * @throws InvalidRoadError for a non-finite coordinate.
 */
export function buildWalkGraph(roads: readonly Road[], options: BuildWalkGraphOptions = {}): WalkGraph {
  const tol = options.mergeToleranceM ?? 0.5
  if (!(tol > 0 && Number.isFinite(tol))) {
    throw new InvalidCoverageOptionError(`mergeToleranceM must be positive and finite, got ${tol}`)
  }
  const nodes = new NodeMerger(walkableBounds(roads), tol)
  const from: number[] = []
  const to: number[] = []
  const roadIds: number[] = []
  for (const road of roads) {
    if (!road.walkable || road.coords.length < 2) continue
    let prev = -1
    for (const [x, y] of road.coords) {
      const node = nodes.nodeFor(x, y)
      if (prev >= 0 && node !== prev) {
        from.push(prev)
        to.push(node)
        roadIds.push(road.id)
      }
      prev = node
    }
  }
  return withAdjacency(nodes.nodeX, nodes.nodeY, from, to, roadIds)
}

/** Lower-left corner and top of the walkable roads' vertices; infinite when there are none. */
function walkableBounds(roads: readonly Road[]): { minX: number; minY: number; maxY: number } {
  let minX = Number.POSITIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const road of roads) {
    if (!road.walkable) continue
    for (const [x, y] of road.coords) {
      if (!Number.isFinite(x) || !Number.isFinite(y))
        throw new InvalidRoadError(road.id, 'non-finite coordinate')
      if (x < minX) minX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }
  return { minX, minY, maxY }
}

/** Nodes of the graph being built, merged through a hash grid of buckets `tol` wide. */
class NodeMerger {
  readonly nodeX: number[] = []
  readonly nodeY: number[] = []
  private readonly minX: number
  private readonly minY: number
  private readonly rows: number
  // Hash grid as chained lists: bucket key -> first node, nextInBucket[node] -> next node.
  private readonly bucketHead = new Map<number, number>()
  private readonly nextInBucket: number[] = []

  constructor(
    bounds: { minX: number; minY: number; maxY: number },
    private readonly tol: number,
  ) {
    this.minX = bounds.minX
    this.minY = bounds.minY
    this.rows = Number.isFinite(bounds.maxY) ? Math.floor((bounds.maxY - bounds.minY) / tol) + 1 : 0
  }

  /** The nearest node within the tolerance (ties to the lower index), or a new node at (x, y). */
  nodeFor(x: number, y: number): number {
    const { nodeX, nodeY, tol, rows } = this
    const bx = Math.floor((x - this.minX) / tol)
    const by = Math.floor((y - this.minY) / tol)
    let best = -1
    let bestD = tol
    for (let cx = bx - 1; cx <= bx + 1; cx++) {
      for (let cy = by - 1; cy <= by + 1; cy++) {
        if (cy < 0 || cy >= rows) continue
        for (let n = this.bucketHead.get(cx * rows + cy) ?? -1; n >= 0; n = this.nextInBucket[n]!) {
          const dx = nodeX[n]! - x
          const dy = nodeY[n]! - y
          const d = Math.sqrt(dx * dx + dy * dy)
          if (d < bestD || (d === bestD && (best < 0 || n < best))) {
            bestD = d
            best = n
          }
        }
      }
    }
    if (best >= 0) return best
    const n = nodeX.length
    nodeX.push(x)
    nodeY.push(y)
    const key = bx * rows + by
    this.nextInBucket.push(this.bucketHead.get(key) ?? -1)
    this.bucketHead.set(key, n)
    return n
  }
}

/** The graph of the edges `from[e]`–`to[e]`, with their lengths and each node's neighbours in one array. */
function withAdjacency(
  nodeX: readonly number[],
  nodeY: readonly number[],
  from: readonly number[],
  to: readonly number[],
  roadIds: readonly number[],
): WalkGraph {
  const nodeCount = nodeX.length
  const edgeCount = from.length
  const graph: WalkGraph = {
    nodeCount,
    nodeX: Float64Array.from(nodeX),
    nodeY: Float64Array.from(nodeY),
    edgeCount,
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    edgeLengthM: new Float64Array(edgeCount),
    edgeRoadId: Float64Array.from(roadIds),
    adjStart: new Int32Array(nodeCount + 1),
    adjNode: new Int32Array(2 * edgeCount),
    adjLengthM: new Float64Array(2 * edgeCount),
  }
  const { adjStart, adjNode, adjLengthM, edgeLengthM } = graph
  for (let e = 0; e < edgeCount; e++) {
    const a = from[e]!
    const b = to[e]!
    const dx = nodeX[a]! - nodeX[b]!
    const dy = nodeY[a]! - nodeY[b]!
    edgeLengthM[e] = Math.sqrt(dx * dx + dy * dy)
    adjStart[a + 1]!++
    adjStart[b + 1]!++
  }
  for (let n = 0; n < nodeCount; n++) adjStart[n + 1]! += adjStart[n]!
  const fill = adjStart.slice(0, nodeCount)
  for (let e = 0; e < edgeCount; e++) {
    const a = from[e]!
    const b = to[e]!
    const len = edgeLengthM[e]!
    let k = fill[a]!++
    adjNode[k] = b
    adjLengthM[k] = len
    k = fill[b]!++
    adjNode[k] = a
    adjLengthM[k] = len
  }
  return graph
}
