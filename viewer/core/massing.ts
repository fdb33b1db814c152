/**
 * Block massings: the coarse boxes of the inner tiles stand for many buildings. Their feature `id` is 0, which
 * no building has (database ids start at 1), and their `buildings` property says how many they stand for.
 */
export const MASSING_ID = 0

export function isMassing(id: number): boolean {
  return id === MASSING_ID
}

/** How many buildings a massing stands for, from its tile properties (0 when absent). */
export function massingBuildings(properties: Record<string, unknown>): number {
  const n = Number(properties.buildings)
  return Number.isFinite(n) && n > 0 ? n : 0
}
