/** One parcel of a block as a compound: its buildings, its gate and footpaths to the street, its residents. */

import type { BuildingUse } from '../../server/db/buildings.ts'
import {
  type AgeShares,
  ageSharesFor,
  type BlockCharacter,
  compoundName,
  type HeightClass,
  heightClassOf,
  LAND_USE,
  type ParcelUse,
  RESIDENTIAL_HEIGHTS,
  RESIDENTIAL_STYLES,
  STYLES,
  structureFor,
  yearFor,
} from './land-use.ts'
import {
  type BuildingShape,
  layoutParcel,
  lineLength,
  type ParcelLayout,
  rectArea,
  rectRing,
  round,
  type Xy,
} from './layout.ts'
import {
  type BuildingPeople,
  FLOOR_AREA_PER_RESIDENT_M2,
  HOUSEHOLD_SIZE,
  MIXED_USE_RESIDENTIAL_SHARE,
} from './population.ts'
import type { Random } from './random.ts'
import type { SyntheticBuilding, SyntheticCompound, SyntheticRoad } from './rows.ts'
import { type BlockSite, type ParcelPlan, type PlacedCompound, SIDES, type Side } from './site.ts'
import { lineClass, type StreetEdge, streetNameOf } from './streets.ts'

export const STOREY_HEIGHT_M = 3

export interface CompoundRows {
  compound: SyntheticCompound
  buildings: SyntheticBuilding[]
  /** Per building, in the same order. */
  people: BuildingPeople[]
  footways: SyntheticRoad[]
  placed: PlacedCompound
}

/** What every building of a compound shares. */
interface CompoundBasis {
  id: string
  /** Index of the parcel in its block, part of every source id. */
  p: number
  parcelUse: ParcelUse
  year: number
  ageShares: AgeShares
  /** Standard address of the gate, without the building number. */
  address: string
}

/** Parcel `p` of the block as a compound. Draws from the block's stream, so the order of calls matters. */
export function buildCompound(site: BlockSite, parcel: ParcelPlan, p: number): CompoundRows {
  const { rng, character, i, j } = site
  const heightClass: HeightClass =
    parcel.use === 'residential' ? rng.weighted(RESIDENTIAL_HEIGHTS[character]) : 'low'
  const style = parcel.use === 'residential' ? RESIDENTIAL_STYLES[heightClass] : STYLES[parcel.use]
  const layout = layoutParcel(parcel.rect, style, rng)
  const year = yearFor(parcel.use, heightClass, character, rng)
  const ageShares = ageSharesFor(parcel.use, year, rng)
  const compoundId = `compound:${i}:${j}:${p}`
  const name = compoundName(parcel.use, year, rng, parcel.hosted)

  const gate = gateOf(site, parcel, layout)
  const footways = gate.paths.map((path, n) => footway(site, `path:${i}:${j}:${p}:${n}`, path))
  const basis: CompoundBasis = {
    id: compoundId,
    p,
    parcelUse: parcel.use,
    year,
    ageShares,
    address: gateAddress(site, gate),
  }
  const buildings = layout.buildings.map((shape, n) => buildingOf(site, basis, shape, n))
  const people = layout.buildings.map((shape) => ({ shares: ageShares, inside: shape.inside }))

  let residents = 0
  for (const b of buildings) residents += b.residents
  residents = round(residents, 2)
  const compound: SyntheticCompound = {
    sourceId: compoundId,
    blockSourceId: site.blockId,
    regionCode: site.regionCode,
    name,
    kind: parcel.use === 'village' ? 'self_built_cluster' : 'compound',
    ring: site.city.frame.ring(rectRing(parcel.rect)),
    areaM2: round(rectArea(parcel.rect), 2),
    yearBuilt: year,
    households: Math.round(residents / HOUSEHOLD_SIZE),
    residents,
    attributes: { landUse: LAND_USE[parcel.use], parcelUse: parcel.use, character, ageShares },
  }
  const inside = layout.buildings.map((shape) => shape.inside)
  return { compound, buildings, people, footways, placed: { parcel, compoundId, name, inside } }
}

interface Gate {
  side: Side
  edge: StreetEdge
  /** Where the gate's path meets the street, as a coordinate along the street's edge. */
  junction: number
  /** The spine through the compound and the path from it to the street. */
  paths: Xy[][]
}

