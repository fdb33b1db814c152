import type { Database } from '../db/client.ts'
import { checkRegionCode, loadBoundaries } from './boundaries.ts'
import { attachPointsToBuildings } from './building-points.ts'
import { writeBuildings } from './buildings.ts'
import { insertCompounds, linkBuildingsToCompounds } from './compounds.ts'
import { clearDatasetName, type ImportTarget, insertDataset, metricSridOfStage } from './dataset.ts'
import { ImportError, NothingImportedError } from './errors.ts'
import { insertFacilities } from './facilities.ts'
import { type ImportOptions, type Inputs, readInputs } from './inputs.ts'
import { insertLandCover } from './land-cover.ts'
import { deriveBuildingResidents, derivePopulationCells } from './population.ts'
import { countBuildings, type ImportReport, saveReport } from './report.ts'
import { insertRoads } from './roads.ts'
import type { Executor } from './sql.ts'
import { repairStage, type Staging, stageFeatures, writeStage } from './staging.ts'
import type { ImportWarning } from './years.ts'

export type { ImportOptions } from './inputs.ts'
export type { ImportReport } from './report.ts'

/**
 * Imports a city from GeoJSON/CSV files in one transaction, beside what the database holds. Returns a report
 * of what was imported, merged, estimated, repaired, skipped and rejected (with the reason per feature).
 */
export async function importCity(database: Database, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now()
  const inputs = readInputs(options)
  const staging = stageFeatures(inputs.features, inputs.rejected)
  if (staging.staged.length === 0 && inputs.rejected.length > 0)
    throw new NothingImportedError(inputs.rejected)
  if (options.strict && inputs.rejected.length > 0) {
    const n = inputs.rejected.length
    throw new ImportError(
      `严格模式下有 ${n} 个要素被拒绝，未写入任何数据 / strict import: ${n} features rejected, nothing written`,
    )
  }
  const report = await database.db.transaction((tx) => writeCity(tx, options, inputs, staging))
  return { ...report, seconds: (performance.now() - started) / 1000 }
}

/**
 * Everything the import writes, in order: the staged features, the dataset and boundaries, then each layer
 * and what is derived from them. One transaction, so a failure at any step leaves nothing behind.
 */
async function writeCity(
  tx: Executor,
  options: ImportOptions,
  inputs: Inputs,
  staging: Staging,
): Promise<Omit<ImportReport, 'seconds'>> {
  await clearDatasetName(tx, inputs.datasetName, options.replace ?? false)
  await checkRegionCode(tx, inputs.defaultRegion)
  await writeStage(tx, staging.staged)
  const repaired = await repairStage(tx, inputs.rejected)
  const metricSrid = await metricSridOfStage(tx)
  const datasetId = await insertDataset(tx, inputs, options.files, metricSrid, options.licence)
  const regionOf = await loadBoundaries(tx, inputs.boundaries, inputs.defaultRegion)
  const target: ImportTarget = { datasetId, metricSrid, regionOf }

  const compounds = await insertCompounds(tx, target)
  const warnings: ImportWarning[] = []
  const buildings = await writeBuildings(tx, target, staging.buildingProps, {
    rejected: inputs.rejected,
    warnings,
  })
  const floors = await deriveBuildingResidents(tx, datasetId, inputs.derivation)
  await attachPointsToBuildings(tx, datasetId, staging)
  await linkBuildingsToCompounds(tx, datasetId)
  const facilities = await insertFacilities(tx, target)
  staging.merged.facilityPoints += facilities.mergedPoints
  const roads = await insertRoads(tx, target)
  const landCover = await insertLandCover(tx, target)
  const population = await derivePopulationCells(tx, datasetId, metricSrid, inputs.derivation)

  const counts = await countBuildings(tx, datasetId)
  const written =
    counts.buildings + compounds + roads + Object.values(facilities.byType).reduce((a, b) => a + b, 0)
  // Thrown inside the transaction, so the dataset row just inserted goes too.
  if (written === 0 && inputs.rejected.length > 0) throw new NothingImportedError(inputs.rejected)
  const report: Omit<ImportReport, 'seconds'> = {
    dataset: { id: datasetId, name: inputs.datasetName },
    metricSrid,
    read: inputs.read,
    imported: {
      buildings: counts.buildings,
      buildingParts: counts.parts,
      facilities: facilities.byType,
      roads,
      compounds,
      landCover,
      populationCells: population.cells,
      residents: Math.round(population.residents),
    },
    merged: staging.merged,
    estimated: { heights: buildings.heights, floors },
    yearsRead: buildings.years,
    repaired,
    skipped: staging.skipped,
    rejected: inputs.rejected,
    warnings,
  }
  await saveReport(tx, report)
  return report
}
