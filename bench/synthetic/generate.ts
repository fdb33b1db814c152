/**
 * Writes a synthetic city into the database in one transaction, in batches of whole blocks (`BatchWriter`).
 */

import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { FacilityType } from '../../server/db/facilities.ts'
import { BatchWriter, type Executor, rowsOf } from './batch-writer.ts'
import { SyntheticCity, type SyntheticCityOptions } from './city.ts'
import type {
  SyntheticBlock,
  SyntheticBlockChunk,
  SyntheticBuilding,
  SyntheticCompound,
  SyntheticFacility,
  SyntheticRoad,
} from './rows.ts'

export interface GenerateSyntheticCityOptions extends SyntheticCityOptions {
  /** Rows per INSERT statement. @defaultValue 10000 */
  batchRows?: number
  /** Called after every batch and at the end of each phase. */
  onProgress?: (progress: SyntheticProgress) => void
  /** ANALYZE the written tables afterwards, so query plans see the new rows at once. @defaultValue true */
  analyze?: boolean
  /** Name of the dataset row. @defaultValue `合成城市 <size> · <city> (seed <seed>) / synthetic city` */
  name?: string
}

export interface SyntheticProgress {
  phase: 'blocks' | 'streets' | 'cells' | 'analyze' | 'done'
  buildings: number
  targetBuildings: number
  rows: number
  seconds: number
}

export interface SyntheticCityResult {
  datasetId: number
  /** The city (or district) region the city is filed under; rows carry its district and street codes. */
  regionCode: string
  buildings: number
  compounds: number
  blocks: number
  facilities: number
  roads: number
  cells: number
  residents: number
  seconds: number
}

export class MissingRegionsError extends Error {
  override name = 'MissingRegionsError'
}

interface Batch {
  blocks: SyntheticBlock[]
  compounds: SyntheticCompound[]
  buildings: SyntheticBuilding[]
  facilities: SyntheticFacility[]
  footways: SyntheticRoad[]
}

const emptyBatch = (): Batch => ({ blocks: [], compounds: [], buildings: [], facilities: [], footways: [] })

/** Rows written so far, told to `onProgress`. */
class Tally {
  readonly counts = { blocks: 0, compounds: 0, buildings: 0, facilities: 0, roads: 0, cells: 0 }
  readonly facilityTypes: Partial<Record<FacilityType, number>> = {}
  rows = 0

  constructor(
    private readonly started: number,
    private readonly targetBuildings: number,
    private readonly onProgress: GenerateSyntheticCityOptions['onProgress'],
  ) {}

  seconds(): number {
    return Math.round(performance.now() - this.started) / 1000
  }

  progress(phase: SyntheticProgress['phase']): void {
    this.onProgress?.({
      phase,
      buildings: this.counts.buildings,
      targetBuildings: this.targetBuildings,
      rows: this.rows,
      seconds: this.seconds(),
    })
  }
}

/**
 * Generates a synthetic city (see `SyntheticCity`) and writes it under a new `datasets` row of kind
 * 'synthetic' whose parameters say how to regenerate it. Nothing is written if anything fails.
 */
export async function generateSyntheticCity(
  database: Database,
  options: GenerateSyntheticCityOptions = {},
): Promise<SyntheticCityResult> {
  const started = performance.now()
  const city = new SyntheticCity(options)
  const batchRows = options.batchRows ?? 10_000
  const tally = new Tally(started, city.plan.targetBuildings, options.onProgress)
  await checkRegions(database, city)

  const datasetId = await database.db.transaction(async (tx) => {
    const id = await insertDataset(tx, city, options.name)
    const writer = new BatchWriter(tx, id, batchRows)
    await writeBlocks(city, writer, tally, batchRows)
    await writeStreetsAndCells(city, writer, tally, batchRows)
    const { counts, facilityTypes } = tally
    const report = { ...counts, residents: city.counts.residents, facilityTypes, seconds: tally.seconds() }
    await tx.execute(sql`update datasets set report = ${JSON.stringify(report)}::jsonb where id = ${id}`)
    return id
  })

  if (options.analyze ?? true) {
    tally.progress('analyze')
    for (const table of ['blocks', 'compounds', 'buildings', 'facilities', 'roads', 'population_cells']) {
      await database.db.execute(sql.raw(`analyze ${table}`))
    }
  }
  const result: SyntheticCityResult = {
    datasetId,
    regionCode: city.plan.regionCode,
    ...tally.counts,
    residents: city.counts.residents,
    seconds: tally.seconds(),
  }
  tally.progress('done')
  return result
}

async function insertDataset(tx: Executor, city: SyntheticCity, name: string | undefined): Promise<number> {
  const plan = city.plan
  const [dataset] = await rowsOf<{ id: number }>(
    tx,
    sql`insert into datasets (name, kind, region_code, method, parameters, licence)
      values (${name ?? `合成城市 ${plan.size} · ${plan.cityName} (seed ${plan.seed}) / synthetic city`},
        'synthetic', ${plan.regionCode}, 'citycheck-synthetic',
        ${JSON.stringify(city.datasetParameters())}::jsonb, 'synthetic data, no licence restrictions')
      returning id`,
  )
  if (!dataset) throw new Error('insert into datasets returned no row')
  return dataset.id
}

