import { FACILITY_TYPES } from '../../server/db/facilities.ts'
import {
  CellGrid,
  type CoverageOptions,
  computeCoverage,
  type FacilityRule,
  findBlindSpots,
  type PopulationCell,
  type TypeCoverage,
} from '../coverage/engine/index.ts'
import { ruleFor } from '../coverage/rules.ts'
import type { SkippedValue } from './definitions.ts'
import type { IndicatorInputs } from './inputs.ts'

/** The coverage the `coverage` calculators of every unit level judge by: one rule and result per facility type. */
export interface RunCoverage {
  rules: ReadonlyMap<string, FacilityRule>
  byType: ReadonlyMap<string, TypeCoverage>
}

/**
 * Coverage of every type a coverage indicator names, in one call (one walk graph for all types), by the same core
 * and definitions as the coverage run. An indicator whose type has no service radius is skipped.
 */
export function computeRunCoverage(
  inputs: IndicatorInputs,
  skipped: SkippedValue[],
  coverageOptions: CoverageOptions | undefined,
): RunCoverage {
  const rules = new Map<string, FacilityRule>()
  for (const i of inputs.indicators) {
    if (i.calculator !== 'coverage') continue
    const type = String(i.parameters.facilityType ?? '')
    const radiusM = inputs.byType[type]?.radiusM
    if (typeof radiusM !== 'number' || !(radiusM > 0)) {
      skipped.push({
        code: i.code,
        unitKey: null,
        reason: `the edition gives no service radius for '${type}'`,
      })
      continue
    }
    rules.set(type, ruleFor(type, radiusM, inputs.byType[type]))
  }
  const byType = new Map<string, TypeCoverage>()
  if (rules.size > 0 && inputs.cells.length > 0) {
    const list = [...rules.values()]
    const { cells, facilities, roads, distanceModel } = inputs
    const result = computeCoverage(
      { cells, facilities, roads, rules: list, model: distanceModel, facilityTypes: [...FACILITY_TYPES] },
      coverageOptions,
    )
    list.forEach((rule, k) => {
      const cov = result.types[k]
      if (cov) byType.set(rule.type, cov)
    })
  }
  return { rules, byType }
}

/**
 * Blind spots among a unit's cells (`cellIndices` into the run's coverage), `unitCells` being those cells as the
 * unit holds them: a blind spot is a connected group of the unit's uncovered cells with served residents.
 */
export function countBlindSpots(
  unitCells: PopulationCell[],
  cellIndices: readonly number[],
  cov: TypeCoverage,
  rule: FacilityRule,
): number {
  const subCoverage: TypeCoverage = {
    ...cov,
    covered: Uint8Array.from(cellIndices, (i) => cov.covered[i]!),
    distanceM: Float64Array.from(cellIndices, (i) => cov.distanceM[i]!),
    nearestFacilityId: Float64Array.from(cellIndices, (i) => cov.nearestFacilityId[i]!),
  }
  return findBlindSpots(unitCells, new CellGrid(unitCells), subCoverage, rule).length
}
