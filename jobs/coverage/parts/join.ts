import { sql } from 'drizzle-orm'
import type { Database } from '../../../server/db/client.ts'
import {
  type CoverageResult,
  type DistanceModel,
  resolveCoverageOptions,
  type TypeCoverage,
} from '../engine/index.ts'
import { PartFailedError, PartsIncompleteError } from '../errors.ts'
import type { CoverageJobHooks } from '../hooks.ts'
import type { CoverageRunParameters } from '../parameters.ts'
import { partRuns } from './fan-out.ts'
import type { PartSummary } from './part.ts'

export interface PartRow {
  cell_ids: Uint8Array
  results: Uint8Array
  summary: unknown
}

/**
 * The coverage of every cell of the region per model, assembled from the parts' results (`readPartResults`) in
 * `cellIds` order. The rest of the diagnosis (blind spots across part borders, capacity, ranking) runs on it as on
 * a run in one piece.
 *
 * @throws PartsIncompleteError
 */
export function joinCoverageParts(
  rows: readonly PartRow[],
  parameters: CoverageRunParameters,
  cellIds: readonly number[],
  hooks: CoverageJobHooks = {},
): Map<DistanceModel, CoverageResult> {
  const cutoffFactor = resolveCoverageOptions(hooks.coverageOptions ?? {}).distanceCutoffFactor
  const n = cellIds.length
  const slot = new Map<number, number>()
  for (let i = 0; i < n; i++) slot.set(cellIds[i]!, i)
  const out = emptyJoin(parameters, n, cutoffFactor)
  const filled = new Uint8Array(n)
  for (const row of rows) {
    const ids = new Int32Array(copyBytes(row.cell_ids).buffer)
    const at = Int32Array.from(ids, (id) => slot.get(id) ?? -1)
    for (let i = 0; i < ids.length; i++) {
      if (at[i]! < 0) throw new PartsIncompleteError(`a part holds cell ${ids[i]}, which the region does not`)
      if (filled[at[i]!]) throw new PartsIncompleteError(`cell ${ids[i]} is in two parts`)
      filled[at[i]!] = 1
    }
    fillFromPart(out, parameters, at, row)
  }
  const missing = filled.indexOf(0)
  if (missing >= 0) throw new PartsIncompleteError(`cell ${cellIds[missing]} is in no part`)
  for (const result of out.values()) {
    for (const t of result.types) t.unreachableFacilityIds.sort((a, b) => a - b)
  }
  return out
}

/**
 * Every part's stored result, once every part has succeeded.
 *
 * @throws PartsIncompleteError, or PartFailedError (an UnrecoverableError) when a part failed or was cancelled.
 */
export async function readPartResults(database: Database, parentId: number): Promise<PartRow[]> {
  const parts = await partRuns(database, parentId)
  const bad = parts.find((p) => p.state === 'failed' || p.state === 'cancelled')
  if (bad) throw new PartFailedError(`part run ${bad.id} ${bad.state}${bad.error ? `: ${bad.error}` : ''}`)
  if (parts.length === 0 || parts.some((p) => p.state !== 'succeeded')) {
    throw new PartsIncompleteError(`run ${parentId}: not every part has succeeded yet`)
  }
  const rows = await database.rows<PartRow>(
    sql`select cell_ids, results, summary from coverage_run_parts where parent_run_id = ${parentId} order by run_id`,
  )
  if (rows.length !== parts.length) {
    throw new PartsIncompleteError(`run ${parentId}: ${parts.length} parts but ${rows.length} results`)
  }
  return rows
}

/** Per model, every type with no cell covered and no facility found yet. */
function emptyJoin(
  parameters: CoverageRunParameters,
  n: number,
  cutoffFactor: number,
): Map<DistanceModel, CoverageResult> {
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
          cutoffM: rule.radiusM * cutoffFactor,
          covered: new Uint8Array(n),
          distanceM: new Float64Array(n).fill(Number.NaN),
          nearestFacilityId: new Float64Array(n).fill(Number.NaN),
          unreachableFacilityIds: [],
        }),
      ),
    })
  }
  return out
}

/** Copies one part's distances and facility ids into the joined arrays at the slots `at` of its cells. */
function fillFromPart(
  out: Map<DistanceModel, CoverageResult>,
  parameters: CoverageRunParameters,
  at: Int32Array,
  row: PartRow,
): void {
  const values = new Float64Array(copyBytes(row.results).buffer)
  const m = at.length
  const summary = (typeof row.summary === 'string' ? JSON.parse(row.summary) : row.summary) as PartSummary
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

/** Bytes from either driver in a fresh, aligned buffer (typed-array views need an aligned offset). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}