/**
 * The blocks with their compounds, buildings, facilities and footpaths. Batches are written while the next one
 * is generated: the database works while JavaScript computes. A batch holds whole blocks, so every compound's
 * block and every building's compound is in it.
 */
async function writeBlocks(city: SyntheticCity, writer: BatchWriter, tally: Tally, batchRows: number) {
  let inflight: Promise<void> = Promise.resolve()
  let failure: unknown
  const schedule = async (batch: Batch) => {
    await inflight
    inflight = writeBatch(writer, batch, tally)
    // Marked as handled here; the error surfaces at the next await of `inflight`.
    inflight.catch((error: unknown) => {
      failure = error
    })
  }
  let batch = emptyBatch()
  let chunks = 0
  for (const chunk of city.blocks()) {
    if (failure) break
    // Let the driver read results and send the batch's next statement between blocks.
    if (++chunks % 8 === 0) await yieldToEventLoop()
    addChunk(batch, chunk, tally)
    const size = Math.max(batch.buildings.length, batch.footways.length, batch.facilities.length)
    if (size >= batchRows) {
      await schedule(batch)
      batch = emptyBatch()
    }
  }
  await schedule(batch)
  await inflight
}

function addChunk(batch: Batch, chunk: SyntheticBlockChunk, tally: Tally): void {
  batch.blocks.push(chunk.block)
  for (const c of chunk.compounds) batch.compounds.push(c)
  for (const b of chunk.buildings) batch.buildings.push(b)
  for (const f of chunk.facilities) {
    batch.facilities.push(f)
    tally.facilityTypes[f.type] = (tally.facilityTypes[f.type] ?? 0) + 1
  }
  for (const r of chunk.footways) batch.footways.push(r)
}

async function writeBatch(writer: BatchWriter, batch: Batch, tally: Tally): Promise<void> {
  const blockIds = await writer.blocks(batch.blocks)
  const compoundIds = await writer.compounds(batch.compounds, blockIds)
  await writer.buildings(batch.buildings, blockIds, compoundIds)
  await writer.facilities(batch.facilities)
  await writer.roads(batch.footways)
  const { counts } = tally
  counts.blocks += batch.blocks.length
  counts.compounds += batch.compounds.length
  counts.buildings += batch.buildings.length
  counts.facilities += batch.facilities.length
  counts.roads += batch.footways.length
  tally.rows += batch.blocks.length + batch.compounds.length + batch.buildings.length
  tally.rows += batch.facilities.length + batch.footways.length
  tally.progress('blocks')
}

/** The grid streets and the population cells, known once every block is generated. */
async function writeStreetsAndCells(
  city: SyntheticCity,
  writer: BatchWriter,
  tally: Tally,
  batchRows: number,
) {
  const streets = city.streets()
  for (let i = 0; i < streets.length; i += batchRows) {
    const batch = streets.slice(i, i + batchRows)
    await writer.roads(batch)
    tally.counts.roads += batch.length
    tally.rows += batch.length
    tally.progress('streets')
  }
  const cells = city.populationCells()
  const methodParameters = JSON.stringify(city.populationParameters())
  for (let i = 0; i < cells.length; i += batchRows) {
    const batch = cells.slice(i, i + batchRows)
    await writer.cells(batch, methodParameters)
    tally.counts.cells += batch.length
    tally.rows += batch.length
    tally.progress('cells')
  }
}

/** Every district and street code the generator may use must exist, or the foreign keys would fail late. */
async function checkRegions(database: Database, city: SyntheticCity): Promise<void> {
  const codes = [city.regions.code]
  for (const d of city.regions.districts) {
    codes.push(d.code)
    for (const s of d.streets) codes.push(s.code)
  }
  const found = await database.rows<{ code: string }>(
    sql`select code from regions where code in (select jsonb_array_elements_text(${JSON.stringify(codes)}::jsonb))`,
  )
  if (found.length < new Set(codes).size) {
    const have = new Set(found.map((r) => r.code))
    const missing = codes.filter((c) => !have.has(c))
    throw new MissingRegionsError(
      `区划代码缺失，请先加载区划 (ensureRegions) / ${missing.length} region codes are missing, ` +
        `e.g. ${missing.slice(0, 3).join(', ')}: load the divisions with ensureRegions first`,
    )
  }
}

/** Removes a synthetic city written by `generateSyntheticCity` (scale tests clean up after themselves). */
export async function deleteSyntheticCity(database: Database, datasetId: number): Promise<void> {
  await database.db.transaction(async (tx) => {
    const [dataset] = await rowsOf<{ kind: string }>(
      tx,
      sql`select kind from datasets where id = ${datasetId}`,
    )
    if (!dataset) return
    if (dataset.kind !== 'synthetic')
      throw new Error(`dataset ${datasetId} is not synthetic (${dataset.kind})`)
    for (const table of ['population_cells', 'roads', 'facilities', 'buildings', 'compounds', 'blocks']) {
      await tx.execute(sql`delete from ${sql.identifier(table)} where dataset_id = ${datasetId}`)
    }
    await tx.execute(sql`delete from datasets where id = ${datasetId}`)
  })
}
