import crypto from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from '../runs/events.ts'
import { queueRun, RunNotFoundError, type RunRow, unfinishedRun } from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { diagnoseRun } from './compute.ts'
import { NoPopulationError } from './errors.ts'
import { clearStaleStages, GapStager } from './gap-staging.ts'
import { rankGaps } from './gaps.ts'
import type { CoverageJobHooks } from './hooks.ts'
import { loadInputs, readInputVersions, readMetricSrid, runRegionLike } from './inputs.ts'
import { writeCoverageOutputs } from './outputs.ts'
import {
  type CoverageRunParameters,
  type CoverageRunRequest,
  DEFAULT_MAX_CELLS_PER_PART,
  resolveParameters,
  resolveScope,
} from './parameters.ts'
import { fanOutCoverageRun } from './parts/fan-out.ts'
import { joinCoverageParts, readPartResults } from './parts/join.ts'
import { walkNetworkOfRun } from './walk-network-cache.ts'

export const COVERAGE_JOB_KIND = 'coverage'

export interface StartedRun {
  run: RunRow
  /** False when an identical run (same parameters and input versions) was queued, running or done already. */
  created: boolean
}

/**
 * Starts a service-coverage diagnosis, or returns the identical run that is queued, running or succeeded.
 *
 * @throws DiagnosisParameterError subclasses for parameters a user must correct (BAD_USER_INPUT).
 */
export async function startCoverageRun(
  database: Database,
  runner: JobRunner,
  request: CoverageRunRequest,
): Promise<StartedRun> {
  const scope = await resolveScope(database, request)
  const parameters = await resolveParameters(database, request, scope)
  const inputVersions = await readInputVersions(database, scope.prefix)
  const populated = inputVersions.population_cells
  if (populated.count === 0 || populated.residents <= 0) throw new NoPopulationError(request.regionCode)
  // How the work is split does not change the outputs, so it is not part of what makes two runs the same.
  const { maxCellsPerPart: _split, ...outcome } = parameters
  const idempotencyKey = hashKey({ kind: COVERAGE_JOB_KIND, parameters: outcome, inputVersions })

  return queueRun(database, runner, {
    kind: COVERAGE_JOB_KIND,
    regionCode: request.regionCode,
    campaignId: parameters.campaignId,
    parameters: parameters as unknown as Record<string, unknown>,
    inputVersions: inputVersions as unknown as Record<string, unknown>,
    idempotencyKey,
    reuseStates: ['queued', 'running', 'succeeded'],
    requestedBy: request.requestedBy ?? null,
    onCreated: request.onCreated,
  })
}

/** SHA-256 of a JSON value with object keys sorted, so equal parameters give equal keys. */
function hashKey(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical)
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, canonical(x)]),
      )
    }
    return v
  }
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
}

/**
 * Processes one coverage run: loads cells and facilities of the region in metres (one query each) and takes the
 * walk network of its roads from the cache or builds it (`walkNetworkOfRun`), runs
 * the coverage core per distance model × facility type, and writes gaps, problems and the summary in one
 * transaction. A big region fans out into parts (when the runner can schedule them) and is finished by the join
 * job, which takes the parts' coverage instead of computing it.
 */
export async function processCoverageRun(
  database: Database,
  context: JobContext,
  hooks: CoverageJobHooks = {},
): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const parameters = run.parameters as unknown as CoverageRunParameters
  if (!Array.isArray(parameters.rules) || !Array.isArray(parameters.distanceModels)) {
    throw new RunNotFoundError(`diagnostic run ${run.id} has no coverage parameters`)
  }
  if (!(await claimRun(database, run.id, context.phase === 'join'))) return

  const t0 = performance.now()
  const like = await runRegionLike(database, run)
  const srid = await readMetricSrid(database, like, run.regionCode)
  const join = await joinsParts(database, context, run, parameters, like, srid, hooks)
  if (join === null) return
  const needsRoads = parameters.distanceModels.includes('network') && !join
  const types = parameters.rules.map((r) => r.type)
  // A join reads the parts' results while the inputs load: two queries the database runs side by side.
  const [inputs, partResults] = await Promise.all([
    loadInputs(database, like, srid, types, false),
    join ? readPartResults(database, run.id) : null,
  ])
  const loadMs = performance.now() - t0
  const walk = needsRoads
    ? await walkNetworkOfRun(database, { like, srid }, inputs.cells, hooks.coverageOptions)
    : null

  const t1 = performance.now()
  await clearStaleStages(database)
  const stager = new GapStager(database, run.id, srid)
  const joined = partResults
    ? joinCoverageParts(
        partResults,
        parameters,
        inputs.cells.map((c) => c.id),
        hooks,
      )
    : null
  const diagnosed = await diagnoseRun(
    database,
    { context, parameters, inputs, joined, network: walk?.network, stager },
    hooks,
  )
  if (!diagnosed) return stager.discard()
  await stager.flush()
  const computeMs = performance.now() - t1
  const gaps = rankGaps(diagnosed.gaps)
  await hooks.afterCompute?.(context)
  await writeCoverageOutputs(
    database,
    {
      context,
      run,
      parameters,
      inputs,
      srid,
      results: diagnosed.results,
      gaps,
      stage: stager.stage,
      loadMs,
      computeMs,
      walkNetwork: walk,
    },
    hooks,
  )
}

/** Marks the run running for this attempt; false when it is no longer queued or running. */
async function claimRun(database: Database, runId: number, joining: boolean): Promise<boolean> {
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
      progress = ${joining ? sql`progress` : sql`0`},
      message = ${joining ? '合并分片 / joining parts' : '读取数据 / loading inputs'}
    where id = ${runId} and state in ('queued', 'running')`),
  )
  return claimed.length > 0
}

/**
 * Whether this job joins the run's parts (true) or computes it in one piece (false); null when it fanned the run
 * out and the join job finishes it.
 */
async function joinsParts(
  database: Database,
  context: JobContext,
  run: RunRow,
  parameters: CoverageRunParameters,
  like: string,
  srid: number,
  hooks: CoverageJobHooks,
): Promise<boolean | null> {
  if (context.phase === 'join') return true
  const maxCellsPerPart = parameters.maxCellsPerPart ?? DEFAULT_MAX_CELLS_PER_PART
  const cellCount =
    (run.inputVersions as { population_cells?: { count?: number } }).population_cells?.count ?? 0
  if (!context.fanOut || cellCount <= maxCellsPerPart) return false
  const joinNow = await fanOutCoverageRun(
    database,
    context.fanOut,
    run,
    parameters,
    { like, srid, maxCellsPerPart },
    hooks,
  )
  return joinNow ? true : null
}
