/** The naive per-cell coverage (`naiveCoverage`) of the benchmark's diagnosis, timed in CPU seconds. */

import { sql } from 'drizzle-orm'
import { type DistanceModel, naiveCoverage, type PopulationCell } from '../jobs/coverage/engine/index.ts'
import { loadInputs } from '../jobs/coverage/inputs.ts'
import type { CoverageRunParameters } from '../jobs/coverage/parameters.ts'
import type { Database } from '../server/db/client.ts'

export interface NaiveTimings {
  euclideanS: number
  /** Extrapolated from a sample of cells when `sampled`. */
  networkS: number
  sampled: boolean
  sampleCells: number | null
}

const round = (x: number) => Math.round(x * 1000) / 1000

/**
 * Both distance models, naively, over the cells of the region (`like`: its code prefix pattern). The network
 * model is timed on `sample` cells and extrapolated when the region has more.
 */
export async function timeNaiveCoverage(
  database: Database,
  like: string,
  parameters: CoverageRunParameters,
  sample: number,
  log: (line: string) => void,
): Promise<NaiveTimings> {
  const [srid] = await database.rows<{ srid: number }>(
    sql`select min(metric_srid)::int as srid from population_cells where region_code like ${like}`,
  )
  const types = parameters.rules.map((r) => r.type)
  const inputs = await loadInputs(database, like, srid?.srid ?? 0, types, true)
  const common = (model: DistanceModel) => ({
    facilities: inputs.facilities,
    roads: inputs.roads,
    rules: parameters.rules,
    model,
    facilityTypes: types,
  })
  const euclideanS = timeNaive(inputs.cells, common('euclidean'))
  log(`naive euclidean (every cell × every facility): ${round(euclideanS)} s CPU`)

  const n = Math.min(sample, inputs.cells.length)
  if (n === inputs.cells.length) {
    const networkS = timeNaive(inputs.cells, common('network'))
    log(`naive network (one Dijkstra per cell, all ${n} cells): ${round(networkS)} s CPU`)
    return { euclideanS, networkS, sampled: false, sampleCells: null }
  }
  // Fixed part (graph, brute-force facility snaps) + per-cell part, separated by timing two sample sizes.
  const small = Math.max(4, Math.floor(n / 4))
  const cells = sampleCells(inputs.cells, n)
  const tSmall = timeNaive(cells.slice(0, small), common('network'))
  const tFull = timeNaive(cells, common('network'))
  const perCell = Math.max(0, (tFull - tSmall) / (n - small))
  const fixed = Math.max(0, tFull - perCell * n)
  const networkS = fixed + perCell * inputs.cells.length
  log(
    `naive network (one Dijkstra per cell): SAMPLED ${n} of ${inputs.cells.length} cells at random ` +
      `(${round(tFull)} s CPU; ${small} cells: ${round(tSmall)} s) → fixed ${round(fixed)} s + ` +
      `${round(perCell * 1000)} ms/cell, extrapolated linearly to ${round(networkS)} s for all cells`,
  )
  return { euclideanS, networkS, sampled: true, sampleCells: n }
}

/** Deterministic sample of `n` distinct cells (a fixed-seed shuffle), in input order. */
function sampleCells(cells: readonly PopulationCell[], n: number): PopulationCell[] {
  const indices = Array.from(cells, (_, i) => i)
  let state = 0x9e3779b9
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    return state / 2 ** 32
  }
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = indices[i]!
    indices[i] = indices[j]!
    indices[j] = t
  }
  return indices
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => cells[i]!)
}

/**
 * Seconds of CPU time (user + system) of one naive call. The naive code is synchronous and single-threaded, so
 * this is its compute time, and unlike wall time it does not grow when other processes share the machine — the
 * sampled estimate subtracts two such timings and would drown in that noise otherwise.
 */
function timeNaive(
  cells: readonly PopulationCell[],
  input: Omit<Parameters<typeof naiveCoverage>[0], 'cells'>,
): number {
  const before = process.cpuUsage()
  naiveCoverage({ ...input, cells })
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1e6
}
