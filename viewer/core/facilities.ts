/** Facility overlay: facility types grouped into a few categories, each with a colour and a label. */
import type { MessageKey } from './i18n.ts'

export type FacilityCategory = 'education' | 'health' | 'transport' | 'safety' | 'daily'

export const FACILITY_CATEGORIES: Record<
  FacilityCategory,
  { label: MessageKey; colour: string; types: string[] }
> = {
  education: {
    label: 'facility.education',
    colour: '#4e79a7',
    types: ['infant_care', 'kindergarten', 'primary_school', 'middle_school'],
  },
  health: { label: 'facility.health', colour: '#e15759', types: ['clinic', 'hospital', 'elderly_care'] },
  transport: {
    label: 'facility.transport',
    colour: '#59a14f',
    types: ['bus_stop', 'subway_entrance', 'parking', 'ev_charging'],
  },
  safety: { label: 'facility.safety', colour: '#f28e2b', types: ['fire_station', 'police', 'shelter'] },
  daily: {
    label: 'facility.daily',
    colour: '#b07aa1',
    types: ['market', 'supermarket', 'culture_center', 'sports_ground', 'park'],
  },
}

const categoryOfType = new Map<string, FacilityCategory>(
  (Object.keys(FACILITY_CATEGORIES) as FacilityCategory[]).flatMap((c) =>
    FACILITY_CATEGORIES[c].types.map((t) => [t, c] as const),
  ),
)

export function facilityCategory(type: string): FacilityCategory {
  return categoryOfType.get(type) ?? 'daily'
}

/** One facility as a point marker. */
export interface FacilityMarker {
  lonDeg: number
  latDeg: number
  colour: string
}

type Position = readonly number[]
/** GeoJSON as the API answers it (a GeometryCollection has no `coordinates`). */
type Geometry = { type: string; coordinates?: unknown }

/** A representative point of a GeoJSON geometry: the point itself, or the centre of its bounding box. */
export function representativePoint(geometry: Geometry): [number, number] | null {
  if (geometry.type === 'Point') {
    const [lon, lat] = geometry.coordinates as Position
    return lon === undefined || lat === undefined ? null : [lon, lat]
  }
  const box = [Infinity, Infinity, -Infinity, -Infinity]
  const visit = (value: unknown): void => {
    if (Array.isArray(value) && typeof value[0] === 'number') {
      box[0] = Math.min(box[0]!, value[0])
      box[1] = Math.min(box[1]!, value[1] as number)
      box[2] = Math.max(box[2]!, value[0])
      box[3] = Math.max(box[3]!, value[1] as number)
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v)
    }
  }
  visit(geometry.coordinates)
  return Number.isFinite(box[0]) ? [(box[0]! + box[2]!) / 2, (box[1]! + box[3]!) / 2] : null
}
