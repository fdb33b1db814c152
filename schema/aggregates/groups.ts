import type { FacilityType } from '../../server/db/facilities.ts'
import type { Geometry } from '../../server/db/geometry.ts'

/** A lon/lat bounding box. */
export interface Extent {
  west: number
  south: number
  east: number
  north: number
}

export interface BuildingStats {
  count: number
  footprintAreaM2: number
  floorAreaM2: number
  withFloorArea: number
  residents: number
}

export interface FacilityStats {
  type: FacilityType
  count: number
  capacity: number
}

export interface PopulationStats {
  cells: number
  children: number
  working: number
  elderly: number
  total: number
}

export interface GroupShape {
  key: string
  regionCode: string | null
  cell: Geometry | null
  buildings: BuildingStats
  facilities: FacilityStats[]
  /** Null for public readers, who never see population figures. */
  population: PopulationStats | null
  extent: Extent | null
}

export interface AggregateShape {
  groupedBy: Grouping['kind']
  metricSrid: number | null
  gridSizeM: number | null
  total: GroupShape
  groups: GroupShape[]
}

export type Grouping =
  | { kind: 'none' }
  | { kind: 'region'; code: string }
  | { kind: 'grid'; sizeM: number; srid: number }

/** The key of the rows below none of the child regions. */
export const UNASSIGNED = 'unassigned'

const emptyBuildings = (): BuildingStats => ({
  count: 0,
  footprintAreaM2: 0,
  floorAreaM2: 0,
  withFloorArea: 0,
  residents: 0,
})
const emptyPopulation = (): PopulationStats => ({ cells: 0, children: 0, working: 0, elderly: 0, total: 0 })

/** A group where nothing lies: zeros, and population zeros only for readers who may see population. */
export function emptyGroup(
  key: string,
  regionCode: string | null,
  cell: Geometry | null,
  withPopulation: boolean,
): GroupShape {
  return {
    key,
    regionCode,
    cell,
    buildings: emptyBuildings(),
    facilities: [],
    population: withPopulation ? emptyPopulation() : null,
    extent: null,
  }
}

export function mergeExtent(a: Extent | null, b: Extent | null): Extent | null {
  if (!a) return b
  if (!b) return a
  return {
    west: Math.min(a.west, b.west),
    south: Math.min(a.south, b.south),
    east: Math.max(a.east, b.east),
    north: Math.max(a.north, b.north),
  }
}

export function totalOf(groups: GroupShape[], withPopulation: boolean): GroupShape {
  const total = emptyGroup('total', null, null, withPopulation)
  const facilities = new Map<string, FacilityStats>()
  for (const g of groups) {
    const b = total.buildings
    b.count += g.buildings.count
    b.footprintAreaM2 += g.buildings.footprintAreaM2
    b.floorAreaM2 += g.buildings.floorAreaM2
    b.withFloorArea += g.buildings.withFloorArea
    b.residents += g.buildings.residents
    for (const f of g.facilities) {
      const t = facilities.get(f.type) ?? { type: f.type, count: 0, capacity: 0 }
      t.count += f.count
      t.capacity += f.capacity
      facilities.set(f.type, t)
    }
    if (total.population && g.population) {
      for (const k of ['cells', 'children', 'working', 'elderly', 'total'] as const) {
        total.population[k] += g.population[k]
      }
    }
    total.extent = mergeExtent(total.extent, g.extent)
  }
  total.facilities = [...facilities.values()].sort((a, b) => a.type.localeCompare(b.type))
  return total
}

/**
 * The groups as a client lists them. By region: every child, with zeros where nothing lies, then the rows
 * below none of them. By grid: keys become `size:col:row`, in rows from the south-west.
 */
export function orderedGroups(
  grouping: Grouping,
  groups: Map<string, GroupShape>,
  childCodes: string[],
  withPopulation: boolean,
): GroupShape[] {
  if (grouping.kind === 'region') {
    const list = childCodes.map((code) => groups.get(code) ?? emptyGroup(code, code, null, withPopulation))
    const rest = groups.get(UNASSIGNED)
    if (rest) list.push(rest)
    for (const [key, g] of groups) {
      if (key !== UNASSIGNED && !childCodes.includes(key)) list.push(g)
    }
    return list
  }
  if (grouping.kind === 'grid') {
    const size = grouping.sizeM
    return [...groups.values()]
      .map((g) => ({ ...g, key: `${size}:${g.key}` }))
      .sort((a, b) => {
        const [, ac = 0, ar = 0] = a.key.split(':').map(Number)
        const [, bc = 0, br = 0] = b.key.split(':').map(Number)
        return ar - br || ac - bc
      })
  }
  return [...groups.values()]
}
