import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import {
  type DistanceModel,
  type FacilityRule,
  naiveCoverage,
  type PopulationCell,
} from '../jobs/coverage/engine/index.ts'
import { loadInputs } from '../jobs/coverage/inputs.ts'
import { startCoverageRun } from '../jobs/coverage/job.ts'
import type { CoverageRunParameters } from '../jobs/coverage/parameters.ts'
import { createProcessors } from '../jobs/processors.ts'
import { BullMqRunner } from '../jobs/runs/bullmq.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import { getRun, type RunRow } from '../jobs/runs/rows.ts'
import type { JobRunner } from '../jobs/runs/types.ts'
import { PROJECT_ROOT } from '../server/config.ts'
import { type Database, openDatabase } from '../server/db/client.ts'
import { loadSyntheticCity, postgresUrl, prepareSchema, withDatabase } from './database.ts'
import { SYNTHETIC_SIZES, type SyntheticSize } from './synthetic/city.ts'

/**
 * `npm run bench -- diagnostics --size S|M|L`: the full service-coverage diagnosis (every facility type with a
 * radius, both distance models) of a synthetic city, through the real processor and the in-process runner on a
 * real PostgreSQL, against the naive per-cell implementation of the same definition (`naiveCoverage`). Prints
 * figures, asserts nothing about time; the last line is one JSON object.
 */

const SEED = 1

export interface DiagnosticsBenchResult {
  bench: 'diagnostics'
  size: SyntheticSize
  buildings: number
  cells: number
  facilities: number
  roads: number
  /** Wall time of the run, from the start request until the run row says succeeded. */
  wallS: number
  /** The run's own timings (load, compute, write) in seconds. */
  loadS: number
  computeS: number
  writeS: number
  /** `process.resourceUsage().maxRSS` after the run, in MiB (the whole process, including the runner). */
  peakRssMB: number
  /**
   * Naive coverage (all types, both models), CPU seconds of compute only; the network part extrapolated from a
   * sample of cells when `naiveSampled`.
   */
  naiveWallS: number
  naiveEuclideanS: number
  naiveNetworkS: number
  naiveSampled: boolean
  naiveSampleCells: number | null
  /** naiveWallS / wallS: the naive compute alone against the whole run (load + compute + write). */
  speedup: number
  /** naiveWallS / computeS: like against like. */
  computeSpeedup: number
  facilityTypes: number
  /** Part runs the diagnosis fanned out into (0: one piece). */
  parts: number
  /** Worker processes (BullMQ) that ran it; 0: the in-process runner. */
  workers: number
  /** Peak RSS of the largest worker process in MiB, when workers ran it. */
  workerPeakRssMB: number | null
  cpus: number
  cpuModel: string
  totalMemGB: number
}

interface Options {
  size: SyntheticSize
  sample: number
  naive: boolean
  workers: number
  partCells: number | null
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: 'string', default: 'S' },
      sample: { type: 'string', default: '200' },
      'no-naive': { type: 'boolean', default: false },
      workers: { type: 'string', default: '0' },
      'part-cells': { type: 'string' },
    },
  })
  const size = String(values.size).toUpperCase()
  if (!(size in SYNTHETIC_SIZES)) throw new RangeError(`--size must be S, M or L, got "${values.size}"`)
  const sample = Number(values.sample)
  if (!(Number.isInteger(sample) && sample >= 8)) throw new RangeError('--sample must be an integer ≥ 8')
  const workers = Number(values.workers)
  if (!(Number.isInteger(workers) && workers >= 0)) throw new RangeError('--workers must be an integer ≥ 0')
  const partCells = values['part-cells'] === undefined ? null : Number(values['part-cells'])
  if (partCells !== null && !(Number.isInteger(partCells) && partCells >= 1)) {
    throw new RangeError('--part-cells must be a positive integer')
  }
  return { size: size as SyntheticSize, sample, naive: !values['no-naive'], workers, partCells }
}

const log = (line: string) => console.log(`bench diagnostics: ${line}`)
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

/** The size's own database, created when missing; the synthetic city is generated once and reused. */
async function prepareDatabase(
  url: string,
  size: SyntheticSize,
): Promise<{ database: Database; regionCode: string; databaseUrl: string }> {
  const name = `citycheck_bench_diagnostics_${size.toLowerCase()}`
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await admin.connect()
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name])
    if (!found.rowCount) {
      log(`creating database ${name}`)
      await admin.query(`create database ${name}`)
    }
  } finally {
    await admin.end()
  }
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 })
  await prepareSchema(database)
  const [existing] = await database.rows<{ id: number; region_code: string }>(sql`
    select id, region_code from datasets
    where kind = 'synthetic' and parameters->>'size' = ${size} and (parameters->>'seed')::int = ${SEED}
    order by id desc limit 1`)
  if (existing) {
    log(`reusing synthetic city ${size} (seed ${SEED}, dataset ${existing.id}) in database ${name}`)
    return { database, regionCode: existing.region_code, databaseUrl: withDatabase(url, name) }
  }
  log(`generating synthetic city ${size} (seed ${SEED}) into database ${name}…`)
  const result = await loadSyntheticCity(database, size, SEED, log)
  return { database, regionCode: result.regionCode, databaseUrl: withDatabase(url, name) }
}

