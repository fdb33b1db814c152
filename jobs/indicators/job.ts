import crypto from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { raiseIndicatorProblems } from '../../server/db/indicator-problems.ts'
import { cityClassOf } from '../../server/domain/grading.ts'
import type { CoverageOptions, DistanceModel } from '../coverage/engine/index.ts'
import { readInputVersions } from '../coverage/inputs.ts'
import { UnknownCampaignError } from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import { getRun, lockRunningRun, markRunSucceeded, queueRun, RunNotFoundError } from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { computeRunCoverage } from './coverage.ts'
import type { SkippedValue } from './definitions.ts'
import { loadIndicatorInputs } from './inputs.ts'
import { computeRegionValues } from './regions.ts'
import type { SmallUnitType } from './small-unit-figures.ts'
import { computeSmallUnitValues } from './small-units.ts'
import { gradeValues, writeIndicatorValues } from './values.ts'

// Computed indicators: every computable indicator of a campaign's edition gets a value per spatial unit — the
// region and its districts (regions.ts), its compounds and blocks (small-units.ts) — graded and written in one
// transaction (values.ts) and linked to the run that produced it.

export const INDICATORS_JOB_KIND = 'indicators'
export const INDICATOR_CALCULATORS = [
  'coverage',
  'capacity',
  'per_capita',
  'road_density',
  'stock_share',
] as const

export interface IndicatorRunResult {
  runId: number
  /** Values written (inserted or updated). */
  values: number
  distanceModel: DistanceModel
  /** Indicator and unit combinations that could not be computed, with the reason. */
  skipped: SkippedValue[]
  /** Compounds and blocks of the campaign's region that values were computed for. */
  smallUnits: Record<SmallUnitType, number>
}

/** What a caller asks for. */
export interface IndicatorRunRequest {
  campaignId: number
  /** Who asked, for the run row. */
  requestedBy?: string | null
}

/**
 * Queues a computation of every computable indicator of a campaign, as a run of kind
 * {@link INDICATORS_JOB_KIND}, or returns the one for the same campaign that is queued or running already.
 * Values depend on more inputs than the run can fingerprint cheaply (edition settings, stock resources…), so a
 * finished run is never reused: asking again recomputes, updating the same rows.
 *
 * @throws UnknownCampaignError when there is no such campaign.
 */
export async function startIndicatorRun(
  database: Database,
  runner: JobRunner,
  request: IndicatorRunRequest,
): ReturnType<typeof queueRun> {
  const campaign = await campaignScope(database, request.campaignId)
  const inputVersions = await readInputVersions(database, campaign.prefix)
  const parameters = { campaignId: request.campaignId, systemId: campaign.system_id }
  const idempotencyKey = crypto
    .createHash('sha256')
    .update(JSON.stringify({ kind: INDICATORS_JOB_KIND, campaignId: request.campaignId }))
    .digest('hex')
  return queueRun(database, runner, {
    kind: INDICATORS_JOB_KIND,
    regionCode: campaign.region_code,
    campaignId: request.campaignId,
    parameters,
    inputVersions: inputVersions as unknown as Record<string, unknown>,
    idempotencyKey,
    reuseStates: ['queued', 'running'],
    requestedBy: request.requestedBy ?? null,
  })
}

/**
 * Processes one indicator run: computes every value, then writes the values and the run's success in one
 * transaction, so a crash leaves either nothing or everything and a retry finishes the run once.
 */
