/** The facilities of one block: on their parcels, inside compounds, on the pavement and at metro stations. */

import type { FacilityType } from '../../server/db/facilities.ts'
import { drawCapacity, FACILITY_SPECS } from './facilities.ts'
import { rectArea, rectCentre, round, type Xy } from './layout.ts'
import { FACILITY_NAME_ZH } from './names.ts'
import { unitHash } from './random.ts'
import type { SyntheticFacility } from './rows.ts'
import type { BlockSite, PlacedCompound } from './site.ts'
import { HALF_WIDTH_M, lineClass, mod, streetNameOf } from './streets.ts'

/** Site areas of the parcel types when they stand in a compound because the block had no parcel to spare. */
const FALLBACK_AREA_M2: Partial<Record<FacilityType, [number, number]>> = {
  park: [2000, 8000],
  sports_ground: [3000, 10000],
  primary_school: [8000, 20000],
  middle_school: [10000, 25000],
  hospital: [5000, 20000],
}

/**
 * Every facility of the block. `hosted` are the types the planning lattice gives the block; `pointHosted` the
 * parcel types that found no parcel. Draws from the block's stream, after its compounds.
 */
export function placeFacilities(
  site: BlockSite,
  placed: PlacedCompound[],
  hosted: FacilityType[],
  pointHosted: FacilityType[],
): SyntheticFacility[] {
  const facilities: SyntheticFacility[] = []
  const add = (
    type: FacilityType,
    n: number,
    point: Xy,
    name: string,
    areaM2: number | null,
    attributes: Record<string, unknown> = {},
  ) => facilities.push(facilityOf(site, type, n, point, name, areaM2, attributes))
  const southRoad = streetNameOf('y', site.j)

  // Campuses, hospitals, parks and sports grounds at the centre of their parcel.
  for (const l of placed) {
    if (!l.parcel.hosted) continue
    add(l.parcel.hosted, 0, rectCentre(l.parcel.rect), l.name, rectArea(l.parcel.rect), {
      compoundSourceId: l.compoundId,
    })
  }
  // Everything else inside a compound: at one of its buildings (a ground floor) or the parcel's centre.
  const residential = placed.filter((l) => l.parcel.use === 'residential' || l.parcel.use === 'village')
  const pointTypes = [
    ...pointHosted,
    ...hosted.filter((t) => FACILITY_SPECS[t].host === 'point' && t !== 'shelter'),
  ]
  for (const type of pointTypes) {
    const pool = FACILITY_SPECS[type].residential && residential.length > 0 ? residential : placed
    const l = site.rng.pick(pool)
    const point = l.inside.length > 0 ? site.rng.pick(l.inside) : rectCentre(l.parcel.rect)
    const areaM2 = drawArea(site, FACILITY_SPECS[type].areaM2 ?? FALLBACK_AREA_M2[type])
    add(type, 0, point, `${southRoad}${FACILITY_NAME_ZH[type]}`, areaM2, { compoundSourceId: l.compoundId })
  }
  if (hosted.includes('shelter')) {
    // Emergency shelters use open ground: a park, a sports ground or a school field when the block has one.
    const open = placed.find((l) => l.parcel.use === 'green') ?? placed.find((l) => l.parcel.use === 'school')
    const at = open ? rectCentre(open.parcel.rect) : site.centre
    const name = `${open ? open.name : southRoad}${FACILITY_NAME_ZH.shelter}`
    add(
      'shelter',
      0,
      at,
      name,
      open ? rectArea(open.parcel.rect) : drawArea(site, FACILITY_SPECS.shelter.areaM2),
    )
  }
  for (const f of busStops(site)) facilities.push(f)
  for (const f of metroEntrances(site)) facilities.push(f)
  return facilities
}

function drawArea(site: BlockSite, range: [number, number] | undefined): number | null {
  return range ? round(site.rng.range(range[0], range[1]), 0) : null
}

/** A facility row; its capacity comes from a hash of its place, not from the block's stream. */
function facilityOf(
  site: BlockSite,
  type: FacilityType,
  n: number,
  point: Xy,
  name: string,
  areaM2: number | null,
  attributes: Record<string, unknown>,
): SyntheticFacility {
  const { i, j } = site
  const seed = site.city.seed
  const spec = FACILITY_SPECS[type]
  let capacity = drawCapacity(spec, unitHash(seed, 'capacity', type, i, j, n))
  let capacityUnit = spec.capacity?.unit ?? null
  if (type === 'elderly_care' && unitHash(seed, 'nursing-home', i, j) < 0.15) {
    // One in seven is a nursing home (养老院) rather than a day-care station (日间照料中心).
    capacity = 150 + 10 * Math.floor(unitHash(seed, 'nursing-home-beds', i, j) * 26)
    capacityUnit = 'beds'
    attributes = { ...attributes, kind: 'nursing_home' }
  }
  return {
    sourceId: `facility:${type}:${i}:${j}:${n}`,
    regionCode: site.regionCode,
    type,
    name,
    point: site.city.frame.toLonLat(point),
    capacity,
    capacityUnit,
    areaM2: areaM2 === null ? null : round(areaM2, 2),
    attributes,
  }
}

/** Bus stops on the pavement of the block's south and west streets (each street edge has one owner block). */
function busStops(site: BlockSite): SyntheticFacility[] {
  const { rect, i, j } = site
  const stops: SyntheticFacility[] = []
  for (const side of ['south', 'west'] as const) {
    const e = site.edges[side]
    if (lineClass(e.line) === 'trunk') continue
    if (unitHash(site.city.seed, 'bus_stop', side, i, j) >= FACILITY_SPECS.bus_stop.chance) continue
    const point: Xy =
      side === 'south'
        ? [rect.x0 + 0.3 * (rect.x1 - rect.x0), rect.y0 - 3]
        : [rect.x0 - 3, rect.y0 + 0.3 * (rect.y1 - rect.y0)]
    const name = `${streetNameOf(e.axis, e.line)}公交站`
    stops.push(facilityOf(site, 'bus_stop', side === 'south' ? 0 : 1, point, name, null, {}))
  }
  return stops
}

/** Metro stations at arterial crossings in the built-up centre, one entrance on each corner. */
function metroEntrances(site: BlockSite): SyntheticFacility[] {
  const { i, j } = site
  const chance = FACILITY_SPECS.subway_entrance.chance
  if (mod(i, 4) !== 0 || mod(j, 4) !== 0 || site.rel >= 0.7) return []
  if (unitHash(site.city.seed, 'subway', i, j) >= chance) return []
  const grid = site.city.grid
  const cx = grid.line('x', i)
  const cy = grid.line('y', j)
  const dx = HALF_WIDTH_M[lineClass(i)] + 2
  const dy = HALF_WIDTH_M[lineClass(j)] + 2
  const station = `${streetNameOf('x', i)}${streetNameOf('y', j)}站`
  const corners: [Xy, string][] = [
    [[cx + dx, cy + dy], 'A'],
    [[cx - dx, cy + dy], 'B'],
    [[cx - dx, cy - dy], 'C'],
    [[cx + dx, cy - dy], 'D'],
  ]
  return corners.map(([point, letter], n) =>
    facilityOf(site, 'subway_entrance', n, point, `${station}${letter}口`, null, { station }),
  )
}
