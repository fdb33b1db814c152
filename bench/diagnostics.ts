import os from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { startCoverageRun } from '../jobs/coverage/job.ts'
import type { CoverageRunParameters } from '../jobs/coverage/parameters.ts'
import { getRun, type RunRow } from '../jobs/runs/rows.ts'
import { type Database, openDatabase } from '../server/db/client.ts'
import { loadSyntheticCity, postgresUrl, prepareSchema, withDatabase } from './database.ts'
import { type NaiveTimings, timeNaiveCoverage } from './diagnostics-naive.ts'
import { comparePgRouting, type PeerComparison } from './diagnostics-peer.ts'
import { startRunner } from './diagnostics-runner.ts'
import { SYNTHETIC_SIZES, type SyntheticSize } from './synthetic/city.ts'

/**
 * `npm run bench -- diagnostics --size S|M|L`: the full service-coverage diagnosis (every facility type with a
 * radius, both distance models) of a synthetic city, through the real processor and the in-process runner on a
 * real PostgreSQL, against the naive per-cell implementation of the same definition (`naiveCoverage`) and against
 * pgRouting computing the same walking coverage from the same tables (`--no-peer` leaves it out). Prints figures,
 * asserts nothing about time; the last line is one JSON object.
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
  /**
   * pgRouting from the tables to every type's walking-covered cells, seconds, and that over CityCheck's own time
   * for the same (`peerCitycheckS`: load, walk network and coverage, nothing cached); null with `--no-peer`.
   */
  peerS: number | null
  peerCitycheckS: number | null
  /** CityCheck's time again as a rerun after a facility change (the walk network from the cache). */
  peerCitycheckWarmS: number | null
  peerRatio: number | null
  /** Cell × type pairs both call covered or both uncovered, of `peerCompared`. */
  peerAgreeing: number | null
  peerCompared: number | null
  /** Part runs the diagnosis fanned out into (0: one piece). */
  parts: number
  /** Worker processes (BullMQ) that ran it; 0: the in-process runner. */
  workers: number
  /** Peak RSS of the largest worker process in MiB, when workers ran it; `workerPeakRssMBs` each worker's. */
  workerPeakRssMB: number | null
  workerPeakRssMBs: number[] | null
  /** The walk network's part of the run (`timingsMs.network`), and whether it was built or reused. */
  networkS: number
  walkNetwork: string | null
  /** Parts' own stages, summed over the parts (they run side by side on several workers); null in one piece. */
  partStagesS: { load: number; network: number; compute: number } | null
  cpus: number
  cpuModel: string
  totalMemGB: number
}

