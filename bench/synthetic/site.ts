/** What the generation of one block works from: its city, the block itself, and its parcels. */

import type { FacilityType } from '../../server/db/facilities.ts'
import type { BlockCharacter, ParcelUse } from './land-use.ts'
import type { Rect, Xy } from './layout.ts'
import type { Random } from './random.ts'
import type { CityRegions } from './regions.ts'
import type { LonLatFrame } from './rows.ts'
import type { StreetEdge, StreetEdges, StreetGrid } from './streets.ts'
import type { UnderServedPatch } from './under-served.ts'

/** What a block needs of its city. */
export interface CityContext {
  seed: number
  /** Centre of the city in the layout's metres. */
  centre: Xy
  cityRadiusM: number
  regions: CityRegions
  grid: StreetGrid
  streets: StreetEdges
  frame: LonLatFrame
  underServed: readonly UnderServedPatch[]
}

export type Side = 'south' | 'west' | 'east' | 'north'
export const SIDES: readonly Side[] = ['south', 'west', 'east', 'north']

/** Block (i, j) of the grid as it is being generated; `rng` is its own seeded stream. */
export interface BlockSite {
  city: CityContext
  i: number
  j: number
  rng: Random
  rect: Rect
  centre: Xy
  /** Distance of the block's centre from the city's, as a share of the city radius. */
  rel: number
  character: BlockCharacter
  regionCode: string
  blockId: string
  /** Province, city and district, the start of every standard address in the block. */
  addressPrefix: string
  edges: Record<Side, StreetEdge>
}

export interface ParcelPlan {
  rect: Rect
  use: ParcelUse
  hosted?: FacilityType
  touches: { west: boolean; east: boolean; south: boolean; north: boolean }
}

/** A parcel with its compound laid out: what the block's facilities are placed by. */
export interface PlacedCompound {
  parcel: ParcelPlan
  compoundId: string
  name: string
  /** A point inside each building. */
  inside: Xy[]
}
