/**
 * Keeping the served tilesets current — the public city tileset and the regions' tilesets — with a cheap
 * staleness check that queues a tiles run (docs/adr/0006).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { JobRunner } from '../runs/types.ts'
import { cityTilesDir, regionTilesDir } from './city.ts'
import { startTilesRun } from './job.ts'
import { TILESET_FILE } from './manifest.ts'
import { readSourceState, sameSourceState, sourceState } from './source-state.ts'

export interface CityTilesOptions {
  /** The data directory; the tileset is in {@link cityTilesDir} (or {@link regionTilesDir}) under it. */
  dataDir: string
  /**
   * A region's tileset (every building of the region, with problems) rather than the public city tileset.
   * The caller has checked that the region exists.
   */
  regionCode?: string
  requestedBy?: string | null
}

/** Where the city tileset stands, as a tileset.json request sees it. */
export interface CityTilesStatus {
  /** tileset.json exists and can be served. */
  built: boolean
  /**
   * `fresh`: built from the database as it is now. `refreshing`: out of date (or not built), a tiles run is
   * queued or running. `stale`: out of date, and nothing here can queue a run (no job runner). `empty`: there
   * are no buildings to tile.
   */
  state: 'fresh' | 'refreshing' | 'stale' | 'empty'
  /** The tiles run queued or running, when `refreshing`. */
  runId: number | null
}

/**
 * Compares the database (building count, latest change of buildings and of their problems) with the state saved
 * beside the tileset, and queues a tiles run when they differ or there is no tileset. Never builds here.
 */
export async function refreshTilesIfStale(
  database: Database,
  runner: JobRunner | undefined,
  options: CityTilesOptions,
): Promise<CityTilesStatus> {
  const region = options.regionCode
  const outDir = region ? regionTilesDir(options.dataDir, region) : cityTilesDir(options.dataDir)
  const built = (await stat(path.join(outDir, TILESET_FILE)).catch(() => null))?.isFile() ?? false
  const saved = built ? await readSourceState(outDir) : null
  const current = await sourceState(database, region, !region)
  if (saved && sameSourceState(saved, current)) return { built, state: 'fresh', runId: null }
  if (current.buildings === 0) return { built, state: 'empty', runId: null }
  if (!runner) return { built, state: 'stale', runId: null }
  const queued = region
    ? await queueRegionTilesRun(database, runner, { ...options, regionCode: region })
    : await queueCityTilesRun(database, runner, options)
  return queued ? { built, state: 'refreshing', runId: queued.runId } : { built, state: 'empty', runId: null }
}

/**
 * Queues a refresh of the public city tileset, whatever its state (at start: a tileset written with other tiling
 * parameters is rebuilt). Null when there are no buildings.
 */
export async function queueCityTilesRun(
  database: Database,
  runner: JobRunner,
  options: CityTilesOptions,
): Promise<{ runId: number; created: boolean } | null> {
  const regionCode = await cityModelRegion(database)
  if (!regionCode) return null
  return startTilesRun(database, runner, {
    regionCode,
    outDir: cityTilesDir(options.dataDir),
    publicOnly: true,
    requestedBy: options.requestedBy ?? null,
  })
}

/** Queues a refresh of a region's tileset (every building of the region, with problems), whatever its state. */
export function queueRegionTilesRun(
  database: Database,
  runner: JobRunner,
  options: CityTilesOptions & { regionCode: string },
): Promise<{ runId: number; created: boolean }> {
  return startTilesRun(database, runner, {
    regionCode: options.regionCode,
    onlyRegion: true,
    outDir: regionTilesDir(options.dataDir, options.regionCode),
    requestedBy: options.requestedBy ?? null,
  })
}

/**
 * The region a city tileset run is recorded under: the most specific region holding every building (codes
 * sorted as text share the prefix of the first and the last), else — buildings in several provinces — the
 * first building's region.
 */
async function cityModelRegion(database: Database): Promise<string | null> {
  const [range] = await database.rows<{ lo: string | null; hi: string | null }>(
    sql`select min(region_code) as lo, max(region_code) as hi from buildings`,
  )
  const lo = range?.lo
  const hi = range?.hi
  if (!lo || !hi) return null
  let common = 0
  while (common < lo.length && lo[common] === hi[common]) common++
  const prefixes = Array.from({ length: common }, (_, i) => lo.slice(0, i + 1))
  const [region] = await database.rows<{ code: string }>(
    sql`select code from regions where scope_prefix = any(${sql.param(prefixes)}::text[])
      order by length(scope_prefix) desc, code limit 1`,
  )
  return region?.code ?? lo
}
