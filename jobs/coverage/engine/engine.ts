import { type DijkstraSources, DijkstraWorkspace, multiSourceDijkstra } from './dijkstra.ts'
import { PointGridIndex } from './point-index.ts'
import { SegmentIndex, type Snaps, snapPoints } from './segment-index.ts'
import type {
  CellCoverage,
  CoverageInput,
  CoverageOptions,
  CoverageResult,
  PopulationCell,
  Road,
  TypeCoverage,
} from './types.ts'
import {
  type PreparedCoverageInput,
  type PreparedType,
  prepareCoverageInput,
  type ResolvedCoverageOptions,
  resolveCoverageOptions,
} from './validate.ts'
import { buildWalkGraph, type WalkGraph } from './walk-graph.ts'

/**
 * The walking graph of a road network and every cell's snap onto it: the part of the network model that does
 * not depend on the facility type. Build it once with {@link prepareWalkNetwork} and pass it to every
 * per-type call ({@link computeCoverage}, `diagnoseServiceCoverage`) over the same cells, roads and options.
 */
export interface PreparedWalkNetwork {
  graph: WalkGraph
  index: SegmentIndex
  /** Snaps of the cells, in input cell order. */
  cellSnaps: Snaps
  unreachableCells: number
  /** The cells and options it was built for; a call with others is rejected. */
  cells: readonly PopulationCell[]
  options: Pick<ResolvedCoverageOptions, 'maxSnapM' | 'mergeToleranceM'>
  workspace: DijkstraWorkspace
}

/** What several coverage calls over the same cells can share. */
export interface SharedCoverageState {
  network?: PreparedWalkNetwork
}

/**
 * Builds the walking graph of `roads` and snaps `cells` onto it, once for all facility types.
 *
 * @throws InvalidCoverageOptionError for unusable options.
 */
export function prepareWalkNetwork(
  cells: readonly PopulationCell[],
  roads: readonly Road[],
  options: CoverageOptions = {},
): PreparedWalkNetwork {
  const { maxSnapM, mergeToleranceM } = resolveCoverageOptions(options)
  const graph = buildWalkGraph(roads, { mergeToleranceM })
  const index = new SegmentIndex(graph)
  return withCells(graph, index, new DijkstraWorkspace(graph.nodeCount), cells, { maxSnapM, mergeToleranceM })
}

/**
 * `network`'s walking graph with `cells` snapped onto it instead of the cells it was built for: another run over
 * the same roads and options reuses the graph, its segment index and its search buffers (shared, not copied) and
 * only snaps its own cells.
 */
export function snapCellsToNetwork(
  network: PreparedWalkNetwork,
  cells: readonly PopulationCell[],
): PreparedWalkNetwork {
  return withCells(network.graph, network.index, network.workspace, cells, network.options)
}

function withCells(
  graph: WalkGraph,
  index: SegmentIndex,
  workspace: DijkstraWorkspace,
  cells: readonly PopulationCell[],
  options: PreparedWalkNetwork['options'],
): PreparedWalkNetwork {
  const cellSnaps = snapPoints(
    index,
    Float64Array.from(cells, (c) => c.x),
    Float64Array.from(cells, (c) => c.y),
    options.maxSnapM,
  )
  let unreachableCells = 0
  for (let i = 0; i < cells.length; i++) if (cellSnaps.edge[i]! < 0) unreachableCells++
  return { graph, index, cellSnaps, unreachableCells, cells, options, workspace }
}

/**
 * Nearest facility of every rule's type for every cell, by the input's distance model.
 *
 * Definitions shared with {@link naiveCoverage}:
 * - euclidean: straight distance from the cell centre to the facility.
 * - network: access walk from the cell centre straight to the nearest point of a walkable edge, along
 *   the graph's shortest path, then the facility's own access walk from its nearest edge point. A cell
 *   or facility farther than `maxSnapM` from every walkable edge is unreachable. Two points on the
 *   same edge may also walk directly along it.
 * - the nearest facility is the one at the smallest distance, ties to the lower facility id; it is
 *   reported when at most `cutoffM = radiusM × distanceCutoffFactor` away, and the cell is covered
 *   when at most `radiusM` away.
 *
 * Euclidean uses a bucket grid per type with buckets of side `cutoffM`; network snaps through a
 * segment bucket grid and runs one bounded multi-source Dijkstra per type. Both are linear in
 * cells + facilities + road segments for a fixed radius.
 */
export function computeCoverage(
  input: CoverageInput,
  options: CoverageOptions = {},
  shared: SharedCoverageState = {},
): CoverageResult {
  return computePreparedCoverage(prepareCoverageInput(input, options), shared)
}

/** {@link computeCoverage} on input that {@link prepareCoverageInput} already checked. */
export function computePreparedCoverage(
  prepared: PreparedCoverageInput,
  shared: SharedCoverageState = {},
): CoverageResult {
  return prepared.input.model === 'network'
    ? networkCoverage(prepared, shared.network)
    : euclideanCoverage(prepared)
}

/** One cell of a {@link TypeCoverage} as a plain object. */
export function cellCoverage(coverage: TypeCoverage, cellIndex: number): CellCoverage {
  const d = coverage.distanceM[cellIndex]
  if (d === undefined) throw new RangeError(`cell index ${cellIndex} out of range`)
  return {
    covered: coverage.covered[cellIndex] === 1,
    distanceM: Number.isNaN(d) ? null : d,
    nearestFacilityId: Number.isNaN(d) ? null : coverage.nearestFacilityId[cellIndex]!,
  }
}

