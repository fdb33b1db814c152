import { findBlindSpots } from './blind-spots.ts'
import { assessCapacity } from './capacity.ts'
import { rankDemandPoints } from './demand-points.ts'
import { computePreparedCoverage, type SharedCoverageState } from './engine.ts'
import type {
  CoverageDiagnosis,
  CoverageInput,
  CoverageOptions,
  CoverageResult,
  GroupCounts,
  TypeDiagnosis,
} from './types.ts'
import { type PreparedCoverageInput, prepareCoverageInput, servedResidents } from './validate.ts'

/**
 * The service-coverage diagnosis (practice 1.3.2): coverage per cell and facility type, uncovered
 * residents, blind spots with outlines, capacity gaps and ranked demand points. Pure and synchronous;
 * the job around it loads the inputs and stores the result.
 *
 * `shared` carries what calls over the same cells can reuse, e.g. the walk network of `prepareWalkNetwork`
 * when a job diagnoses one facility type at a time.
 *
 * @throws CoverageInputError subclasses for unusable input (see {@link prepareCoverageInput}).
 */
export function diagnoseServiceCoverage(
  input: CoverageInput,
  options: CoverageOptions = {},
  shared: SharedCoverageState = {},
): CoverageDiagnosis {
  const prepared = prepareCoverageInput(input, options)
  return summarise(prepared, computePreparedCoverage(prepared, shared))
}

/**
 * The diagnosis built on coverage computed elsewhere, e.g. by {@link naiveCoverage}, with the same
 * input and options.
 *
 * @throws RangeError when the coverage does not match the rules or the cells.
 */
export function diagnoseFromCoverage(
  input: CoverageInput,
  coverage: CoverageResult,
  options: CoverageOptions = {},
): CoverageDiagnosis {
  return summarise(prepareCoverageInput(input, options), coverage)
}

function summarise(prepared: PreparedCoverageInput, coverage: CoverageResult): CoverageDiagnosis {
  const { input, grid } = prepared
  const cells = input.cells
  if (coverage.types.length !== prepared.types.length) {
    throw new RangeError('coverage has a different number of types than the rules')
  }
  const population: GroupCounts = { children: 0, working: 0, elderly: 0 }
  for (const cell of cells) {
    population.children += cell.children
    population.working += cell.working
    population.elderly += cell.elderly
  }

  const types: TypeDiagnosis[] = prepared.types.map((t, ti) => {
    const cov = coverage.types[ti]!
    if (cov.type !== t.rule.type || cov.covered.length !== cells.length) {
      throw new RangeError(`coverage for '${cov.type}' does not match rule '${t.rule.type}' and the cells`)
    }
    const uncovered: GroupCounts = { children: 0, working: 0, elderly: 0 }
    for (let i = 0; i < cells.length; i++) {
      if (cov.covered[i]) continue
      const cell = cells[i]!
      uncovered.children += cell.children
      uncovered.working += cell.working
      uncovered.elderly += cell.elderly
    }
    const served = servedResidents(population, t.rule)
    const uncoveredServed = servedResidents(uncovered, t.rule)
    return {
      type: t.rule.type,
      radiusM: t.rule.radiusM,
      servedGroups: t.rule.servedGroups,
      vulnerabilityWeight: t.rule.vulnerabilityWeight,
      perCapitaNorm: t.rule.perCapitaNorm ?? null,
      coverage: cov,
      servedResidents: served,
      uncovered,
      uncoveredServed,
      coveredShare: served > 0 ? 1 - uncoveredServed / served : null,
      blindSpots: findBlindSpots(cells, grid, cov, t.rule),
      capacity: assessCapacity(cells, t.facilities, cov, t.rule),
    }
  })
  return {
    model: coverage.model,
    population,
    unreachableCells: coverage.unreachableCells,
    types,
    demandPoints: rankDemandPoints(types),
  }
}
