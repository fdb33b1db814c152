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
