import { InvalidCoverageOptionError, InvalidRoadError } from './errors.ts'
import { closestAlongM, distanceToAlongM, pointBounds } from './geometry.ts'
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
  const rows = Number.isFinite(maxY) ? Math.floor((maxY - minY) / tol) + 1 : 0

  const nodeX: number[] = []
  const nodeY: number[] = []
  // Hash grid as chained lists: bucket key -> first node, nextInBucket[node] -> next node.
  const bucketHead = new Map<number, number>()
  const nextInBucket: number[] = []
  const nodeFor = (x: number, y: number): number => {
    const bx = Math.floor((x - minX) / tol)
    const by = Math.floor((y - minY) / tol)
    let best = -1
    let bestD = tol
    for (let cx = bx - 1; cx <= bx + 1; cx++) {
      for (let cy = by - 1; cy <= by + 1; cy++) {
        if (cy < 0 || cy >= rows) continue
        for (let n = bucketHead.get(cx * rows + cy) ?? -1; n >= 0; n = nextInBucket[n]!) {
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
    nextInBucket.push(bucketHead.get(key) ?? -1)
    bucketHead.set(key, n)
    return n
  }

  const from: number[] = []
  const to: number[] = []
  const roadIds: number[] = []
  for (const road of roads) {
    if (!road.walkable || road.coords.length < 2) continue
    let prev = -1
    for (const [x, y] of road.coords) {
      const node = nodeFor(x, y)
      if (prev >= 0 && node !== prev) {
        from.push(prev)
        to.push(node)
        roadIds.push(road.id)
      }
      prev = node
    }
  }

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

/**
 * Uniform bucket grid over graph edges for "nearest point on any edge" queries. Each edge is
 * entered in exactly the buckets its segment passes through, so long diagonal edges do not flood
 * their bounding boxes.
 */
export class SegmentIndex {
  /** Position along the edge (from `edgeFrom`) of the last {@link nearest} hit. */
  lastAlongM = Number.NaN
  /** Straight distance from the query point to the last hit; NaN when there was none. */
  lastDistanceM = Number.NaN
  readonly bucketM: number
  private readonly buckets = new Map<number, number[]>()
  private readonly minX: number
  private readonly minY: number
  private readonly rows: number
  private readonly cols: number
  private readonly stamp: Int32Array
  private query = 0

  /**
   * @param bucketM bucket side; the default is the mean edge length clamped to 10..200 m, which keeps
   *   a few edges per bucket in real street networks.
   */
  constructor(
    readonly graph: WalkGraph,
    bucketM?: number,
  ) {
    const { nodeX, nodeY, edgeFrom, edgeTo, edgeCount, edgeLengthM } = graph
    let total = 0
    for (let e = 0; e < edgeCount; e++) total += edgeLengthM[e]!
    const b = bucketM ?? Math.min(200, Math.max(10, edgeCount ? total / edgeCount : 10))
    if (!(b > 0)) throw new RangeError(`bucketM must be positive, got ${b}`)
    this.bucketM = b
    const { minX, minY, maxX, maxY } = pointBounds(nodeX, nodeY, graph.nodeCount)
    this.minX = minX
    this.minY = minY
    this.cols = graph.nodeCount ? Math.floor((maxX - minX) / b) + 1 : 0
    this.rows = graph.nodeCount ? Math.floor((maxY - minY) / b) + 1 : 0
    this.stamp = new Int32Array(edgeCount)
    for (let e = 0; e < edgeCount; e++) {
      this.insert(
        e,
        (nodeX[edgeFrom[e]!]! - minX) / b,
        (nodeY[edgeFrom[e]!]! - minY) / b,
        (nodeX[edgeTo[e]!]! - minX) / b,
        (nodeY[edgeTo[e]!]! - minY) / b,
      )
    }
  }

  /**
   * Walks the bucket columns the segment spans and, per column, the rows of its part inside it.
   * Coordinates are in bucket units; the padding keeps a segment running along a bucket border in
   * both buckets despite rounding, which the search's distance bound relies on.
   */
  private insert(e: number, ax: number, ay: number, bx: number, by: number): void {
    const pad = 1e-9
    const [x0, y0, x1, y1] = ax <= bx ? [ax, ay, bx, by] : [bx, by, ax, ay]
    const slope = x1 > x0 ? (y1 - y0) / (x1 - x0) : 0
    const c0 = Math.max(0, Math.floor(x0 - pad))
    const c1 = Math.min(this.cols - 1, Math.floor(x1 + pad))
    for (let c = c0; c <= c1; c++) {
      const xa = Math.max(x0, c)
      const xb = Math.min(x1, c + 1)
      const ya = x1 > x0 ? y0 + (xa - x0) * slope : y0
      const yb = x1 > x0 ? y0 + (xb - x0) * slope : y1
      const r0 = Math.max(0, Math.floor(Math.min(ya, yb) - pad))
      const r1 = Math.min(this.rows - 1, Math.floor(Math.max(ya, yb) + pad))
      for (let r = r0; r <= r1; r++) {
        const key = c * this.rows + r
        const list = this.buckets.get(key)
        if (list) list.push(e)
        else this.buckets.set(key, [e])
      }
    }
  }

  /**
   * Nearest edge to (x, y) at most `maxDistM` away, ties to the lowest edge index, or -1.
   * Searches square rings of buckets outwards and stops once the next ring cannot hold anything
   * strictly closer.
   */
  nearest(x: number, y: number, maxDistM: number): number {
    this.lastAlongM = Number.NaN
    this.lastDistanceM = Number.NaN
    if (this.cols === 0) return -1
    const { nodeX, nodeY, edgeFrom, edgeTo, edgeLengthM } = this.graph
    const b = this.bucketM
    const qc = Math.floor((x - this.minX) / b)
    const qr = Math.floor((y - this.minY) / b)
    const stamp = ++this.query
    let best = -1
    let bestD = Number.POSITIVE_INFINITY
    let bestAlong = Number.NaN
    // Rings beyond the grid hold nothing; the distance to the grid bounds where the search can start.
    const maxRing = Math.max(qc, this.cols - 1 - qc, qr, this.rows - 1 - qr, 0)
    for (let ring = 0; ring <= maxRing; ring++) {
      // Anything in ring k lies at least (k - 1) bucket sides away.
      const lower = (ring - 1) * b
      if (lower > maxDistM || lower > bestD) break
      for (let c = qc - ring; c <= qc + ring; c++) {
        if (c < 0 || c >= this.cols) continue
        const edgeOfRing = c === qc - ring || c === qc + ring
        for (let r = qr - ring; r <= qr + ring; r += edgeOfRing ? 1 : 2 * ring) {
          if (r >= 0 && r < this.rows) {
            const list = this.buckets.get(c * this.rows + r)
            if (list) {
              for (const e of list) {
                if (this.stamp[e] === stamp) continue
                this.stamp[e] = stamp
                const u = edgeFrom[e]!
                const v = edgeTo[e]!
                const len = edgeLengthM[e]!
                const ux = nodeX[u]!
                const uy = nodeY[u]!
                const vx = nodeX[v]!
                const vy = nodeY[v]!
                const along = closestAlongM(x, y, ux, uy, vx, vy, len)
                const d = distanceToAlongM(x, y, ux, uy, vx, vy, len, along)
                if (d < bestD || (d === bestD && e < best)) {
                  bestD = d
                  best = e
                  bestAlong = along
                }
              }
            }
          }
          if (ring === 0) break
        }
      }
    }
    if (best < 0 || bestD > maxDistM) return -1
    this.lastAlongM = bestAlong
    this.lastDistanceM = bestD
    return best
  }
}

/** Where points attach to the graph; index i is the i-th query point. */
export interface Snaps {
  /** Edge the point snaps to, -1 when no walkable road is within `maxSnapM`. */
  edge: Int32Array
  /** Position of the snap point along the edge, metres from `edgeFrom`. */
  alongM: Float64Array
  /** Straight access walk from the point to its snap point; NaN when unsnapped. */
  accessM: Float64Array
}

/** Snaps each point to the nearest point on any edge within `maxSnapM`. */
export function snapPoints(
  index: SegmentIndex,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxSnapM: number,
): Snaps {
  const n = xs.length
  const snaps: Snaps = {
    edge: new Int32Array(n),
    alongM: new Float64Array(n),
    accessM: new Float64Array(n),
  }
  for (let i = 0; i < n; i++) {
    const e = index.nearest(xs[i]!, ys[i]!, maxSnapM)
    snaps.edge[i] = e
    snaps.alongM[i] = index.lastAlongM
    snaps.accessM[i] = index.lastDistanceM
  }
  return snaps
}

/** Starting points of a multi-source search: node, initial distance and an integer label each. */
export interface DijkstraSources {
  node: ArrayLike<number>
  distM: ArrayLike<number>
  /** Propagated to every node the source reaches first; at equal distance the lower label wins. */
  label: ArrayLike<number>
}

/** Per-node result arrays; they belong to the workspace and are overwritten by its next search. */
export interface DijkstraResult {
  /** Shortest distance from the nearest source; Infinity when farther than the bound. */
  distM: Float64Array
  /** Label of that source; -1 when farther than the bound. */
  label: Int32Array
  settledCount: number
}

/**
 * Reusable buffers for {@link multiSourceDijkstra}. A search resets only the nodes the previous one
 * touched, so bounded searches on a big graph cost what they explore, not the graph size.
 */
export class DijkstraWorkspace {
  readonly distM: Float64Array
  readonly label: Int32Array
  /** Heap slot of a node; -1 never queued, -2 settled. */
  readonly heapPos: Int32Array
  readonly heap: Int32Array
  readonly touched: Int32Array
  touchedCount = 0

  constructor(readonly nodeCount: number) {
    this.distM = new Float64Array(nodeCount).fill(Number.POSITIVE_INFINITY)
    this.label = new Int32Array(nodeCount).fill(-1)
    this.heapPos = new Int32Array(nodeCount).fill(-1)
    this.heap = new Int32Array(nodeCount)
    this.touched = new Int32Array(nodeCount)
  }

  reset(): void {
    for (let k = 0; k < this.touchedCount; k++) {
      const n = this.touched[k]!
      this.distM[n] = Number.POSITIVE_INFINITY
      this.label[n] = -1
      this.heapPos[n] = -1
    }
    this.touchedCount = 0
  }
}

/**
 * Multi-source Dijkstra bounded by `boundM`: one search gives every node its nearest source and the
 * distance to it, which is what "nearest facility of a type" needs, in O((V + E) log V) for all
 * facilities together. Nodes farther than the bound are never queued. The indexed binary heap keys
 * on (distance, label), so equal distances resolve to the lower label exactly as a brute force
 * scanning sources in label order would.
 *
 * @throws RangeError when a source node is out of range or the workspace belongs to another size.
 */
export function multiSourceDijkstra(
  graph: WalkGraph,
  sources: DijkstraSources,
  boundM: number,
  workspace: DijkstraWorkspace = new DijkstraWorkspace(graph.nodeCount),
): DijkstraResult {
  if (workspace.nodeCount !== graph.nodeCount) throw new RangeError('workspace is for another graph')
  workspace.reset()
  const { distM: dist, label, heapPos: pos, heap, touched } = workspace
  const { adjStart, adjNode, adjLengthM } = graph
  let size = 0
  let touchedCount = 0

  const less = (a: number, b: number): boolean => {
    const da = dist[a]!
    const db = dist[b]!
    return da < db || (da === db && label[a]! < label[b]!)
  }
  const siftUp = (start: number): void => {
    let k = start
    const n = heap[k]!
    while (k > 0) {
      const parent = (k - 1) >> 1
      const p = heap[parent]!
      if (!less(n, p)) break
      heap[k] = p
      pos[p] = k
      k = parent
    }
    heap[k] = n
    pos[n] = k
  }
  const siftDown = (start: number): void => {
    let k = start
    const n = heap[k]!
    for (;;) {
      let child = 2 * k + 1
      if (child >= size) break
      if (child + 1 < size && less(heap[child + 1]!, heap[child]!)) child++
      const c = heap[child]!
      if (!less(c, n)) break
      heap[k] = c
      pos[c] = k
      k = child
    }
    heap[k] = n
    pos[n] = k
  }
  const offer = (n: number, d: number, l: number): void => {
    const p = pos[n]!
    if (p === -2) return
    if (p === -1) {
      touched[touchedCount++] = n
      dist[n] = d
      label[n] = l
      heap[size] = n
      pos[n] = size
      size++
      siftUp(size - 1)
      return
    }
    if (d < dist[n]! || (d === dist[n]! && l < label[n]!)) {
      dist[n] = d
      label[n] = l
      siftUp(p)
    }
  }

  for (let s = 0; s < sources.node.length; s++) {
    const n = sources.node[s]!
    if (!(n >= 0 && n < graph.nodeCount)) throw new RangeError(`source node ${n} out of range`)
  }
  for (let s = 0; s < sources.node.length; s++) {
    const d = sources.distM[s]!
    if (d <= boundM) offer(sources.node[s]!, d, sources.label[s]!)
  }
  let settled = 0
  while (size > 0) {
    const u = heap[0]!
    size--
    if (size > 0) {
      heap[0] = heap[size]!
      pos[heap[0]!] = 0
      siftDown(0)
    }
    pos[u] = -2
    settled++
    const du = dist[u]!
    const lu = label[u]!
    for (let k = adjStart[u]!, end = adjStart[u + 1]!; k < end; k++) {
      const nd = du + adjLengthM[k]!
      if (nd <= boundM) offer(adjNode[k]!, nd, lu)
    }
  }
  workspace.touchedCount = touchedCount
  return { distM: dist, label, settledCount: settled }
}
