/** Base class so callers can catch every rejected coverage input at once. */
export class CoverageInputError extends Error {
  override name = 'CoverageInputError'
}

/** The population grid is empty; coverage shares and blind spots would be meaningless. */
export class EmptyPopulationError extends CoverageInputError {
  override name = 'EmptyPopulationError'
  constructor() {
    super('no population cells: service coverage needs at least one cell')
  }
}

/** A rule names a facility type outside the known catalogue. */
export class UnknownFacilityTypeError extends CoverageInputError {
  override name = 'UnknownFacilityTypeError'
  constructor(
    readonly facilityType: string,
    readonly knownTypes: readonly string[],
  ) {
    super(`rule for unknown facility type '${facilityType}'; known: ${knownTypes.join(', ') || '(none)'}`)
  }
}

/** A service radius is zero, negative or not finite. */
export class InvalidRadiusError extends CoverageInputError {
  override name = 'InvalidRadiusError'
  constructor(
    readonly facilityType: string,
    readonly radiusM: number,
  ) {
    super(`rule '${facilityType}': radiusM must be a positive finite number, got ${radiusM}`)
  }
}

/** Two rules for the same facility type; which one applies would be ambiguous. */
export class DuplicateRuleError extends CoverageInputError {
  override name = 'DuplicateRuleError'
  constructor(readonly facilityType: string) {
    super(`more than one rule for facility type '${facilityType}'`)
  }
}

/** A rule field other than the radius is unusable (groups, norm, weight). */
export class InvalidRuleError extends CoverageInputError {
  override name = 'InvalidRuleError'
  constructor(
    readonly facilityType: string,
    reason: string,
  ) {
    super(`rule '${facilityType}': ${reason}`)
  }
}

/** A cell has non-finite coordinates, a non-positive size, a negative count or a duplicate id. */
export class InvalidCellError extends CoverageInputError {
  override name = 'InvalidCellError'
  constructor(
    readonly cellId: number,
    reason: string,
  ) {
    super(`cell ${cellId}: ${reason}`)
  }
}

/** Cells do not form one regular grid (mixed sizes, misaligned centres, two cells in one slot). */
export class IrregularGridError extends CoverageInputError {
  override name = 'IrregularGridError'
  constructor(
    readonly cellId: number,
    reason: string,
  ) {
    super(`cell ${cellId}: ${reason}`)
  }
}

export class InvalidFacilityError extends CoverageInputError {
  override name = 'InvalidFacilityError'
  constructor(
    readonly facilityId: number,
    reason: string,
  ) {
    super(`facility ${facilityId}: ${reason}`)
  }
}

export class InvalidRoadError extends CoverageInputError {
  override name = 'InvalidRoadError'
  constructor(
    readonly roadId: number,
    reason: string,
  ) {
    super(`road ${roadId}: ${reason}`)
  }
}

/** The network model was asked for without a road network. */
export class MissingRoadNetworkError extends CoverageInputError {
  override name = 'MissingRoadNetworkError'
  constructor() {
    super("model 'network' needs input.roads")
  }
}

/** An option or the distance model is outside its domain. */
export class InvalidCoverageOptionError extends CoverageInputError {
  override name = 'InvalidCoverageOptionError'
}
