import { sql } from 'drizzle-orm'
import type { Rejection } from './read.ts'
import { type Executor, rowsOf } from './sql.ts'
import type { Merged, Repair } from './staging.ts'
import type { ImportWarning } from './years.ts'

export interface ImportReport {
  dataset: { id: number; name: string }
  metricSrid: number
  read: number
  imported: {
    buildings: number
    buildingParts: number
    facilities: Record<string, number>
    roads: number
    compounds: number
    /** Water, green and land-use areas of the base map. */
    landCover: number
    populationCells: number
    residents: number
  }
  merged: Merged
  estimated: { heights: number; floors: number }
  /** Buildings whose construction year was read from a tag or column. */
  yearsRead: number
  repaired: Repair[]
  skipped: Record<string, number>
  rejected: Rejection[]
  /** Buildings imported with a value left out (a year that could not be read), with the reason. */
  warnings: ImportWarning[]
  seconds: number
}

/** Buildings the dataset holds, and the parts kept with them. */
export async function countBuildings(
  tx: Executor,
  datasetId: number,
): Promise<{ buildings: number; parts: number }> {
  const [counts] = await rowsOf<{ buildings: number; parts: number }>(
    tx,
    sql`select count(*)::int as buildings,
        coalesce(sum(jsonb_array_length(coalesce(attributes->'parts', '[]'::jsonb))), 0)::int as parts
      from buildings where dataset_id = ${datasetId}`,
  )
  return counts ?? { buildings: 0, parts: 0 }
}

/** Keeps a summary of the report on the dataset: the counts and the first 50 rejections with reasons. */
export async function saveReport(tx: Executor, report: Omit<ImportReport, 'seconds'>): Promise<void> {
  const summary = {
    ...report,
    rejected: report.rejected.length,
    rejectedSample: report.rejected.slice(0, 50),
    warnings: report.warnings.length,
    warningsSample: report.warnings.slice(0, 50),
  }
  await tx.execute(
    sql`update datasets set report = ${JSON.stringify(summary)}::jsonb where id = ${report.dataset.id}`,
  )
}
