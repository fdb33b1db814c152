/** The diagnostics benchmark's peer: the same walking coverage in pgRouting, compared and timed side by side. */
import { computeCoverage, prepareWalkNetwork } from '../jobs/coverage/engine/index.ts'
import { loadInputs } from '../jobs/coverage/inputs.ts'
import type { CoverageRunParameters } from '../jobs/coverage/parameters.ts'
import type { Database } from '../server/db/client.ts'
import { pgRoutingCoverage } from './peer-coverage.ts'
import { ensurePgRouting } from './pgrouting.ts'

export interface PeerComparison {
  /** CityCheck from the tables to every type's covered cells (load, walk network, coverage), seconds. */
  citycheckS: number
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
  const types = rules.map((r) => r.type)

  const t0 = performance.now()
  const inputs = await loadInputs(database, like, srid, types, true)
  const network = prepareWalkNetwork(inputs.cells, inputs.roads)
  const ours = computeCoverage({ ...inputs, rules, model: 'network', facilityTypes: types }, {}, { network })
  const citycheckS = (performance.now() - t0) / 1000

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
  const { graph } = network
  log(
    `pgRouting ${version} peer (walking coverage of ${rules.length} types, ${inputs.cells.length} cells): ` +
      `graph ${peer.nodes} vertices / ${peer.edges} edges (CityCheck ${graph.nodeCount} / ${graph.edgeCount}); ` +
      `covered cells agree on ${agreeing} of ${compared} cell × type pairs (${covered} covered); ` +
      `CityCheck ${round(citycheckS)} s, pgRouting ${round(peerS)} s, ${round(peerS / citycheckS, 1)}×`,
  )
  return { citycheckS, peerS, peerRatio: peerS / citycheckS, compared, agreeing, covered }
}
