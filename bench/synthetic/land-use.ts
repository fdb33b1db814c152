/**
 * What the parcels of a synthetic city are used for and how they are built, by block character: the tables
 * (building styles, land-use and height mixes, construction eras) that give the city its proportions.
 */

import type { BuildingUse } from '../../server/db/buildings.ts'
import type { FacilityType } from '../../server/db/facilities.ts'
import { type LayoutStyle, round } from './layout.ts'
import { COMPOUND_SUFFIX_NEW, COMPOUND_SUFFIX_OLD, COMPOUND_WORDS, FACILITY_NAME_ZH } from './names.ts'
import type { Random } from './random.ts'

/** Floors of the height classes: 多层 (low), 中高层 (mid), 高层 (high). */
export const HEIGHT_CLASSES = { low: [3, 6], mid: [7, 18], high: [19, 40] } as const
export type HeightClass = keyof typeof HEIGHT_CLASSES

/** City-wide age shares (0–14, 15–59, 60+) that compounds vary around with their age. */
export const BASE_AGE_SHARES = { children: 0.15, working: 0.65, elderly: 0.2 } as const

export type BlockCharacter = 'core' | 'inner' | 'outer' | 'industrial' | 'village'

export type ParcelUse =
  | 'residential'
  | 'village'
  | 'commercial'
  | 'office'
  | 'public'
  | 'school'
  | 'hospital'
  | 'industrial'
  | 'green'

export type LandUse = 'residential' | 'commercial' | 'public' | 'industrial' | 'green'

export interface AgeShares {
  children: number
  working: number
  elderly: number
}

export const RESIDENTIAL_STYLES: Record<HeightClass, LayoutStyle> = {
  low: {
    setbackM: 6,
    lengthM: [30, 66],
    depthM: [10, 13],
    gapXM: [8, 14],
    gapYFactor: 1.1,
    gapYM: [10, 40],
    floors: [3, 6],
    floorJitter: 1,
    lShapeChance: 0.05,
    skipChance: 0.08,
    maxFloorAreaRatio: 1.8,
    rotation: 'planned',
  },
  mid: {
    setbackM: 8,
    lengthM: [36, 72],
    depthM: [12, 16],
    gapXM: [10, 18],
    gapYFactor: 1,
    gapYM: [15, 45],
    floors: [7, 18],
    floorJitter: 2,
    lShapeChance: 0.1,
    skipChance: 0.08,
    maxFloorAreaRatio: 2.6,
    rotation: 'planned',
  },
  high: {
    setbackM: 10,
    lengthM: [20, 34],
    depthM: [16, 22],
    gapXM: [18, 32],
    gapYFactor: 0.45,
    gapYM: [20, 50],
    floors: [19, 40],
    floorJitter: 3,
    lShapeChance: 0.25,
    skipChance: 0.06,
    maxFloorAreaRatio: 3.5,
    rotation: 'planned',
  },
}

