import type { Geometry, MultiPolygon, Point, Polygon } from 'geojson'
import { graphql } from '../../generated/index.ts'
import type { Api } from './api.ts'

const AllBuildings = graphql(`
  query AllBuildings($after: String) {
    buildings(first: 500, after: $after) {
      edges {
        node {
          id
          regionCode
          footprint
          centroid
          footprintAreaM2
          floorAreaM2
          residents
          use
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

const AllFacilities = graphql(`
  query AllFacilities($after: String) {
    facilities(first: 500, after: $after) {
      edges {
        node {
          id
          regionCode
          type
          geom
          capacity
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

const AllCells = graphql(`
  query AllCells($after: String) {
    populationCells(first: 500, after: $after) {
      edges {
        node {
          id
          regionCode
          geom
          centroid
          children
          working
          elderly
          total
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

export interface UniverseBuilding {
  id: string
  regionCode: string
  footprint: Polygon | MultiPolygon
  centroid: Point
  footprintAreaM2: number
  floorAreaM2: number | null
  residents: number | null
  use: string
}

export interface UniverseFacility {
  id: string
  regionCode: string
  type: string
  geom: Point
  capacity: number | null
}

export interface UniverseCell {
  id: string
  regionCode: string
  geom: Polygon
  centroid: Point
  children: number
  working: number
  elderly: number
  total: number
}

async function all<T>(
  fetchPage: (after: string | null) => Promise<{ nodes: T[]; next: string | null }>,
): Promise<T[]> {
  const out: T[] = []
  let after: string | null = null
  do {
    const page = await fetchPage(after)
    out.push(...page.nodes)
    after = page.next
  } while (after)
  return out
}

/** Every building, facility and population cell a token sees, fetched page by page through the API. */
export async function fetchUniverse(api: Api, token: string) {
  const buildings = await all(async (after) => {
    const { buildings: c } = await api.query(AllBuildings, { after }, { token })
    return {
      nodes: c!.edges.map((e) => e.node as unknown as UniverseBuilding),
      next: c!.pageInfo.hasNextPage ? c!.pageInfo.endCursor! : null,
    }
  })
  const facilities = await all(async (after) => {
    const { facilities: c } = await api.query(AllFacilities, { after }, { token })
    return {
      nodes: c!.edges.map((e) => e.node as unknown as UniverseFacility),
      next: c!.pageInfo.hasNextPage ? c!.pageInfo.endCursor! : null,
    }
  })
  const cells = await all(async (after) => {
    const { populationCells: c } = await api.query(AllCells, { after }, { token })
    return {
      nodes: c!.edges.map((e) => e.node as unknown as UniverseCell),
      next: c!.pageInfo.hasNextPage ? c!.pageInfo.endCursor! : null,
    }
  })
  return { buildings, facilities, cells }
}

export type Universe = Awaited<ReturnType<typeof fetchUniverse>>

/** Every position of a geometry. */
export function positions(geometry: Geometry): number[][] {
  const out: number[][] = []
  const visit = (c: unknown) => {
    if (typeof (c as unknown[])[0] === 'number') out.push(c as number[])
    else for (const x of c as unknown[]) visit(x)
  }
  if (geometry.type === 'GeometryCollection') for (const g of geometry.geometries) out.push(...positions(g))
  else visit(geometry.coordinates)
  return out
}
