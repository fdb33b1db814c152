/**
 * The screen's GraphQL reads (plain fetch, the bearer token from `?token=`). The documents go through codegen
 * (`screen/generated`): variables and results are typed from the schema.
 */
import type { TypedDocumentString } from './generated/graphql.ts'
import { graphql } from './generated/index.ts'

export const SCREEN_REGION_QUERY = graphql(`
  query ScreenRegion {
    viewer {
      publicOnly
      region {
        code
        name
        nameEn
        level
      }
    }
  }
`)

export const SCREEN_FIGURES_QUERY = graphql(`
  query ScreenFigures($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {
    screen(regionCode: $regionCode) {
      regionCode
      campaign {
        databaseId
        name
        year
      }
      gradesByDimension {
        dimension
        poor
        fair
        good
        excellent
      }
      warnings(first: 6) {
        red
        yellow
        items {
          indicatorCode
          name
          nameEn
          unitKey
          regionCode
          value
          warning
        }
      }
      problemFunnel {
        stage
        problems
      }
      areas {
        code
        name
        nameEn
        open
        overdue
      }
      blindSpots {
        facilityType
        distanceModel
        gaps
        children
        working
        elderly
      }
      projectPipeline {
        state
        projects
        budget
      }
      projectFunding {
        source
        amount
      }
    }
    problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {
      key
      onTimeRate
    }
  }
`)

interface GraphQLResponse<T> {
  data?: T | null
  errors?: { message: string }[]
}

/** Runs a codegen-typed document with the bearer token; throws with the API's messages on any error. */
export async function typedQuery<TResult, TVariables>(
  operation: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  token: string | null,
): Promise<TResult> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: String(operation), variables }),
  })
  const body = (await response.json()) as GraphQLResponse<TResult>
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(body.errors?.map((e) => e.message).join('; ') || `GraphQL HTTP ${response.status}`)
  }
  return body.data
}

export const SCREEN_CHILDREN_QUERY = graphql(`
  query ScreenChildren($code: String!, $level: RegionLevel!) {
    region(code: $code) {
      children(level: $level) {
        code
        name
        nameEn
        boundary
      }
    }
    aggregate(groupBy: { childrenOf: $code }) {
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