async function counts(database: Database, regionCode: string) {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${regionCode}`,
  )
  const like = `${region?.prefix ?? regionCode}%`
  const [row] = await database.rows<{
    buildings: number
    cells: number
    facilities: number
    roads: number
  }>(sql`
    select (select count(*)::int from buildings where region_code like ${like}) as buildings,
      (select count(*)::int from population_cells where region_code like ${like}) as cells,
      (select count(*)::int from facilities where region_code like ${like}) as facilities,
      (select count(*)::int from roads where region_code like ${like}) as roads`)
  return { like, ...(row ?? { buildings: 0, cells: 0, facilities: 0, roads: 0 }) }
}

/**
 * The in-process runner, or a BullMQ queue with `workers` worker processes (`jobs/worker.ts`, as `npm run worker`
 * starts them) on REDIS_URL. `stop` closes them and returns the largest worker's peak RSS in MiB.
 */
async function startRunner(
  database: Database,
  databaseUrl: string,
  workers: number,
): Promise<{ runner: JobRunner; stop: () => Promise<number | null> }> {
  if (workers === 0) {
    const runner = new InProcessRunner(database, createProcessors(), { maxAttempts: 1 })
    const stop = async () => {
      await runner.close()
      return null
    }
    return { runner, stop }
  }
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) throw new Error('--workers needs REDIS_URL (npm run services prints one)')
  const queueName = `bench-diagnostics-${process.pid}`
  const runner = new BullMqRunner({ redisUrl, queueName })
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'jobs/worker.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CITYCHECK_QUEUE: queueName },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let out = ''
          child.stdout?.on('data', (chunk) => {
            out += chunk
            if (out.includes('listening')) resolve()
          })
          child.on('exit', (code) => reject(new Error(`a worker exited with ${code} before listening`)))
        }),
    ),
  )
  log(`${workers} worker processes listening on ${queueName}`)
  return {
    runner,
    stop: async () => {
      // VmHWM: the peak resident set of each worker, read before it exits.
      const peaks = children.map((child) => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
          return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
        } catch {
          return 0
        }
      })
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once('exit', () => resolve())
              child.kill('SIGTERM')
            }),
        ),
      )
      await runner.queue.obliterate({ force: true })
      await runner.close()
      return round(Math.max(...peaks), 1)
    },
  }
}

/** Earlier benchmark runs would make the start request return the old succeeded run: remove them. */
async function forgetEarlierRuns(database: Database, regionCode: string): Promise<void> {
  await database.rows(sql`delete from coverage_gaps where region_code = ${regionCode}`)
  await database.rows(sql`delete from problems where source = 'diagnosis' and region_code = ${regionCode}`)
  await database.rows(
    sql`delete from diagnostic_runs where kind = 'coverage' and region_code = ${regionCode}`,
  )
}

async function waitForRun(database: Database, runId: number): Promise<RunRow> {
  for (;;) {
    const run = await getRun(database, runId)
    if (!run) throw new Error(`run ${runId} vanished`)
    if (run.state === 'succeeded') return run
    if (run.state === 'failed' || run.state === 'cancelled') {
      throw new Error(`run ${runId} ${run.state}: ${run.error ?? ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
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

export async function runDiagnosticsBench(args: string[]): Promise<DiagnosticsBenchResult> {
  const options = parseOptions(args)
  const cpus = os.cpus()
  const cpuModel = cpus[0]?.model ?? 'unknown'
  const totalMemGB = round(os.totalmem() / 2 ** 30, 1)
  log(`machine: ${cpus.length} CPUs (${cpuModel}), ${totalMemGB} GiB RAM, Node ${process.version}`)

  const { database, regionCode, databaseUrl } = await prepareDatabase(postgresUrl(), options.size)
  try {
    const data = await counts(database, regionCode)
    log(
      `data: size ${options.size}, region ${regionCode}: ${data.buildings} buildings, ${data.cells} cells, ` +
        `${data.facilities} facilities, ${data.roads} roads`,
    )
    await forgetEarlierRuns(database, regionCode)
    await database.rows(sql`analyze`)

    const { runner, stop } = await startRunner(database, databaseUrl, options.workers)
    const rssBefore = process.memoryUsage().rss
    const t0 = performance.now()
    const { run: started } = await startCoverageRun(database, runner, {
      regionCode,
      requestedBy: 'bench',
      maxCellsPerPart: options.partCells,
    })
    const run = await waitForRun(database, started.id)
    const wallS = (performance.now() - t0) / 1000
    const workerPeakRssMB = await stop()
    const [partCount] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from diagnostic_runs where parent_id = ${run.id}`,
    )
    const parts = partCount?.n ?? 0
    const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1)
    const parameters = run.parameters as unknown as CoverageRunParameters
    const timings = (run.outputs as { timingsMs?: { load: number; compute: number; write: number } })
      .timingsMs
    const loadS = round((timings?.load ?? 0) / 1000)
    const computeS = round((timings?.compute ?? 0) / 1000)
    const writeS = round((timings?.write ?? 0) / 1000)
    const outputs = run.outputs as { gaps?: number }
    log(
      `full diagnosis (${parameters.rules.length} facility types × ${parameters.distanceModels.join(' + ')}): ` +
        `${round(wallS)} s wall (load ${loadS} s, compute ${computeS} s, write ${writeS} s), ` +
        `${outputs.gaps ?? 0} gaps, ${parts ? `${parts} parts` : 'one piece'}, ` +
        `${options.workers ? `${options.workers} worker processes (peak RSS ${workerPeakRssMB} MiB)` : 'in-process'}; RSS before ${round(rssBefore / 2 ** 20, 1)} MiB, peak ${peakRssMB} MiB`,
    )

    let naiveEuclideanS = 0
    let naiveNetworkS = 0
    let naiveSampled = false
    let naiveSampleCells: number | null = null
    if (options.naive) {
      const [srid] = await database.rows<{ srid: number }>(
        sql`select min(metric_srid)::int as srid from population_cells where region_code like ${data.like}`,
      )
      const types = parameters.rules.map((r) => r.type)
      const inputs = await loadInputs(database, data.like, srid?.srid ?? 0, types, true)
      const rules: FacilityRule[] = parameters.rules
      const common = (model: DistanceModel) => ({
        facilities: inputs.facilities,
        roads: inputs.roads,
        rules,
        model,
        facilityTypes: types,
      })
      naiveEuclideanS = timeNaive(inputs.cells, common('euclidean'))
      log(`naive euclidean (every cell × every facility): ${round(naiveEuclideanS)} s CPU`)

      const n = Math.min(options.sample, inputs.cells.length)
      if (n === inputs.cells.length) {
        naiveNetworkS = timeNaive(inputs.cells, common('network'))
        log(`naive network (one Dijkstra per cell, all ${n} cells): ${round(naiveNetworkS)} s CPU`)
      } else {
        // Fixed part (graph, brute-force facility snaps) + per-cell part, separated by timing two sample sizes.
        const small = Math.max(4, Math.floor(n / 4))
        const sample = sampleCells(inputs.cells, n)
        const tSmall = timeNaive(sample.slice(0, small), common('network'))
        const tFull = timeNaive(sample, common('network'))
        const perCell = Math.max(0, (tFull - tSmall) / (n - small))
        const fixed = Math.max(0, tFull - perCell * n)
        naiveNetworkS = fixed + perCell * inputs.cells.length
        naiveSampled = true
        naiveSampleCells = n
        log(
          `naive network (one Dijkstra per cell): SAMPLED ${n} of ${inputs.cells.length} cells at random ` +
            `(${round(tFull)} s CPU; ${small} cells: ${round(tSmall)} s) → fixed ${round(fixed)} s + ` +
            `${round(perCell * 1000)} ms/cell, extrapolated linearly to ${round(naiveNetworkS)} s for all cells`,
        )
      }
    }
    const naiveWallS = naiveEuclideanS + naiveNetworkS
    const speedup = naiveWallS > 0 ? naiveWallS / wallS : 0
    const computeSpeedup = naiveWallS > 0 && computeS > 0 ? naiveWallS / computeS : 0
    log(
      `naive total ${round(naiveWallS)} s${naiveSampled ? ' (network part extrapolated)' : ''}: ` +
        `${round(speedup, 1)}× the whole run, ${round(computeSpeedup, 1)}× its compute`,
    )
    return {
      bench: 'diagnostics',
      size: options.size,
      buildings: data.buildings,
      cells: data.cells,
      facilities: data.facilities,
      roads: data.roads,
      wallS: round(wallS),
      loadS,
      computeS,
      writeS,
      peakRssMB,
      naiveWallS: round(naiveWallS),
      naiveEuclideanS: round(naiveEuclideanS),
      naiveNetworkS: round(naiveNetworkS),
      naiveSampled,
      naiveSampleCells,
      speedup: round(speedup, 1),
      computeSpeedup: round(computeSpeedup, 1),
      facilityTypes: parameters.rules.length,
      parts,
      workers: options.workers,
      workerPeakRssMB,
      cpus: cpus.length,
      cpuModel,
      totalMemGB,
    }
  } finally {
    await database.close()
  }
}