export function emptyTypeCoverage(t: PreparedType, cellCount: number): TypeCoverage {
  return {
    type: t.rule.type,
    radiusM: t.rule.radiusM,
    cutoffM: t.cutoffM,
    covered: new Uint8Array(cellCount),
    distanceM: new Float64Array(cellCount).fill(Number.NaN),
    nearestFacilityId: new Float64Array(cellCount).fill(Number.NaN),
    unreachableFacilityIds: [],
  }
}

function euclideanCoverage(prepared: PreparedCoverageInput): CoverageResult {
  const cells = prepared.input.cells
  const types = prepared.types.map((t) => {
    const out = emptyTypeCoverage(t, cells.length)
    const fs = t.facilities
    const index = new PointGridIndex(
      Float64Array.from(fs, (f) => f.x),
      Float64Array.from(fs, (f) => f.y),
      t.cutoffM,
    )
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!
      const k = index.nearestWithin(cell.x, cell.y, t.cutoffM)
      if (k < 0) continue
      const d = index.lastDistanceM
      out.distanceM[i] = d
      out.nearestFacilityId[i] = fs[k]!.id
      out.covered[i] = d <= t.rule.radiusM ? 1 : 0
    }
    return out
  })
  return { model: 'euclidean', types, cellAccessM: null, unreachableCells: 0 }
}

function networkCoverage(prepared: PreparedCoverageInput, network?: PreparedWalkNetwork): CoverageResult {
  const { input, options } = prepared
  const cells = input.cells
  if (network) checkPreparedNetwork(network, cells, options)
  const walk = network ?? prepareWalkNetwork(cells, input.roads ?? [], options)
  const types = prepared.types.map((t) => networkTypeCoverage(t, cells.length, walk, options.maxSnapM))
  return {
    model: 'network',
    types,
    cellAccessM: walk.cellSnaps.accessM,
    unreachableCells: walk.unreachableCells,
  }
}

/** @throws RangeError when the prepared network was built for other cells or options than this call's. */
function checkPreparedNetwork(
  network: PreparedWalkNetwork,
  cells: readonly PopulationCell[],
  options: ResolvedCoverageOptions,
): void {
  const sameCells =
    network.cells === cells ||
    (network.cells.length === cells.length && network.cells.every((c, i) => c.id === cells[i]!.id))
  if (!sameCells) throw new RangeError('the prepared walk network was built for other cells')
  if (
    network.options.maxSnapM !== options.maxSnapM ||
    network.options.mergeToleranceM !== options.mergeToleranceM
  ) {
    throw new RangeError('the prepared walk network was built with other options')
  }
}

/**
 * One type's nearest facility per cell: a bounded multi-source search from the facilities' snap points, then
 * each cell's best of walking to either end of its edge or, along its own edge, straight to a facility there.
 */
function networkTypeCoverage(
  t: PreparedType,
  cellCount: number,
  walk: PreparedWalkNetwork,
  maxSnapM: number,
): TypeCoverage {
  const out = emptyTypeCoverage(t, cellCount)
  const fs = t.facilities
  const fSnaps = snapPoints(
    walk.index,
    Float64Array.from(fs, (f) => f.x),
    Float64Array.from(fs, (f) => f.y),
    maxSnapM,
  )
  const { sources, onEdge } = facilitySources(walk.graph, fSnaps, (k) =>
    out.unreachableFacilityIds.push(fs[k]!.id),
  )
  const { distM, label } = multiSourceDijkstra(walk.graph, sources, t.cutoffM, walk.workspace)
  const { edgeFrom, edgeTo, edgeLengthM } = walk.graph
  const { cellSnaps } = walk
  for (let i = 0; i < cellCount; i++) {
    const e = cellSnaps.edge[i]!
    if (e < 0) continue
    const along = cellSnaps.alongM[i]!
    const u = edgeFrom[e]!
    const v = edgeTo[e]!
    let best = along + distM[u]!
    let bestK = label[u]!
    const viaV = edgeLengthM[e]! - along + distM[v]!
    const kv = label[v]!
    if (viaV < best || (viaV === best && kv < bestK)) {
      best = viaV
      bestK = kv
    }
    const sameEdge = onEdge.get(e)
    if (sameEdge) {
      for (const k of sameEdge) {
        const direct = fSnaps.accessM[k]! + Math.abs(along - fSnaps.alongM[k]!)
        if (direct < best || (direct === best && k < bestK)) {
          best = direct
          bestK = k
        }
      }
    }
    const total = cellSnaps.accessM[i]! + best
    if (bestK < 0 || !(total <= t.cutoffM)) continue
    out.distanceM[i] = total
    out.nearestFacilityId[i] = fs[bestK]!.id
    out.covered[i] = total <= t.rule.radiusM ? 1 : 0
  }
  return out
}

/**
 * Each reachable facility enters the graph at both ends of its edge, labelled by its index; `onEdge` lists the
 * facilities per edge. `unreachable` hears of every facility no walkable edge is near enough.
 */
function facilitySources(
  graph: WalkGraph,
  fSnaps: Snaps,
  unreachable: (k: number) => void,
): { sources: DijkstraSources; onEdge: Map<number, number[]> } {
  const { edgeFrom, edgeTo, edgeLengthM } = graph
  const node: number[] = []
  const distM: number[] = []
  const label: number[] = []
  const onEdge = new Map<number, number[]>()
  for (let k = 0; k < fSnaps.edge.length; k++) {
    const e = fSnaps.edge[k]!
    if (e < 0) {
      unreachable(k)
      continue
    }
    const access = fSnaps.accessM[k]!
    const along = fSnaps.alongM[k]!
    node.push(edgeFrom[e]!, edgeTo[e]!)
    distM.push(access + along, access + (edgeLengthM[e]! - along))
    label.push(k, k)
    const list = onEdge.get(e)
    if (list) list.push(k)
    else onEdge.set(e, [k])
  }
  return { sources: { node, distM, label }, onEdge }
}
