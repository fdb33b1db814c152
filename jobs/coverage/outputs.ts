import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { routeRunProblems } from '../../server/db/problem-routing.ts'
import { lockRunningRun, markRunSucceeded, type RunRow, type Transaction } from '../runs/rows.ts'
import type { JobContext } from '../runs/types.ts'
import type { TypeResult } from './compute.ts'
import type { DistanceModel, GroupCounts } from './engine/index.ts'
import { numberArray } from './gap-payload.ts'
import type { GapRow } from './gaps.ts'
import type { CoverageJobHooks } from './hooks.ts'
import type { CoverageInputs } from './inputs.ts'
import type { CoverageRunParameters } from './parameters.ts'
import { problemTexts } from './problem-texts.ts'

/** Per model and type: what a screen shows without reading the gaps. */
export interface CoverageTypeSummary {
  radiusM: number
  servedGroups: readonly string[]
  servedResidents: number
  uncoveredServed: number
  uncovered: GroupCounts
  coveredShare: number | null
  blindSpots: number
  capacityGap: number | null
  unreachableFacilityIds: number[]
}

/** What a succeeded coverage run stores in `outputs`. */
export interface CoverageOutputs {
  byModel: Partial<
    Record<DistanceModel, { unreachableCells: number; types: Record<string, CoverageTypeSummary> }>
  >
  gaps: number
  problems: number
  /** `roads`: the walkable roads the walk network was built from. */
  inputs: { cells: number; facilities: number; roads: number; srid: number }
  /** `network`: the walk network taken from the cache or read and built (0 without the network model). */
  timingsMs: { load: number; network: number; compute: number; write: number }
  /** Whether the walk network was built for this run or reused from an earlier one; null without one. */
  walkNetwork: 'built' | 'reused' | null
}

/** A diagnosed run, ready to be written. */
export interface FinishedRun {
  context: JobContext
  run: RunRow
  parameters: CoverageRunParameters
  inputs: CoverageInputs
  srid: number
  results: TypeResult[]
  /** The ranked gaps in staging order (`n` = index + 1), staged under `stage`. */
  gaps: GapRow[]
  stage: string
  loadMs: number
  computeMs: number
  /** The walk network the run computed on, when it computed the network model itself. */
  walkNetwork?: { roads: number; reused: boolean; ms: number } | null
}

/**
 * Writes gaps, problems and the summary and marks the run succeeded in one transaction, so a crash at any point
 * leaves either nothing or everything and a retry finishes the run once.
 */
export async function writeCoverageOutputs(
  database: Database,
  finished: FinishedRun,
  hooks: CoverageJobHooks = {},
): Promise<void> {
  const { run, parameters } = finished
  const t0 = performance.now()
  const year =
    parameters.campaignId === null
      ? new Date().getUTCFullYear()
      : await campaignYear(database, parameters.campaignId)
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, run.id))) return
    // Compiling the inserts' expressions (JIT) costs more than it saves on ~100k rows.
    await tx.execute(sql`set local jit = off`)
    const ranking = rankingArrays(finished.gaps)
    await insertGaps(tx, run, finished.stage, finished.gaps.length, ranking)
    await upsertProblems(tx, run, finished, ranking, parameters.campaignId, year)
    // Every attempt's staged rows of this run: after this commit no other attempt of it can write.
    await tx.execute(sql`delete from coverage_gap_staging where run_id = ${run.id}`)
    // New problems go to their unit, department and deadline like any other door's (ADR 0015).
    await routeRunProblems(tx, run.id)
    await flagVanishedProblems(tx, run, parameters)
    await markRunSucceeded(tx, run.id, summarise(finished, performance.now() - t0))
    await hooks.beforeCommit?.(finished.context)
  })
}

async function campaignYear(database: Database, campaignId: number): Promise<number> {
  const [row] = await database.rows<{ year: number }>(
    sql`select year from campaigns where id = ${campaignId}`,
  )
  return row?.year ?? new Date().getUTCFullYear()
}

/** The run's ranking as array literals indexed by staging position, made once for the gaps and the problems. */
interface RankingArrays {
  rank: string
  severity: string
}

function rankingArrays(gaps: readonly GapRow[]): RankingArrays {
  return { rank: numberArray(gaps.map((g) => g.rank)), severity: numberArray(gaps.map((g) => g.severity)) }
}

/**
 * The gaps staged while the run computed (`gap-staging.ts`) become the run's `coverage_gaps`, ranked by the run's one
 * ranking (sent as arrays indexed by staging position: a lookup per row, no join). A missing step (a staging insert
 * lost to a crash the attempt did not see) fails the write rather than storing part of the run.
 */
async function insertGaps(
  tx: Transaction,
  run: RunRow,
  stage: string,
  gaps: number,
  ranking: RankingArrays,
): Promise<void> {
  const { rows } = (await tx.execute(
    sql`select count(*)::int as n from coverage_gap_staging where stage = ${stage}::uuid`,
  )) as unknown as { rows: { n: number }[] }
  const staged = rows[0]
  if ((staged?.n ?? 0) !== gaps) {
    throw new Error(`run ${run.id}: ${staged?.n ?? 0} of ${gaps} gaps were staged`)
  }
  // The parts' arrays are consumed: what stays is each part's run row with its timings.
  await tx.execute(sql`delete from coverage_run_parts where parent_run_id = ${run.id}`)
  await tx.execute(sql`delete from coverage_gaps where run_id = ${run.id}`)
  await tx.execute(sql`
    insert into coverage_gaps (run_id, region_code, facility_type, distance_model, kind, gap_key, geom, point,
      cells, uncovered_children, uncovered_working, uncovered_elderly, capacity_gap, priority, rank)
    select ${run.id}, ${run.regionCode}, s.facility_type, s.distance_model, s.kind, s.gap_key, s.geom, s.point,
      s.cells, s.uncovered_children, s.uncovered_working, s.uncovered_elderly, s.capacity_gap, s.priority,
      (${ranking.rank}::int[])[s.n]
    from coverage_gap_staging s where s.stage = ${stage}::uuid`)
}

