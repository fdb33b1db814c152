/**
 * One block of the synthetic city: its character and region, its parcels and what they are used for, then its
 * compounds and facilities. Each block draws from its own seeded stream (seed, i, j) in a fixed order.
 */

import { FACILITY_TYPES, type FacilityType } from '../../server/db/facilities.ts'
import { placeFacilities } from './block-facilities.ts'
import { buildCompound } from './compound.ts'
import { FACILITY_SPECS, latticeHosts, PARCEL_PRIORITY } from './facilities.ts'
import { type BlockCharacter, PARCEL_USES } from './land-use.ts'
import {
  type Rect,
  rectArea,
  rectCentre,
  rectRing,
  round,
  shrinkRect,
  subdivideBlock,
  type Xy,
} from './layout.ts'
import type { BuildingPeople } from './population.ts'
import { hash32, Random } from './random.ts'
import type { SyntheticBlockChunk } from './rows.ts'
import type { BlockSite, CityContext, ParcelPlan, PlacedCompound } from './site.ts'
import { isSuppressed } from './under-served.ts'

export interface BuiltBlock {
  chunk: SyntheticBlockChunk
  /** Per building of the chunk, what the population grid needs but the rows do not carry. */
  people: BuildingPeople[]
}

/** Block (i, j)'s rows. Creates the street edges around it, so blocks must be built in the city's block order. */
export function buildBlock(city: CityContext, i: number, j: number): BuiltBlock {
  const site = siteOf(city, i, j)
  const hosted = hostedFacilities(site)
  const { parcels, pointHosted } = planParcels(site, hosted)
  const chunk: SyntheticBlockChunk = {
    block: {
      sourceId: site.blockId,
      regionCode: site.regionCode,
      name: `街区 ${i >= 0 ? `E${i}` : `W${-i}`}${j >= 0 ? `N${j}` : `S${-j}`}`,
      ring: city.frame.ring(rectRing(site.rect)),
      areaM2: round(rectArea(site.rect), 2),
    },
    compounds: [],
    buildings: [],
    facilities: [],
    footways: [],
  }
  const people: BuildingPeople[] = []
  const placed: PlacedCompound[] = []
  parcels.forEach((parcel, p) => {
    const rows = buildCompound(site, parcel, p)
    chunk.compounds.push(rows.compound)
    chunk.buildings.push(...rows.buildings)
    people.push(...rows.people)
    chunk.footways.push(...rows.footways)
    placed.push(rows.placed)
  })
  chunk.facilities = placeFacilities(site, placed, hosted, pointHosted)
  return { chunk, people }
}

function siteOf(city: CityContext, i: number, j: number): BlockSite {
  const rng = new Random(hash32(city.seed, 'block', i, j))
  const rect = city.grid.blockRect(i, j)
  const centre = rectCentre(rect)
  const rel = Math.hypot(centre[0] - city.centre[0], centre[1] - city.centre[1]) / city.cityRadiusM
  const character = characterFor(rel, rng)
  const regionCode = regionFor(city, centre, rel)
  const districts = city.regions.districts
  const district = districts.find((d) => regionCode.startsWith(d.code)) ?? districts[0]
  const streets = city.streets
  return {
    city,
    i,
    j,
    rng,
    rect,
    centre,
    rel,
    character,
    regionCode,
    blockId: `block:${i}:${j}`,
    addressPrefix: `${city.regions.addressPrefix}${district?.name ?? ''}`,
    edges: {
      west: streets.edge('x', i, j, regionCode),
      east: streets.edge('x', i + 1, j, regionCode),
      south: streets.edge('y', j, i, regionCode),
      north: streets.edge('y', j + 1, i, regionCode),
    },
  }
}

function characterFor(rel: number, rng: Random): BlockCharacter {
  if (rel < 0.3) return rng.chance(0.85) ? 'core' : 'inner'
  if (rel < 0.65) return rng.weighted<BlockCharacter>({ inner: 0.95, village: 0.02, industrial: 0.03 })
  return rng.weighted<BlockCharacter>({ outer: 0.74, industrial: 0.2, village: 0.06 })
}

/** Districts share the city out by sector; a district's streets tile its sector by sub-sector and ring. */
function regionFor(city: CityContext, xy: Xy, rel: number): string {
  const districts = city.regions.districts
  const angle = Math.atan2(xy[1] - city.centre[1], xy[0] - city.centre[0]) + Math.PI
  const position = (angle / (2 * Math.PI)) * districts.length
  const index = Math.min(districts.length - 1, Math.floor(position))
  const district = districts[index] ?? districts[0]
  if (!district) throw new Error('no districts')
  const streets = district.streets
  if (streets.length === 0) return district.code
  const across = Math.ceil(Math.sqrt(streets.length))
  const rings = Math.ceil(streets.length / across)
  const sub = Math.min(across - 1, Math.floor((position - index) * across))
  const ring = Math.min(rings - 1, Math.floor(Math.min(0.999, rel) * rings))
  return (streets[(ring * across + sub) % streets.length] as { code: string }).code
}

/** Facility types the planning lattice puts in this block, less those its under-served area lacks. */
function hostedFacilities(site: BlockSite): FacilityType[] {
  const hosted: FacilityType[] = []
  for (const type of FACILITY_TYPES) {
    const spec = FACILITY_SPECS[type]
    if (spec.host === 'road' || spec.host === 'station') continue
    if (spec.residential && site.character === 'industrial') continue
    if (!latticeHosts(site.city.seed, type, site.i, site.j)) continue
    if (isSuppressed(site.city.underServed, type, site.centre)) continue
    hosted.push(type)
  }
  return hosted
}

/**
 * The block cut into parcels, parcel-hosted facilities claiming the biggest first and the rest drawn from the
 * block character's land-use mix. Types that find no parcel to spare go inside a compound (`pointHosted`).
 */
function planParcels(
  site: BlockSite,
  hosted: FacilityType[],
): { parcels: ParcelPlan[]; pointHosted: FacilityType[] } {
  const eps = 1e-6
  // Parcels stop a metre short of the block outline: a straight edge in metres is slightly curved in lon/lat,
  // and the margin keeps every compound inside its block after projection and rounding.
  const area: Rect = shrinkRect(site.rect, 1)
  const parcels: ParcelPlan[] = subdivideBlock(area, site.rng).map((p) => ({
    rect: p,
    use: 'residential',
    touches: {
      west: p.x0 <= area.x0 + eps,
      east: p.x1 >= area.x1 - eps,
      south: p.y0 <= area.y0 + eps,
      north: p.y1 >= area.y1 - eps,
    },
  }))
  // Keep at least one parcel for the block's own use.
  const free = [...parcels].sort((a, b) => rectArea(b.rect) - rectArea(a.rect))
  let claimable = parcels.length > 1 ? parcels.length - 1 : 0
  const pointHosted: FacilityType[] = []
  for (const type of PARCEL_PRIORITY) {
    if (!hosted.includes(type)) continue
    const parcel = claimable > 0 ? free.shift() : undefined
    if (parcel) {
      claimable--
      parcel.hosted = type
      parcel.use =
        type === 'park' || type === 'sports_ground' ? 'green' : type === 'hospital' ? 'hospital' : 'school'
    } else {
      pointHosted.push(type)
    }
  }
  for (const parcel of parcels) {
    if (!parcel.hosted) parcel.use = site.rng.weighted(PARCEL_USES[site.character])
  }
  return { parcels, pointHosted }
}
