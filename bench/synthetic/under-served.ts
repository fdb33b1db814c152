/** Areas of a synthetic city where some everyday facilities are deliberately left out, for diagnostics to find. */

import { FACILITY_TYPES, type FacilityType } from '../../server/db/facilities.ts'
import { UNDER_SERVABLE_TYPES } from './facilities.ts'
import type { Xy } from './layout.ts'
import { hash32, Random } from './random.ts'

/** An under-served area in the layout's metres. */
export interface UnderServedPatch {
  centre: Xy
  radiusM: number
  types: Set<FacilityType>
}

/** About one area per 60 blocks (at least two), between a quarter and 85 % of the city radius out. */
export function drawUnderServedPatches(
  seed: number,
  cityCentre: Xy,
  cityRadiusM: number,
  estimatedBlocks: number,
): UnderServedPatch[] {
  const rng = new Random(hash32(seed, 'under-served'))
  const patchCount = Math.max(2, Math.round(estimatedBlocks / 60))
  const patches: UnderServedPatch[] = []
  for (let p = 0; p < patchCount; p++) {
    const distance = rng.range(0.25, 0.85) * cityRadiusM
    const angle = rng.range(0, 2 * Math.PI)
    const radiusM = Math.round(rng.range(550, 900))
    const types = new Set<FacilityType>()
    if (rng.chance(0.7)) types.add('kindergarten')
    if (rng.chance(0.7)) types.add('elderly_care')
    const wanted = rng.int(3, 6)
    while (types.size < wanted) types.add(rng.pick(UNDER_SERVABLE_TYPES))
    patches.push({
      centre: [cityCentre[0] + distance * Math.cos(angle), cityCentre[1] + distance * Math.sin(angle)],
      radiusM,
      types: new Set(FACILITY_TYPES.filter((t) => types.has(t))),
    })
  }
  return patches
}

/** Whether a facility of `type` at `xy` falls in an area that lacks that type. */
export function isSuppressed(patches: readonly UnderServedPatch[], type: FacilityType, xy: Xy): boolean {
  for (const p of patches) {
    if (p.types.has(type) && Math.hypot(xy[0] - p.centre[0], xy[1] - p.centre[1]) <= p.radiusM) return true
  }
  return false
}
