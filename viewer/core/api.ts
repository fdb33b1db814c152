/**
 * GraphQL reads of the viewer (plain fetch). Every document goes through codegen (`viewer/generated`): its
 * variables and result types are generated from the schema, and `typedQuery` checks both. Where the UI has its
 * own model (gaps, cells, grades, renewal areas, districts), the fetch function maps the generated result to it.
 */

import type {
  FacilityType,
  TypedDocumentString,
  ViewerBuildingDetailsFieldsFragment,
  ViewerFacilitiesQuery,
  ViewerRenewalAreasQuery,
} from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'
import type { UncoveredCell } from './cells.ts'
import type { ExtentDeg } from './extent.ts'
import type { DistanceModel, Gap } from './gaps.ts'
import type { BuildingGrades } from './grades.ts'
import type { DistrictRegion } from './presets.ts'
import type { RenewalArea } from './renewal.ts'

// What the details panel shows: attributes, the open problems and the indicator values that apply (values are
// never public: a reader without a token gets none).
export const BUILDING_DETAILS_FIELDS = graphql(`
  fragment ViewerBuildingDetailsFields on Building {
    id
    name
    nameEn
    use
    heightM
    heightEstimated
    floors
    floorsEstimated
    yearBuilt
    footprintAreaM2
    standardAddress
    regionCode
    region {
      name
      nameEn
    }
    problems {
      databaseId
      title
      type
      severity
      state
      yearFound
    }
    indicatorValues {
      value
      grade
      unitType
      regionLevel
      campaignId
      indicator {
        code
        name
        nameEn
        unit
      }
    }
  }
`)

export const BUILDING_DETAILS_QUERY = graphql(`
  query ViewerBuildingDetails($id: ID!) {
    node(id: $id) {
      ... on Building {
        ...ViewerBuildingDetailsFields
      }
    }
  }
`)

export const BUILDINGS_NEAR_QUERY = graphql(`
  query ViewerBuildingsNear($point: [Float!]!, $radiusM: Float!) {
    buildings(first: 20, filter: { near: { point: $point, radiusM: $radiusM } }, orderBy: DISTANCE) {
      edges {
        node {
          ...ViewerBuildingDetailsFields
        }
      }
    }
  }
`)

export const DISTRICT_EXTENTS_QUERY = graphql(`
  query ViewerDistrictExtents($city: String!) {
    aggregate(groupBy: { childrenOf: $city }) {
      groups {
        key
        extent {
          west
          south
          east
          north
        }
      }
    }
  }
`)

export const FACILITIES_QUERY = graphql(`
  query ViewerFacilities($after: String) {
    facilities(first: 500, after: $after) {
      edges {
        node {
          type
          geom
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

/** One facility as the query answers it. */
export type FacilityPoint = NonNullable<ViewerFacilitiesQuery['facilities']>['edges'][number]['node']

/** Every facility the caller may read (pages of 500). */
export async function fetchFacilities(maxPages = 20): Promise<FacilityPoint[]> {
  const out: FacilityPoint[] = []
  let after: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const data: ViewerFacilitiesQuery = await typedQuery(FACILITIES_QUERY, { after })
    if (!data.facilities) break
    out.push(...data.facilities.edges.map((e) => e.node))
    if (!data.facilities.pageInfo.hasNextPage) break
    after = data.facilities.pageInfo.endCursor
  }
  return out
}

export const COVERAGE_GAPS_QUERY = graphql(`
  query ViewerCoverageGaps($regionCode: String!, $facilityType: FacilityType!) {
    latestCoverageRun(regionCode: $regionCode) {
      databaseId
      gaps(facilityType: $facilityType, first: 2000) {
        facilityType
        distanceModel
        kind
        rank
        priority
        geom
        point
      }
    }
  }
`)

/** Gaps of one facility type from the latest succeeded coverage run in the region (null: no run visible). */
export async function fetchCoverageGaps(
  regionCode: string,
  facilityType: FacilityType,
): Promise<{ runId: number; gaps: Gap[] } | null> {
  const data = await typedQuery(COVERAGE_GAPS_QUERY, { regionCode, facilityType })
  const run = data.latestCoverageRun
  return run ? { runId: run.databaseId, gaps: run.gaps } : null
}

export const BUILDING_GRADES_QUERY = graphql(`
  query ViewerBuildingGrades($regionCode: String!, $indicatorCode: String) {
    buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode) {
      campaignId
      campaignName
      year
      indicatorCode
      indicators {
        code
        name
        nameEn
      }
      buildings {
        buildingId
        grade
        unitType
      }
    }
  }
`)

/** Building grades of the latest graded campaign in the region (null: none visible). */
export async function fetchBuildingGrades(
  regionCode: string,
  indicatorCode: string | null,
): Promise<BuildingGrades | null> {
  const data = await typedQuery(BUILDING_GRADES_QUERY, { regionCode, indicatorCode })
  return data.buildingGrades
}

export const UNCOVERED_CELLS_QUERY = graphql(`
  query ViewerUncoveredCells($regionCode: String!, $facilityType: FacilityType!, $distanceModel: DistanceModel) {
    latestCoverageRun(regionCode: $regionCode) {
      databaseId
      servedGroups(facilityType: $facilityType)
      uncoveredCells(facilityType: $facilityType, distanceModel: $distanceModel) {
        databaseId
        centroid
        children
        working
        elderly
        served
      }
    }
  }
