import crypto from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { FACILITY_TYPES } from '../../server/db/facilities.ts'
import {
  CampaignRegionMismatchError,
  DiagnosisParameterError,
  InvalidRadiusOverrideError,
  MissingServiceRadiusError,
  NoPopulationError,
  UnknownCampaignError,
  UnknownDistanceModelError,
  UnknownRegionError,
  UnsupportedFacilityTypeError,
} from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import {
  lockRunningRun,
  markRunSucceeded,
  queueRun,
  RunNotFoundError,
  type RunRow,
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import {
  CoverageInputError,
  type DistanceModel,
  diagnoseFromCoverage,
  diagnoseServiceCoverage,
  type GroupCounts,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
  type TypeDiagnosis,
} from './engine/index.ts'
import {
  type CoverageJobHooks,
  CoverageJobInputError,
  type CoverageRunParameters,
  loadInputs,
} from './inputs.ts'
import { DEFAULT_MAX_CELLS_PER_PART, fanOutCoverageRun, joinCoverageParts } from './parts.ts'
import { type EditionTypeSettings, FACILITY_TYPE_NAMES_ZH, ruleFor } from './rules.ts'

export {
  type CoverageJobHooks,
  CoverageJobInputError,
  type CoverageRunParameters,
  loadInputs,
} from './inputs.ts'

export const COVERAGE_JOB_KIND = 'coverage'
export const DISTANCE_MODELS: readonly DistanceModel[] = ['euclidean', 'network']

/** What a caller (the GraphQL mutation) asks for. */
export interface CoverageRunRequest {
  regionCode: string
  /** Links the run and its problems to a campaign and takes the radii from the campaign's indicator edition. */
  campaignId?: number | null
  /** @defaultValue every type the indicator edition (or `radiusOverrides`) gives a service radius */
  facilityTypes?: readonly string[] | null
  /** @defaultValue both: `['euclidean', 'network']` */
  distanceModels?: readonly DistanceModel[] | null
  /** Service radius in metres per facility type, replacing the edition's. */
  radiusOverrides?: Readonly<Record<string, number>> | null
  /** Who asked, for the run row. */
  requestedBy?: string | null
  /**
   * A region with more population cells is split into part runs of at most this many cells, computed by any
   * worker and joined (the outputs are the same). @defaultValue {@link DEFAULT_MAX_CELLS_PER_PART}
   */
  maxCellsPerPart?: number | null
}

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
  })
}

interface Scope {
  prefix: string
  campaignYear: number | null
  systemId: number | null
}