export const STYLES: Record<Exclude<ParcelUse, 'residential'>, LayoutStyle> = {
  village: {
    setbackM: 3,
    lengthM: [10, 16],
    depthM: [9, 13],
    gapXM: [2, 4],
    gapYFactor: 0,
    gapYM: [2, 4],
    floors: [3, 6],
    floorJitter: 3,
    lShapeChance: 0.05,
    skipChance: 0.1,
    maxFloorAreaRatio: 3.2,
    rotation: 'organic',
  },
  commercial: {
    setbackM: 8,
    lengthM: [40, 90],
    depthM: [30, 55],
    gapXM: [15, 30],
    gapYFactor: 0.3,
    gapYM: [15, 30],
    floors: [3, 6],
    floorJitter: 1,
    lShapeChance: 0.4,
    skipChance: 0.1,
    maxFloorAreaRatio: 3,
    rotation: 'planned',
    maxBuildings: 6,
  },
  office: {
    setbackM: 10,
    lengthM: [30, 48],
    depthM: [24, 36],
    gapXM: [25, 40],
    gapYFactor: 0.3,
    gapYM: [25, 45],
    floors: [19, 40],
    floorJitter: 4,
    lShapeChance: 0.2,
    skipChance: 0.1,
    maxFloorAreaRatio: 6,
    rotation: 'planned',
    maxBuildings: 6,
  },
  public: {
    setbackM: 8,
    lengthM: [30, 70],
    depthM: [14, 24],
    gapXM: [15, 25],
    gapYFactor: 0.8,
    gapYM: [15, 30],
    floors: [3, 6],
    floorJitter: 1,
    lShapeChance: 0.4,
    skipChance: 0.15,
    maxFloorAreaRatio: 1.5,
    rotation: 'planned',
    maxBuildings: 8,
  },
  school: {
    setbackM: 8,
    lengthM: [40, 70],
    depthM: [14, 20],
    gapXM: [15, 25],
    gapYFactor: 1,
    gapYM: [15, 25],
    floors: [3, 5],
    floorJitter: 1,
    lShapeChance: 0.4,
    skipChance: 0.1,
    maxFloorAreaRatio: 1.2,
    rotation: 'planned',
    northShare: 0.55,
    maxBuildings: 6,
  },
  hospital: {
    setbackM: 10,
    lengthM: [40, 80],
    depthM: [20, 35],
    gapXM: [15, 25],
    gapYFactor: 0.5,
    gapYM: [20, 40],
    floors: [7, 18],
    floorJitter: 4,
    lShapeChance: 0.4,
    skipChance: 0.1,
    maxFloorAreaRatio: 2.5,
    rotation: 'planned',
    maxBuildings: 8,
  },
  industrial: {
    setbackM: 8,
    lengthM: [40, 110],
    depthM: [24, 60],
    gapXM: [15, 30],
    gapYFactor: 1,
    gapYM: [15, 30],
    floors: [3, 5],
    floorJitter: 1,
    lShapeChance: 0.15,
    skipChance: 0.12,
    maxFloorAreaRatio: 1.6,
    rotation: 'planned',
  },
  green: {
    setbackM: 5,
    lengthM: [10, 10],
    depthM: [10, 10],
    gapXM: [10, 10],
    gapYFactor: 0,
    gapYM: [10, 10],
    floors: [3, 3],
    floorJitter: 0,
    lShapeChance: 0,
    skipChance: 0,
    maxFloorAreaRatio: 0,
    rotation: 'planned',
    maxBuildings: 0,
  },
}

export const PARCEL_USES: Record<BlockCharacter, Partial<Record<ParcelUse, number>>> = {
  core: { residential: 0.45, commercial: 0.15, office: 0.2, public: 0.12, green: 0.08 },
  inner: { residential: 0.78, commercial: 0.1, public: 0.07, green: 0.05 },
  outer: { residential: 0.8, commercial: 0.06, public: 0.06, green: 0.08 },
  industrial: { industrial: 0.85, commercial: 0.05, green: 0.1 },
  village: { village: 0.65, residential: 0.3, green: 0.05 },
}

export const RESIDENTIAL_HEIGHTS: Record<BlockCharacter, Partial<Record<HeightClass, number>>> = {
  core: { high: 0.6, mid: 0.3, low: 0.1 },
  inner: { low: 0.45, mid: 0.35, high: 0.2 },
  outer: { high: 0.55, mid: 0.35, low: 0.1 },
  industrial: { low: 0.5, mid: 0.5 },
  village: { low: 0.6, mid: 0.4 },
}

export const LAND_USE: Record<ParcelUse, LandUse> = {
  residential: 'residential',
  village: 'residential',
  commercial: 'commercial',
  office: 'commercial',
  public: 'public',
  school: 'public',
  hospital: 'public',
  industrial: 'industrial',
  green: 'green',
}

