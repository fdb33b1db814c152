/**
 * Two years side by side: the graded campaigns of a region and the grade theme of each, for the splitter
 * (the earliest graded year on the left, the latest on the right).
 */
import { graphql } from '../generated/index.ts'
import { typedQuery } from './api.ts'
import type { BuildingGrade } from './grades.ts'
import { gradeTheme, type Theme } from './themes.ts'

export const COMPARE_CAMPAIGNS_QUERY = graphql(`
  query ViewerCompareCampaigns {
    campaigns(first: 50) {
      nodes {
        databaseId
        name
        year
      }
    }
  }
`)

export const COMPARE_GRADES_QUERY = graphql(`
  query ViewerCompareGrades($regionCode: String!, $campaignId: Int!) {
    buildingGrades(regionCode: $regionCode, campaignId: $campaignId) {
      campaignId
      year
      buildings {
        buildingId
        grade
        unitType
      }
    }
  }
`)

export interface CompareSide {
  campaignId: number
  year: number
  name: string
  theme: Theme
}

/** The earliest and the latest graded campaign of the region, or null when fewer than two have grades. */
export async function fetchComparison(
  regionCode: string,
): Promise<{ left: CompareSide; right: CompareSide } | null> {
  const campaigns = (await typedQuery(COMPARE_CAMPAIGNS_QUERY, {})).campaigns?.nodes ?? []
  const graded: CompareSide[] = []
  for (const c of [...campaigns].sort((a, b) => a.year - b.year || a.databaseId - b.databaseId)) {
    const grades = (await typedQuery(COMPARE_GRADES_QUERY, { regionCode, campaignId: c.databaseId }))
      .buildingGrades
    if (!grades || grades.buildings.length === 0) continue
    graded.push({
      campaignId: c.databaseId,
      year: c.year,
      name: c.name,
      theme: gradeTheme(grades.buildings as BuildingGrade[]),
    })
  }
  if (graded.length < 2) return null
  return { left: graded[0]!, right: graded.at(-1)! }
}
