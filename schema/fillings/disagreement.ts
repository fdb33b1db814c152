/**
 * A reported value and the computed one beside it disagree when they differ by more than this share of the
 * computed value: 20 % is wider than the rounding and sampling noise of the calculators (population from floor
 * area, walking distances on OSM roads) and narrow enough to catch a wrong unit or a stale count.
 */
export const DISAGREEMENT_THRESHOLD = 0.2

/**
 * |reported − computed| / |computed|; null when either is missing, or when the computed value is zero and the
 * reported one is not (no finite share, and a disagreement all the same).
 */
export function relativeDifference(reported: number | null, computed: number | null): number | null {
  if (reported === null || computed === null) return null
  if (computed === 0) return reported === 0 ? 0 : null
  return Math.abs(reported - computed) / Math.abs(computed)
}

/** Whether the two figures disagree by more than {@link DISAGREEMENT_THRESHOLD}; false when one is missing. */
export function disagrees(reported: number | null, computed: number | null): boolean {
  if (reported === null || computed === null) return false
  const share = relativeDifference(reported, computed)
  return share === null || share > DISAGREEMENT_THRESHOLD
}
