/**
 * GraphQL reads of the renewal overlays (codegen-typed like `api.ts`): stock resources, zoning areas and
 * projects. None is public: the caller reads them only with a token that may (`resource.read`, `project.read`).
 */
import type { ViewerProjectsQuery, ViewerStockResourcesQuery } from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'
import { typedQuery } from './api.ts'
import type { PlanData, PlanProject, PlanResource, PlanZoningArea } from './resources.ts'

export const STOCK_RESOURCES_QUERY = graphql(`
  query ViewerStockResources($after: String) {
    stockResources(first: 500, after: $after) {
      nodes {
        kind
        layer
        verificationState
        geom
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

export const ZONING_AREAS_QUERY = graphql(`
  query ViewerZoningAreas($regionCode: String!) {
    zoningAreas(regionCode: $regionCode) {
      areaClass
      className
      reasons
      geom
    }
  }
`)

export const PROJECTS_QUERY = graphql(`
  query ViewerProjects($after: String) {
    projects(first: 500, after: $after) {
      nodes {
        name
        state
        newlyCovered
        geom
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

async function fetchResources(maxPages: number): Promise<PlanResource[]> {
  const out: PlanResource[] = []
  let after: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const data: ViewerStockResourcesQuery = await typedQuery(STOCK_RESOURCES_QUERY, { after })
    out.push(...data.stockResources.nodes)
    if (!data.stockResources.pageInfo.hasNextPage) break
    after = data.stockResources.pageInfo.endCursor
  }
  return out
}

async function fetchProjects(maxPages: number): Promise<PlanProject[]> {
  const out: PlanProject[] = []
  let after: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const data: ViewerProjectsQuery = await typedQuery(PROJECTS_QUERY, { after })
    out.push(...data.projects.nodes)
    if (!data.projects.pageInfo.hasNextPage) break
    after = data.projects.pageInfo.endCursor
  }
  return out
}

async function fetchZoning(regionCode: string): Promise<PlanZoningArea[]> {
  return (await typedQuery(ZONING_AREAS_QUERY, { regionCode })).zoningAreas
}

/**
 * The three lists for the region; a list the token may not read is left empty (and said in the console), so one
 * refused permission does not hide the others.
 */
export async function fetchPlanData(regionCode: string, maxPages = 10): Promise<PlanData> {
  const settle = async <T>(what: string, read: Promise<T[]>): Promise<T[]> => {
    try {
      return await read
    } catch (e) {
      console.warn(`${what} unavailable:`, e)
      return []
    }
  }
  const [resources, zoning, projects] = await Promise.all([
    settle('stock resources', fetchResources(maxPages)),
    settle('zoning areas', fetchZoning(regionCode)),
    settle('projects', fetchProjects(maxPages)),
  ])
  return { resources, zoning, projects }
}
