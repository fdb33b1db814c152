/**
 * Saved example operations of the explorer, one tab per domain of the API (buildings and space, the problem
 * loop, the annual check and its grades, coverage diagnosis, renewal, live subscriptions). Each is checked
 * against the running schema by the tests, so an example never rots.
 */
export interface ExampleOperation {
  /** Tab title: the domain, in Chinese and English. */
  title: string
  query: string
  variables?: Record<string, unknown>
}

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  {
    title: '建筑与空间 / Buildings',
    query: `# 外滩附近的建筑及其小区、行政区划 / Buildings near the Bund with their compound and region
query BuildingsNearTheBund($filter: SpatialFilter) {
  buildings(filter: $filter, first: 10, orderBy: DISTANCE) {
    totalCount
    edges { node { id name heightM use distanceM compound { name } region { code name } } }
  }
}`,
    variables: { filter: { near: { point: [121.4903, 31.2397], radiusM: 500 } } },
  },
  {
    title: '问题台账 / Problems',
    query: `# 未销号的问题、其状态与下一步可做的流转 / Open problems, their state and the transitions allowed next
query OpenProblems($regionCode: String) {
  problems(regionCode: $regionCode, openOnly: true, first: 20) {
    totalCount
    nodes { databaseId title type severity state deadline overdue allowedTransitions }
  }
}`,
    variables: { regionCode: '310101' },
  },
  {
    title: '体检与评价 / Annual check',
    query: `# 体检任务，以及最近一次有评价等级的体检中各建筑的最差等级
# Campaigns, and the worst grade per building in the latest graded campaign
query CheckAndGrades($regionCode: String!) {
  campaigns(first: 10) { nodes { databaseId name year status } }
  buildingGrades(regionCode: $regionCode) {
    campaignName year
    indicators { code name nameEn }
    buildings { buildingId grade unitType }
  }
}`,
    variables: { regionCode: '310100' },
  },
  {
    title: '设施覆盖 / Coverage',
    query: `# 最近一次设施覆盖诊断：幼儿园的服务盲区与需求点
# The latest coverage run: blind spots and demand points for kindergartens
query KindergartenGaps($regionCode: String!) {
  latestCoverageRun(regionCode: $regionCode) {
    databaseId state
    gaps(facilityType: kindergarten, first: 20) { kind rank priority distanceModel }
  }
}`,
    variables: { regionCode: '310100' },
  },
  {
    title: '城市更新 / Renewal',
    query: `# 更新片区 / Renewal areas
query RenewalAreas {
  renewalAreas(first: 20) { totalCount nodes { name kind } }
}`,
  },
  {
    title: '实时订阅 / Live',
    query: `# 问题状态变化（graphql-ws）：运行后在另一个标签页流转一个问题
# Problems as they change (graphql-ws): run, then move a problem in another tab
subscription ProblemsAsTheyChange($regionCode: String) {
  problemChanged(regionCode: $regionCode) { databaseId title state severity }
}`,
    variables: { regionCode: '310100' },
  },
]

/** The headers a tab starts with: the token of `?token=`, or a placeholder saying where to put one. */
export function initialHeaders(token: string | null): string {
  return JSON.stringify(token ? { Authorization: `Bearer ${token}` } : {}, null, 2)
}
