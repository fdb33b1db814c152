// What the API and the seeds may ask of the jobs — start, cancel and read runs; the rest of jobs/ is not theirs.
export { type ReportRunRequest, reportDir, startReportRun } from './annual-reports/job.ts'
export type {
  RenderedFile,
  ReportIdentity,
  ReportProgress,
  ReportRenderer,
  ReportRunParameters,
} from './annual-reports/types.ts'
export { startCoverageRun } from './coverage/job.ts'
export type { CoverageRunParameters, CoverageRunRequest } from './coverage/parameters.ts'
export { type ExchangeSendRunRequest, startExchangeSendRun } from './exchange/job.ts'
export type { BuiltPackage, PackageSender, UpstreamAnswer } from './exchange/types.ts'
export { type HeightsRunRequest, startHeightsRun } from './heights/job.ts'
export { type IndicatorRunRequest, startIndicatorRun } from './indicators/job.ts'
export { type ProjectsRunRequest, startProjectsRun } from './projects/job.ts'
export { DiagnosisParameterError } from './runs/errors.ts'
export { RUN_EVENTS_CHANNEL, type RunEvent } from './runs/events.ts'
export { cancelRun, getRun, type RunRow } from './runs/rows.ts'
export type { JobRunner } from './runs/types.ts'
export { defaultCity, type TiledCity, tiledCities } from './tiles/cities.ts'
export { startTilesRun, type TilesRunRequest } from './tiles/job.ts'
export {
  type CityTilesOptions,
  type CityTilesStatus,
  queueCityTilesRun,
  queueCityTilesRuns,
  queueRegionTilesRun,
  refreshTilesIfStale,
} from './tiles/refresh.ts'
export { startZoningRun, type ZoningRunRequest } from './zoning/job.ts'
export { applicableRules, RULE_COLUMNS, type RuleRow } from './zoning/rules.ts'
