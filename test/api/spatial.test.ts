import * as turf from '@turf/turf'
import type { MultiPolygon, Polygon } from 'geojson'
import proj4 from 'proj4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SpatialBuildingsQuery } from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'
import { fetchUniverse, type Universe } from './helpers/universe.ts'

// CGCS2000 3-degree Gauss-Krüger CM 120°E (EPSG:4549): Shanghai's survey CRS, written out for an independent
// transform; CGCS2000 and WGS84 differ by centimetres.
const EPSG_4549 = '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs'
const toGk = (lon: number, lat: number) => proj4('EPSG:4326', EPSG_4549, [lon, lat]) as [number, number]
const fromGk = (x: number, y: number) => proj4(EPSG_4549, 'EPSG:4326', [x, y]) as [number, number]

const Buildings = graphql(`
  query SpatialBuildings($filter: SpatialFilter, $first: Int, $after: String, $last: Int, $before: String) {
    buildings(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          id
          distanceM
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`)

const Facilities = graphql(`
  query SpatialFacilities($filter: SpatialFilter, $types: [FacilityType!]) {
    facilities(filter: $filter, types: $types, first: 500) {
      edges {
        node {
          id
          type
          distanceM
        }
      }
    }
  }
`)

let api: Api
let universe: Universe
let token: string

beforeAll(async () => {
  api = await startApi()
  token = await tokenFor('province', '310000')
  universe = await fetchUniverse(api, token)
})
afterAll(() => api?.close())

async function buildingIds(filter: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = []
  let after: string | null = null
  let total = 0
  do {
    const { buildings: page }: SpatialBuildingsQuery = await api.query(
      Buildings,
      { filter, first: 500, after },
      { token },
    )
    ids.push(...page!.edges.map((e) => e.node.id))
    total = page!.totalCount
    after = page!.pageInfo.hasNextPage ? page!.pageInfo.endCursor : null
  } while (after)
  expect(total).toBe(ids.length)
  return ids
}

const sorted = (ids: string[]) => [...ids].sort()

describe('the demo city', () => {
  it('is what the filters are checked against', () => {
    expect(universe.buildings.length).toBeGreaterThan(1000)
    expect(universe.facilities.length).toBeGreaterThan(50)
    expect(universe.cells.length).toBeGreaterThan(50)
  })
})

describe('bbox', () => {
  it('returns exactly the buildings whose footprint intersects the box (turf)', async () => {
    const box: [number, number, number, number] = [121.485, 31.235, 121.495, 31.243]
    const polygon = turf.bboxPolygon(box)
    const expected = universe.buildings
      .filter((b) => turf.booleanIntersects(b.footprint, polygon))
      .map((b) => b.id)
    expect(expected.length).toBeGreaterThan(20)
    const [west, south, east, north] = box
    expect(sorted(await buildingIds({ bbox: { west, south, east, north } }))).toEqual(sorted(expected))
  })

  it('accepts the box in a CGCS2000 Gauss-Krüger zone (EPSG:4549)', async () => {
    const [west, south] = toGk(121.482, 31.232)
    const [east, north] = toGk(121.492, 31.24)
    const ring = [
      fromGk(west, south),
      fromGk(east, south),
      fromGk(east, north),
      fromGk(west, north),
      fromGk(west, south),
    ]
    const polygon = turf.polygon([ring])
    const expected = universe.buildings
      .filter((b) => turf.booleanIntersects(b.footprint, polygon))
      .map((b) => b.id)
    expect(expected.length).toBeGreaterThan(20)
    const got = await buildingIds({ crs: 'EPSG:4549', bbox: { west, south, east, north } })
    expect(sorted(got)).toEqual(sorted(expected))
  })
})

describe('intersects', () => {
  it('returns exactly the buildings intersecting a polygon (turf)', async () => {
    const triangle: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [121.486, 31.233],
          [121.494, 31.233],
          [121.49, 31.244],
          [121.486, 31.233],
        ],
      ],
    }
    const expected = universe.buildings
      .filter((b) => turf.booleanIntersects(b.footprint, triangle))
      .map((b) => b.id)
    expect(expected.length).toBeGreaterThan(20)
    expect(sorted(await buildingIds({ intersects: triangle }))).toEqual(sorted(expected))
  })

  it('takes the CRS from the geometry’s own crs member', async () => {
    const corners = [
      [121.5, 31.235],
      [121.51, 31.235],
      [121.51, 31.245],
      [121.5, 31.245],
      [121.5, 31.235],
    ] as [number, number][]
    const inWgs84: Polygon = { type: 'Polygon', coordinates: [corners] }
    const inGk = {
      type: 'Polygon',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4549' } },
      coordinates: [corners.map(([lon, lat]) => toGk(lon, lat))],
    }
    const expected = universe.buildings
      .filter((b) => turf.booleanIntersects(b.footprint, inWgs84))
      .map((b) => b.id)
    expect(expected.length).toBeGreaterThan(5)
    // The straight GK edges bend slightly in lon/lat: compare away from the outline.
    const got = await buildingIds({ intersects: inGk })
    const inner = turf.bboxPolygon([121.5002, 31.2352, 121.5098, 31.2448])
    const outer = turf.bboxPolygon([121.4998, 31.2348, 121.5102, 31.2452])
    for (const b of universe.buildings) {
      if (turf.booleanIntersects(b.footprint, inner)) expect(got).toContain(b.id)
      if (!turf.booleanIntersects(b.footprint, outer)) expect(got).not.toContain(b.id)
    }
  })
})

