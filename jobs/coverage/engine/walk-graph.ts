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

type Bounds = { minX: number; minY: number; maxX: number; maxY: number }

/** The walkable roads' vertices' bounds; infinite when there are none. */
function walkableBounds(roads: readonly Road[]): Bounds {
  let minX = Number.POSITIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const road of roads) {
    if (!road.walkable) continue
    for (const [x, y] of road.coords) {
      if (!Number.isFinite(x) || !Number.isFinite(y))
        throw new InvalidRoadError(road.id, 'non-finite coordinate')
      if (x < minX) minX = x
      if (y < minY) minY = y
      if (x > maxX) maxX = x
      if (y > maxY) maxY = y
    }
  }
  return { minX, minY, maxX, maxY }
}

/** Nodes of the graph being built, merged through a hash grid of buckets `tol` wide. */
class NodeMerger {
  readonly nodeX: number[] = []
  readonly nodeY: number[] = []
  private readonly minX: number
  private readonly minY: number
  private readonly buckets = new BucketTable()
  // Chained lists per bucket: the table gives a bucket's first node, nextInBucket[node] the next one.
  private readonly nextInBucket: number[] = []

  constructor(
    bounds: Bounds,
    private readonly tol: number,
  ) {
    this.minX = bounds.minX
    this.minY = bounds.minY
    // Bucket indices are stored as 32-bit integers.
    if (Math.max(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY) / tol >= 2 ** 31 - 2) {
      throw new InvalidCoverageOptionError(`mergeToleranceM ${tol} is too small for roads this far apart`)
    }
  }

  /** The nearest node within the tolerance (ties to the lower index), or a new node at (x, y). */
  nodeFor(x: number, y: number): number {
    const { nodeX, nodeY, tol, buckets } = this
    const bx = Math.floor((x - this.minX) / tol)
    const by = Math.floor((y - this.minY) / tol)
    let best = -1
    let bestD = tol
    for (let cx = bx - 1; cx <= bx + 1; cx++) {
      for (let cy = by - 1; cy <= by + 1; cy++) {
        for (let n = buckets.get(cx, cy); n >= 0; n = this.nextInBucket[n]!) {
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
    this.nextInBucket.push(buckets.get(bx, by))
    buckets.set(bx, by, n)
    return n
  }
}

/**
 * Bucket (column, row) -> first node, open addressing over typed arrays. A `Map` keyed by `column × rows + row`
 * held keys beyond the small-integer range for an L city (50 km at 0.5 m buckets), boxed and hashed as doubles:
 * the lookups were most of the graph's build time.
 */
class BucketTable {
  private cols = new Int32Array(1 << 12)
  private rows = new Int32Array(1 << 12)
  private heads = new Int32Array(1 << 12).fill(-1)
  private size = 0

  get(col: number, row: number): number {
    const mask = this.heads.length - 1
    for (let i = slotOf(col, row, mask); ; i = (i + 1) & mask) {
      const head = this.heads[i]!
      if (head < 0) return -1
      if (this.cols[i] === col && this.rows[i] === row) return head
    }
  }

  set(col: number, row: number, head: number): void {
    const mask = this.heads.length - 1
    for (let i = slotOf(col, row, mask); ; i = (i + 1) & mask) {
      if (this.heads[i]! < 0) {
        this.cols[i] = col
        this.rows[i] = row
        this.heads[i] = head
        if (++this.size * 2 > this.heads.length) this.grow()
        return
      }
      if (this.cols[i] === col && this.rows[i] === row) {
        this.heads[i] = head
        return
      }
    }
  }

  private grow(): void {
    const { cols, rows, heads } = this
    this.cols = new Int32Array(heads.length * 2)
    this.rows = new Int32Array(heads.length * 2)
    this.heads = new Int32Array(heads.length * 2).fill(-1)
    this.size = 0
    for (let i = 0; i < heads.length; i++) if (heads[i]! >= 0) this.set(cols[i]!, rows[i]!, heads[i]!)
  }
}

function slotOf(col: number, row: number, mask: number): number {
  return (Math.imul(col, 0x9e3779b1) ^ Math.imul(row, 0x85ebca6b)) & mask
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
