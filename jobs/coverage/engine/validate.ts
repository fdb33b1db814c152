import {
  DuplicateRuleError,
  EmptyPopulationError,
  InvalidCellError,
  InvalidCoverageOptionError,
  InvalidFacilityError,
  InvalidRadiusError,
  InvalidRuleError,
  MissingRoadNetworkError,
  UnknownFacilityTypeError,
} from './errors.ts'
import { CellGrid } from './grid.ts'
import type {
  CoverageInput,
  CoverageOptions,
  Facility,
  FacilityRule,
  PopulationCell,
  PopulationGroup,
} from './types.ts'

export const POPULATION_GROUPS: readonly PopulationGroup[] = ['children', 'working', 'elderly']

export interface ResolvedCoverageOptions {
  maxSnapM: number
  distanceCutoffFactor: number
  mergeToleranceM: number
}

export interface PreparedType {
  rule: FacilityRule
  cutoffM: number
  /** Facilities of the type sorted by id, so that index order is the id tie-break order. */
  facilities: Facility[]
}

/** Input checked once and arranged the way both coverage implementations consume it. */
export interface PreparedCoverageInput {
  input: CoverageInput
  options: ResolvedCoverageOptions
  grid: CellGrid
  /** One per rule, in rule order. */
  types: PreparedType[]
}

/**
 * Validates input and options and groups facilities by rule.
 *
 * @throws EmptyPopulationError, InvalidCellError, IrregularGridError, InvalidFacilityError,
 *   UnknownFacilityTypeError, DuplicateRuleError, InvalidRadiusError, InvalidRuleError,
 *   MissingRoadNetworkError, InvalidCoverageOptionError
 */
export function prepareCoverageInput(
  input: CoverageInput,
  options: CoverageOptions = {},
): PreparedCoverageInput {
  const resolved = resolveCoverageOptions(options)
  if (input.model !== 'euclidean' && input.model !== 'network') {
    throw new InvalidCoverageOptionError(`unknown distance model '${String(input.model)}'`)
  }
  if (input.model === 'network' && !input.roads) throw new MissingRoadNetworkError()
  if (input.cells.length === 0) throw new EmptyPopulationError()

  const grid = checkedGrid(input.cells)
  const byType = facilitiesByType(input.facilities)

  const known = input.facilityTypes ?? [...byType.keys()].sort()
  const knownSet = new Set(known)
  const seen = new Set<string>()
  const types: PreparedType[] = []
  for (const rule of input.rules) {
    if (!knownSet.has(rule.type)) throw new UnknownFacilityTypeError(rule.type, known)
    if (seen.has(rule.type)) throw new DuplicateRuleError(rule.type)
    seen.add(rule.type)
    if (!(rule.radiusM > 0 && Number.isFinite(rule.radiusM)))
      throw new InvalidRadiusError(rule.type, rule.radiusM)
    if (rule.servedGroups.length === 0) throw new InvalidRuleError(rule.type, 'servedGroups is empty')
    for (const group of rule.servedGroups) {
      if (!POPULATION_GROUPS.includes(group))
        throw new InvalidRuleError(rule.type, `unknown group '${group}'`)
    }
    if (new Set(rule.servedGroups).size !== rule.servedGroups.length) {
      throw new InvalidRuleError(rule.type, 'servedGroups repeats a group')
    }
    if (
      rule.perCapitaNorm !== undefined &&
      !(rule.perCapitaNorm > 0 && Number.isFinite(rule.perCapitaNorm))
    ) {
      throw new InvalidRuleError(rule.type, `perCapitaNorm must be positive, got ${rule.perCapitaNorm}`)
    }
    if (!(rule.vulnerabilityWeight >= 0 && Number.isFinite(rule.vulnerabilityWeight))) {
      throw new InvalidRuleError(
        rule.type,
        `vulnerabilityWeight must be non-negative, got ${rule.vulnerabilityWeight}`,
      )
    }
    const facilities = [...(byType.get(rule.type) ?? [])].sort((a, b) => a.id - b.id)
    types.push({ rule, cutoffM: rule.radiusM * resolved.distanceCutoffFactor, facilities })
  }
  return { input, options: resolved, grid, types }
}