describe('near (distance in metres)', () => {
  const point = [121.4903, 31.2405]
  const radiusM = 700
  // Metres are computed in the Gauss-Krüger zone, turf uses a sphere: they differ by well under 0.5 %.
  const tolerance = (d: number) => Math.max(1, d * 0.005)
  const distanceTo = (footprint: Polygon | MultiPolygon) =>
    Math.max(0, turf.pointToPolygonDistance(turf.point(point), footprint, { units: 'meters' }))

  it('returns the buildings within the radius, nearest first (turf)', async () => {
    const { buildings } = await api.query(
      Buildings,
      { filter: { near: { point, radiusM } }, first: 500 },
      { token },
    )
    const got = buildings!.edges.map((e) => e.node)
    const byId = new Map(universe.buildings.map((b) => [b.id, distanceTo(b.footprint)]))
    const sure = [...byId].filter(([, d]) => d < radiusM - tolerance(radiusM)).map(([id]) => id)
    const never = [...byId].filter(([, d]) => d > radiusM + tolerance(radiusM)).map(([id]) => id)
    expect(sure.length).toBeGreaterThan(20)
    const ids = got.map((n) => n.id)
    for (const id of sure) expect(ids).toContain(id)
    for (const id of never) expect(ids).not.toContain(id)
    for (const n of got)
      expect(Math.abs((n.distanceM ?? -1) - (byId.get(n.id) ?? 0))).toBeLessThan(tolerance(radiusM))
    // Ordered by distance, ties by id.
    for (let i = 1; i < got.length; i++)
      expect(got[i]!.distanceM!).toBeGreaterThanOrEqual(got[i - 1]!.distanceM!)
  })

  it('orders facilities by distance, agreeing with turf beyond the tolerance', async () => {
    const { facilities } = await api.query(
      Facilities,
      { filter: { near: { point, radiusM: 1500 } } },
      { token },
    )
    const got = facilities!.edges.map((e) => e.node)
    const turfDistance = new Map(
      universe.facilities.map((f) => [f.id, turf.distance(turf.point(point), f.geom, { units: 'meters' })]),
    )
    const expected = [...turfDistance].filter(([, d]) => d < 1500 - tolerance(1500)).map(([id]) => id)
    expect(expected.length).toBeGreaterThan(10)
    for (const id of expected) expect(got.map((f) => f.id)).toContain(id)
    for (let i = 1; i < got.length; i++) {
      const a = turfDistance.get(got[i - 1]!.id)!
      const b = turfDistance.get(got[i]!.id)!
      expect(b).toBeGreaterThan(a - tolerance(b) - 0.5)
    }
  })

  it('gives the same answer for the point written in EPSG:4549', async () => {
    const wgs = await buildingIds({ near: { point, radiusM } })
    const gk = await buildingIds({ crs: 'EPSG:4549', near: { point: toGk(point[0]!, point[1]!), radiusM } })
    expect(gk).toEqual(wgs)
  })
})

describe('region', () => {
  it('returns the rows whose region code lies inside the region', async () => {
    for (const code of ['310101', '310115', '310100']) {
      const prefix = code.endsWith('00') ? code.slice(0, 4) : code
      const expected = universe.buildings.filter((b) => b.regionCode.startsWith(prefix)).map((b) => b.id)
      expect(sorted(await buildingIds({ region: code }))).toEqual(sorted(expected))
    }
  })

  it('combines with the spatial conditions', async () => {
    const box = { west: 121.48, south: 31.225, east: 121.52, north: 31.255 }
    const polygon = turf.bboxPolygon([box.west, box.south, box.east, box.north])
    const expected = universe.buildings
      .filter((b) => b.regionCode === '310115' && turf.booleanIntersects(b.footprint, polygon))
      .map((b) => b.id)
    expect(sorted(await buildingIds({ region: '310115', bbox: box }))).toEqual(sorted(expected))
  })
})

describe('pagination', () => {
  it('walks forward and backward through distance-ordered pages without repeating or skipping', async () => {
    const filter = { near: { point: [121.4903, 31.2405], radiusM: 600 } }
    const { buildings: whole } = await api.query(Buildings, { filter, first: 500 }, { token })
    const all = whole!.edges.map((e) => e.node.id)
    expect(all.length).toBeGreaterThan(30)

    const forward: string[] = []
    let after: string | null = null
    let pages = 0
    do {
      const { buildings: page }: SpatialBuildingsQuery = await api.query(
        Buildings,
        { filter, first: 7, after },
        { token },
      )
      forward.push(...page!.edges.map((e) => e.node.id))
      after = page!.pageInfo.hasNextPage ? page!.pageInfo.endCursor : null
      pages += 1
    } while (after)
    expect(forward).toEqual(all)
    expect(pages).toBe(Math.ceil(all.length / 7))

    const backward: string[] = []
    let before: string | null = null
    do {
      const { buildings: page }: SpatialBuildingsQuery = await api.query(
        Buildings,
        { filter, last: 9, before },
        { token },
      )
      backward.unshift(...page!.edges.map((e) => e.node.id))
      before = page!.pageInfo.hasPreviousPage ? page!.pageInfo.startCursor : null
    } while (before)
    expect(backward).toEqual(all)
  })

  it('pages by id by default', async () => {
    const { buildings: first } = await api.query(Buildings, { first: 3 }, { token })
    const { buildings: next } = await api.query(
      Buildings,
      { first: 3, after: first!.pageInfo.endCursor },
      { token },
    )
    const ids = [...first!.edges, ...next!.edges].map((e) => Number(atob(e.node.id).split(':')[1]))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(6)
    expect(next!.pageInfo.hasPreviousPage).toBe(true)
  })
})
