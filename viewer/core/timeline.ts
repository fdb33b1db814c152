/**
 * The time slider's data and rules, without Cesium: the span of years (the oldest building with a known year to
 * the latest problem date or this year), and which problems a year shows — found by its end and not closed
 * before it (open then), or closed by its end (shown apart).
 */
import type { ViewerTimelineProblemsQuery } from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'
import { typedQuery } from './api.ts'
import { representativePoint } from './facilities.ts'

export const TIMELINE_SPAN_QUERY = graphql(`
  query ViewerTimelineSpan($regionCode: String) {
    buildingYearSpan(regionCode: $regionCode) {
      earliest
      latest
      withYear
      buildings
    }
  }
`)

export const TIMELINE_PROBLEMS_QUERY = graphql(`
  query ViewerTimelineProblems($regionCode: String, $after: String) {
    problems(regionCode: $regionCode, first: 500, after: $after) {
      nodes {
        databaseId
        geom
        foundAt
        closedAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

/** A problem on the timeline: where it is and the years it was found and closed in (null: still open). */
export interface TimelineProblem {
  id: number
  lonDeg: number
  latDeg: number
  foundYear: number
  closedYear: number | null
}

export interface Timeline {
  /** First and last year of the slider. */
  fromYear: number
  toYear: number
  /** Buildings with a known construction year, and all buildings. */
  buildingsWithYear: number
  buildings: number
  problems: TimelineProblem[]
}

/** How a problem shows in a year: open (found, not yet closed), closed by then, or not yet found (hidden). */
export type ProblemPhase = 'open' | 'closed' | 'hidden'

/** Opacity of a building whose construction year is not known: drawn, but visibly not dated. */
export const UNKNOWN_YEAR_ALPHA = 0.35
/** Problem markers: open in the year, closed by it. */
export const PHASE_COLOURS: Record<Exclude<ProblemPhase, 'hidden'>, string> = {
  open: '#e53935',
  closed: '#43a047',
}

/** Dates are read in China's time zone: a problem closed on New Year's morning there is of the new year. */
const yearOf = (iso: string): number => new Date(Date.parse(iso) + 8 * 3600_000).getUTCFullYear()

export function problemPhase(p: TimelineProblem, year: number): ProblemPhase {
  if (p.foundYear > year) return 'hidden'
  return p.closedYear !== null && p.closedYear <= year ? 'closed' : 'open'
}

export function phaseCounts(
  problems: readonly TimelineProblem[],
  year: number,
): Record<ProblemPhase, number> {
  const counts: Record<ProblemPhase, number> = { open: 0, closed: 0, hidden: 0 }
  for (const p of problems) counts[problemPhase(p, year)]++
  return counts
}

/** The span of a timeline: from the oldest year among buildings and problems to the latest (at least this year). */
export function timelineSpan(
  buildingYears: { earliest: number | null; latest: number | null },
  problems: readonly TimelineProblem[],
  thisYear = new Date().getFullYear(),
): { fromYear: number; toYear: number } {
  const years = [
    ...(buildingYears.earliest !== null ? [buildingYears.earliest] : []),
    ...(buildingYears.latest !== null ? [buildingYears.latest] : []),
    ...problems.flatMap((p) => [p.foundYear, ...(p.closedYear !== null ? [p.closedYear] : [])]),
    thisYear,
  ]
  return { fromYear: Math.min(...years), toYear: Math.max(...years) }
}

type ProblemNode = NonNullable<ViewerTimelineProblemsQuery['problems']>['nodes'][number]

function timelineProblem(node: ProblemNode): TimelineProblem | null {
  const point = node.geom ? representativePoint(node.geom as Parameters<typeof representativePoint>[0]) : null
  if (!point) return null
  return {
    id: node.databaseId,
    lonDeg: point[0],
    latDeg: point[1],
    foundYear: yearOf(node.foundAt as string),
    closedYear: node.closedAt ? yearOf(node.closedAt as string) : null,
  }
}

/** The timeline of a region: its buildings' years and its located problems (those the reader may see). */
export async function fetchTimeline(regionCode: string, maxPages = 20): Promise<Timeline> {
  const span = (await typedQuery(TIMELINE_SPAN_QUERY, { regionCode })).buildingYearSpan
  const problems: TimelineProblem[] = []
  let after: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const data: ViewerTimelineProblemsQuery = await typedQuery(TIMELINE_PROBLEMS_QUERY, { regionCode, after })
    if (!data.problems) break
    for (const node of data.problems.nodes) {
      const p = timelineProblem(node)
      if (p) problems.push(p)
    }
    if (!data.problems.pageInfo.hasNextPage) break
    after = data.problems.pageInfo.endCursor ?? null
  }
  return {
    ...timelineSpan(span, problems),
    buildingsWithYear: span.withYear,
    buildings: span.buildings,
    problems,
  }
}
