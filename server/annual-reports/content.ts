// graphql's CommonJS entry, the copy Pothos builds the schema with (see vitest.config.ts).
import { execute, parse } from 'graphql/index.js'
import { schema } from '../../schema/index.ts'
import type { Identity } from '../auth/identity.ts'
import { scopeFor } from '../auth/scope.ts'
import type { ReportSection } from '../db/annual-reports.ts'
import type { Database } from '../db/client.ts'
import { createContext, type GraphQLContext } from '../graphql/context.ts'
import { FACILITY_LABELS, type gapsOf, summariseCoverage } from './coverage.ts'
import { readProjects } from './projects.ts'
import { BASE_QUERY, PROBLEM_STATES, problemsQuery, trendsQuery } from './queries.ts'
import type { IndicatorEntry, ProblemSection, ReportContent, RunLine, UnitValue } from './types.ts'

/** What a report is for, who asked, and the outline it follows. */
export interface ContentRequest {
  campaignId: number
  regionCode: string
  /** The requester: the report reads what this identity may read through the API, nothing more. */
  identity: Identity
  outline: ReportSection[]
  template: ReportContent['template']
}

/** Runs one of the report's documents through the API's schema; any error is the report's failure. */
async function run<T>(
  context: GraphQLContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const result = await execute({
    schema,
    document: parse(query),
    contextValue: context,
    variableValues: variables,
  })
  if (result.errors?.length) {
    const first = result.errors[0]
    throw new ReportQueryError(
      first?.message ?? 'query failed',
      first?.extensions?.code as string | undefined,
    )
  }
  return result.data as T
}