async function resolveScope(database: Database, request: CoverageRunRequest): Promise<Scope> {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${request.regionCode}`,
  )
  if (!region) throw new UnknownRegionError(request.regionCode)
  if (request.campaignId === undefined || request.campaignId === null) {
    return { prefix: region.prefix, campaignYear: null, systemId: null }
  }
  const [campaign] = await database.rows<{ region_code: string; year: number; system_id: number }>(
    sql`select region_code, year, system_id from campaigns where id = ${request.campaignId}`,
  )
  if (!campaign) throw new UnknownCampaignError(request.campaignId)
  const [inside] = await database.rows<{ ok: boolean }>(
    sql`select ${request.regionCode} like scope_prefix || '%' as ok from regions where code = ${campaign.region_code}`,
  )
  if (!inside?.ok) throw new CampaignRegionMismatchError(request.campaignId, request.regionCode)
  return { prefix: region.prefix, campaignYear: campaign.year, systemId: campaign.system_id }
}

async function resolveParameters(
  database: Database,
  request: CoverageRunRequest,
  scope: Scope,
): Promise<CoverageRunParameters> {
  const models = [...new Set(request.distanceModels ?? DISTANCE_MODELS)]
  if (models.length === 0) throw new DiagnosisParameterError('至少选择一种距离模型 / choose a distance model')
  for (const model of models) {
    if (!DISTANCE_MODELS.includes(model)) throw new UnknownDistanceModelError(String(model))
  }
  models.sort()

  const known: readonly string[] = FACILITY_TYPES
  const overrides: Record<string, number> = {}
  for (const [type, radiusM] of Object.entries(request.radiusOverrides ?? {})) {
    if (!known.includes(type)) throw new UnsupportedFacilityTypeError(type, known)
    if (typeof radiusM !== 'number' || !(radiusM > 0 && Number.isFinite(radiusM))) {
      throw new InvalidRadiusOverrideError(type, radiusM)
    }
    overrides[type] = radiusM
  }

  // The campaign's edition, otherwise the newest national one; radii are data that staff edit.
  const [system] = await database.rows<{ id: number; settings: Record<string, unknown> | string }>(
    scope.systemId === null
      ? sql`select id, settings from indicator_systems where level = 'national'
          order by (status <> 'draft') desc, year desc, id desc limit 1`
      : sql`select id, settings from indicator_systems where id = ${scope.systemId}`,
  )
  if (!system) throw new DiagnosisParameterError('没有可用的指标体系 / no indicator edition is loaded')
  const settings = typeof system.settings === 'string' ? JSON.parse(system.settings) : system.settings
  const byType = (settings?.serviceRadii?.byFacilityType ?? {}) as Record<string, EditionTypeSettings>

  const editionRadius = (type: string): number | undefined => {
    const r = byType[type]?.radiusM
    return typeof r === 'number' && r > 0 ? r : undefined
  }
  const requested = request.facilityTypes
  let types: string[]
  if (requested === undefined || requested === null) {
    types = known.filter((t) => editionRadius(t) !== undefined || overrides[t] !== undefined)
  } else {
    if (requested.length === 0) {
      throw new DiagnosisParameterError('至少选择一种设施类型 / choose a facility type')
    }
    for (const type of requested) {
      if (!known.includes(type)) throw new UnsupportedFacilityTypeError(type, known)
    }
    types = [...new Set(requested)].sort()
  }
  const rules = types.map((type) => {
    const radiusM = overrides[type] ?? editionRadius(type)
    if (radiusM === undefined) throw new MissingServiceRadiusError(type)
    return ruleFor(type, radiusM, byType[type])
  })
  return {
    regionCode: request.regionCode,
    campaignId: request.campaignId ?? null,
    systemId: system.id,
    distanceModels: models,
    rules,
    radiusOverrides: Object.fromEntries(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))),
    maxCellsPerPart: resolvePartSize(request.maxCellsPerPart),
  }
}

function resolvePartSize(requested: number | null | undefined): number {
  if (requested === undefined || requested === null) return DEFAULT_MAX_CELLS_PER_PART
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw new DiagnosisParameterError(
      `分片网格数须为正整数 / maxCellsPerPart must be a positive integer, got ${requested}`,
    )
  }
  return requested
}

export interface TableVersion {
  count: number
  maxId: number
}

export interface CoverageInputVersions {
  population_cells: TableVersion & { residents: number }
  facilities: TableVersion
  roads: TableVersion
}

/**
 * Counts and highest ids of the rows a run reads. Rows are only ever added or replaced by re-import (new ids),
 * so these change whenever the inputs do.
 */
export async function readInputVersions(database: Database, prefix: string): Promise<CoverageInputVersions> {
  const like = `${prefix}%`
  const [row] = await database.rows<{
    cells: number
    cells_max: number
    residents: number
    facilities: number
    facilities_max: number
    roads: number
    roads_max: number
  }>(sql`
    select c.n::int as cells, c.m::int as cells_max, c.r::float8 as residents,
      f.n::int as facilities, f.m::int as facilities_max, r.n::int as roads, r.m::int as roads_max
    from (select count(*) n, coalesce(max(id), 0) m, coalesce(sum(children + working + elderly), 0) r
        from population_cells where region_code like ${like}) c,
      (select count(*) n, coalesce(max(id), 0) m from facilities where region_code like ${like}) f,
      (select count(*) n, coalesce(max(id), 0) m from roads where region_code like ${like}) r`)
  if (!row) throw new Error('input version query returned nothing')
  return {
    population_cells: { count: row.cells, maxId: row.cells_max, residents: row.residents },
    facilities: { count: row.facilities, maxId: row.facilities_max },
    roads: { count: row.roads, maxId: row.roads_max },
  }
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

// ---------------------------------------------------------------------------------------------------------------
// The processor

interface GapRow {
  gap_key: string
  dedupe_key: string
  facility_type: string
  distance_model: DistanceModel
  kind: 'blind_spot' | 'capacity'
  /** GeoJSON Polygon in metres of the run's metric CRS; null for capacity gaps. */
  outline: string | null
  x: number
  y: number
  cells: number
  uncovered_children: number
  uncovered_working: number
  uncovered_elderly: number
  unserved: number
  capacity_gap: number
  priority: number
  rank: number
  severity: number
  radius_m: number
}

/**
 * Processes one coverage run: loads cells, facilities and roads of the region in metres (one query each), runs
 * the coverage core per distance model × facility type, and writes gaps, problems and the summary in one
 * transaction, so a crash at any point leaves either nothing or everything and a retry finishes the run once.
 */
export async function processCoverageRun(
  database: Database,
  context: JobContext,
  hooks: CoverageJobHooks = {},
): Promise<void> {
  const { runId } = context
  const run = await unfinishedRun(database, runId)
  if (!run) return
  const parameters = run.parameters as unknown as CoverageRunParameters
  if (!Array.isArray(parameters.rules) || !Array.isArray(parameters.distanceModels)) {
    throw new RunNotFoundError(`diagnostic run ${runId} has no coverage parameters`)
  }
  const joining = context.phase === 'join'
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
      progress = ${joining ? sql`progress` : sql`0`},
      message = ${joining ? '合并分片 / joining parts' : '读取数据 / loading inputs'}
    where id = ${runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return

  const t0 = performance.now()
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${run.regionCode}`,
  )
  if (!region) throw new RunNotFoundError(`region ${run.regionCode} of run ${runId} does not exist`)
  const like = `${region.prefix}%`
  const [crs] = await database.rows<{ lo: number | null; hi: number | null }>(
    sql`select min(metric_srid) as lo, max(metric_srid) as hi from population_cells where region_code like ${like}`,
  )
  if (!crs?.lo) throw new CoverageJobInputError(new NoPopulationError(run.regionCode).message)
  if (crs.lo !== crs.hi) {
    throw new CoverageJobInputError(
      `population cells of ${run.regionCode} use several grids (EPSG:${crs.lo}…${crs.hi})`,
    )
  }
  const srid = crs.lo
  const types = parameters.rules.map((r) => r.type)

  // A big region fans out into parts (when the runner can schedule them) and is finished by the join job.
  const partCells = parameters.maxCellsPerPart ?? DEFAULT_MAX_CELLS_PER_PART
  const cellCount =
    (run.inputVersions as { population_cells?: { count?: number } }).population_cells?.count ?? 0
  let join = joining
  if (!join && context.fanOut && cellCount > partCells) {
    const fanOut = context.fanOut
    join = await fanOutCoverageRun(
      database,
      { ...context, fanOut },
      run,
      parameters,
      like,
      srid,
      partCells,
      hooks,
    )
    if (!join) return
  }

  const needsRoads = parameters.distanceModels.includes('network') && !join
  const { cells, facilities, roads } = await loadInputs(database, like, srid, types, needsRoads)
  const loadMs = performance.now() - t0

  const steps = parameters.distanceModels.length * parameters.rules.length
  const results: Array<{ model: DistanceModel; diagnosis: TypeDiagnosis; unreachableCells: number }> = []
  const points: Array<Omit<GapRow, 'rank' | 'severity'>> = []
  const t1 = performance.now()
  let step = 0
  // The parts' per-cell coverage, or the walking graph and the cells' snaps, which do not depend on the facility
  // type: built once for the whole run.
  const joined = join
    ? await joinCoverageParts(
        database,
        runId,
        parameters,
        cells.map((c) => c.id),
        hooks,
      )
    : null
  let network: PreparedWalkNetwork | undefined
  for (const model of parameters.distanceModels) {
    for (const [r, rule] of parameters.rules.entries()) {
      if (await isCancelled(database, runId)) return
      let diagnosis: ReturnType<typeof diagnoseServiceCoverage>
      try {
        const input = { cells, facilities, roads, rules: [rule], model, facilityTypes: types }
        const partial = joined?.get(model)
        if (partial) {
          const coverage = partial.types[r]
          if (!coverage) throw new Error(`the joined parts have no result for ${rule.type}`)
          diagnosis = diagnoseFromCoverage(input, { ...partial, types: [coverage] }, hooks.coverageOptions)
        } else {
          if (model === 'network') network ??= prepareWalkNetwork(cells, roads, hooks.coverageOptions)
          diagnosis = diagnoseServiceCoverage(input, hooks.coverageOptions, { network })
        }
      } catch (error) {
        if (error instanceof CoverageInputError) throw new CoverageJobInputError(error.message)
        throw error
      }
      const typeDiagnosis = diagnosis.types[0]
      if (!typeDiagnosis) throw new Error(`coverage core returned no result for ${rule.type}`)
      results.push({ model, diagnosis: typeDiagnosis, unreachableCells: diagnosis.unreachableCells })
      points.push(...gapRows(run.regionCode, model, typeDiagnosis, diagnosis.demandPoints))
      step++
      const done = join ? 0.85 + (0.05 * step) / steps : (0.9 * step) / steps
      await database.rows(
        updateAndNotify(sql`
        update diagnostic_runs set progress = ${done},
          message = ${`${FACILITY_TYPE_NAMES_ZH[rule.type] ?? rule.type} ${model} (${step}/${steps})`}
        where id = ${runId} and state = 'running'`),
      )
      await hooks.afterStep?.(context, step, steps)
    }
  }
  if (await isCancelled(database, runId)) return
  const computeMs = performance.now() - t1
  const gaps = rankGaps(points)
  await hooks.afterCompute?.(context)

  const t2 = performance.now()
  const year =
    parameters.campaignId === null
      ? new Date().getUTCFullYear()
      : await campaignYear(database, parameters.campaignId)
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, runId))) return
    // One payload, parsed once into a scratch table that both inserts read; the problems' bilingual texts and
    // details are built in SQL from it rather than shipped as a second, larger payload.
    await tx.execute(sql`
      create temp table run_gaps on commit drop as
      select * from json_to_recordset(${JSON.stringify(gaps)}::json) as g(facility_type text, distance_model text,
        kind text, gap_key text, dedupe_key text, outline text, x float8, y float8, cells int,
        uncovered_children float8, uncovered_working float8, uncovered_elderly float8, unserved float8,
        capacity_gap float8, priority float8, rank int, severity int, radius_m float8)`)
    // The parts' arrays are consumed: what stays is each part's run row with its timings.
    await tx.execute(sql`delete from coverage_run_parts where parent_run_id = ${runId}`)
    await tx.execute(sql`delete from coverage_gaps where run_id = ${runId}`)
    await tx.execute(sql`
      insert into coverage_gaps (run_id, region_code, facility_type, distance_model, kind, gap_key, geom, point,
        cells, uncovered_children, uncovered_working, uncovered_elderly, capacity_gap, priority, rank)
      select ${runId}, ${run.regionCode}, g.facility_type, g.distance_model, g.kind, g.gap_key,
        case when g.outline is null then null
          else ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(g.outline), ${srid}::int), 4326)) end,
        ST_Transform(ST_SetSRID(ST_MakePoint(g.x, g.y), ${srid}::int), 4326),
        g.cells, g.uncovered_children, g.uncovered_working, g.uncovered_elderly, g.capacity_gap, g.priority, g.rank
      from run_gaps g`)
    // Problems keep their workflow state (assigned, in progress…) across reruns; only the findings are refreshed.
    await tx.execute(sql`
      insert into problems (region_code, campaign_id, type, title, description, geom, severity, source,
        year_found, run_id, dedupe_key, details)
      select ${run.regionCode}, ${parameters.campaignId}, 'service_gap', t.title, t.description, c.point,
        g.severity, 'diagnosis', ${year}, ${runId}, g.dedupe_key,
        jsonb_build_object('facilityType', g.facility_type, 'distanceModel', g.distance_model, 'kind', g.kind,
          'gapKey', g.gap_key, 'radiusM', g.radius_m, 'uncoveredResidents', g.unserved,
          'uncovered', jsonb_build_object('children', g.uncovered_children, 'working', g.uncovered_working,
            'elderly', g.uncovered_elderly),
          'capacityGap', g.capacity_gap, 'priority', g.priority, 'rank', g.rank)
      from run_gaps g
      join coverage_gaps c on c.run_id = ${runId} and c.gap_key = g.gap_key
      cross join lateral (
        select coalesce(${JSON.stringify(FACILITY_TYPE_NAMES_ZH)}::jsonb ->> g.facility_type, g.facility_type) as name,
          case g.distance_model when 'network' then '步行' else '直线' end as walk
      ) n
      cross join lateral (
        select case g.kind
            when 'blind_spot' then format('%s服务盲区（%s%s 米） / %s blind spot (%s %s m)', n.name, n.walk,
              g.radius_m, g.facility_type, g.distance_model, g.radius_m)
            else format('%s容量不足 / %s over capacity', n.name, g.facility_type) end as title,
          case g.kind
            when 'blind_spot' then format('约 %s 名服务对象不在%s服务半径内 / about %s residents served by %s live '
              || 'beyond its service radius', round(g.unserved), n.name, round(g.unserved), g.facility_type)
            else format('缺口约 %s 个容量单位 / a gap of about %s capacity units', round(g.capacity_gap),
              round(g.capacity_gap)) end as description
      ) t
      on conflict (dedupe_key) do update set run_id = excluded.run_id, campaign_id = excluded.campaign_id,
        title = excluded.title, description = excluded.description, geom = excluded.geom,
        severity = excluded.severity, details = excluded.details, updated_at = now()`)
    // Gaps an earlier run found in the same scope that this one no longer finds (a facility opened, a radius
    // changed) keep their problem and its history, flagged so that screens can offer to close it.
    const scopes = parameters.distanceModels.flatMap((model) =>
      parameters.rules.map((rule) => `coverage:${run.regionCode}:${rule.type}:${model}:%`),
    )
    await tx.execute(sql`
      update problems set details = details || jsonb_build_object('notFoundByRunId', ${runId}::int),
        updated_at = now()
      where source = 'diagnosis' and run_id is distinct from ${runId}
        and dedupe_key like any(${`{${scopes.join(',')}}`}::text[])`)
    const outputs = summarise(results, gaps, {
      loadMs,
      computeMs,
      writeMs: performance.now() - t2,
      cells: cells.length,
      facilities: facilities.length,
      roads: roads.length,
      srid,
    })
    await markRunSucceeded(tx, runId, outputs)
    await hooks.beforeCommit?.(context)
  })
}