/** One problem per gap; problems keep their workflow state (assigned, in progress…) across reruns. */
async function upsertProblems(
  tx: Transaction,
  run: RunRow,
  finished: Pick<FinishedRun, 'stage' | 'gaps'>,
  ranking: RankingArrays,
  campaignId: number | null,
  year: number,
): Promise<void> {
  const t = problemTexts(finished.gaps)
  await tx.execute(sql`
    insert into problems (region_code, campaign_id, type, title, title_en, description, description_en, geom,
      severity, source, year_found, run_id, dedupe_key, details)
    select ${run.regionCode}, ${campaignId}, 'service_gap', (${t.title}::text[])[g.k],
      (${t.titleEn}::text[])[g.k],
      case g.kind
        when 'blind_spot' then format('约 %s 名服务对象不在%s服务半径内', round(g.unserved), (${t.name}::text[])[g.k])
        else format('缺口约 %s 个容量单位', round(g.capacity_gap)) end,
      case g.kind
        when 'blind_spot' then format('About %s residents served by %s live beyond its service radius',
          round(g.unserved), lower((${t.nameEn}::text[])[g.k]))
        else format('A gap of about %s capacity units', round(g.capacity_gap)) end,
      g.point, (${ranking.severity}::int[])[g.n], 'diagnosis', ${year}, ${run.id},
      ${`coverage:${run.regionCode}:`} || g.gap_key,
      jsonb_build_object('facilityType', g.facility_type, 'distanceModel', g.distance_model, 'kind', g.kind,
        'gapKey', g.gap_key, 'radiusM', g.radius_m, 'uncoveredResidents', g.unserved,
        'uncovered', jsonb_build_object('children', g.uncovered_children, 'working', g.uncovered_working,
          'elderly', g.uncovered_elderly),
        'capacityGap', g.capacity_gap, 'priority', g.priority,
        'rank', (${ranking.rank}::int[])[g.n])
    from (select s.*, (${t.at}::int[])[s.n] as k from coverage_gap_staging s where s.stage = ${finished.stage}::uuid) g
    -- One column per language: a screen, a report or an export in either shows its own and only its own.
    on conflict (dedupe_key) do update set run_id = excluded.run_id, campaign_id = excluded.campaign_id,
      title = excluded.title, title_en = excluded.title_en, description = excluded.description,
      description_en = excluded.description_en, geom = excluded.geom,
      severity = excluded.severity, details = excluded.details, updated_at = now()`)
}

/**
 * Gaps an earlier run found in the same scope that this one no longer finds (a facility opened, a radius
 * changed) keep their problem and its history, flagged so that screens can offer to close it.
 */
async function flagVanishedProblems(
  tx: Transaction,
  run: RunRow,
  parameters: CoverageRunParameters,
): Promise<void> {
  const scopes = parameters.distanceModels.flatMap((model) =>
    parameters.rules.map((rule) => `coverage:${run.regionCode}:${rule.type}:${model}:%`),
  )
  await tx.execute(sql`
    update problems set details = details || jsonb_build_object('notFoundByRunId', ${run.id}::int),
      updated_at = now()
    where source = 'diagnosis' and run_id is distinct from ${run.id}
      and dedupe_key like any(${`{${scopes.join(',')}}`}::text[])`)
}

function summarise(finished: FinishedRun, writeMs: number): CoverageOutputs {
  const byModel: CoverageOutputs['byModel'] = {}
  for (const { model, diagnosis: d, unreachableCells } of finished.results) {
    const entry = byModel[model] ?? { unreachableCells, types: {} }
    byModel[model] = entry
    entry.types[d.type] = {
      radiusM: d.radiusM,
      servedGroups: d.servedGroups,
      servedResidents: d.servedResidents,
      uncoveredServed: d.uncoveredServed,
      uncovered: d.uncovered,
      coveredShare: d.coveredShare,
      blindSpots: d.blindSpots.length,
      capacityGap: d.capacity?.totalGap ?? null,
      unreachableFacilityIds: d.coverage.unreachableFacilityIds,
    }
  }
  const { cells, facilities, roads } = finished.inputs
  const walk = finished.walkNetwork ?? null
  return {
    byModel,
    gaps: finished.gaps.length,
    problems: finished.gaps.length,
    inputs: {
      cells: cells.length,
      facilities: facilities.length,
      roads: walk?.roads ?? roads.length,
      srid: finished.srid,
    },
    timingsMs: {
      load: finished.loadMs,
      network: walk?.ms ?? 0,
      compute: finished.computeMs,
      write: writeMs,
    },
    walkNetwork: walk ? (walk.reused ? 'reused' : 'built') : null,
  }
}