`)

export interface UncoveredCells {
  runId: number
  servedGroups: string[]
  cells: UncoveredCell[]
}

/** Uncovered population cells of one type in the latest coverage run (null: no run visible). */
export async function fetchUncoveredCells(
  regionCode: string,
  facilityType: FacilityType,
  distanceModel: DistanceModel | null,
): Promise<UncoveredCells | null> {
  const data = await typedQuery(UNCOVERED_CELLS_QUERY, { regionCode, facilityType, distanceModel })
  const run = data.latestCoverageRun
  return run ? { runId: run.databaseId, servedGroups: run.servedGroups, cells: run.uncoveredCells } : null
}

export const RENEWAL_AREAS_QUERY = graphql(`
  query ViewerRenewalAreas($after: String) {
    renewalAreas(first: 500, after: $after) {
      nodes {
        name
        kind
        geom
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

/** Every renewal area the caller may read (they are never public: null without a token's scope). */
export async function fetchRenewalAreas(maxPages = 10): Promise<RenewalArea[] | null> {
  const out: RenewalArea[] = []
  let after: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const data: ViewerRenewalAreasQuery = await typedQuery(RENEWAL_AREAS_QUERY, { after })
    if (!data.renewalAreas) return null
    out.push(...data.renewalAreas.nodes)
    if (!data.renewalAreas.pageInfo.hasNextPage) break
    after = data.renewalAreas.pageInfo.endCursor
  }
  return out
}

export const DISTRICT_BOUNDARIES_QUERY = graphql(`
  query ViewerDistrictBoundaries($city: String!) {
    region(code: $city) {
      children(level: district) {
        code
        name
        nameEn
        boundary
      }
    }
  }
`)

/** The districts of a city with their boundaries (null where a district has none). */
export async function fetchDistricts(cityCode: string): Promise<DistrictRegion[]> {
  const data = await typedQuery(DISTRICT_BOUNDARIES_QUERY, { city: cityCode })
  return data.region?.children ?? []
}

/** A building as the details panel shows it (generated from the fragment above). */
export type BuildingDetails = ViewerBuildingDetailsFieldsFragment
export type BuildingProblem = BuildingDetails['problems'][number]
export type BuildingIndicatorValue = BuildingDetails['indicatorValues'][number]

interface GraphQLResponse<T> {
  data?: T | null
  errors?: { message: string }[]
}

let bearerToken: string | null = null

/** The bearer token sent with every request (`null`: a public reader, who sees only what is marked public). */
export function setAuthToken(token: string | null): void {
  bearerToken = token
}

/** `node` may be of any type; only a Building spreads the fragment (an empty object otherwise). */
function isBuilding(node: object): node is BuildingDetails {
  return 'id' in node
}

/** Runs a codegen-typed document: variables and result are checked against the schema. */
export async function typedQuery<TResult, TVariables>(
  operation: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}),
    },
    body: JSON.stringify({ query: operation.toString(), variables }),
  })
  const body = (await response.json()) as GraphQLResponse<TResult>
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(body.errors?.map((e) => e.message).join('; ') || `GraphQL HTTP ${response.status}`)
  }
  return body.data
}

/** Relay global id of a building (`base64("Building:<id>")`). */
export function buildingGlobalId(id: number): string {
  return btoa(`Building:${id}`)
}

/**
 * A building's details by its global id; when `node` fails and the click position is known, the buildings
 * around that position are listed instead and the one with this id is taken.
 */
export async function fetchBuildingDetails(
  id: number,
  near?: { lonDeg: number; latDeg: number },
): Promise<BuildingDetails | null> {
  const globalId = buildingGlobalId(id)
  try {
    const data = await typedQuery(BUILDING_DETAILS_QUERY, { id: globalId })
    return data.node && isBuilding(data.node) ? data.node : null
  } catch (error) {
    if (!near) throw error
    const data = await typedQuery(BUILDINGS_NEAR_QUERY, {
      point: [near.lonDeg, near.latDeg],
      radiusM: 100,
    })
    const found = data.buildings?.edges.find((e) => e.node.id === globalId)
    if (!found) throw error
    return found.node
  }
}

/** Extent of the buildings of each child region of `cityCode`, keyed by region code. */
export async function fetchDistrictExtents(cityCode: string): Promise<Map<string, ExtentDeg>> {
  const data = await typedQuery(DISTRICT_EXTENTS_QUERY, { city: cityCode })
  const out = new Map<string, ExtentDeg>()
  for (const g of data.aggregate?.groups ?? []) {
    if (!g.extent) continue
    const { west, south, east, north } = g.extent
    out.set(g.key, { westDeg: west, southDeg: south, eastDeg: east, northDeg: north })
  }
  return out
}