async function isCancelled(database: Database, runId: number): Promise<boolean> {
  const [row] = await database.rows<{ state: string }>(
    sql`select state from diagnostic_runs where id = ${runId}`,
  )
  return row?.state !== 'running'
}

async function campaignYear(database: Database, campaignId: number): Promise<number> {
  const [row] = await database.rows<{ year: number }>(
    sql`select year from campaigns where id = ${campaignId}`,
  )
  return row?.year ?? new Date().getUTCFullYear()
}

/**
 * Gap keys name what a gap is rather than its position in a list: a blind spot by its lowest cell id, a capacity
 * gap by its facility. A rerun on slightly changed inputs then updates the same problem instead of renaming it.
 */
function gapRows(
  regionCode: string,
  model: DistanceModel,
  t: TypeDiagnosis,
  demandPoints: ReturnType<typeof diagnoseServiceCoverage>['demandPoints'],
): Array<Omit<GapRow, 'rank' | 'severity'>> {
  const rows: Array<Omit<GapRow, 'rank' | 'severity'>> = []
  // Lookups by id: a big city has thousands of blind spots and catchments per type.
  const spots = new Map(t.blindSpots.map((s) => [s.id, s]))
  const catchments = new Map((t.capacity?.catchments ?? []).map((c) => [c.facilityId, c]))
  for (const p of demandPoints) {
    const base = { facility_type: t.type, distance_model: model, x: p.x, y: p.y, radius_m: t.radiusM }
    if (p.kind === 'blind_spot') {
      const spot = p.blindSpotId === null ? undefined : spots.get(p.blindSpotId)
      if (!spot) continue
      // A loop, not Math.min(...ids): a spot of a big city can hold more cells than the call stack takes arguments.
      const lowestCell = spot.cellIds.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
      const gapKey = `${t.type}:${model}:blind_spot:${lowestCell}`
      rows.push({
        ...base,
        gap_key: gapKey,
        dedupe_key: `coverage:${regionCode}:${gapKey}`,
        kind: 'blind_spot',
        outline: JSON.stringify({ type: 'Polygon', coordinates: spot.outline }),
        cells: spot.cellIds.length,
        uncovered_children: spot.uncovered.children,
        uncovered_working: spot.uncovered.working,
        uncovered_elderly: spot.uncovered.elderly,
        unserved: p.unservedResidents,
        capacity_gap: spot.gap ?? 0,
        priority: p.score,
      })
    } else {
      const catchment = p.facilityId === null ? undefined : catchments.get(p.facilityId)
      const gapKey = `${t.type}:${model}:capacity:${p.facilityId}`
      rows.push({
        ...base,
        gap_key: gapKey,
        dedupe_key: `coverage:${regionCode}:${gapKey}`,
        kind: 'capacity',
        outline: null,
        cells: catchment?.cellCount ?? 0,
        uncovered_children: 0,
        uncovered_working: 0,
        uncovered_elderly: 0,
        unserved: p.unservedResidents,
        capacity_gap: p.gap ?? 0,
        priority: p.score,
      })
    }
  }
  return rows
}

