import crypto from 'node:crypto'
import type { Database } from '../../server/db/client.ts'
import {
  CoverageInputError,
  type CoverageOptions,
  type PopulationCell,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
  resolveCoverageOptions,
  snapCellsToNetwork,
} from './engine/index.ts'
import { CoverageJobInputError } from './errors.ts'
import { type InputWindow, loadRoads, readRoadsVersion } from './inputs.ts'

// The walk networks of recent runs, per database, kept in the process (a worker's, or the API's in-process runner)
// and keyed by the roads' input version: a rerun after a facility changed — or another type, or a project's
// benefit — reads no road and builds no graph. Roads are replaced by re-import, never edited (ADR 0005), so their
// count and highest id change whenever they do.

/** Where the network's roads come from: a region, in its metric CRS, maybe only those touching `reach`. */
export interface WalkNetworkScope {
  like: string
  srid: number
  reach?: InputWindow['reach']
}

export interface CachedWalkNetwork {
  network: PreparedWalkNetwork
  /** Walkable roads the graph was built from. */
  roads: number
  /** True when the graph came from the cache (no road read, nothing built). */
  reused: boolean
}

interface Entry {
  key: string
  roads: number
  /** The network as last handed out, with the cells it was snapped for. */
  network: PreparedWalkNetwork
  cellsDigest: string
}

/** A fanned-out L city's parts on one worker, plus the whole region: a few entries of tens of MiB each. */
const MAX_ENTRIES = 4
const caches = new WeakMap<Database, Entry[]>()

/**
 * The walk network of the scope's walkable roads with `cells` snapped onto it: from the cache when the roads'
 * version, the scope and the options are those of a recent run (the cells snapped again when they differ),
 * otherwise read and built, and kept for the next run.
 */
export async function cachedWalkNetwork(
  database: Database,
  scope: WalkNetworkScope,
  cells: readonly PopulationCell[],
  options: CoverageOptions = {},
): Promise<CachedWalkNetwork> {
  const { maxSnapM, mergeToleranceM } = resolveCoverageOptions(options)
  const version = await readRoadsVersion(database, scope.like)
  const key = JSON.stringify([scope, version, maxSnapM, mergeToleranceM])
  const digest = cellsDigest(cells)
  let entries = caches.get(database)
  if (!entries) {
    entries = []
    caches.set(database, entries)
  }
  const found = entries.findIndex((e) => e.key === key)
  if (found >= 0) {
    const [entry] = entries.splice(found, 1) as [Entry]
    entries.unshift(entry)
    if (entry.cellsDigest !== digest) {
      entry.network = snapCellsToNetwork(entry.network, cells)
      entry.cellsDigest = digest
    }
    return { network: entry.network, roads: entry.roads, reused: true }
  }
  const roads = await loadRoads(database, scope.like, scope.srid, scope.reach)
  const network = prepareWalkNetwork(cells, roads, { maxSnapM, mergeToleranceM })
  entries.unshift({ key, roads: roads.length, network, cellsDigest: digest })
  entries.length = Math.min(entries.length, MAX_ENTRIES)
  return { network, roads: roads.length, reused: false }
}

/**
 * {@link cachedWalkNetwork} for a run or a part, timed; roads the engine refuses fail the run as bad input.
 */
export async function walkNetworkOfRun(
  database: Database,
  scope: WalkNetworkScope,
  cells: readonly PopulationCell[],
  options: CoverageOptions = {},
): Promise<CachedWalkNetwork & { ms: number }> {
  const t0 = performance.now()
  try {
    const walk = await cachedWalkNetwork(database, scope, cells, options)
    return { ...walk, ms: performance.now() - t0 }
  } catch (error) {
    if (error instanceof CoverageInputError) throw new CoverageJobInputError(error.message)
    throw error
  }
}

/** Drops the walk networks cached for `database`: the next run builds its own. */
export function forgetWalkNetworks(database: Database): void {
  caches.delete(database)
}

/** What the cells' snaps depend on: their ids and centres. */
function cellsDigest(cells: readonly PopulationCell[]): string {
  const values = new Float64Array(3 * cells.length)
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!
    values[3 * i] = c.id
    values[3 * i + 1] = c.x
    values[3 * i + 2] = c.y
  }
  return crypto.createHash('sha256').update(values).digest('hex')
}
