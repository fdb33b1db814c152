/**
 * Indicator grades (较差 / 一般 / 较好 / 很好) as the API answers them for buildings (`buildingGrades`): each
 * building takes the grade of the most specific unit with a value (building → compound → block → region).
 */

export const GRADES = ['poor', 'fair', 'good', 'excellent'] as const
export type Grade = (typeof GRADES)[number]

/** ColorBrewer RdYlGn, 4 classes: poor is red, excellent green. */
export const GRADE_COLOURS: Record<Grade, string> = {
  poor: '#d7191c',
  fair: '#fdae61',
  good: '#a6d96a',
  excellent: '#1a9641',
}

export interface BuildingGrade {
  buildingId: number
  grade: Grade
  unitType: string
}

export interface GradedIndicator {
  code: string
  name: string
  nameEn: string | null
}

/** What the grade theme shows: the campaign, the indicator (null: the worst over all) and the grades. */
export interface BuildingGrades {
  campaignId: number
  campaignName: string
  year: number
  indicatorCode: string | null
  indicators: GradedIndicator[]
  buildings: BuildingGrade[]
}

/** Buildings per grade. */
export function gradeCounts(grades: readonly BuildingGrade[]): Record<Grade, number> {
  const counts: Record<Grade, number> = { poor: 0, fair: 0, good: 0, excellent: 0 }
  for (const g of grades) if (g.grade in counts) counts[g.grade]++
  return counts
}
