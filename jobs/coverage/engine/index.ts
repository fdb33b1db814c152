export { findBlindSpots } from './blind-spots.ts'
export { assessCapacity } from './capacity.ts'
export { rankDemandPoints } from './demand-points.ts'
export { diagnoseFromCoverage, diagnoseServiceCoverage } from './diagnose.ts'
export {
  type DijkstraResult,
  type DijkstraSources,
  DijkstraWorkspace,
  multiSourceDijkstra,
} from './dijkstra.ts'
export {
  cellCoverage,
  computeCoverage,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
  type SharedCoverageState,
  snapCellsToNetwork,
} from './engine.ts'
export * from './errors.ts'
export { pointBounds, signedRingAreaM2 } from './geometry.ts'
export { CellGrid, type GridFrame, traceGridOutline } from './grid.ts'
export { naiveCoverage } from './naive.ts'
export { PointGridIndex } from './point-index.ts'
export { SegmentIndex, type Snaps, snapPoints } from './segment-index.ts'
export type * from './types.ts'
export { POPULATION_GROUPS, prepareCoverageInput, resolveCoverageOptions } from './validate.ts'
export { type BuildWalkGraphOptions, buildWalkGraph, type WalkGraph } from './walk-graph.ts'
