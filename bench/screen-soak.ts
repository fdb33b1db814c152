/** The soak's samples and the leak rate read from them. */

export interface Sample {
  /** Minutes since the soak started. */
  minute: number
  /** Problems moved so far. */
  events: number
  /** JS heap in use after a full garbage collection. */
  heapMB: number
  domNodes: number
  feedItems: number
}

/**
 * The slope of the least-squares line through (minute, value), per hour: how fast the value grows. Zero for
 * fewer than two samples or samples all at one time.
 */
export function slopePerHour(samples: readonly Sample[], value: (s: Sample) => number): number {
  const n = samples.length
  if (n < 2) return 0
  const meanX = samples.reduce((sum, s) => sum + s.minute, 0) / n
  const meanY = samples.reduce((sum, s) => sum + value(s), 0) / n
  let num = 0
  let den = 0
  for (const s of samples) {
    num += (s.minute - meanX) * (value(s) - meanY)
    den += (s.minute - meanX) ** 2
  }
  return den === 0 ? 0 : (num / den) * 60
}
