/**
 * Writes a synthetic city into the database in one transaction. Rows go in batches of INSERT … SELECT FROM
 * unnest(column arrays): a batch of 10k buildings is one statement and one round trip, on node-postgres and
 * PGlite alike. Geometry travels as WKT in lon/lat.
 */

import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { FacilityType } from '../../server/db/facilities.ts'
import { SyntheticCity, type SyntheticCityOptions } from './city.ts'
import { POPULATION_METHOD } from './population.ts'
import type {
  LonLat,
  SyntheticBlock,
  SyntheticBuilding,
  SyntheticCell,
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

type Executor = { execute(query: SQL): Promise<unknown> }

interface Batch {
  blocks: SyntheticBlock[]
  compounds: SyntheticCompound[]
  buildings: SyntheticBuilding[]
  facilities: SyntheticFacility[]
  footways: SyntheticRoad[]
}

const emptyBatch = (): Batch => ({ blocks: [], compounds: [], buildings: [], facilities: [], footways: [] })

const rowsOf = async <T>(executor: Executor, query: SQL): Promise<T[]> =>
  ((await executor.execute(query)) as { rows: T[] }).rows

const coords = (points: LonLat[]): string => points.map((p) => `${p[0]} ${p[1]}`).join(',')
const multiPolygonWkt = (ring: LonLat[]): string => `MULTIPOLYGON(((${coords(ring)})))`
const polygonWkt = (ring: LonLat[]): string => `POLYGON((${coords(ring)}))`
const lineWkt = (line: LonLat[]): string => `LINESTRING(${coords(line)})`
const pointWkt = (p: LonLat): string => `POINT(${p[0]} ${p[1]})`

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
  const plan = city.plan
  const batchRows = options.batchRows ?? 10_000
  const seconds = () => Math.round(performance.now() - started) / 1000
  await checkRegions(database, city)

  const counts = { blocks: 0, compounds: 0, buildings: 0, facilities: 0, roads: 0, cells: 0 }
  const facilityTypes: Partial<Record<FacilityType, number>> = {}
  let rows = 0
  const progress = (phase: SyntheticProgress['phase']) =>
    options.onProgress?.({
      phase,
      buildings: counts.buildings,
      targetBuildings: plan.targetBuildings,
      rows,
      seconds: seconds(),
    })

  const datasetId = await database.db.transaction(async (tx) => {
    const name =
      options.name ?? `合成城市 ${plan.size} · ${plan.cityName} (seed ${plan.seed}) / synthetic city`
    const [dataset] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into datasets (name, kind, region_code, method, parameters, licence)
        values (${name}, 'synthetic', ${plan.regionCode}, 'citycheck-synthetic',
          ${JSON.stringify(city.datasetParameters())}::jsonb, 'synthetic data, no licence restrictions')
        returning id`,
    )
    if (!dataset) throw new Error('insert into datasets returned no row')
    const id = dataset.id
    const writer = new BatchWriter(tx, id, batchRows)

    // Batches are written while the next one is generated: the database works while JavaScript computes.
    // A batch holds whole blocks, so every compound's block and every building's compound is in it.
    let inflight: Promise<void> = Promise.resolve()
    let failure: unknown
    const write = async (batch: Batch) => {
      const blockIds = await writer.blocks(batch.blocks)
      const compoundIds = await writer.compounds(batch.compounds, blockIds)
      await writer.buildings(batch.buildings, blockIds, compoundIds)
      await writer.facilities(batch.facilities)
      await writer.roads(batch.footways)
      counts.blocks += batch.blocks.length
      counts.compounds += batch.compounds.length
      counts.buildings += batch.buildings.length
      counts.facilities += batch.facilities.length
      counts.roads += batch.footways.length
      rows += batch.blocks.length + batch.compounds.length + batch.buildings.length
      rows += batch.facilities.length + batch.footways.length
      progress('blocks')
    }
    const schedule = async (batch: Batch) => {
      await inflight
      inflight = write(batch)
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
      batch.blocks.push(chunk.block)
      for (const c of chunk.compounds) batch.compounds.push(c)
      for (const b of chunk.buildings) batch.buildings.push(b)
      for (const f of chunk.facilities) {
        batch.facilities.push(f)
        facilityTypes[f.type] = (facilityTypes[f.type] ?? 0) + 1
      }
      for (const r of chunk.footways) batch.footways.push(r)
      const size = Math.max(batch.buildings.length, batch.footways.length, batch.facilities.length)
      if (size >= batchRows) {
        await schedule(batch)
        batch = emptyBatch()
      }
    }
    await schedule(batch)
    await inflight

    const streets = city.streets()
    for (let i = 0; i < streets.length; i += batchRows) {
      const batch = streets.slice(i, i + batchRows)
      await writer.roads(batch)
      counts.roads += batch.length
      rows += batch.length
      progress('streets')
    }

    const cells = city.populationCells()
    const methodParameters = JSON.stringify(city.populationParameters())
    for (let i = 0; i < cells.length; i += batchRows) {
      const batch = cells.slice(i, i + batchRows)
      await writer.cells(batch, methodParameters)
      counts.cells += batch.length
      rows += batch.length
      progress('cells')
    }

    const report = { ...counts, residents: city.counts.residents, facilityTypes, seconds: seconds() }
    await tx.execute(sql`update datasets set report = ${JSON.stringify(report)}::jsonb where id = ${id}`)
    return id
  })

  if (options.analyze ?? true) {
    progress('analyze')
    for (const table of ['blocks', 'compounds', 'buildings', 'facilities', 'roads', 'population_cells']) {
      await database.db.execute(sql.raw(`analyze ${table}`))
    }
  }
  const result: SyntheticCityResult = {
    datasetId,
    regionCode: plan.regionCode,
    ...counts,
    residents: city.counts.residents,
    seconds: seconds(),
  }
  progress('done')
  return result
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

type Value = string | number | boolean | null | undefined

/**
 * A PostgreSQL array literal, sent as one text parameter and cast in SQL (`$1::float8[]`). A string parameter
 * passes through node-postgres and PGlite alike, where a JS array would be expanded into a list by drizzle.
 */
export function arrayLiteral(values: readonly Value[]): string {
  const parts = new Array<string>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined) parts[i] = 'NULL'
    else if (typeof v === 'string') parts[i] = `"${v.replace(/[\\"]/g, '\\$&')}"`
    else parts[i] = String(v)
  }
  return `{${parts.join(',')}}`
}

