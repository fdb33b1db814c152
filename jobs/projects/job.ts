import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { CoverageRunParameters } from '../coverage/parameters.ts'
import { FACILITY_TYPE_NAMES_ZH } from '../coverage/rules.ts'
import {
  CampaignRegionMismatchError,
  DiagnosisParameterError,
  UnknownCampaignError,
  UnknownRegionError,
} from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import {
  lockRunningRun,
  markRunSucceeded,
  queueRequestOnce,
  type RunChangeRecorder,
  RunNotFoundError,
  type RunRow,
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { loadBenefitContext, measureBenefit } from './benefit.ts'
import {
  fromDraft,
  gapProblems,
  housingProposals,
  type Proposal,
  problemFacts,
  readResources,
  resourceProposals,
} from './candidates.ts'
import { feasibility, urgency } from './scores.ts'
import { type ScoredProposal, writeProposals } from './write.ts'

export const PROJECTS_JOB_KIND = 'projects'

export interface ProjectsRunRequest {
  campaignId: number
  regionCode: string
  requestedBy?: string | null
  onCreated?: RunChangeRecorder | undefined
}

/** What a projects run stores as its parameters: the request and the coverage run it measures against. */
export interface ProjectsRunParameters {
  campaignId: number
  regionCode: string
  year: number
  coverageRunId: number
}

/**
 * Queues a generation of projects for a campaign inside a region, or returns the one queued or running already.
 * A finished run is never reused: resources and problems change without versions the run could compare, and a
 * rerun updates the same proposals anyway.
 *
 * @throws DiagnosisParameterError subclasses for an unknown region or campaign, a region the campaign does not
 *   share, or a campaign without a succeeded coverage run to measure against.
 */
export async function startProjectsRun(
  database: Database,
  runner: JobRunner,
  request: ProjectsRunRequest,
): Promise<{ run: RunRow; created: boolean }> {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${request.regionCode}`,
  )
  if (!region) throw new UnknownRegionError(request.regionCode)
  const [campaign] = await database.rows<{ year: number; prefix: string }>(sql`
    select k.year, r.scope_prefix as prefix from campaigns k join regions r on r.code = k.region_code
    where k.id = ${request.campaignId}`)
  if (!campaign) throw new UnknownCampaignError(request.campaignId)
  // Either region may hold the other: a province asks for its city's campaign, a district for its part of it.
  if (!region.prefix.startsWith(campaign.prefix) && !campaign.prefix.startsWith(region.prefix)) {
    throw new CampaignRegionMismatchError(request.campaignId, request.regionCode)
  }
  const [coverage] = await database.rows<{ id: number }>(sql`
    select id from diagnostic_runs where kind = 'coverage' and campaign_id = ${request.campaignId}
      and state = 'succeeded' and parent_id is null
    order by finished_at desc nulls last, id desc limit 1`)
  if (!coverage) {
    throw new DiagnosisParameterError(
      `体检任务 ${request.campaignId} 尚无成功的服务覆盖诊断，请先运行诊断 / campaign ${request.campaignId} has no ` +
        'succeeded coverage run to measure benefits against: run the diagnosis first',
    )
  }
  const parameters: ProjectsRunParameters = {
    campaignId: request.campaignId,
    regionCode: request.regionCode,
    year: campaign.year,
    coverageRunId: coverage.id,
  }
  return queueRequestOnce(database, runner, {
    kind: PROJECTS_JOB_KIND,
    regionCode: request.regionCode,
    campaignId: request.campaignId,
    parameters,
    inputVersions: { coverageRunId: coverage.id },
    requestedBy: request.requestedBy ?? null,
    onCreated: request.onCreated,
  })
}

/**
 * Generates the projects of one run: proposals on the region's resources and renewal areas, each facility's
 * benefit measured by the coverage engine, scored, and written with the run's success in one transaction.
 */
export async function processProjectsRun(database: Database, context: JobContext): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const parameters = run.parameters as unknown as ProjectsRunParameters
  if (typeof parameters.coverageRunId !== 'number') {
    throw new RunNotFoundError(`diagnostic run ${run.id} has no projects parameters`)
  }
  if (!(await setProgress(database, run.id, 0, '读取资源与问题 / reading resources and problems', true)))
    return
  const t0 = performance.now()
  const coverage = await coverageRun(database, parameters.coverageRunId)
  const like = `${await prefixOf(database, parameters.regionCode)}%`
  const runLike = `${await prefixOf(database, coverage.regionCode)}%`
  const benefitContext = await loadBenefitContext(database, coverage, runLike)
  const resources = await readResources(database, like, runLike, coverage.id, benefitContext.srid)
  const drafts = resources.flatMap((r) => resourceProposals(r, FACILITY_TYPE_NAMES_ZH))
  const problemOfGap = await gapProblems(
    database,
    coverage.regionCode,
    drafts.flatMap((d) => d.gapKeys),
  )
  const proposals: Proposal[] = [
    ...drafts.map((d) => fromDraft(d, problemOfGap)),
    ...(await housingProposals(database, like)),
  ]
  if (
    !(await setProgress(database, run.id, 0.3, `测算 ${proposals.length} 个项目的效益 / measuring benefits`))
  )
    return
  const facts = await problemFacts(
    database,
    proposals.flatMap((p) => p.problemIds),
    parameters.year,
  )
  const scored: ScoredProposal[] = proposals.map((p) => ({
    ...p,
    benefit: p.site && p.facilityType ? measureBenefit(benefitContext, p.facilityType, p.site) : null,
    feasibility: feasibility(p.siteFacts, p.facilityType),
    urgency: urgency(p.problemIds.flatMap((id) => facts.get(id) ?? [])),
  }))
  const computeMs = performance.now() - t0
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, run.id))) return
    const written = await writeProposals(
      tx,
      { ...parameters, runId: run.id, requestedBy: run.requestedBy },
      scored,
    )
    await markRunSucceeded(tx, run.id, {
      projects: scored.length,
      ...written,
      byKind: countBy(scored, (p) => p.kind),
      withBenefit: scored.filter((p) => (p.benefit?.newlyCoveredTotal ?? 0) > 0).length,
      resources: resources.length,
      coverageRunId: coverage.id,
      distanceModel: benefitContext.headline,
      timingsMs: { compute: computeMs },
    })
  })
}

async function coverageRun(database: Database, id: number) {
  const [row] = await database.rows<{ id: number; regionCode: string; parameters: CoverageRunParameters }>(
    sql`select id, region_code as "regionCode", parameters from diagnostic_runs
      where id = ${id} and kind = 'coverage' and state = 'succeeded'`,
  )
  // The coverage run was deleted (with its region) since the request: retrying cannot bring it back.
  if (!row) throw new RunNotFoundError(`coverage run ${id} is gone`)
  return row
}

async function prefixOf(database: Database, regionCode: string): Promise<string> {
  const [row] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${regionCode}`,
  )
  if (!row) throw new RunNotFoundError(`region ${regionCode} is gone`)
  return row.prefix
}

/** Announces progress; false when the run is no longer running (cancelled). `claim` starts the attempt. */
async function setProgress(
  database: Database,
  runId: number,
  progress: number,
  message: string,
  claim = false,
): Promise<boolean> {
  const attempt = claim ? sql`, attempts = attempts + 1, started_at = coalesce(started_at, now())` : sql``
  const states = claim ? sql`in ('queued', 'running')` : sql`= 'running'`
  const rows = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs set state = 'running', progress = ${progress}, message = ${message} ${attempt}
    where id = ${runId} and state ${states}`),
  )
  return rows.length > 0
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
  return counts
}
