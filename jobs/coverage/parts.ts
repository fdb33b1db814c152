import { UnrecoverableError } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from '../runs/events.ts'
import type { JobRef } from '../runs/queue.ts'
import {
  getRun,
  lockRunningRun,
  markRunSucceeded,
  RunNotFoundError,
  type RunRow,
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext } from '../runs/types.ts'
import {
  CoverageInputError,
  type CoverageResult,
  computeCoverage,
  type DistanceModel,
  type PreparedWalkNetwork,
  pointBounds,
  prepareWalkNetwork,
  resolveCoverageOptions,
  type TypeCoverage,
} from './engine/index.ts'
import {
  type CoverageJobHooks,
  CoverageJobInputError,
  type CoverageRunParameters,
  loadInputs,
} from './inputs.ts'

/**
 * Fan-out of a big region's coverage run. The parent run splits its population cells into rectangles of at most
 * `maxCellsPerPart` cells (a k-d split at medians), one part run per rectangle. A part computes, for its own cells
 * only, the nearest facility and its distance per distance model × facility type, reading the facilities and
 * roads of the region within reach of the rectangle: every walk of at most the cut-off from a cell stays within
 * the cut-off of it, so the part's numbers equal the whole-region computation's. The join assembles the parts'
 * arrays in cell order and runs the rest of the diagnosis (blind spots across part borders, capacity, ranking)
 * on the whole region, so the outputs do not depend on how the region was split.
 */

export const COVERAGE_PART_JOB_KIND = 'coverage_part'

/** @defaultValue the cells above which a run fans out when its runner can */
export const DEFAULT_MAX_CELLS_PER_PART = 50_000

/** Extra metres around a part's reach: the rectangle is reprojected to degrees through a segmentised outline. */
const REACH_MARGIN_M = 100

/** A half-open rectangle [minX, maxX) × [minY, maxY) in the run's metric CRS. */
export type Rect = [minX: number, minY: number, maxX: number, maxY: number]

/** What a part run's `parameters` hold. */
export interface CoveragePartParameters {
  parentRunId: number
  part: number
  parts: number
  srid: number
  /** The part's cells: those whose centre falls in this rectangle. */
  rect: Rect
  /** How far beyond the rectangle facilities and roads can matter, in metres. */
  reachM: number
}

/**
 * Splits points into rectangles of at most `maxPerPart` points: the longer side of a rectangle is cut halfway
 * between the two middle coordinates, until every rectangle is small enough. The rectangles tile `extent`
 * (half-open, so each point belongs to exactly one). Deterministic for the same points and extent.
 */
export function splitIntoRects(
  xs: Float64Array,
  ys: Float64Array,
  extent: Rect,
  maxPerPart: number,
): Array<{ rect: Rect; count: number }> {
  if (!(maxPerPart >= 1)) throw new RangeError(`maxPerPart must be at least 1, got ${maxPerPart}`)
  const out: Array<{ rect: Rect; count: number }> = []
  const split = (indices: Int32Array, rect: Rect) => {
    if (indices.length <= maxPerPart) {
      out.push({ rect, count: indices.length })
      return
    }
    const [minX, minY, maxX, maxY] = rect
    const alongX = maxX - minX >= maxY - minY
    const coord = alongX ? xs : ys
    const sorted = Array.from(indices).sort((a, b) => coord[a]! - coord[b]! || a - b)
    let mid = sorted.length >> 1
    // Cut between two distinct coordinates nearest the median; points on one line stay together.
    let lo = mid
    while (lo > 0 && coord[sorted[lo - 1]!] === coord[sorted[lo]!]) lo--
    let hi = mid
    while (hi < sorted.length && coord[sorted[hi - 1]!] === coord[sorted[hi]!]) hi++
    if (lo === 0 && hi === sorted.length) {
      out.push({ rect, count: indices.length }) // all on one line: cannot be cut further this way
      return
    }
    mid = lo > 0 && mid - lo <= hi - mid ? lo : hi < sorted.length ? hi : lo
    const cut = (coord[sorted[mid - 1]!]! + coord[sorted[mid]!]!) / 2
    const left = Int32Array.from(sorted.slice(0, mid))
    const right = Int32Array.from(sorted.slice(mid))
    if (alongX) {
      split(left, [minX, minY, cut, maxY])
      split(right, [cut, minY, maxX, maxY])
    } else {
      split(left, [minX, minY, maxX, cut])
      split(right, [minX, cut, maxX, maxY])
    }
  }
  split(
    Int32Array.from(xs, (_, i) => i),
    extent,
  )
  return out
}

