import path from 'node:path'
import { sql } from 'drizzle-orm'
import { metricSridFor } from '../domain/crs.ts'
import type { RegionOf } from './boundaries.ts'
import { ImportError } from './errors.ts'
import type { Inputs } from './inputs.ts'
import { type Executor, rowsOf } from './sql.ts'

/** Where an import writes: its dataset, the metric CRS for areas and lengths, a point's region. */
export interface ImportTarget {
  datasetId: number
  metricSrid: number
  regionOf: RegionOf
}

/** One name, one import: an earlier dataset of the same name is removed when replacing, refused otherwise. */
export async function clearDatasetName(tx: Executor, name: string, replace: boolean): Promise<void> {
  const existing = await rowsOf<{ id: number }>(tx, sql`select id from datasets where name = ${name}`)
  if (existing.length === 0) return
  if (!replace) {
    throw new ImportError(
      `数据集 "${name}" 已存在 / dataset "${name}" already exists: pass --replace to import it again, or --dataset NAME for a new one`,
    )
  }
  for (const { id } of existing) await deleteDataset(tx, id)
}

/** The metric CRS (a Gauss-Krüger zone) around the middle of what is staged. */
export async function metricSridOfStage(tx: Executor): Promise<number> {
  const [extent] = await rowsOf<{ lon: number | null; lat: number | null }>(
    tx,
    sql`select ST_X(ST_Centroid(ST_Extent(geom))) as lon, ST_Y(ST_Centroid(ST_Extent(geom))) as lat from stage`,
  )
  return metricSridFor(extent?.lon ?? 121.5, extent?.lat ?? 31.2)
}

/** Records the import as a dataset, with what it was made from, and returns its id. */
export async function insertDataset(
  tx: Executor,
  inputs: Inputs,
  files: string[],
  metricSrid: number,
  licence: string | undefined,
): Promise<number> {
  const parameters = {
    files: files.map((f) => path.basename(f)),
    metricSrid,
    population: inputs.derivation,
  }
  const [dataset] = await rowsOf<{ id: number }>(
    tx,
    sql`insert into datasets (name, kind, region_code, method, parameters, licence)
      values (${inputs.datasetName}, 'import', ${inputs.defaultRegion}, 'import:geojson',
        ${JSON.stringify(parameters)}::jsonb, ${licence ?? null})
      returning id`,
  )
  if (!dataset) throw new Error('dataset insert returned nothing')
  return dataset.id
}

/** Removes everything an earlier import of a dataset wrote. */
export async function deleteDataset(tx: Executor, datasetId: number): Promise<void> {
  await tx.execute(sql`delete from population_cells where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from roads where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from land_cover where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from facilities where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from buildings where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from compounds where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from blocks where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from datasets where id = ${datasetId}`)
}
