// The GraphQL documents a report is assembled from: the API's own fields, run in-process with the requester's
// identity, so that every figure printed is the figure a client of the API reads (never computed a second time).

export const BASE_QUERY = /* GraphQL */ `
  query ReportBase($campaignId: ID!, $regionCode: String!) {
    campaign(id: $campaignId) {
      databaseId name year kind status regionCode
      edition {
        name year
        indicators(enabled: true) {
          code name dimension group unit direction methodKind method calculator standardValues department
          renewalTheme
        }
      }
      fillings {
        regionCode
        region { name }
        tasks { indicatorCode unitType unitKey unitName value grade warning }
      }
    }
    region(code: $regionCode) {
      code name level boundary scopePrefix
      children { code name boundary }
    }
    latestCoverageRun(regionCode: $regionCode) {
      databaseId state finishedAt parameters
      gaps(first: 2000) {
        facilityType distanceModel kind cells uncoveredChildren uncoveredWorking uncoveredElderly geom
      }
    }
    diagnosticRuns(regionCode: $regionCode, limit: 50) {
      databaseId kind state campaignId finishedAt inputVersions parameters
    }
    problemTypes { code nameZh }
  }
`

const PROBLEM_STATES = [
  'identified',
  'assigned',
  'in_progress',
  'rectified',
  're_inspected',
  'closed',
] as const

/** Counts by state and by type (aliases), the open and overdue totals, and the most severe open problems. */
export function problemsQuery(types: readonly string[]): string {
  const byState = PROBLEM_STATES.map(
    (s) => `s_${s}: problems(regionCode: $regionCode, year: $year, states: [${s}], first: 0) { totalCount }`,
  )
  const byType = types.map(
    (_t, i) =>
      `t${i}: problems(regionCode: $regionCode, year: $year, types: [$type${i}], first: 0) { totalCount }`,
  )
  const typeVars = types.map((_t, i) => `, $type${i}: String!`).join('')
  return /* GraphQL */ `
    query ReportProblems($regionCode: String!, $year: Int!${typeVars}) {
      all: problems(regionCode: $regionCode, year: $year, first: 0) { totalCount }
      open: problems(regionCode: $regionCode, year: $year, openOnly: true, first: 0) { totalCount }
      overdue: problems(regionCode: $regionCode, year: $year, overdue: true, first: 0) { totalCount }
      ${byState.join('\n')}
      ${byType.join('\n')}
      lines: problems(regionCode: $regionCode, year: $year, openOnly: true, first: 500) {
        nodes {
          databaseId titleZh type state severity regionCode yearFound overdue responsibleDepartment
        }
      }
    }
  `
}

export { PROBLEM_STATES }

/** One `indicatorTrend` per indicator (aliases), for the report region, annual checks only. */
export function trendsQuery(codes: readonly string[]): string {
  const vars = codes.map((_c, i) => `, $code${i}: String!`).join('')
  const fields = codes.map(
    (_c, i) => `i${i}: indicatorTrend(indicatorCode: $code${i}, unitType: region, unitKey: $regionCode,
        regionCode: $regionCode) { year campaignId value grade warning source derivation }`,
  )
  return /* GraphQL */ `
    query ReportTrends($regionCode: String!${vars}) {
      ${fields.join('\n')}
    }
  `
}