export function inRect(rect: Rect, x: number, y: number): boolean {
  return x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3]
}

/** The cut-off of the widest rule plus the longest access walk: beyond it nothing can reach a part's cells. */
export function reachOf(parameters: CoverageRunParameters, hooks: CoverageJobHooks = {}): number {
  const options = resolveCoverageOptions(hooks.coverageOptions ?? {})
  const widest = parameters.rules.reduce((m, r) => Math.max(m, r.radiusM), 0)
  const snap = parameters.distanceModels.includes('network') ? options.maxSnapM : 0
  return widest * options.distanceCutoffFactor + snap + REACH_MARGIN_M
}

// ---------------------------------------------------------------------------------------------------------------
// Planning (in the parent's first job)

/**
 * Creates the part runs of `run` (once: a re-planned run finds its parts) and schedules them with the join.
 * When every part already succeeded (the process died before the join ran), returns true: the caller joins now.
 */
export async function fanOutCoverageRun(
  database: Database,
  context: JobContext & { fanOut: NonNullable<JobContext['fanOut']> },
  run: RunRow,
  parameters: CoverageRunParameters,
  like: string,
  srid: number,
  maxCellsPerPart: number,
  hooks: CoverageJobHooks = {},
): Promise<boolean> {
  const reachM = reachOf(parameters, hooks)
  let parts = await partRuns(database, run.id)
  if (parts.length === 0) {
    const types = parameters.rules.map((r) => r.type)
    const [cellRows, [facilityExtent]] = await Promise.all([
      database.rows<{ x: number; y: number }>(sql`
        select ST_X(p) as x, ST_Y(p) as y
        from (select id, ST_Transform(centroid, ${srid}::int) as p from population_cells
          where region_code like ${like}) c order by id`),
      database.rows<{ x0: number | null; y0: number | null; x1: number | null; y1: number | null }>(sql`
        select min(ST_X(p)) as x0, min(ST_Y(p)) as y0, max(ST_X(p)) as x1, max(ST_Y(p)) as y1
        from (select ST_Transform(geom, ${srid}::int) as p from facilities
          where region_code like ${like} and type = any(${`{${types.join(',')}}`}::text[])) f`),
    ])
    const xs = Float64Array.from(cellRows, (c) => c.x)
    const ys = Float64Array.from(cellRows, (c) => c.y)
    // Every cell and facility of the region falls in exactly one rectangle (facilities: for the list of those
    // that no road reaches, which each part reports for its own rectangle).
    const cells = pointBounds(xs, ys)
    const extent: Rect = [
      Math.min(cells.minX, facilityExtent?.x0 ?? cells.minX) - 1,
      Math.min(cells.minY, facilityExtent?.y0 ?? cells.minY) - 1,
      Math.max(cells.maxX, facilityExtent?.x1 ?? cells.maxX) + 1,
      Math.max(cells.maxY, facilityExtent?.y1 ?? cells.maxY) + 1,
    ]
    const rects = splitIntoRects(xs, ys, extent, maxCellsPerPart)
    await database.db.transaction(async (tx) => {
      if (!(await lockRunningRun(tx, run.id))) return
      const existing = (
        (await tx.execute(
          sql`select count(*)::int as n from diagnostic_runs where parent_id = ${run.id}`,
        )) as unknown as { rows: { n: number }[] }
      ).rows[0]
      if ((existing?.n ?? 0) > 0) return
      const rows = rects.map(({ rect }, i) => ({
        parameters: {
          parentRunId: run.id,
          part: i + 1,
          parts: rects.length,
          srid,
          rect,
          reachM,
        } satisfies CoveragePartParameters,
        key: `${run.idempotencyKey}:part:${i + 1}/${rects.length}`,
        message: `分片 ${i + 1}/${rects.length}，${rects[i]!.count} 个网格 / part ${i + 1} of ${rects.length}, ${rects[i]!.count} cells`,
      }))
      await tx.execute(sql`
        insert into diagnostic_runs (kind, parent_id, campaign_id, region_code, parameters, input_versions,
          idempotency_key, state, message, requested_by)
        select ${COVERAGE_PART_JOB_KIND}, ${run.id}, ${run.campaignId}, ${run.regionCode}, p.parameters,
          ${JSON.stringify(run.inputVersions)}::jsonb, p.key, 'queued', p.message, ${run.requestedBy}
        from json_to_recordset(${JSON.stringify(rows)}::json) as p(parameters jsonb, key text, message text)`)
      await tx.execute(
        updateAndNotify(sql`
        update diagnostic_runs set progress = 0.02,
          message = ${`分为 ${rects.length} 个分片计算 / fanned out into ${rects.length} parts`}
        where id = ${run.id}`),
      )
    })
    parts = await partRuns(database, run.id)
  }
  if (parts.length === 0) return false // cancelled while planning
  if (parts.every((p) => p.state === 'succeeded')) return true
  const join: JobRef = { kind: 'coverage', runId: run.id, phase: 'join' }
  await context.fanOut(
    join,
    parts
      .filter((p) => p.state === 'queued' || p.state === 'running')
      .map((p) => ({ kind: COVERAGE_PART_JOB_KIND, runId: p.id })),
  )
  return false
}

