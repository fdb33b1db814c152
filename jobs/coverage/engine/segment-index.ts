import { closestAlongM, distanceToAlongM, pointBounds } from './geometry.ts'
import type { WalkGraph } from './walk-graph.ts'

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
