import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import { classify } from '../../server/domain/zoning.ts'
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
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { type ClassifiedBlock, draftAreas, writeAreas } from './areas.ts'
import { blockMetrics, latestCoverageRun } from './metrics.ts'
import { applicableRules, rulesById } from './rules.ts'

// 更新分区 as a job: every block of the region gets its figures (metrics.ts), the rules (rules.ts) classify it
// (server/domain/zoning.ts), and neighbouring blocks of one rule are written as one area (areas.ts); ADR 0021.

export const ZONING_JOB_KIND = 'zoning'
/** Blocks closer than this (the roads between them) belong to one area. */
export const DEFAULT_ZONING_GAP_M = 30

export interface ZoningRunRequest {
  regionCode: string
  /** The check whose grades count as `poor_values`; the latest campaign covering the region by default. */
  campaignId?: number | null
  requestedBy?: string | null
  onCreated?: RunChangeRecorder
}

interface ZoningParameters {
  regionCode: string
  campaignId: number | null
  coverageRunId: number | null
  ruleIds: number[]
  gapM: number
}

/** A region with no rules anywhere above it. */
export class NoZoningRulesError extends DiagnosisParameterError {
  override name = 'NoZoningRulesError'
  constructor(regionCode: string) {
    super(`行政区划 ${regionCode} 没有分区规则 / region ${regionCode} has no zoning rules`)
  }
}

/**
 * Queues a zoning of a region under the rules current now (their ids go into the run, so a retry and the areas
 * name the versions used), or returns the identical run still queued or running. A finished run is never reused: rules, grades and problems change, so asking again recomputes.
 */
export async function startZoningRun(database: Database, runner: JobRunner, request: ZoningRunRequest) {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${request.regionCode}`,
  )
  if (!region) throw new UnknownRegionError(request.regionCode)
  const campaignId = await campaignFor(database, request.regionCode, request.campaignId ?? null)
  const rules = await applicableRules(database, request.regionCode)
  if (rules.length === 0) throw new NoZoningRulesError(request.regionCode)
  const parameters: ZoningParameters = {
    regionCode: request.regionCode,
    campaignId,
    coverageRunId: await latestCoverageRun(database, region.prefix),
    ruleIds: rules.map((r) => r.id),
    gapM: DEFAULT_ZONING_GAP_M,
  }
  return queueRequestOnce(database, runner, {
    kind: ZONING_JOB_KIND,
    regionCode: request.regionCode,
    campaignId,
    parameters,
    inputVersions: { rules: rules.map((r) => ({ id: r.id, key: r.key, version: r.version })) },
    requestedBy: request.requestedBy ?? null,
    onCreated: request.onCreated,
  })
}

async function campaignFor(database: Database, regionCode: string, given: number | null) {
  if (given !== null) {
    const [campaign] = await database.rows<{ covers: boolean }>(sql`
      select starts_with(${regionCode}, regexp_replace(c.region_code, '(00)+$', '')) as covers
      from campaigns c where c.id = ${given}`)
    if (!campaign) throw new UnknownCampaignError(given)
    if (!campaign.covers) throw new CampaignRegionMismatchError(given, regionCode)
    return given
  }
  const [latest] = await database.rows<{ id: number }>(sql`
    select c.id from campaigns c
    where starts_with(${regionCode}, regexp_replace(c.region_code, '(00)+$', ''))
    order by c.year desc, c.id desc limit 1`)
  return latest?.id ?? null
}

/**
 * Processes one zoning run: figures and classes are computed outside the transaction; the areas replace any an
 * earlier attempt wrote and the run succeeds in one transaction, so a retry writes the same areas once.
 */
export async function processZoningRun(database: Database, context: JobContext): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const p = run.parameters as unknown as ZoningParameters
  if (!Array.isArray(p.ruleIds) || typeof p.regionCode !== 'string') {
    throw new RunNotFoundError(`diagnostic run ${run.id} has no zoning parameters`)
  }
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0,
      message = '计算分区 / zoning'
    where id = ${run.id} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  const [region] = await database.rows<{ prefix: string; lon: number | null; lat: number | null }>(sql`
    select g.scope_prefix as prefix, ST_X(ST_Centroid(ST_Extent(b.geom)::geometry))::float8 as lon,
      ST_Y(ST_Centroid(ST_Extent(b.geom)::geometry))::float8 as lat
    from regions g left join blocks b on b.region_code like g.scope_prefix || '%'
    where g.code = ${p.regionCode} group by g.scope_prefix`)
  if (!region) throw new RunNotFoundError(`region ${p.regionCode} of run ${run.id} is gone`)
  const rules = await rulesById(database, p.ruleIds)
  const blocks = await blockMetrics(database, {
    prefix: region.prefix,
    campaignId: p.campaignId,
    coverageRunId: p.coverageRunId,
  })
  const classified: ClassifiedBlock[] = []
  for (const block of blocks) {
    const classification = classify(block.metrics, rules)
    if (classification) classified.push({ ...block, classification })
  }
  const srid = metricSridFor(region.lon ?? 121.5, region.lat ?? 31.2)
  const drafts = await draftAreas(database, classified, srid, p.gapM)
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, run.id))) return
    const areas = await writeAreas(tx, { id: run.id, campaignId: run.campaignId }, drafts, srid, p.gapM)
    const byClass: Record<string, number> = {}
    for (const b of classified) {
      const c = b.classification.rule.areaClass
      byClass[c] = (byClass[c] ?? 0) + 1
    }
    await markRunSucceeded(tx, run.id, {
      blocks: blocks.length,
      classifiedBlocks: byClass,
      unclassifiedBlocks: blocks.length - classified.length,
      areas,
      metricSrid: srid,
    })
  })
}
