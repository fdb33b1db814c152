import { resolveCoverageOptions } from '../engine/index.ts'
import type { CoverageJobHooks } from '../hooks.ts'
import type { CoverageRunParameters } from '../parameters.ts'

/** Extra metres around a part's reach: the rectangle is reprojected to degrees through a segmentised outline. */
const REACH_MARGIN_M = 100

/** A half-open rectangle [minX, maxX) × [minY, maxY) in the run's metric CRS. */
export type Rect = [minX: number, minY: number, maxX: number, maxY: number]

/**
 * Splits points into rectangles of at most `maxPerPart` points: the longer side of a rectangle is cut halfway
 * between the two middle coordinates, until every rectangle is small enough. The rectangles tile `extent`
 * (half-open, so each point belongs to exactly one). Deterministic for the same points and extent.
 */
export function splitIntoRects(
  xs: Float64Array,
  ys: Float64Array,
  extent: Rect,
  maxPerPart: number,
): Array<{ rect: Rect; count: number }> {
  if (!(maxPerPart >= 1)) throw new RangeError(`maxPerPart must be at least 1, got ${maxPerPart}`)
  const out: Array<{ rect: Rect; count: number }> = []
  const split = (indices: Int32Array, rect: Rect) => {
    if (indices.length <= maxPerPart) {
      out.push({ rect, count: indices.length })
      return
    }
    const [minX, minY, maxX, maxY] = rect
    const alongX = maxX - minX >= maxY - minY
    const coord = alongX ? xs : ys
    const sorted = Array.from(indices).sort((a, b) => coord[a]! - coord[b]! || a - b)
    let mid = sorted.length >> 1
    // Cut between two distinct coordinates nearest the median; points on one line stay together.
    let lo = mid
    while (lo > 0 && coord[sorted[lo - 1]!] === coord[sorted[lo]!]) lo--
    let hi = mid
    while (hi < sorted.length && coord[sorted[hi - 1]!] === coord[sorted[hi]!]) hi++
    if (lo === 0 && hi === sorted.length) {
      out.push({ rect, count: indices.length }) // all on one line: cannot be cut further this way
      return
    }
    mid = lo > 0 && mid - lo <= hi - mid ? lo : hi < sorted.length ? hi : lo
    const cut = (coord[sorted[mid - 1]!]! + coord[sorted[mid]!]!) / 2
    const left = Int32Array.from(sorted.slice(0, mid))
    const right = Int32Array.from(sorted.slice(mid))
    if (alongX) {
      split(left, [minX, minY, cut, maxY])
      split(right, [cut, minY, maxX, maxY])
    } else {
      split(left, [minX, minY, maxX, cut])
      split(right, [minX, cut, maxX, maxY])
    }
  }
  split(
    Int32Array.from(xs, (_, i) => i),
    extent,
  )
  return out
}

export function inRect(rect: Rect, x: number, y: number): boolean {
  return x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3]
}

/**
 * The cut-off of the widest rule plus the longest access walk: beyond it nothing can reach a part's cells, so a
 * part that reads this far around its rectangle computes what the whole region would for its cells.
 */
export function reachOf(parameters: CoverageRunParameters, hooks: CoverageJobHooks = {}): number {
  const options = resolveCoverageOptions(hooks.coverageOptions ?? {})
  const widest = parameters.rules.reduce((m, r) => Math.max(m, r.radiusM), 0)
  const snap = parameters.distanceModels.includes('network') ? options.maxSnapM : 0
  return widest * options.distanceCutoffFactor + snap + REACH_MARGIN_M
}