const SURNAMES = [
  '张',
  '王',
  '李',
  '赵',
  '刘',
  '陈',
  '杨',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '郭',
  '何',
]

export const heightClassOf = (floors: number): HeightClass =>
  floors <= 6 ? 'low' : floors <= 18 ? 'mid' : 'high'

/** Year of construction of a parcel, by what it is and where: old walk-ups in the centre, towers after 2000. */
export function yearFor(
  use: ParcelUse,
  heightClass: HeightClass,
  character: BlockCharacter,
  rng: Random,
): number {
  switch (use) {
    case 'residential':
      if (heightClass === 'low') {
        if (character === 'outer') return rng.int(1985, 2015)
        const r = rng.next()
        return r < 0.25 ? rng.int(1950, 1979) : r < 0.9 ? rng.int(1980, 1999) : rng.int(2000, 2015)
      }
      if (heightClass === 'mid') return character === 'inner' ? rng.int(1990, 2012) : rng.int(1995, 2024)
      return character === 'core' ? rng.int(1995, 2024) : rng.int(2002, 2024)
    case 'village':
      return rng.int(1980, 2015)
    case 'commercial':
      return rng.int(1985, 2024)
    case 'office':
      return rng.int(1995, 2024)
    case 'industrial':
      return rng.int(1965, 2020)
    default:
      return rng.int(1955, 2024)
  }
}

export function structureFor(use: BuildingUse, floors: number, year: number, rng: Random): string {
  if (use === 'industrial') return rng.chance(0.5) ? 'steel' : 'frame'
  if (floors <= 6) return year < 1980 || (year < 2000 && rng.chance(0.7)) ? 'masonry' : 'frame'
  if (floors <= 18) return year < 2000 || use !== 'residential' ? 'frame' : 'shear_wall'
  return use === 'residential' || use === 'mixed' ? 'shear_wall' : 'frame_core_tube'
}

/** Age shares of a compound: older housing has aged with its first residents, new estates have young families. */
export function ageSharesFor(use: ParcelUse, year: number, rng: Random): AgeShares {
  let children = BASE_AGE_SHARES.children + rng.range(-0.02, 0.02)
  let elderly = BASE_AGE_SHARES.elderly + rng.range(-0.03, 0.03)
  if (year < 1980) elderly += 0.1
  else if (year < 2000) elderly += 0.05
  else if (year >= 2010) elderly -= 0.06
  if (year >= 2010) children += 0.04
  else if (year < 1990) children -= 0.04
  if (use === 'village') {
    children += 0.03
    elderly -= 0.05
  }
  children = round(Math.max(0.04, children), 3)
  elderly = round(Math.max(0.05, elderly), 3)
  return { children, working: round(1 - children - elderly, 3), elderly }
}

export function compoundName(
  use: ParcelUse,
  year: number,
  rng: Random,
  hosted: FacilityType | undefined,
): string {
  const word = rng.pick(COMPOUND_WORDS)
  switch (use) {
    case 'residential':
      return `${word}${rng.pick(year < 1998 ? COMPOUND_SUFFIX_OLD : COMPOUND_SUFFIX_NEW)}`
    case 'village':
      return `${rng.pick(SURNAMES)}家${rng.pick(['湾', '墩', '村', '咀', '岭'])}`
    case 'commercial':
      return `${word}${rng.pick(['广场', '商业街', '购物中心'])}`
    case 'office':
      return `${word}${rng.pick(['大厦', '中心', '国际'])}`
    case 'industrial':
      return `${word}${rng.pick(['工业园', '物流园', '产业园'])}`
    case 'green':
      return `${word}${hosted ? FACILITY_NAME_ZH[hosted] : '绿地'}`
    default:
      return `${word}${hosted ? FACILITY_NAME_ZH[hosted] : rng.pick(['社区服务中心', '街道办事处', '行政中心'])}`
  }
}