async function partRuns(database: Database, parentId: number) {
  return database.rows<{ id: number; state: string; error: string | null }>(
    sql`select id, state, error from diagnostic_runs where parent_id = ${parentId} order by id`,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// One part

/** A part's row without its parent, or of another kind; retrying cannot help. */
export class PartParametersError extends UnrecoverableError {
  override name = 'PartParametersError'
}

/**
 * Computes one part: nearest facility and distance per model × type for the cells in its rectangle, stored in
 * `coverage_run_parts` with the part's success and the parent's progress in one transaction.
 */
export async function processCoveragePart(
  database: Database,
  context: JobContext,
  hooks: CoverageJobHooks = {},
): Promise<void> {
  const { runId } = context
  const run = await unfinishedRun(database, runId)
  if (!run) return
  const part = run.parameters as unknown as CoveragePartParameters
  const parent = run.parentId === null ? null : await getRun(database, run.parentId)
  if (!parent || !Array.isArray(part.rect)) {
    throw new PartParametersError(`diagnostic run ${runId} is not a part of a coverage run`)
  }
  const parameters = parent.parameters as unknown as CoverageRunParameters
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0
    where id = ${runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return

  const t0 = performance.now()
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${run.regionCode}`,
  )
  if (!region) throw new RunNotFoundError(`region ${run.regionCode} of run ${runId} does not exist`)
  const types = parameters.rules.map((r) => r.type)
  const [x0, y0, x1, y1] = part.rect
  const reach: Rect = [x0 - part.reachM, y0 - part.reachM, x1 + part.reachM, y1 + part.reachM]
  const inputs = await loadInputs(
    database,
    `${region.prefix}%`,
    part.srid,
    types,
    parameters.distanceModels.includes('network'),
    { cells: part.rect, reach },
  )
  const cells = inputs.cells.filter((c) => inRect(part.rect, c.x, c.y))
  const loadMs = performance.now() - t0

  const n = cells.length
  const steps = parameters.distanceModels.length * parameters.rules.length
  const results = new Float64Array(steps * 2 * n)
  const summary: Record<string, { unreachableCells: number; unreachableFacilityIds: number[][] }> = {}
  const facilityById = new Map(inputs.facilities.map((f) => [f.id, f]))
  const t1 = performance.now()
  let step = 0
  let network: PreparedWalkNetwork | undefined
  for (const model of parameters.distanceModels) {
    if (await isStopped(database, runId)) return
    let coverage: CoverageResult
    try {
      const input = { ...inputs, cells, rules: parameters.rules, model, facilityTypes: types }
      if (model === 'network') network ??= prepareWalkNetwork(cells, inputs.roads, hooks.coverageOptions)
      coverage = computeCoverage(input, hooks.coverageOptions, { network })
    } catch (error) {
      if (error instanceof CoverageInputError) throw new CoverageJobInputError(error.message)
      throw error
    }
    const unreachable: number[][] = []
    for (let r = 0; r < parameters.rules.length; r++) {
      const t = coverage.types[r]
      if (!t) throw new Error(`coverage core returned no result for ${parameters.rules[r]?.type}`)
      results.set(t.distanceM, step * 2 * n)
      results.set(t.nearestFacilityId, step * 2 * n + n)
      // Each facility is reported by the one part whose rectangle holds it.
      unreachable.push(
        t.unreachableFacilityIds.filter((id) => {
          const f = facilityById.get(id)
          return f !== undefined && inRect(part.rect, f.x, f.y)
        }),
      )
      step++
      await hooks.afterStep?.(context, step, steps)
    }
    summary[model] = { unreachableCells: coverage.unreachableCells, unreachableFacilityIds: unreachable }
    await database.rows(
      updateAndNotify(sql`
      update diagnostic_runs set progress = ${(0.9 * step) / steps}
      where id = ${runId} and state = 'running'`),
    )
  }
  const computeMs = performance.now() - t1
  const cellIds = Buffer.from(Int32Array.from(cells, (c) => c.id).buffer)
  const payload = Buffer.from(results.buffer)

  await database.db.transaction(async (tx) => {
    // The parent too: its progress is updated below.
    if (!(await lockRunningRun(tx, runId, run.parentId === null ? [] : [run.parentId]))) return
    await tx.execute(sql`
      insert into coverage_run_parts (run_id, parent_run_id, cell_ids, results, summary)
      values (${runId}, ${run.parentId}, ${cellIds}, ${payload}, ${JSON.stringify(summary)}::jsonb)
      on conflict (run_id) do update set cell_ids = excluded.cell_ids, results = excluded.results,
        summary = excluded.summary, created_at = now()`)
    const outputs = {
      inputs: { cells: n, facilities: inputs.facilities.length, roads: inputs.roads.length, srid: part.srid },
      timingsMs: { load: loadMs, compute: computeMs },
    }
    await markRunSucceeded(tx, runId, outputs)
    await tx.execute(
      updateAndNotify(sql`
      update diagnostic_runs p set progress = 0.02 + 0.83 * d.done / d.total,
        message = ${'分片完成 '}|| d.done || '/' || d.total || ' / parts done ' || d.done || ' of ' || d.total
      from (select count(*) filter (where state = 'succeeded')::float8 as done, count(*)::float8 as total
        from diagnostic_runs where parent_id = ${run.parentId}) d
      where p.id = ${run.parentId} and p.state = 'running'`),
    )
    await hooks.beforeCommit?.(context)
  })
}

async function isStopped(database: Database, runId: number): Promise<boolean> {
  const [row] = await database.rows<{ state: string }>(
    sql`select state from diagnostic_runs where id = ${runId}`,
  )
  return row?.state !== 'running'
}

// ---------------------------------------------------------------------------------------------------------------
// The join (in the parent's join job)

/** A part did not succeed, so the parent cannot be joined. */
export class PartsIncompleteError extends Error {
  override name = 'PartsIncompleteError'
}

/**
 * The coverage of every cell of the region per model, assembled from the parts in `cellIds` order.
 *
 * @throws PartsIncompleteError (an UnrecoverableError when a part failed or was cancelled).
 */
export async function joinCoverageParts(
  database: Database,
  parentId: number,
  parameters: CoverageRunParameters,
  cellIds: readonly number[],
  hooks: CoverageJobHooks = {},
): Promise<Map<DistanceModel, CoverageResult>> {
  const parts = await partRuns(database, parentId)
  const bad = parts.find((p) => p.state === 'failed' || p.state === 'cancelled')
  if (bad) throw new PartFailedError(`part run ${bad.id} ${bad.state}${bad.error ? `: ${bad.error}` : ''}`)
  if (parts.length === 0 || parts.some((p) => p.state !== 'succeeded')) {
    throw new PartsIncompleteError(`run ${parentId}: not every part has succeeded yet`)
  }
  const rows = await database.rows<{ cell_ids: Uint8Array; results: Uint8Array; summary: unknown }>(
    sql`select cell_ids, results, summary from coverage_run_parts where parent_run_id = ${parentId} order by run_id`,
  )
  if (rows.length !== parts.length) {
    throw new PartsIncompleteError(`run ${parentId}: ${parts.length} parts but ${rows.length} results`)
  }
  const options = resolveCoverageOptions(hooks.coverageOptions ?? {})
  const n = cellIds.length
  const slot = new Map<number, number>()
  for (let i = 0; i < n; i++) slot.set(cellIds[i]!, i)
  const out = new Map<DistanceModel, CoverageResult>()
  for (const model of parameters.distanceModels) {
    out.set(model, {
      model,
      cellAccessM: null,
      unreachableCells: 0,
      types: parameters.rules.map(
        (rule): TypeCoverage => ({
          type: rule.type,
          radiusM: rule.radiusM,
          cutoffM: rule.radiusM * options.distanceCutoffFactor,
          covered: new Uint8Array(n),
          distanceM: new Float64Array(n).fill(Number.NaN),
          nearestFacilityId: new Float64Array(n).fill(Number.NaN),
          unreachableFacilityIds: [],
        }),
      ),
    })
  }
  const filled = new Uint8Array(n)
  for (const row of rows) {
    const ids = new Int32Array(copyBytes(row.cell_ids).buffer)
    const values = new Float64Array(copyBytes(row.results).buffer)
    const m = ids.length
    const summary = (typeof row.summary === 'string' ? JSON.parse(row.summary) : row.summary) as Record<
      string,
      { unreachableCells: number; unreachableFacilityIds: number[][] }
    >
    const at = Int32Array.from(ids, (id) => slot.get(id) ?? -1)
    for (let i = 0; i < m; i++) {
      if (at[i]! < 0) throw new PartsIncompleteError(`a part holds cell ${ids[i]}, which the region does not`)
      if (filled[at[i]!]) throw new PartsIncompleteError(`cell ${ids[i]} is in two parts`)
      filled[at[i]!] = 1
    }
    let step = 0
    for (const model of parameters.distanceModels) {
      const result = out.get(model)!
      const s = summary[model]
      result.unreachableCells += s?.unreachableCells ?? 0
      for (let r = 0; r < parameters.rules.length; r++) {
        const t = result.types[r]!
        const base = step * 2 * m
        for (let i = 0; i < m; i++) {
          const d = values[base + i]!
          if (Number.isNaN(d)) continue
          const k = at[i]!
          t.distanceM[k] = d
          t.nearestFacilityId[k] = values[base + m + i]!
          t.covered[k] = d <= t.radiusM ? 1 : 0
        }
        t.unreachableFacilityIds.push(...(s?.unreachableFacilityIds[r] ?? []))
        step++
      }
    }
  }
  const missing = filled.indexOf(0)
  if (missing >= 0) throw new PartsIncompleteError(`cell ${cellIds[missing]} is in no part`)
  for (const result of out.values()) {
    for (const t of result.types) t.unreachableFacilityIds.sort((a, b) => a - b)
  }
  return out
}

/** A part failed or was cancelled: the parent fails with it, retrying the join cannot help. */
export class PartFailedError extends UnrecoverableError {
  override name = 'PartFailedError'
}

/** Bytes from either driver in a fresh, aligned buffer (typed-array views need an aligned offset). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}
