/**
 * Where the synthetic city puts its facilities and how big they are. Densities follow the life-circle tiers of
 * GB 50180-2018 (5-, 10-, 15-minute circles) translated into block lattices; capacities use the standard's
 * typical sizes (kindergarten classes of 30, primary classes of 45, middle-school classes of 50). Chances are
 * tuned so that city-wide supply lands near national figures (about 40 kindergarten and 80 primary places per
 * 1,000 residents, 7–9 hospital beds per 1,000): shortages then show up locally, not everywhere.
 */

import type { FacilityType } from '../../server/db/facilities.ts'
import { hash32, unitHash } from './random.ts'

/**
 * - `point`: a point inside a compound of the block (a ground-floor or small stand-alone facility).
 * - `parcel`: takes a whole parcel of the block (a school campus, a hospital, a park, a sports ground).
 * - `road`: on the pavement of the block's streets; `station`: at arterial crossings.
 */
export type FacilityHost = 'point' | 'parcel' | 'road' | 'station'

export interface FacilitySpec {
  host: FacilityHost
  /** One facility per `spacingBlocks`² blocks, on a lattice offset per type; 1 means a chance per block. */
  spacingBlocks: number
  /** Chance that a lattice point (or block) actually has one: planning is never complete. */
  chance: number
  /** Serves residents: absent from industrial blocks, and missing in under-served areas when drawn. */
  residential: boolean
  capacity?: { unit: string; min: number; max: number; step: number }
  /** Site area for facilities that are not parcels (parcels use their own area). */
  areaM2?: [number, number]
}

export const FACILITY_SPECS: Record<FacilityType, FacilitySpec> = {
  elderly_care: {
    host: 'point',
    spacingBlocks: 1,
    chance: 0.55,
    residential: true,
    capacity: { unit: 'beds', min: 20, max: 60, step: 5 },
  },
  infant_care: {
    host: 'point',
    spacingBlocks: 1,
    chance: 0.35,
    residential: true,
    capacity: { unit: 'places', min: 30, max: 120, step: 10 },
  },
  kindergarten: {
    host: 'point',
    spacingBlocks: 1,
    chance: 0.5,
    residential: true,
    capacity: { unit: 'places', min: 180, max: 360, step: 30 },
    areaM2: [3000, 6000],
  },
  primary_school: {
    host: 'parcel',
    spacingBlocks: 2,
    chance: 0.65,
    residential: true,
    capacity: { unit: 'places', min: 1080, max: 2160, step: 45 },
  },
  middle_school: {
    host: 'parcel',
    spacingBlocks: 3,
    chance: 0.9,
    residential: true,
    capacity: { unit: 'places', min: 1200, max: 2400, step: 50 },
  },
  clinic: {
    host: 'point',
    spacingBlocks: 2,
    chance: 0.95,
    residential: true,
    capacity: { unit: 'beds', min: 5, max: 30, step: 5 },
  },
  hospital: {
    host: 'parcel',
    spacingBlocks: 6,
    chance: 0.9,
    residential: false,
    capacity: { unit: 'beds', min: 300, max: 1500, step: 50 },
  },
  market: {
    host: 'point',
    spacingBlocks: 2,
    chance: 0.8,
    residential: true,
    capacity: { unit: 'stalls', min: 60, max: 240, step: 10 },
    areaM2: [1000, 3000],
  },
  supermarket: { host: 'point', spacingBlocks: 1, chance: 0.5, residential: true, areaM2: [500, 6000] },
  culture_center: { host: 'point', spacingBlocks: 4, chance: 0.9, residential: true, areaM2: [1000, 5000] },
  sports_ground: { host: 'parcel', spacingBlocks: 3, chance: 0.85, residential: true },
  park: { host: 'parcel', spacingBlocks: 2, chance: 0.85, residential: false },
  fire_station: {
    host: 'point',
    spacingBlocks: 6,
    chance: 0.95,
    residential: false,
    capacity: { unit: 'vehicles', min: 3, max: 10, step: 1 },
    areaM2: [3000, 8000],
  },
  police: { host: 'point', spacingBlocks: 4, chance: 0.95, residential: false },
  parking: {
    host: 'point',
    spacingBlocks: 1,
    chance: 0.6,
    residential: false,
    capacity: { unit: 'spaces', min: 50, max: 800, step: 10 },
  },
  ev_charging: {
    host: 'point',
    spacingBlocks: 1,
    chance: 0.4,
    residential: false,
    capacity: { unit: 'chargers', min: 4, max: 40, step: 2 },
  },
  bus_stop: { host: 'road', spacingBlocks: 1, chance: 0.6, residential: false },
  subway_entrance: { host: 'station', spacingBlocks: 4, chance: 0.8, residential: false },
  shelter: {
    host: 'point',
    spacingBlocks: 4,
    chance: 0.9,
    residential: false,
    capacity: { unit: 'people', min: 2000, max: 20000, step: 500 },
    areaM2: [5000, 40000],
  },
}

/** Types an under-served area can lack: the everyday services of the 5- and 10-minute life circles. */
export const UNDER_SERVABLE_TYPES: readonly FacilityType[] = [
  'elderly_care',
  'infant_care',
  'kindergarten',
  'primary_school',
  'middle_school',
  'clinic',
  'market',
  'supermarket',
  'culture_center',
  'sports_ground',
  'park',
  'parking',
  'ev_charging',
]

/** Parcel-hosted types in the order they claim a parcel when a block has too few. */
export const PARCEL_PRIORITY: readonly FacilityType[] = [
  'middle_school',
  'primary_school',
  'hospital',
  'park',
  'sports_ground',
]

const mod = (a: number, m: number): number => ((a % m) + m) % m

/** Whether the planning lattice puts a facility of this type in block (i, j), before any suppression. */
export function latticeHosts(seed: number, type: FacilityType, i: number, j: number): boolean {
  const spec = FACILITY_SPECS[type]
  const s = spec.spacingBlocks
  if (s > 1) {
    const offset = hash32(seed, 'lattice', type)
    if (mod(i - (offset % s), s) !== 0 || mod(j - (Math.floor(offset / s) % s), s) !== 0) return false
  }
  return unitHash(seed, 'facility', type, i, j) < spec.chance
}

/** A capacity drawn in whole steps (classes, beds, spaces) from the spec's range. */
export function drawCapacity(spec: FacilitySpec, u: number): number | null {
  const c = spec.capacity
  if (!c) return null
  const steps = Math.floor((c.max - c.min) / c.step)
  return c.min + Math.min(steps, Math.floor(u * (steps + 1))) * c.step
}
