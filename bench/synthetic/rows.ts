/** The rows a synthetic city is made of, in lon/lat (EPSG:4326), with areas and lengths in metres. */

import type { BuildingUse } from '../../server/db/buildings.ts'
import type { FacilityType } from '../../server/db/facilities.ts'
import type { AgeShares, BlockCharacter, HeightClass, LandUse, ParcelUse } from './land-use.ts'
import { round, type Xy } from './layout.ts'
import type { TransverseMercator } from './projection.ts'

export type LonLat = [number, number]

export interface SyntheticBlock {
  sourceId: string
  regionCode: string
  name: string
  /** Exterior ring, closed, counter-clockwise. */
  ring: LonLat[]
  areaM2: number
}

export interface SyntheticCompound {
  sourceId: string
  blockSourceId: string
  regionCode: string
  name: string
  kind: 'compound' | 'self_built_cluster'
  ring: LonLat[]
  areaM2: number
  yearBuilt: number
  households: number
  residents: number
  attributes: {
    landUse: LandUse
    parcelUse: ParcelUse
    character: BlockCharacter
    ageShares: AgeShares
  }
}

export interface SyntheticBuilding {
  sourceId: string
  compoundSourceId: string
  blockSourceId: string
  regionCode: string
  ring: LonLat[]
  /** A point inside the footprint. */
  centroid: LonLat
  footprintAreaM2: number
  heightM: number
  floors: number
  floorAreaM2: number
  use: BuildingUse
  yearBuilt: number
  structure: string
  standardAddress: string
  residents: number
  /** `yearSource` says the year is made up, as an import's says which tag it came from. */
  attributes: { heightClass: HeightClass; shape: 'rectangle' | 'l_shape'; yearSource: 'synthetic' }
}

export interface SyntheticFacility {
  sourceId: string
  regionCode: string
  type: FacilityType
  name: string
  point: LonLat
  capacity: number | null
  capacityUnit: string | null
  areaM2: number | null
  attributes: Record<string, unknown>
}

export interface SyntheticRoad {
  sourceId: string
  regionCode: string
  /** Tilezen kinds, as the importer stores OpenStreetMap roads: major_road, minor_road, path. */
  kind: 'major_road' | 'minor_road' | 'path'
  kindDetail: string
  name: string | null
  line: LonLat[]
  lengthM: number
  walkable: boolean
}

export interface SyntheticCell {
  cellKey: string
  regionCode: string
  sizeM: number
  metricSrid: number
  ring: LonLat[]
  centroid: LonLat
  children: number
  working: number
  elderly: number
  total: number
}

/** Rows of one block, complete: every compound and building of the block, its facilities and footpaths. */
export interface SyntheticBlockChunk {
  block: SyntheticBlock
  compounds: SyntheticCompound[]
  buildings: SyntheticBuilding[]
  facilities: SyntheticFacility[]
  footways: SyntheticRoad[]
}

/** Converts the layout's projected metres into the rows' lon/lat. */
export interface LonLatFrame {
  toLonLat(xy: Xy): LonLat
  ring(points: Xy[]): LonLat[]
}

export function lonLatFrame(tm: TransverseMercator): LonLatFrame {
  const toLonLat = (xy: Xy): LonLat => {
    const [lon, lat] = tm.inverse(xy[0], xy[1])
    // 1e-8° is about 1 mm: stored areas of the smallest houses then agree with PostGIS to 0.02 %, and the
    // text stays shorter than full doubles.
    return [round(lon, 8), round(lat, 8)]
  }
  return { toLonLat, ring: (points) => points.map(toLonLat) }
}
