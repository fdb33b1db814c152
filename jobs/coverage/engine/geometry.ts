import type { RingM } from './types.ts'

/**
 * Distance along segment a→b (of length `lengthM`) to the point of the segment closest to p.
 * The fast and the naive implementation both snap through this function so that they agree to
 * the last bit on the snap point.
 */
export function closestAlongM(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  lengthM: number,
): number {
  if (lengthM === 0) return 0
  const along = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / lengthM
  return Math.min(lengthM, Math.max(0, along))
}

/** Straight distance from p to the point `alongM` metres from a towards b. */
export function distanceToAlongM(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  lengthM: number,
  alongM: number,
): number {
  const t = lengthM === 0 ? 0 : alongM / lengthM
  const dx = px - (ax + (bx - ax) * t)
  const dy = py - (ay + (by - ay) * t)
  return Math.sqrt(dx * dx + dy * dy)
}

export function distanceM(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx
  const dy = ay - by
  return Math.sqrt(dx * dx + dy * dy)
}

/** Shoelace area of a closed ring; positive when counter-clockwise. */
export function signedRingAreaM2(ring: RingM): number {
  const first = ring[0]
  if (!first) return 0
  // Projected coordinates reach 10^7 m; products relative to the first vertex keep the digits.
  const [x0, y0] = first
  let twice = 0
  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1]!
    const b = ring[i]!
    twice += (a[0] - x0) * (b[1] - y0) - (b[0] - x0) * (a[1] - y0)
  }
  return twice / 2
}

/** Bounds of the first `count` points (all by default); infinite (empty) when there are none. */
export function pointBounds(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  count: number = xs.length,
): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Number.POSITIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (let i = 0; i < count; i++) {
    const x = xs[i]!
    const y = ys[i]!
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  return { minX, minY, maxX, maxY }
}
