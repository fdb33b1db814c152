import type { BuildingUse } from '../db/buildings.ts'
import type { FacilityType } from '../db/facilities.ts'

/** What a source feature becomes in the city model. */
export type Layer =
  | { layer: 'building'; role: 'footprint' | 'part' | 'label' }
  | { layer: 'address' }
  | { layer: 'entrance' }
  | { layer: 'facility'; type: FacilityType }
  | { layer: 'road'; walkable: boolean }
  | { layer: 'compound' }
  | { layer: 'landcover'; cover: LandCover }
  | { layer: 'skip'; reason: string }

/** How the base map draws an area that is neither a building, a compound nor a facility. */
export type LandCover = 'water' | 'green' | 'landuse'

export type Props = Record<string, unknown>

/** SQL pattern of a plain decimal number in a source tag ("12", "12.5"); anything else counts as missing. */
export const DECIMAL = '^[0-9]+(\\.[0-9]+)?$'

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Road kinds people cannot walk along (rail, ferry lines, motorways). */
const NOT_WALKABLE = new Set([
  'rail',
  'ferry',
  'aerialway',
  'motorway',
  'motorway_link',
  'trunk',
  'trunk_link',
])
/** Area kinds of the base map (Tilezen `kind`, OSM `natural`/`landuse` values). */
const LAND_COVER = new Map<string, LandCover>([
  ...['water', 'riverbank', 'river', 'canal', 'basin', 'reservoir', 'swimming_pool', 'fountain'].map((k) => [
    k,
    'water',
  ]),
  ...[
    'grass',
    'forest',
    'natural_wood',
    'wood',
    'garden',
    'park',
    'meadow',
    'village_green',
    'scrub',
    'cemetery',
  ].map((k) => [k, 'green']),
  ...[
    'commercial',
    'retail',
    'industrial',
    'school',
    'university',
    'college',
    'hospital',
    'pedestrian',
    'pier',
    'railway',
    'construction',
    'parking',
    'attraction',
    'bridge',
    'military',
  ].map((k) => [k, 'landuse']),
] as [string, LandCover][])

const ROAD_KINDS = new Set(['highway', 'major_road', 'minor_road', 'path', 'rail', 'ferry', 'aerialway'])

/**
 * Maps an OpenStreetMap feature (Tilezen schema: `kind`, `kind_detail`, or raw OSM tags such as `amenity`) to
 * a layer. Points become facilities only for kinds that a service-coverage indicator uses.
 */
export function classify(props: Props, geometryType: string): Layer {
  const kind =
    str(props.kind) || str(props.building && 'building') || str(props.amenity) || str(props.leisure)
  const detail = str(props.kind_detail)
  const isPoint = geometryType === 'Point' || geometryType === 'MultiPoint'
  const isArea = geometryType === 'Polygon' || geometryType === 'MultiPolygon'
  const isLine = geometryType === 'LineString' || geometryType === 'MultiLineString'

  if (kind === 'building' || kind === 'building_part') {
    if (isArea) return { layer: 'building', role: kind === 'building' ? 'footprint' : 'part' }
    if (isPoint) return { layer: 'building', role: 'label' }
  }
  if (kind === 'address' && isPoint) return { layer: 'address' }
  if (kind === 'entrance' && isPoint) return { layer: 'entrance' }
  if (isLine && (ROAD_KINDS.has(kind) || props.highway !== undefined)) {
    const k = kind || str(props.highway)
    return { layer: 'road', walkable: !NOT_WALKABLE.has(k) && !NOT_WALKABLE.has(detail) }
  }
  if (isArea && (kind === 'residential' || props.landuse === 'residential')) return { layer: 'compound' }

  const facility = facilityType(kind, detail, str(props.name) || str(props['name:zh']), isArea)
  if (facility && (isPoint || isArea)) return { layer: 'facility', type: facility }
  const cover = landCoverOf(props, geometryType)
  if (cover) return { layer: 'landcover', cover }
  return { layer: 'skip', reason: `kind "${kind || '(none)'}" is not part of the city model` }
}

/**
 * How the base map draws an area, or undefined for a point, a line or a kind it leaves out. A park is both a
 * facility (its point serves residents) and green on the base map.
 */
export function landCoverOf(props: Props, geometryType: string): LandCover | undefined {
  if (geometryType !== 'Polygon' && geometryType !== 'MultiPolygon') return undefined
  return (
    LAND_COVER.get(str(props.kind)) ??
    LAND_COVER.get(str(props.natural)) ??
    LAND_COVER.get(str(props.landuse))
  )
}

/** Facility type of a POI or landuse kind, or undefined. Names decide school level where the tag does not. */
export function facilityType(
  kind: string,
  detail: string,
  name: string,
  isArea: boolean,
): FacilityType | undefined {
  switch (kind) {
    case 'kindergarten':
      return 'kindergarten'
    case 'childcare':
      return 'infant_care'
    case 'school':
      if (/小学|primary/i.test(name)) return 'primary_school'
      if (/中学|middle|high/i.test(name)) return 'middle_school'
      return /初级中学|初中/.test(name) ? 'middle_school' : 'primary_school'
    case 'clinic':
    case 'doctors':
      return 'clinic'
    case 'hospital':
      return 'hospital'
    case 'nursing_home':
    case 'social_facility':
      return detail === 'nursing_home' || kind === 'nursing_home' || /养老|敬老|老年/.test(name)
        ? 'elderly_care'
        : undefined
    case 'marketplace':
      return 'market'
    case 'supermarket':
      return 'supermarket'
    case 'community_centre':
    case 'arts_centre':
    case 'library':
    case 'theatre':
      return 'culture_center'
    case 'pitch':
    case 'sports_centre':
    case 'stadium':
    case 'recreation_ground':
      return 'sports_ground'
    case 'park':
      return 'park'
    case 'garden':
      return isArea ? 'park' : undefined
    case 'fire_station':
      return 'fire_station'
    case 'police':
      return 'police'
    case 'parking':
      return 'parking'
    case 'charging_station':
      return 'ev_charging'
    case 'bus_stop':
      return 'bus_stop'
    case 'subway_entrance':
      return 'subway_entrance'
    case 'shelter':
      return detail === 'emergency' || /避难|应急/.test(name) ? 'shelter' : undefined
    default:
      return undefined
  }
}

/** Building use from Tilezen's `landuse_kind`, OSM `building=*` values and names. */
export function buildingUse(props: Props, inResidentialCompound: boolean): BuildingUse {
  const landuse = str(props.landuse_kind)
  const building = str(props.building) || str(props.kind_detail)
  const name = str(props.name) || str(props['name:zh'])
  if (['apartments', 'residential', 'house', 'dormitory'].includes(building)) return 'residential'
  if (['commercial', 'retail', 'hotel'].includes(building)) return 'commercial'
  if (building === 'office') return 'office'
  if (
    ['school', 'hospital', 'university', 'public', 'civic', 'government', 'church', 'temple'].includes(
      building,
    )
  ) {
    return 'public'
  }
  if (['industrial', 'warehouse'].includes(building)) return 'industrial'
  if (landuse === 'residential' || inResidentialCompound) return 'residential'
  if (['commercial', 'retail'].includes(landuse)) return 'commercial'
  if (['school', 'university', 'hospital', 'college', 'place_of_worship'].includes(landuse)) return 'public'
  if (landuse === 'industrial') return 'industrial'
  if (/大厦|中心|广场|银行|酒店|饭店|tower|center|centre|building/i.test(name)) return 'commercial'
  if (/小区|公寓|新村|里|弄|坊/.test(name)) return 'residential'
  return 'other'
}