/*
 * A job diagnoses one facility type at a time over the same cells and facilities (22 calls for an L city's run):
 * their checks, the cell grid and the grouping by type are made once per array and kept while the array lives.
 * The engine never changes its input arrays, so a kept result stays true.
 */
const grids = new WeakMap<readonly PopulationCell[], CellGrid>()
const groupings = new WeakMap<readonly Facility[], Map<string, Facility[]>>()

/** The cells checked and arranged in their grid. @throws InvalidCellError, IrregularGridError */
function checkedGrid(cells: readonly PopulationCell[]): CellGrid {
  const kept = grids.get(cells)
  if (kept) return kept
  const cellIds = new Set<number>()
  for (const cell of cells) {
    if (cellIds.has(cell.id)) throw new InvalidCellError(cell.id, 'duplicate id')
    cellIds.add(cell.id)
    if (!Number.isFinite(cell.x) || !Number.isFinite(cell.y)) {
      throw new InvalidCellError(cell.id, 'non-finite centre')
    }
    if (!(cell.sizeM > 0 && Number.isFinite(cell.sizeM))) {
      throw new InvalidCellError(cell.id, `sizeM must be positive, got ${cell.sizeM}`)
    }
    for (const group of POPULATION_GROUPS) {
      const count = cell[group]
      if (!(count >= 0 && Number.isFinite(count))) {
        throw new InvalidCellError(cell.id, `${group} must be a non-negative number, got ${count}`)
      }
    }
  }
  const grid = new CellGrid(cells)
  grids.set(cells, grid)
  return grid
}

/** The facilities checked and grouped by type. @throws InvalidFacilityError */
function facilitiesByType(facilities: readonly Facility[]): Map<string, Facility[]> {
  const kept = groupings.get(facilities)
  if (kept) return kept
  const byType = new Map<string, Facility[]>()
  const facilityIds = new Set<number>()
  for (const f of facilities) {
    if (facilityIds.has(f.id)) throw new InvalidFacilityError(f.id, 'duplicate id')
    facilityIds.add(f.id)
    if (!Number.isFinite(f.x) || !Number.isFinite(f.y))
      throw new InvalidFacilityError(f.id, 'non-finite position')
    if (f.capacity !== null && !(f.capacity >= 0 && Number.isFinite(f.capacity))) {
      throw new InvalidFacilityError(f.id, `capacity must be null or non-negative, got ${f.capacity}`)
    }
    const list = byType.get(f.type)
    if (list) list.push(f)
    else byType.set(f.type, [f])
  }
  groupings.set(facilities, byType)
  return byType
}

/**
 * Options with their defaults filled in.
 *
 * @throws InvalidCoverageOptionError
 */
export function resolveCoverageOptions(options: CoverageOptions): ResolvedCoverageOptions {
  const resolved: ResolvedCoverageOptions = {
    maxSnapM: options.maxSnapM ?? 300,
    distanceCutoffFactor: options.distanceCutoffFactor ?? 2,
    mergeToleranceM: options.mergeToleranceM ?? 0.5,
  }
  if (!(resolved.maxSnapM >= 0 && Number.isFinite(resolved.maxSnapM))) {
    throw new InvalidCoverageOptionError(`maxSnapM must be non-negative and finite, got ${resolved.maxSnapM}`)
  }
  if (!(resolved.distanceCutoffFactor >= 1 && Number.isFinite(resolved.distanceCutoffFactor))) {
    throw new InvalidCoverageOptionError(
      `distanceCutoffFactor must be at least 1 and finite, got ${resolved.distanceCutoffFactor}`,
    )
  }
  if (!(resolved.mergeToleranceM > 0 && Number.isFinite(resolved.mergeToleranceM))) {
    throw new InvalidCoverageOptionError(
      `mergeToleranceM must be positive and finite, got ${resolved.mergeToleranceM}`,
    )
  }
  return resolved
}

/** Residents of the rule's served groups in one cell. */
export function servedResidents(
  cell: { children: number; working: number; elderly: number },
  rule: FacilityRule,
): number {
  let sum = 0
  for (const group of rule.servedGroups) sum += cell[group]
  return sum
}
