import * as turf from '@turf/turf'
import proj4 from 'proj4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { graphql } from '../generated/index.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'
import { fetchUniverse, positions, type Universe } from './helpers/universe.ts'

/** A CGCS2000 3-degree Gauss-Krüger CM zone (EPSG:4534–4554), written out for an independent transform. */
const gaussKrueger = (srid: number) =>
  `+proj=tmerc +lat_0=0 +lon_0=${75 + 3 * (srid - 4534)} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs`

const Aggregate = graphql(`
  query Aggregate($filter: SpatialFilter, $groupBy: AggregateGroupBy, $buildingUses: [BuildingUse!]) {
    aggregate(filter: $filter, groupBy: $groupBy, buildingUses: $buildingUses) {
      groupedBy
      metricSrid
      total {
        ...Stats
      }
      groups {
        key
        region {
          code
        }
        cell
        ...Stats
      }
    }
  }
  fragment Stats on AggregateGroup {
    buildings {
      count
      footprintAreaM2
      floorAreaM2
      withFloorArea
      residents
    }
    facilityCount
    facilities {
      type
      count
      capacity
    }
    population {
      cells
      children
      working
      elderly
      total
    }
    extent {
      west
      south
      east
      north
    }
  }
`)

let api: Api
let universe: Universe
let token: string

beforeAll(async () => {
  api = await startApi()
  token = await tokenFor('city', '310100')
  universe = await fetchUniverse(api, token)
})
afterAll(() => api?.close())

const sum = <T>(rows: T[], value: (row: T) => number | null | undefined) =>
  rows.reduce((total, row) => total + (value(row) ?? 0), 0)

function byType(facilities: Universe['facilities']) {
  const counts = new Map<string, { count: number; capacity: number }>()
  for (const f of facilities) {
    const c = counts.get(f.type) ?? { count: 0, capacity: 0 }
    c.count += 1
    c.capacity += f.capacity ?? 0
    counts.set(f.type, c)
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, c]) => ({ type, count: c.count, capacity: expect.closeTo(c.capacity, 6) }))
}

/** What a group should hold, summed in plain JavaScript from the rows the lists returned. */
function expectedStats(rows: {
  buildings: Universe['buildings']
  facilities: Universe['facilities']
  cells: Universe['cells']
}) {
  return {
    buildings: {
      count: rows.buildings.length,
      footprintAreaM2: expect.closeTo(
        sum(rows.buildings, (b) => b.footprintAreaM2),
        3,
      ),
      floorAreaM2: expect.closeTo(
        sum(rows.buildings, (b) => b.floorAreaM2),
        3,
      ),
      withFloorArea: rows.buildings.filter((b) => b.floorAreaM2 !== null).length,
      residents: expect.closeTo(
        sum(rows.buildings, (b) => b.residents),
        3,
      ),
    },
    facilityCount: rows.facilities.length,
    facilities: byType(rows.facilities),
    population: {
      cells: rows.cells.length,
      children: expect.closeTo(
        sum(rows.cells, (c) => c.children),
        3,
      ),
      working: expect.closeTo(
        sum(rows.cells, (c) => c.working),
        3,
      ),
      elderly: expect.closeTo(
        sum(rows.cells, (c) => c.elderly),
        3,
      ),
      total: expect.closeTo(
        sum(rows.cells, (c) => c.total),
        3,
      ),
    },
  }
}

function extentOf(geometries: Parameters<typeof positions>[0][]) {
  const all = geometries.flatMap(positions)
  return {
    west: expect.closeTo(Math.min(...all.map((p) => p[0]!)), 8),
    south: expect.closeTo(Math.min(...all.map((p) => p[1]!)), 8),
    east: expect.closeTo(Math.max(...all.map((p) => p[0]!)), 8),
    north: expect.closeTo(Math.max(...all.map((p) => p[1]!)), 8),
  }
}