interface Options {
  size: SyntheticSize
  sample: number
  naive: boolean
  peer: boolean
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
      'no-peer': { type: 'boolean', default: false },
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
  return {
    size: size as SyntheticSize,
    sample,
    naive: !values['no-naive'],
    peer: !values['no-peer'],
    workers,
    partCells,
  }
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

/** Earlier benchmark runs would make the start request return the old succeeded run: remove them. */
async function forgetEarlierRuns(database: Database, regionCode: string): Promise<void> {
  await database.rows(sql`delete from coverage_gaps where region_code = ${regionCode}`)
  await database.rows(sql`delete from problems where source = 'diagnosis' and region_code = ${regionCode}`)
  await database.rows(
    sql`delete from diagnostic_runs where kind = 'coverage' and region_code = ${regionCode}`,
  )
  // A city's first diagnosis writes into tables without its earlier rows: left as dead tuples (autovacuum has
  // not come by between two bench runs) they cost the inserts up to half as much again, and varied run to run.
  await database.rows(
    sql`vacuum coverage_gaps, problems, diagnostic_runs, coverage_run_parts, coverage_gap_staging`,
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

interface Machine {
  cpus: number
  cpuModel: string
  totalMemGB: number
}

function describeMachine(): Machine {
  const cpus = os.cpus()
  const cpuModel = cpus[0]?.model ?? 'unknown'
  const totalMemGB = round(os.totalmem() / 2 ** 30, 1)
  log(`machine: ${cpus.length} CPUs (${cpuModel}), ${totalMemGB} GiB RAM, Node ${process.version}`)
  return { cpus: cpus.length, cpuModel, totalMemGB }
}

export async function runDiagnosticsBench(args: string[]): Promise<DiagnosticsBenchResult> {
  const options = parseOptions(args)
  const machine = describeMachine()
  const { database, regionCode, databaseUrl } = await prepareDatabase(postgresUrl(), options.size)
  try {
    const data = await counts(database, regionCode)
    log(
      `data: size ${options.size}, region ${regionCode}: ${data.buildings} buildings, ${data.cells} cells, ` +
        `${data.facilities} facilities, ${data.roads} roads`,
    )
    await forgetEarlierRuns(database, regionCode)
    await database.rows(sql`analyze`)
    const diagnosis = await runDiagnosis(database, databaseUrl, regionCode, options)
    const naive = options.naive
      ? await timeNaiveCoverage(database, data.like, diagnosis.parameters, options.sample, log)
      : { euclideanS: 0, networkS: 0, sampled: false, sampleCells: null }
    const peer = options.peer
      ? await comparePgRouting(database, data.like, diagnosis.srid, diagnosis.parameters, log)
      : null
    return resultOf(options, data, diagnosis, naive, peer, machine)
  } finally {
    await database.close()
  }
}

interface Diagnosis {
  parameters: CoverageRunParameters
  /** The metric CRS the run computed in. */
  srid: number
  wallS: number
  loadS: number
  computeS: number
  writeS: number
  parts: number
  peakRssMB: number
  workerPeakRssMBs: number[] | null
  networkS: number
  walkNetwork: string | null
  partStagesS: { load: number; network: number; compute: number } | null
}

/** The full diagnosis through the real start request and runner, timed from the request to success. */
async function runDiagnosis(
  database: Database,
  databaseUrl: string,
  regionCode: string,
  options: Options,
): Promise<Diagnosis> {
  const { runner, stop } = await startRunner(database, databaseUrl, options.workers, log)
  const rssBefore = process.memoryUsage().rss
  const t0 = performance.now()
  const { run: started } = await startCoverageRun(database, runner, {
    regionCode,
    requestedBy: 'bench',
    maxCellsPerPart: options.partCells,
  })
  const run = await waitForRun(database, started.id)
  const wallS = (performance.now() - t0) / 1000
  const workerPeakRssMBs = await stop()
  const { parts, partStagesS } = await partStages(database, run.id)
  const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1)
  const parameters = run.parameters as unknown as CoverageRunParameters
  const outputs = run.outputs as {
    gaps?: number
    inputs?: { srid?: number }
    timingsMs?: { load: number; network?: number; compute: number; write: number }
    walkNetwork?: string | null
  }
  const networkS = round((outputs.timingsMs?.network ?? 0) / 1000)
  const loadS = round((outputs.timingsMs?.load ?? 0) / 1000)
  const computeS = round((outputs.timingsMs?.compute ?? 0) / 1000)
  const writeS = round((outputs.timingsMs?.write ?? 0) / 1000)
  log(
    `full diagnosis (${parameters.rules.length} facility types × ${parameters.distanceModels.join(' + ')}): ` +
      `${round(wallS)} s wall (load ${loadS} s, walk network ${networkS} s ${outputs.walkNetwork ?? ''}, ` +
      `compute ${computeS} s, write ${writeS} s), ` +
      (partStagesS
        ? `parts' sums: load ${partStagesS.load} s, walk network ${partStagesS.network} s, compute ${partStagesS.compute} s, `
        : '') +
      `${outputs.gaps ?? 0} gaps, ${parts ? `${parts} parts` : 'one piece'}, ` +
      `${options.workers ? `${options.workers} worker processes (peak RSS ${workerPeakRssMBs?.join(', ')} MiB)` : 'in-process'}; RSS before ${round(rssBefore / 2 ** 20, 1)} MiB, peak ${peakRssMB} MiB`,
  )
  const srid = outputs.inputs?.srid
  if (!srid) throw new Error(`run ${run.id} does not say its metric CRS`)
  const walkNetwork = outputs.walkNetwork ?? null
  return {
    ...{ parameters, srid, wallS, loadS, computeS, writeS, parts, peakRssMB, workerPeakRssMBs },
    ...{ networkS, walkNetwork, partStagesS },
  }
}

/** How many parts the run fanned out into, and their stages summed. */
async function partStages(database: Database, runId: number) {
  const [row] = await database.rows<{ n: number; load: number; network: number; compute: number }>(sql`
    select count(*)::int as n, sum((outputs->'timingsMs'->>'load')::float8) / 1000 as load,
      sum((outputs->'timingsMs'->>'network')::float8) / 1000 as network,
      sum((outputs->'timingsMs'->>'compute')::float8) / 1000 as compute
    from diagnostic_runs where parent_id = ${runId}`)
  const parts = row?.n ?? 0
  const partStagesS = parts
    ? { load: round(row!.load), network: round(row!.network), compute: round(row!.compute) }
    : null
  return { parts, partStagesS }
}

function resultOf(
  options: Options,
  data: Awaited<ReturnType<typeof counts>>,
  diagnosis: Diagnosis,
  naive: NaiveTimings,
  peer: PeerComparison | null,
  machine: Machine,
): DiagnosticsBenchResult {
  const { wallS, computeS } = diagnosis
  const naiveWallS = naive.euclideanS + naive.networkS
  const speedup = naiveWallS > 0 ? naiveWallS / wallS : 0
  const computeSpeedup = naiveWallS > 0 && computeS > 0 ? naiveWallS / computeS : 0
  log(
    `naive total ${round(naiveWallS)} s${naive.sampled ? ' (network part extrapolated)' : ''}: ` +
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
    loadS: diagnosis.loadS,
    computeS,
    writeS: diagnosis.writeS,
    peakRssMB: diagnosis.peakRssMB,
    naiveWallS: round(naiveWallS),
    naiveEuclideanS: round(naive.euclideanS),
    naiveNetworkS: round(naive.networkS),
    naiveSampled: naive.sampled,
    naiveSampleCells: naive.sampleCells,
    speedup: round(speedup, 1),
    computeSpeedup: round(computeSpeedup, 1),
    facilityTypes: diagnosis.parameters.rules.length,
    peerS: peer && round(peer.peerS),
    peerCitycheckS: peer && round(peer.citycheckS),
    peerCitycheckWarmS: peer && round(peer.citycheckWarmS),
    peerRatio: peer && round(peer.peerRatio, 1),
    peerAgreeing: peer?.agreeing ?? null,
    peerCompared: peer?.compared ?? null,
    parts: diagnosis.parts,
    workers: options.workers,
    workerPeakRssMB: diagnosis.workerPeakRssMBs && Math.max(...diagnosis.workerPeakRssMBs),
    workerPeakRssMBs: diagnosis.workerPeakRssMBs,
    networkS: diagnosis.networkS,
    walkNetwork: diagnosis.walkNetwork,
    partStagesS: diagnosis.partStagesS,
    ...machine,
  }
}
