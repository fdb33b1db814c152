/**
 * Keeping the served tilesets current — the public tileset of each city and the regions' tilesets — with a cheap
 * staleness check that queues a tiles run (docs/adr/0006, 0024).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Database } from '../../server/db/client.ts'
import type { JobRunner } from '../runs/types.ts'
import { tiledCities } from './cities.ts'
import { cityTilesDir, regionTilesDir } from './city.ts'
import { startTilesRun } from './job.ts'
import { TILESET_FILE } from './manifest.ts'
import { readSourceState, sameSourceState, sourceState } from './source-state.ts'

export interface CityTilesOptions {
  /** The data directory; the tileset is in {@link cityTilesDir} (or {@link regionTilesDir}) under it. */
  dataDir: string
  /**
   * A region's tileset (every building of the region, with problems) rather than a city's public tileset.
   * The caller has checked that the region exists and is a city or below (a province's tiles are its cities').
   */
  regionCode?: string
  /** The city-level region whose public tileset is meant (when `regionCode` is absent). */
  cityCode?: string
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
  const city = options.cityCode
  if (!region && !city) throw new Error('refreshTilesIfStale needs a region or a city')
  const outDir = region ? regionTilesDir(options.dataDir, region) : cityTilesDir(options.dataDir, city)
  const built = (await stat(path.join(outDir, TILESET_FILE)).catch(() => null))?.isFile() ?? false
  const saved = built ? await readSourceState(outDir) : null
  const current = await sourceState(database, region ?? city, !region)
  if (saved && sameSourceState(saved, current)) return { built, state: 'fresh', runId: null }
  if (current.buildings === 0) return { built, state: 'empty', runId: null }
  if (!runner) return { built, state: 'stale', runId: null }
  const queued = region
    ? await queueRegionTilesRun(database, runner, { ...options, regionCode: region })
    : await queueCityTilesRun(database, runner, { ...options, cityCode: city! })
  return { built, state: 'refreshing', runId: queued.runId }
}

/**
 * Queues a refresh of one city's public tileset, whatever its state (at start: a tileset written with other tiling
 * parameters is rebuilt).
 */
export function queueCityTilesRun(
  database: Database,
  runner: JobRunner,
  options: CityTilesOptions & { cityCode: string },
): Promise<{ runId: number; created: boolean }> {
  return startTilesRun(database, runner, {
    regionCode: options.cityCode,
    onlyRegion: true,
    outDir: cityTilesDir(options.dataDir, options.cityCode),
    publicOnly: true,
    requestedBy: options.requestedBy ?? null,
  })
}

/** Queues a refresh of the public tileset of every city with public buildings: one run per city. */
export async function queueCityTilesRuns(
  database: Database,
  runner: JobRunner,
  options: CityTilesOptions,
): Promise<{ cityCode: string; runId: number; created: boolean }[]> {
  const out: { cityCode: string; runId: number; created: boolean }[] = []
  for (const city of await tiledCities(database, { publicOnly: true })) {
    const run = await queueCityTilesRun(database, runner, { ...options, cityCode: city.code })
    out.push({ cityCode: city.code, ...run })
  }
  return out
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