/** A gate on a street the parcel fronts, avoiding expressways that pedestrians cannot walk along. */
function gateOf(site: BlockSite, parcel: ParcelPlan, layout: ParcelLayout): Gate {
  const sides = SIDES.filter((s) => parcel.touches[s])
  const walkableSides = sides.filter((s) => lineClass(site.edges[s].line) !== 'trunk')
  const side = site.rng.pick<Side>(
    walkableSides.length > 0 ? walkableSides : sides.length > 0 ? sides : ['south'],
  )
  const edge = site.edges[side]
  const xs = layout.corridorsX
  const ys = layout.corridorsY
  const spineY = (ys.length >= 3 ? ys[Math.floor(ys.length / 2)] : ys[0]) as number
  const x0 = xs[0] as number
  const x1 = xs[xs.length - 1] as number
  // Two gates meeting one street at (nearly) the same point share the junction: no zero-length pieces.
  const joinAt = (at: number): number => {
    const near = edge.junctions.find((v) => Math.abs(v - at) < 1)
    if (near !== undefined) return near
    edge.junctions.push(at)
    return at
  }
  const spine: Xy[] = [
    [x0, spineY],
    [x1, spineY],
  ]
  if (side === 'west' || side === 'east') {
    const roadX = site.city.grid.line('x', side === 'west' ? site.i : site.i + 1)
    const junction = joinAt(spineY)
    const door: Xy = [side === 'west' ? x0 : x1, spineY]
    return { side, edge, junction, paths: [spine, [door, [roadX, junction]]] }
  }
  const gateX = (xs.length >= 3 ? xs[Math.floor(xs.length / 2)] : x0) as number
  const roadY = site.city.grid.line('y', side === 'south' ? site.j : site.j + 1)
  const junction = joinAt(gateX)
  const door: Xy = [gateX, spineY]
  // The spine is split at the door, so the door is a vertex of the walk network.
  const spines: Xy[][] =
    gateX > x0 && gateX < x1
      ? [
          [[x0, spineY], door],
          [door, [x1, spineY]],
        ]
      : [spine]
  return { side, edge, junction, paths: [...spines, [door, [junction, roadY]]] }
}

function footway(site: BlockSite, sourceId: string, path: Xy[]): SyntheticRoad {
  return {
    sourceId,
    regionCode: site.regionCode,
    kind: 'path',
    kindDetail: 'footway',
    name: null,
    line: site.city.frame.ring(path),
    lengthM: round(lineLength(path), 2),
    walkable: true,
  }
}

/** House numbers: odd on one side of the street, even on the other, 20 m apart from the centre outwards. */
function gateAddress(site: BlockSite, gate: Gate): string {
  const centre = site.city.centre
  const along = gate.edge.axis === 'x' ? gate.junction - centre[1] : gate.junction - centre[0]
  const oddSide = gate.side === 'west' || gate.side === 'south'
  const houseNumber = 2 * Math.floor(Math.abs(along) / 20) + (oddSide ? 1 : 2)
  return `${site.addressPrefix}${streetNameOf(gate.edge.axis, gate.edge.line)}${houseNumber}号`
}

function buildingUse(parcelUse: ParcelUse, character: BlockCharacter, rng: Random): BuildingUse {
  switch (parcelUse) {
    case 'residential':
      return rng.chance(character === 'core' ? 0.15 : 0.06) ? 'mixed' : 'residential'
    case 'village':
      return rng.chance(0.15) ? 'mixed' : 'residential'
    case 'commercial':
      return 'commercial'
    case 'office':
      return 'office'
    case 'industrial':
      return rng.weighted<BuildingUse>({ industrial: 0.85, other: 0.1, office: 0.05 })
    default:
      return 'public'
  }
}

function buildingOf(
  site: BlockSite,
  basis: CompoundBasis,
  shape: BuildingShape,
  n: number,
): SyntheticBuilding {
  const { rng } = site
  const use = buildingUse(basis.parcelUse, site.character, rng)
  const floors = shape.floors
  const footprintAreaM2 = round(shape.areaM2, 2)
  const floorAreaM2 = round(footprintAreaM2 * floors, 2)
  const housing = use === 'residential' ? 1 : use === 'mixed' ? MIXED_USE_RESIDENTIAL_SHARE : 0
  const year = basis.year
  const yearBuilt =
    basis.parcelUse === 'village'
      ? rng.int(Math.max(1980, year - 10), Math.min(2020, year + 10))
      : Math.min(2024, year + rng.int(0, 2))
  return {
    sourceId: `building:${site.i}:${site.j}:${basis.p}:${n}`,
    compoundSourceId: basis.id,
    blockSourceId: site.blockId,
    regionCode: site.regionCode,
    ring: site.city.frame.ring(shape.ring),
    centroid: site.city.frame.toLonLat(shape.inside),
    footprintAreaM2,
    heightM: floors * STOREY_HEIGHT_M,
    floors,
    floorAreaM2,
    use,
    yearBuilt,
    structure: structureFor(use, floors, yearBuilt, rng),
    standardAddress: `${basis.address}${n + 1}栋`,
    residents: round((floorAreaM2 * housing) / FLOOR_AREA_PER_RESIDENT_M2, 2),
    // Its year is drawn at random like everything else here: the attributes say so, as imports say theirs.
    attributes: {
      heightClass: heightClassOf(floors),
      shape: shape.lShape ? 'l_shape' : 'rectangle',
      yearSource: 'synthetic',
    },
  }
}