/** One ranking over every type and model; severity by rank tercile (top third high). */
function rankGaps(points: Array<Omit<GapRow, 'rank' | 'severity'>>): GapRow[] {
  const sorted = [...points].sort((a, b) => b.priority - a.priority || (a.gap_key < b.gap_key ? -1 : 1))
  const n = sorted.length
  return sorted.map((p, i) => ({
    ...p,
    rank: i + 1,
    severity: i < Math.ceil(n / 3) ? 3 : i < Math.ceil((2 * n) / 3) ? 2 : 1,
  }))
}

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

export interface CoverageOutputs {
  byModel: Partial<
    Record<DistanceModel, { unreachableCells: number; types: Record<string, CoverageTypeSummary> }>
  >
  gaps: number
  problems: number
  inputs: { cells: number; facilities: number; roads: number; srid: number }
  timingsMs: { load: number; compute: number; write: number }
}

function summarise(
  results: Array<{ model: DistanceModel; diagnosis: TypeDiagnosis; unreachableCells: number }>,
  gaps: GapRow[],
  m: {
    loadMs: number
    computeMs: number
    writeMs: number
    cells: number
    facilities: number
    roads: number
    srid: number
  },
): CoverageOutputs {
  const byModel: CoverageOutputs['byModel'] = {}
  for (const { model, diagnosis: d, unreachableCells } of results) {
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
  return {
    byModel,
    gaps: gaps.length,
    problems: gaps.length,
    inputs: { cells: m.cells, facilities: m.facilities, roads: m.roads, srid: m.srid },
    timingsMs: { load: m.loadMs, compute: m.computeMs, write: m.writeMs },
  }
}
