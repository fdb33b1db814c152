/** The diagnostics benchmark's peer: the same walking coverage in pgRouting, compared and timed side by side. */
import { type CoverageResult, computeCoverage, type FacilityRule } from '../jobs/coverage/engine/index.ts'
import { type CoverageInputs, loadInputs } from '../jobs/coverage/inputs.ts'
import type { CoverageRunParameters } from '../jobs/coverage/parameters.ts'
import { cachedWalkNetwork, forgetWalkNetworks } from '../jobs/coverage/walk-network-cache.ts'
import type { Database } from '../server/db/client.ts'
import { pgRoutingCoverage } from './peer-coverage.ts'
import { ensurePgRouting } from './pgrouting.ts'

export interface PeerComparison {
  /** CityCheck from the tables to every type's covered cells (load, walk network, coverage), seconds. */
  citycheckS: number
  /** The same again, as a rerun after a facility change: the walk network from the cache. */
  citycheckWarmS: number
  /** pgRouting from the tables to the same covered cells, seconds. */
  peerS: number
  /** peerS / citycheckS. */
  peerRatio: number
  /** Cells × types compared, and how many of them the two call the same (covered or not). */
  compared: number
  agreeing: number
  /** Covered cells × types by CityCheck. */
  covered: number
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

/**
 * The walking (network) coverage of every type of the run's rules, by CityCheck's engine and by pgRouting, each
 * timed from the tables to the covered cells (CityCheck with no walk network built before), then compared cell
 * by cell.
 */
export async function comparePgRouting(
  database: Database,
  like: string,
  srid: number,
  parameters: CoverageRunParameters,
  log: (line: string) => void,
): Promise<PeerComparison> {
  const version = await ensurePgRouting(database, log)
  const rules = parameters.rules
  forgetWalkNetworks(database)
  const cold = await citycheckCoverage(database, like, srid, rules)
  const warm = await citycheckCoverage(database, like, srid, rules)
  if (cold.reused || !warm.reused) throw new Error('the walk network cache did not behave')
  const { inputs, coverage: ours, seconds: citycheckS } = cold

  const t1 = performance.now()
  const peer = await pgRoutingCoverage(database, { like, srid }, rules)
  const peerS = (performance.now() - t1) / 1000

  let compared = 0
  let agreeing = 0
  let covered = 0
  const cellIndex = new Map(inputs.cells.map((c, i) => [c.id, i]))
  for (const [r, rule] of rules.entries()) {
    const mine = ours.types[r]?.covered
    if (!mine) throw new Error(`no CityCheck coverage for ${rule.type}`)
    const theirs = new Uint8Array(mine.length)
    for (const id of peer.covered[r] ?? []) {
      const i = cellIndex.get(id)
      if (i !== undefined) theirs[i] = 1
    }
    let differing = 0
    for (let i = 0; i < mine.length; i++) {
      compared++
      covered += mine[i]!
      if (mine[i] === theirs[i]) agreeing++
      else differing++
    }
    if (differing) log(`  ${rule.type} (${rule.radiusM} m): ${differing} cells differ`)
  }
  const { graph } = cold.network
  log(
    `pgRouting ${version} peer (walking coverage of ${rules.length} types, ${inputs.cells.length} cells): ` +
      `graph ${peer.nodes} vertices / ${peer.edges} edges (CityCheck ${graph.nodeCount} / ${graph.edgeCount}); ` +
      `covered cells agree on ${agreeing} of ${compared} cell × type pairs (${covered} covered); ` +
      `CityCheck ${round(citycheckS)} s (walk network cached: ${round(warm.seconds)} s), ` +
      `pgRouting ${round(peerS)} s, ${round(peerS / citycheckS, 1)}×`,
  )
  return {
    citycheckS,
    citycheckWarmS: warm.seconds,
    peerS,
    peerRatio: peerS / citycheckS,
    compared,
    agreeing,
    covered,
  }
}

/** The job's own path from the tables to the walking coverage: inputs, the (cached) walk network, coverage. */
async function citycheckCoverage(database: Database, like: string, srid: number, rules: FacilityRule[]) {
  const types = rules.map((r) => r.type)
  const t0 = performance.now()
  const inputs: CoverageInputs = await loadInputs(database, like, srid, types, false)
  const walk = await cachedWalkNetwork(database, { like, srid }, inputs.cells)
  const coverage: CoverageResult = computeCoverage(
    { ...inputs, rules, model: 'network', facilityTypes: types },
    {},
    { network: walk.network },
  )
  const seconds = (performance.now() - t0) / 1000
  return { inputs, coverage, network: walk.network, reused: walk.reused, seconds }
}
