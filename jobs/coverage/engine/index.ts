export { findBlindSpots } from './blind-spots.ts'
export { assessCapacity } from './capacity.ts'
export { rankDemandPoints } from './demand-points.ts'
export { diagnoseFromCoverage, diagnoseServiceCoverage } from './diagnose.ts'
export {
  cellCoverage,
  computeCoverage,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
  type SharedCoverageState,
} from './engine.ts'
export * from './errors.ts'
export { pointBounds, signedRingAreaM2 } from './geometry.ts'
export { CellGrid, type GridFrame, traceGridOutline } from './grid.ts'
export { naiveCoverage } from './naive.ts'
export {
  type BuildWalkGraphOptions,
  buildWalkGraph,
  type DijkstraResult,
  type DijkstraSources,
  DijkstraWorkspace,
  multiSourceDijkstra,
  SegmentIndex,
  type Snaps,
  snapPoints,
  type WalkGraph,
} from './network.ts'
export { PointGridIndex } from './point-index.ts'
export type * from './types.ts'
export { POPULATION_GROUPS, prepareCoverageInput, resolveCoverageOptions } from './validate.ts'
