import { sql } from 'drizzle-orm'
import type { Database } from '../../../server/db/client.ts'
import { updateAndNotify } from '../../runs/events.ts'
import { getRun, lockRunningRun, markRunSucceeded, type RunRow, unfinishedRun } from '../../runs/rows.ts'
import type { JobContext } from '../../runs/types.ts'
import { isCancelled } from '../compute.ts'
import {
  CoverageInputError,
  type CoverageResult,
  computeCoverage,
  type PopulationCell,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
} from '../engine/index.ts'
import { CoverageJobInputError, PartParametersError } from '../errors.ts'
import type { CoverageJobHooks } from '../hooks.ts'
import { type CoverageInputs, loadInputs, runRegionLike } from '../inputs.ts'
import type { CoverageRunParameters } from '../parameters.ts'
import { walkNetworkOfRun } from '../walk-network-cache.ts'
import type { CoveragePartParameters } from './fan-out.ts'
import { inRect, type Rect } from './split.ts'

/** What a part stores per distance model beside its arrays; the join adds these up. */
export type PartSummary = Record<string, { unreachableCells: number; unreachableFacilityIds: number[][] }>

/** A part's run row with its parameters and its parent's. */
interface PartRun {
  run: RunRow
  part: CoveragePartParameters
  parameters: CoverageRunParameters
}

/**
 * Computes one part: nearest facility and distance per model × type for the cells in its rectangle (the walk
 * network of the roads within reach from the cache when a recent run built it), stored in
 * `coverage_run_parts` with the part's success and the parent's progress in one transaction.
 */
export async function processCoveragePart(
  database: Database,
  context: JobContext,
  hooks: CoverageJobHooks = {},
): Promise<void> {
  const partRun = await readPartRun(database, context.runId)
  if (!partRun) return
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0
    where id = ${context.runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return

  const t0 = performance.now()
  const { inputs, cells, reach } = await loadPartInputs(database, partRun)
  const loadMs = performance.now() - t0
  const walk = partRun.parameters.distanceModels.includes('network')
    ? await walkNetworkOfRun(
        database,
        { like: inputs.like, srid: partRun.part.srid, reach },
        cells,
        hooks.coverageOptions,
      )
    : null
  const t1 = performance.now()
  const computed = await computePart(database, context, partRun, { ...inputs, cells }, walk?.network, hooks)
  if (!computed) return
  const computeMs = performance.now() - t1
  const outputs = {
    inputs: {
      cells: cells.length,
      facilities: inputs.facilities.length,
      roads: walk?.roads ?? 0,
      srid: partRun.part.srid,
    },
    timingsMs: { load: loadMs, network: walk?.ms ?? 0, compute: computeMs },
    walkNetwork: walk ? (walk.reused ? 'reused' : 'built') : null,
  }
  await writePart(database, context, partRun.run, cells, computed, outputs, hooks)
}

/** The part's row and parameters, or null when it is finished already. */
async function readPartRun(database: Database, runId: number): Promise<PartRun | null> {
  const run = await unfinishedRun(database, runId)
  if (!run) return null
  const part = run.parameters as unknown as CoveragePartParameters
  const parent = run.parentId === null ? null : await getRun(database, run.parentId)
  if (!parent || !Array.isArray(part.rect)) {
    throw new PartParametersError(`diagnostic run ${runId} is not a part of a coverage run`)
  }
  return { run, part, parameters: parent.parameters as unknown as CoverageRunParameters }
}

/** The region's inputs within reach of the part's rectangle, and the cells whose centre lies inside it. */
async function loadPartInputs(
  database: Database,
  { run, part, parameters }: PartRun,
): Promise<{ inputs: CoverageInputs & { like: string }; cells: PopulationCell[]; reach: Rect }> {
  const like = await runRegionLike(database, run)
  const types = parameters.rules.map((r) => r.type)
  const [x0, y0, x1, y1] = part.rect
  const reach: Rect = [x0 - part.reachM, y0 - part.reachM, x1 + part.reachM, y1 + part.reachM]
  const inputs = await loadInputs(database, like, part.srid, types, false, { cells: part.rect, reach })
  return {
    inputs: { ...inputs, like },
    cells: inputs.cells.filter((c) => inRect(part.rect, c.x, c.y)),
    reach,
  }
}

/**
 * Distance to and id of the nearest facility per model × type and cell, as one array (`2n` values per step:
 * distances, then ids); null when the part stopped running meanwhile.
 */
async function computePart(
  database: Database,
  context: JobContext,
  { part, parameters }: PartRun,
  inputs: CoverageInputs,
  prepared: PreparedWalkNetwork | undefined,
  hooks: CoverageJobHooks,
): Promise<{ results: Float64Array; summary: PartSummary } | null> {
  const { runId } = context
  const types = parameters.rules.map((r) => r.type)
  const n = inputs.cells.length
  const steps = parameters.distanceModels.length * parameters.rules.length
  const results = new Float64Array(steps * 2 * n)
  const summary: PartSummary = {}
  const facilityById = new Map(inputs.facilities.map((f) => [f.id, f]))
  // Each facility is reported by the one part whose rectangle holds it.
  const ownFacility = (id: number) => {
    const f = facilityById.get(id)
    return f !== undefined && inRect(part.rect, f.x, f.y)
  }
  let step = 0
  let network = prepared
  for (const model of parameters.distanceModels) {
    if (await isCancelled(database, runId)) return null
    let coverage: CoverageResult
    try {
      const input = { ...inputs, rules: parameters.rules, model, facilityTypes: types }
      if (model === 'network')
        network ??= prepareWalkNetwork(inputs.cells, inputs.roads, hooks.coverageOptions)
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
      unreachable.push(t.unreachableFacilityIds.filter(ownFacility))
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
  return { results, summary }
}

/** The part's arrays, its success and its parent's progress, in one transaction. */
async function writePart(
  database: Database,
  context: JobContext,
  run: RunRow,
  cells: readonly PopulationCell[],
  computed: { results: Float64Array; summary: PartSummary },
  outputs: unknown,
  hooks: CoverageJobHooks,
): Promise<void> {
  const cellIds = Buffer.from(Int32Array.from(cells, (c) => c.id).buffer)
  const payload = Buffer.from(computed.results.buffer)
  await database.db.transaction(async (tx) => {
    // The parent too: its progress is updated below.
    if (!(await lockRunningRun(tx, run.id, run.parentId === null ? [] : [run.parentId]))) return
    await tx.execute(sql`
      insert into coverage_run_parts (run_id, parent_run_id, cell_ids, results, summary)
      values (${run.id}, ${run.parentId}, ${cellIds}, ${payload}, ${JSON.stringify(computed.summary)}::jsonb)
      on conflict (run_id) do update set cell_ids = excluded.cell_ids, results = excluded.results,
        summary = excluded.summary, created_at = now()`)
    await markRunSucceeded(tx, run.id, outputs)
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