describe('aggregate grouped by child region', () => {
  it('equals the sums over the listed rows, district by district', async () => {
    const { aggregate } = await api.query(Aggregate, { groupBy: { childrenOf: '310100' } }, { token })
    expect(aggregate!.groupedBy).toBe('region')
    // Every district of Shanghai is a group, also those without data.
    expect(aggregate!.groups.length).toBe(16)
    for (const code of ['310101', '310109', '310115']) {
      const group = aggregate!.groups.find((g) => g.key === code)!
      expect(group.region?.code).toBe(code)
      const rows = {
        buildings: universe.buildings.filter((b) => b.regionCode === code),
        facilities: universe.facilities.filter((f) => f.regionCode === code),
        cells: universe.cells.filter((c) => c.regionCode === code),
      }
      expect(rows.buildings.length).toBeGreaterThan(100)
      expect(group).toMatchObject(expectedStats(rows))
      expect(group.extent).toEqual(
        extentOf([
          ...rows.buildings.map((b) => b.footprint),
          ...rows.facilities.map((f) => f.geom),
          ...rows.cells.map((c) => c.geom),
        ]),
      )
    }
    const empty = aggregate!.groups.find((g) => g.key === '310104')!
    expect(empty.buildings.count).toBe(0)
    expect(empty.extent).toBeNull()
    expect(aggregate!.total).toMatchObject(expectedStats(universe))
  })

  it('filters buildings by use and space before grouping', async () => {
    const box = { west: 121.48, south: 31.23, east: 121.5, north: 31.245 }
    const polygon = turf.bboxPolygon([box.west, box.south, box.east, box.north])
    const { aggregate } = await api.query(
      Aggregate,
      {
        filter: { bbox: box },
        groupBy: { childrenOf: '310100' },
        buildingUses: ['residential', 'commercial'],
      },
      { token },
    )
    for (const group of aggregate!.groups.filter((g) => g.buildings.count > 0)) {
      const expected = universe.buildings.filter(
        (b) =>
          b.regionCode === group.key &&
          ['residential', 'commercial'].includes(b.use) &&
          turf.booleanIntersects(b.footprint, polygon),
      )
      expect(group.buildings.count).toBe(expected.length)
      expect(group.buildings.floorAreaM2).toBeCloseTo(
        sum(expected, (b) => b.floorAreaM2),
        3,
      )
    }
    expect(aggregate!.total.buildings.count).toBeGreaterThan(10)
  })
})

describe('aggregate grouped by grid', () => {
  it('puts each row in the cell of its point in the Gauss-Krüger zone (checked with proj4)', async () => {
    // 100 m population cells have centres at odd multiples of 50 m: never on a 500 m line.
    const size = 500
    const { aggregate } = await api.query(Aggregate, { groupBy: { gridSizeM: size } }, { token })
    expect(aggregate!.groupedBy).toBe('grid')
    // The zone of the demo's population cells: a grid in their CRS never splits one.
    expect([4549, 4550]).toContain(aggregate!.metricSrid)
    const crs = gaussKrueger(aggregate!.metricSrid!)
    const cellOf = (point: { coordinates: number[] }) => {
      const [x, y] = proj4('EPSG:4326', crs, point.coordinates.slice(0, 2)) as [number, number]
      return `${size}:${Math.floor(x / size)}:${Math.floor(y / size)}`
    }
    const expected = new Map<
      string,
      { buildings: Universe['buildings']; facilities: Universe['facilities']; cells: Universe['cells'] }
    >()
    const slot = (key: string) => {
      let s = expected.get(key)
      if (!s) {
        s = { buildings: [], facilities: [], cells: [] }
        expected.set(key, s)
      }
      return s
    }
    for (const b of universe.buildings) slot(cellOf(b.centroid)).buildings.push(b)
    for (const f of universe.facilities) slot(cellOf(f.geom)).facilities.push(f)
    for (const c of universe.cells) slot(cellOf(c.centroid)).cells.push(c)
    expect(new Set(aggregate!.groups.map((g) => g.key))).toEqual(new Set(expected.keys()))
    for (const group of aggregate!.groups) {
      expect(group).toMatchObject(expectedStats(expected.get(group.key)!))
      // The cell is the grid square, back in lon/lat.
      const [, col, row] = group.key.split(':').map(Number) as [number, number, number]
      const corner = proj4(crs, 'EPSG:4326', [col * size, row * size]) as [number, number]
      expect(group.cell?.type).toBe('Polygon')
      const ring = positions(group.cell!)
      expect(ring.some(([x, y]) => Math.abs(x! - corner[0]) < 1e-7 && Math.abs(y! - corner[1]) < 1e-7)).toBe(
        true,
      )
    }
    expect(aggregate!.total).toMatchObject(expectedStats(universe))
  })

  it('refuses a grid too fine for the selection', async () => {
    const response = await api.request(
      '{ aggregate(groupBy: { gridSizeM: 10 }) { groupedBy } }',
      {},
      { token },
    )
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('aggregate for public readers', () => {
  it('counts only public rows and leaves population out', async () => {
    const { aggregate } = await api.query(Aggregate, {})
    expect(aggregate!.groupedBy).toBe('none')
    expect(aggregate!.total.population).toBeNull()
    expect(aggregate!.total.buildings.count).toBe(universe.buildings.length)
  })
})
