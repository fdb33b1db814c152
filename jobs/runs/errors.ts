/**
 * Parameters a caller got wrong. The GraphQL layer maps every subclass to BAD_USER_INPUT; messages are zh-CN with
 * English beside, since they reach the user as they are.
 */
export class DiagnosisParameterError extends Error {
  override name = 'DiagnosisParameterError'
  readonly code = 'BAD_USER_INPUT'
}

export class UnknownRegionError extends DiagnosisParameterError {
  override name = 'UnknownRegionError'
  constructor(readonly regionCode: string) {
    super(`行政区划 ${regionCode} 不存在 / region ${regionCode} does not exist`)
  }
}

export class UnknownCampaignError extends DiagnosisParameterError {
  override name = 'UnknownCampaignError'
  constructor(readonly campaignId: number) {
    super(`体检任务 ${campaignId} 不存在 / campaign ${campaignId} does not exist`)
  }
}

/** The campaign examines another region than the one asked for. */
export class CampaignRegionMismatchError extends DiagnosisParameterError {
  override name = 'CampaignRegionMismatchError'
  constructor(
    readonly campaignId: number,
    readonly regionCode: string,
  ) {
    super(
      `体检任务 ${campaignId} 不包含行政区划 ${regionCode} / campaign ${campaignId} does not cover region ${regionCode}`,
    )
  }
}

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