export async function processIndicatorRun(
  database: Database,
  context: JobContext,
  options: { coverageOptions?: CoverageOptions } = {},
): Promise<void> {
  const { runId } = context
  const run = await getRun(database, runId)
  if (!run) throw new RunNotFoundError(`diagnostic run ${runId} does not exist`)
  if (run.state !== 'queued' && run.state !== 'running') return
  const campaignId = (run.parameters as { campaignId?: unknown }).campaignId
  if (typeof campaignId !== 'number') {
    throw new RunNotFoundError(`diagnostic run ${runId} has no indicator parameters`)
  }
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0,
      message = '计算指标 / computing indicators'
    where id = ${runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  let campaign: CampaignScope
  try {
    campaign = await campaignScope(database, campaignId)
  } catch (error) {
    if (error instanceof UnknownCampaignError) throw new RunNotFoundError(error.message)
    throw error
  }
  await computeForRun(database, runId, campaignId, campaign, options.coverageOptions)
}

/**
 * Computes every computable indicator of a campaign right away, in this process: creates the run row and
 * processes it (a failure marks the run failed and is rethrown). Running it again updates the same rows (unique
 * per campaign, indicator and unit) instead of adding new ones.
 *
 * @throws UnknownCampaignError when there is no such campaign.
 */
export async function computeCampaignIndicators(
  database: Database,
  campaignId: number,
  options: { requestedBy?: string | null; coverageOptions?: CoverageOptions } = {},
): Promise<IndicatorRunResult> {
  // Nothing to enqueue: this process runs it right below.
  const { run } = await startIndicatorRun(
    database,
    { enqueue: async () => {}, close: async () => {} },
    { campaignId, requestedBy: options.requestedBy ?? null },
  )
  try {
    await processIndicatorRun(
      database,
      { runId: run.id, attempt: 1, maxAttempts: 1 },
      { coverageOptions: options.coverageOptions },
    )
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    await database.rows(
      updateAndNotify(sql`
      update diagnostic_runs set state = 'failed', error = ${message}, finished_at = now()
      where id = ${run.id} and state in ('queued', 'running')`),
    )
    throw error
  }
  const done = await getRun(database, run.id)
  if (done?.state !== 'succeeded')
    throw new Error(`indicator run ${run.id} ended ${done?.state ?? 'missing'}`)
  const outputs = done.outputs as unknown as IndicatorOutputs
  return {
    runId: run.id,
    values: outputs.values,
    distanceModel: outputs.distanceModel,
    skipped: outputs.skipped,
    smallUnits: outputs.smallUnits,
  }
}

interface CampaignScope {
  region_code: string
  system_id: number
  prefix: string
  /** The class of the campaign's city: of the nearest region at or above the campaign's that has one. */
  city_class: string | null
}

async function campaignScope(database: Database, campaignId: number): Promise<CampaignScope> {
  const [campaign] = await database.rows<CampaignScope>(sql`
    select c.region_code, c.system_id, r.scope_prefix as prefix,
      ${cityClassOf(sql`c.region_code`)} as city_class
    from campaigns c join regions r on r.code = c.region_code where c.id = ${campaignId}`)
  if (!campaign) throw new UnknownCampaignError(campaignId)
  return campaign
}

/** What a succeeded indicator run stores in `outputs`. */
export interface IndicatorOutputs {
  /** Computed values written (inserted or updated). */
  values: number
  /** Reported or imported values that got the computed figure beside them (`computed_value`). */
  besideReported: number
  /** The city class the values were graded for (null: the default standards). */
  cityClass: string | null
  distanceModel: DistanceModel
  units: string[]
  smallUnits: IndicatorRunResult['smallUnits']
  skipped: IndicatorRunResult['skipped']
  /** `smallUnits`: the compound and block part of `compute`. */
  timingsMs: { compute: number; smallUnits: number }
}

async function computeForRun(
  database: Database,
  runId: number,
  campaignId: number,
  campaign: CampaignScope,
  coverageOptions: CoverageOptions | undefined,
): Promise<void> {
  const t0 = performance.now()
  const inputs = await loadIndicatorInputs(database, campaign)
  const skipped: SkippedValue[] = []
  const coverage = computeRunCoverage(inputs, skipped, coverageOptions)
  const regions = await computeRegionValues(database, campaign, inputs, coverage)
  const tSmall = performance.now()
  const small = await computeSmallUnitValues(database, inputs, coverage)
  const smallUnitsMs = performance.now() - tSmall
  skipped.push(...regions.skipped, ...small.skipped)
  const graded = gradeValues([...regions.values, ...small.values], inputs.indicators, campaign.city_class)
  const computeMs = performance.now() - t0

  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, runId))) return
    const written = await writeIndicatorValues(tx, campaignId, runId, graded)
    // Poor and warned values become problems with the values, so a failed run leaves neither.
    await raiseIndicatorProblems(tx, { campaignId })
    const outputs: IndicatorOutputs = {
      values: written.computed,
      besideReported: written.besideReported,
      cityClass: campaign.city_class,
      distanceModel: inputs.distanceModel,
      units: regions.units,
      smallUnits: small.units,
      skipped,
      timingsMs: { compute: computeMs, smallUnits: smallUnitsMs },
    }
    await markRunSucceeded(tx, runId, outputs)
  })
}
