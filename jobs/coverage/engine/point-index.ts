import { pointBounds } from './geometry.ts'

/**
 * Uniform bucket grid over points for "nearest point within d" queries. With a bucket side close to
 * the query distance a query reads about nine buckets, so a whole grid of cells costs
 * O(cells + points) instead of O(cells × points).
 */
export class PointGridIndex {
  /** Distance of the point returned by the last {@link nearestWithin}; NaN when it found none. */
  lastDistanceM = Number.NaN
  private readonly buckets = new Map<number, number[]>()
  private readonly minX: number
  private readonly minY: number
  private readonly cols: number
  private readonly rows: number

  constructor(
    private readonly xs: ArrayLike<number>,
    private readonly ys: ArrayLike<number>,
    private readonly bucketM: number,
  ) {
    if (!(bucketM > 0)) throw new RangeError(`bucketM must be positive, got ${bucketM}`)
    const { minX, minY, maxX, maxY } = pointBounds(xs, ys)
    this.minX = minX
    this.minY = minY
    this.cols = xs.length ? Math.floor((maxX - minX) / bucketM) + 1 : 0
    this.rows = xs.length ? Math.floor((maxY - minY) / bucketM) + 1 : 0
    for (let i = 0; i < xs.length; i++) {
      const key = Math.floor((xs[i]! - minX) / bucketM) * this.rows + Math.floor((ys[i]! - minY) / bucketM)
      const list = this.buckets.get(key)
      if (list) list.push(i)
      else this.buckets.set(key, [i])
    }
  }

  /** Index of the nearest point at most `maxDistM` away (ties: lowest index), or -1. */
  nearestWithin(x: number, y: number, maxDistM: number): number {
    this.lastDistanceM = Number.NaN
    if (this.cols === 0) return -1
    const b = this.bucketM
    const c0 = Math.max(0, Math.floor((x - maxDistM - this.minX) / b))
    const c1 = Math.min(this.cols - 1, Math.floor((x + maxDistM - this.minX) / b))
    const r0 = Math.max(0, Math.floor((y - maxDistM - this.minY) / b))
    const r1 = Math.min(this.rows - 1, Math.floor((y + maxDistM - this.minY) / b))
    let best = -1
    let bestD = Number.POSITIVE_INFINITY
    for (let c = c0; c <= c1; c++) {
      for (let r = r0; r <= r1; r++) {
        const list = this.buckets.get(c * this.rows + r)
        if (!list) continue
        for (const i of list) {
          const dx = this.xs[i]! - x
          const dy = this.ys[i]! - y
          const d = Math.sqrt(dx * dx + dy * dy)
          if (d < bestD || (d === bestD && i < best)) {
            bestD = d
            best = i
          }
        }
      }
    }
    if (best < 0 || bestD > maxDistM) return -1
    this.lastDistanceM = bestD
    return best
  }
}
