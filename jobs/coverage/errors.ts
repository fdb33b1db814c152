import { UnrecoverableError } from 'bullmq'
import { DiagnosisParameterError } from '../runs/errors.ts'

// Coverage requests a user must correct (BAD_USER_INPUT through DiagnosisParameterError), and job failures that
// retrying cannot help.

export class UnsupportedFacilityTypeError extends DiagnosisParameterError {
  override name = 'UnsupportedFacilityTypeError'
  constructor(
    readonly facilityType: string,
    readonly knownTypes: readonly string[],
  ) {
    super(
      `未知的设施类型 "${facilityType}"，可选：${knownTypes.join('、')} / ` +
        `unknown facility type "${facilityType}"; known: ${knownTypes.join(', ')}`,
    )
  }
}

/** The type is known but neither the indicator edition nor the request gives it a service radius. */
export class MissingServiceRadiusError extends DiagnosisParameterError {
  override name = 'MissingServiceRadiusError'
  constructor(readonly facilityType: string) {
    super(
      `指标体系未规定 "${facilityType}" 的服务半径，请在参数中给出 / ` +
        `the indicator edition has no service radius for "${facilityType}": pass one in radiusOverrides`,
    )
  }
}

export class InvalidRadiusOverrideError extends DiagnosisParameterError {
  override name = 'InvalidRadiusOverrideError'
  constructor(
    readonly facilityType: string,
    readonly radiusM: number,
  ) {
    super(
      `"${facilityType}" 的服务半径必须为正数（米），收到 ${radiusM} / ` +
        `the service radius of "${facilityType}" must be a positive number of metres, got ${radiusM}`,
    )
  }
}

export class UnknownDistanceModelError extends DiagnosisParameterError {
  override name = 'UnknownDistanceModelError'
  constructor(readonly model: string) {
    super(
      `未知的距离模型 "${model}"，可选 euclidean（直线）、network（步行路网） / ` +
        `unknown distance model "${model}": use euclidean or network`,
    )
  }
}

export class NoPopulationError extends DiagnosisParameterError {
  override name = 'NoPopulationError'
  constructor(readonly regionCode: string) {
    super(
      `行政区划 ${regionCode} 没有人口网格数据，无法分析服务覆盖 / ` +
        `region ${regionCode} has no population cells: service coverage cannot be analysed`,
    )
  }
}

/** Parameters or inputs the coverage core rejected inside the job; retrying cannot help. */
export class CoverageJobInputError extends UnrecoverableError {
  override name = 'CoverageJobInputError'
}

/** A part's row without its parent, or of another kind; retrying cannot help. */
export class PartParametersError extends UnrecoverableError {
  override name = 'PartParametersError'
}

/** A part did not succeed, so the parent cannot be joined. */
export class PartsIncompleteError extends Error {
  override name = 'PartsIncompleteError'
}

/** A part failed or was cancelled: the parent fails with it, retrying the join cannot help. */
export class PartFailedError extends UnrecoverableError {
  override name = 'PartFailedError'
}