/** A field of the API refused the report (not found, out of scope) or failed. */
export class ReportQueryError extends Error {
  override name = 'ReportQueryError'
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

interface BaseData {
  campaign: {
    databaseId: number
    name: string
    year: number
    kind: string
    status: string
    edition: { name: string; year: number; indicators: IndicatorRowData[] } | null
    fillings: {
      regionCode: string
      region: { name: string } | null
      tasks: {
        indicatorCode: string
        unitType: string
        unitKey: string
        unitName: string
        value: number | null
        grade: string | null
        warning: string | null
      }[]
    }[]
  } | null
  region: {
    code: string
    name: string
    level: string
    scopePrefix: string
    boundary: unknown
    children: { code: string; name: string; boundary: unknown }[]
  }
  latestCoverageRun: Parameters<typeof gapsOf>[0]
  diagnosticRuns: {
    databaseId: number
    kind: string
    state: string
    campaignId: number | null
    finishedAt: string | null
    inputVersions: unknown
    parameters: unknown
  }[]
  problemTypes: { code: string; nameZh: string }[]
}

type IndicatorRowData = Omit<
  IndicatorEntry,
  'value' | 'grade' | 'warning' | 'source' | 'derivation' | 'trend' | 'units' | 'standard'
> & {
  standardValues: IndicatorEntry['standard']
}

interface TrendData {
  year: number
  campaignId: number
  value: number | null
  grade: string | null
  warning: string | null
  source: string
  derivation: string | null
}

/**
 * Reads everything the report prints through the API's fields, as `identity` would over HTTP: the campaign and
 * its edition, the fillings' unit values, a trend per indicator, the latest coverage run's gaps, the problem
 * ledger's counts and open problems, the runs behind the values; projects where the pipeline has any.
 */
export async function assembleContent(database: Database, request: ContentRequest): Promise<ReportContent> {
  const scope = await scopeFor(request.identity, database)
  const context = createContext(database, request.identity, scope)
  const base = await run<BaseData>(context, BASE_QUERY, {
    campaignId: String(request.campaignId),
    regionCode: request.regionCode,
  })
  const campaign = base.campaign
  if (!campaign?.edition)
    throw new ReportQueryError(`campaign ${request.campaignId} was not found`, 'NOT_FOUND')
  const edition = campaign.edition
  const trends = await readTrends(
    context,
    request.regionCode,
    edition.indicators.map((i) => i.code),
  )
  const units = unitValues(base, base.region.scopePrefix)
  const indicators = edition.indicators.map((row): IndicatorEntry => {
    const { standardValues, ...rest } = row
    const trend = (trends.get(row.code) ?? []).filter((p) => p.year <= campaign.year)
    const current = trend.find((p) => p.campaignId === campaign.databaseId)
    return {
      ...rest,
      standard: standardValues,
      value: current?.value ?? null,
      grade: current?.grade ?? null,
      warning: current?.warning ?? null,
      source: current?.source ?? null,
      derivation: current?.derivation ?? null,
      trend: trend.map((p) => ({
        year: p.year,
        value: p.value,
        grade: p.grade,
        source: p.source,
        derivation: p.derivation,
      })),
      units: units.get(row.code) ?? [],
    }
  })
  return {
    generatedAt: new Date(),
    campaign: {
      id: campaign.databaseId,
      name: campaign.name,
      year: campaign.year,
      kind: campaign.kind,
      status: campaign.status,
      editionName: edition.name,
      editionYear: edition.year,
    },
    region: { code: base.region.code, name: base.region.name, level: base.region.level },
    mapRegions: [base.region, ...base.region.children].map((r) => ({
      code: r.code,
      name: r.name,
      boundary: (r.boundary as ReportContent['mapRegions'][number]['boundary']) ?? null,
    })),
    indicators,
    coverage: summariseCoverage(base.latestCoverageRun),
    problems: await readProblems(context, request.regionCode, campaign.year, base.problemTypes),
    projects: await readProjects(context, request.regionCode, campaign.databaseId),
    runs: base.diagnosticRuns
      .filter((r) => r.campaignId === campaign.databaseId || r.kind === 'coverage')
      .map(
        (r): RunLine => ({
          id: r.databaseId,
          kind: r.kind,
          state: r.state,
          finishedAt: r.finishedAt,
          inputVersions: r.inputVersions,
          parameters: r.parameters,
        }),
      ),
    outline: request.outline,
    template: request.template,
  }
}

async function readTrends(
  context: GraphQLContext,
  regionCode: string,
  codes: string[],
): Promise<Map<string, TrendData[]>> {
  const variables: Record<string, unknown> = { regionCode }
  codes.forEach((code, i) => {
    variables[`code${i}`] = code
  })
  const data = codes.length
    ? await run<Record<string, TrendData[]>>(context, trendsQuery(codes), variables)
    : {}
  return new Map(codes.map((code, i) => [code, data[`i${i}`] ?? []]))
}

/** For a city, its districts' values from their fillings; for a district, its own filling's. */
function unitValues(base: BaseData, prefix: string): Map<string, UnitValue[]> {
  const units = new Map<string, UnitValue[]>()
  for (const filling of base.campaign?.fillings ?? []) {
    if (!filling.regionCode.startsWith(prefix)) continue
    for (const task of filling.tasks) {
      if (task.value === null) continue
      const list = units.get(task.indicatorCode) ?? []
      list.push({ name: task.unitName, value: task.value, grade: task.grade, warning: task.warning })
      units.set(task.indicatorCode, list)
    }
  }
  return units
}

async function readProblems(
  context: GraphQLContext,
  regionCode: string,
  year: number,
  types: BaseData['problemTypes'],
): Promise<ProblemSection> {
  const variables: Record<string, unknown> = { regionCode, year }
  types.forEach((t, i) => {
    variables[`type${i}`] = t.code
  })
  type Count = { totalCount: number }
  const data = await run<Record<string, Count> & { lines: { nodes: Record<string, unknown>[] } }>(
    context,
    problemsQuery(types.map((t) => t.code)),
    variables,
  )
  const count = (key: string) => (data[key] as Count | undefined)?.totalCount ?? 0
  return {
    total: count('all'),
    open: count('open'),
    overdue: count('overdue'),
    byState: PROBLEM_STATES.map((state) => ({ state, count: count(`s_${state}`) })),
    byType: types
      .map((t, i) => ({ type: t.code, name: t.nameZh, count: count(`t${i}`) }))
      .filter((t) => t.count > 0)
      .sort((a, b) => b.count - a.count),
    lines: data.lines.nodes
      .map((n) => ({
        id: n.databaseId as number,
        title: n.titleZh as string,
        type: n.type as string,
        state: n.state as string,
        severity: n.severity as number,
        regionCode: n.regionCode as string,
        yearFound: n.yearFound as number,
        overdue: n.overdue as boolean,
        department: (n.responsibleDepartment as string | null) ?? null,
      }))
      .sort((a, b) => b.severity - a.severity || a.id - b.id),
  }
}

export { FACILITY_LABELS }