/** `unnest($1::text[], $2::int[], …) as r(a, b, …)`: a batch of rows, one array parameter per column. */
function recordset(columns: Record<string, [type: string, values: Value[]]>): SQL {
  const names = Object.keys(columns)
  const arrays = Object.values(columns).map(
    ([type, values]) => sql`${arrayLiteral(values)}::${sql.raw(type)}[]`,
  )
  return sql`unnest(${sql.join(arrays, sql`, `)}) as r(${sql.raw(names.join(', '))})`
}

/**
 * One INSERT … SELECT FROM unnest(arrays) per batch and table. Arrays, not `json_to_recordset`: PostgreSQL 15
 * parses a 10k-building batch as text arrays in about 40 ms and as one JSON document in about 260 ms, which
 * made JSON parsing a third of the load time.
 */
class BatchWriter {
  constructor(
    private readonly tx: Executor,
    private readonly datasetId: number,
    private readonly batchRows: number,
  ) {}

  private async each<T>(items: T[], write: (batch: T[]) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i += this.batchRows) await write(items.slice(i, i + this.batchRows))
  }

  private async idsOf(query: SQL, into: Map<string, number>): Promise<void> {
    for (const r of await rowsOf<{ id: number; source_id: string }>(this.tx, query))
      into.set(r.source_id, r.id)
  }

  async blocks(items: SyntheticBlock[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>()
    await this.each(items, async (batch) => {
      const rows = recordset({
        source_id: ['text', batch.map((b) => b.sourceId)],
        region_code: ['text', batch.map((b) => b.regionCode)],
        name: ['text', batch.map((b) => b.name)],
        wkt: ['text', batch.map((b) => multiPolygonWkt(b.ring))],
        area_m2: ['float8', batch.map((b) => b.areaM2)],
      })
      await this.idsOf(
        sql`insert into blocks (region_code, name, geom, area_m2, dataset_id, source_id)
          select r.region_code, r.name, ST_GeomFromText(r.wkt, 4326), r.area_m2, ${this.datasetId}, r.source_id
          from ${rows}
          returning id, source_id`,
        ids,
      )
    })
    return ids
  }

  async compounds(items: SyntheticCompound[], blockIds: Map<string, number>): Promise<Map<string, number>> {
    const ids = new Map<string, number>()
    await this.each(items, async (batch) => {
      const rows = recordset({
        source_id: ['text', batch.map((c) => c.sourceId)],
        block_id: ['int', batch.map((c) => blockIds.get(c.blockSourceId))],
        region_code: ['text', batch.map((c) => c.regionCode)],
        name: ['text', batch.map((c) => c.name)],
        kind: ['text', batch.map((c) => c.kind)],
        wkt: ['text', batch.map((c) => multiPolygonWkt(c.ring))],
        area_m2: ['float8', batch.map((c) => c.areaM2)],
        year_built: ['int', batch.map((c) => c.yearBuilt)],
        households: ['int', batch.map((c) => c.households)],
        residents: ['float8', batch.map((c) => c.residents)],
        attributes: ['text', batch.map((c) => JSON.stringify(c.attributes))],
      })
      await this.idsOf(
        sql`insert into compounds (region_code, block_id, name, kind, geom, area_m2, year_built, households, residents,
            dataset_id, source, source_id, attributes)
          select r.region_code, r.block_id, r.name, r.kind, ST_GeomFromText(r.wkt, 4326), r.area_m2, r.year_built,
            r.households, r.residents, ${this.datasetId}, 'synthetic', r.source_id, r.attributes::jsonb
          from ${rows}
          returning id, source_id`,
        ids,
      )
    })
    return ids
  }

  async buildings(
    items: SyntheticBuilding[],
    blockIds: Map<string, number>,
    compoundIds: Map<string, number>,
  ): Promise<void> {
    await this.each(items, async (batch) => {
      const rows = recordset({
        source_id: ['text', batch.map((b) => b.sourceId)],
        compound_id: ['int', batch.map((b) => compoundIds.get(b.compoundSourceId))],
        block_id: ['int', batch.map((b) => blockIds.get(b.blockSourceId))],
        region_code: ['text', batch.map((b) => b.regionCode)],
        footprint: ['text', batch.map((b) => multiPolygonWkt(b.ring))],
        centroid: ['text', batch.map((b) => pointWkt(b.centroid))],
        footprint_area_m2: ['float8', batch.map((b) => b.footprintAreaM2)],
        height_m: ['float8', batch.map((b) => b.heightM)],
        floors: ['int', batch.map((b) => b.floors)],
        floor_area_m2: ['float8', batch.map((b) => b.floorAreaM2)],
        use: ['text', batch.map((b) => b.use)],
        year_built: ['int', batch.map((b) => b.yearBuilt)],
        structure: ['text', batch.map((b) => b.structure)],
        standard_address: ['text', batch.map((b) => b.standardAddress)],
        residents: ['float8', batch.map((b) => b.residents)],
        attributes: ['text', batch.map((b) => JSON.stringify(b.attributes))],
      })
      await this.tx.execute(
        sql`insert into buildings (region_code, compound_id, block_id, footprint, centroid, footprint_area_m2, height_m,
            floors, floor_area_m2, use, year_built, structure, standard_address, residents, dataset_id, source,
            source_id, attributes)
          select r.region_code, r.compound_id, r.block_id, ST_GeomFromText(r.footprint, 4326),
            ST_GeomFromText(r.centroid, 4326), r.footprint_area_m2, r.height_m, r.floors, r.floor_area_m2, r.use,
            r.year_built, r.structure, r.standard_address, r.residents, ${this.datasetId}, 'synthetic', r.source_id,
            r.attributes::jsonb
          from ${rows}`,
      )
    })
  }

  async facilities(items: SyntheticFacility[]): Promise<void> {
    await this.each(items, async (batch) => {
      const rows = recordset({
        source_id: ['text', batch.map((f) => f.sourceId)],
        region_code: ['text', batch.map((f) => f.regionCode)],
        type: ['text', batch.map((f) => f.type)],
        name: ['text', batch.map((f) => f.name)],
        wkt: ['text', batch.map((f) => pointWkt(f.point))],
        capacity: ['float8', batch.map((f) => f.capacity)],
        capacity_unit: ['text', batch.map((f) => f.capacityUnit)],
        area_m2: ['float8', batch.map((f) => f.areaM2)],
        attributes: ['text', batch.map((f) => JSON.stringify(f.attributes))],
      })
      await this.tx.execute(
        sql`insert into facilities (region_code, type, name, geom, capacity, capacity_unit, area_m2, dataset_id, source,
            source_id, attributes)
          select r.region_code, r.type, r.name, ST_GeomFromText(r.wkt, 4326), r.capacity, r.capacity_unit, r.area_m2,
            ${this.datasetId}, 'synthetic', r.source_id, r.attributes::jsonb
          from ${rows}`,
      )
    })
  }

  async roads(items: SyntheticRoad[]): Promise<void> {
    await this.each(items, async (batch) => {
      const rows = recordset({
        source_id: ['text', batch.map((r) => r.sourceId)],
        region_code: ['text', batch.map((r) => r.regionCode)],
        kind: ['text', batch.map((r) => r.kind)],
        kind_detail: ['text', batch.map((r) => r.kindDetail)],
        name: ['text', batch.map((r) => r.name)],
        wkt: ['text', batch.map((r) => lineWkt(r.line))],
        length_m: ['float8', batch.map((r) => r.lengthM)],
        walkable: ['boolean', batch.map((r) => r.walkable)],
      })
      await this.tx.execute(
        sql`insert into roads (region_code, kind, kind_detail, name, geom, length_m, walkable, dataset_id, source_id)
          select r.region_code, r.kind, r.kind_detail, r.name, ST_GeomFromText(r.wkt, 4326), r.length_m, r.walkable,
            ${this.datasetId}, r.source_id
          from ${rows}`,
      )
    })
  }

  async cells(items: SyntheticCell[], methodParameters: string): Promise<void> {
    await this.each(items, async (batch) => {
      const rows = recordset({
        cell_key: ['text', batch.map((c) => c.cellKey)],
        region_code: ['text', batch.map((c) => c.regionCode)],
        size_m: ['float8', batch.map((c) => c.sizeM)],
        metric_srid: ['int', batch.map((c) => c.metricSrid)],
        geom: ['text', batch.map((c) => polygonWkt(c.ring))],
        centroid: ['text', batch.map((c) => pointWkt(c.centroid))],
        children: ['float8', batch.map((c) => c.children)],
        working: ['float8', batch.map((c) => c.working)],
        elderly: ['float8', batch.map((c) => c.elderly)],
        total: ['float8', batch.map((c) => c.total)],
      })
      await this.tx.execute(
        sql`insert into population_cells (region_code, dataset_id, cell_key, size_m, metric_srid, geom, centroid,
            children, working, elderly, total, method, method_parameters)
          select r.region_code, ${this.datasetId}, r.cell_key, r.size_m, r.metric_srid, ST_GeomFromText(r.geom, 4326),
            ST_GeomFromText(r.centroid, 4326), r.children, r.working, r.elderly, r.total, ${POPULATION_METHOD},
            ${methodParameters}::jsonb
          from ${rows}`,
      )
    })
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
