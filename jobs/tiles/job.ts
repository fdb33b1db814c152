import { createHash } from 'node:crypto'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from '../runs/events.ts'
import { lockRunningRun, markRunSucceeded, queueRun, RunNotFoundError, unfinishedRun } from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { type RefreshCityTilesResult, refreshCityTiles } from './city.ts'
import { sourceState } from './source-state.ts'

export const TILES_JOB_KIND = 'tiles'

export interface TilesRunRequest {
  /** The region the run is recorded under (and whose staff see it). */
  regionCode: string
  /** Only this region's buildings go into the tileset. @defaultValue false: the whole city model */
  onlyRegion?: boolean
  /** The public tileset: public buildings only, without problem attributes. @defaultValue false */
  publicOnly?: boolean
  /** Where the tileset is written, usually `cityTilesDir(config.dataDir)`. */
  outDir: string
  requestedBy?: string | null
}

interface TilesRunParameters {
  outDir?: unknown
  regionCode?: unknown
  publicOnly?: unknown
}

/**
 * Queues a refresh of the 3D Tiles of the city model: a full build the first time, afterwards only the tiles
 * whose buildings or problems changed. A refresh already queued or running for the same output is returned, so
 * at most one run writes a directory at a time.
 */
export async function startTilesRun(
  database: Database,
  runner: JobRunner,
  request: TilesRunRequest,
): Promise<{ runId: number; created: boolean }> {
  const outDir = path.resolve(request.outDir)
  const regionCode = request.onlyRegion ? request.regionCode : null
  const publicOnly = request.publicOnly ?? false
  const source = await sourceState(database, regionCode ?? undefined, publicOnly)
  const { run, created } = await queueRun(database, runner, {
    kind: TILES_JOB_KIND,
    regionCode: request.regionCode,
    campaignId: null,
    parameters: { outDir, regionCode, ...(publicOnly ? { publicOnly } : {}) },
    inputVersions: { ...source },
    idempotencyKey: createHash('sha256')
      .update(`tiles:${outDir}:${regionCode ?? ''}${publicOnly ? ':public' : ''}`)
      .digest('hex'),
    reuseStates: ['queued', 'running'],
    requestedBy: request.requestedBy ?? null,
  })
  return { runId: run.id, created }
}

/**
 * The tiles processor. Idempotent: the refresh compares the database with the state saved beside the tileset, so
 * a retry after a crash rewrites what is still out of date and a refresh of unchanged input rewrites nothing. The
 * tiles are files, not rows, so they cannot commit with the run: a run cancelled while it wrote them keeps them
 * (they match the database) but is not marked succeeded.
 */
export async function processTilesRun(database: Database, context: JobContext): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const parameters = run.parameters as TilesRunParameters
  if (typeof parameters.outDir !== 'string') {
    throw new RunNotFoundError(`diagnostic run ${context.runId} names no output directory`)
  }
  const claimed = await database.rows(
    updateAndNotify(sql`update diagnostic_runs set state = 'running', attempts = attempts + 1,
      started_at = coalesce(started_at, now()), message = '生成三维瓦片 / generating 3D Tiles'
      where id = ${context.runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  const started = performance.now()
  const refreshed = await refreshCityTiles(database, {
    outDir: parameters.outDir,
    ...(typeof parameters.regionCode === 'string' ? { regionCode: parameters.regionCode } : {}),
    ...(parameters.publicOnly === true ? { publicOnly: true } : {}),
  })
  const outputs = { ...describeRefresh(refreshed), seconds: (performance.now() - started) / 1000 }
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, context.runId))) return
    await markRunSucceeded(tx, context.runId, outputs)
  })
}

/** What a run's outputs say of its refresh. */
function describeRefresh(refreshed: RefreshCityTilesResult): Record<string, unknown> {
  switch (refreshed.kind) {
    case 'unchanged':
      return { refresh: 'unchanged' }
    case 'built':
      return {
        refresh: 'built',
        buildings: refreshed.result.buildings,
        tiles: refreshed.result.tiles,
        bytes: refreshed.result.bytes,
      }
    case 'updated':
      return {
        refresh: 'updated',
        rewritten: refreshed.result.rewritten.length,
        removed: refreshed.result.removed.length,
        bytes: refreshed.result.bytes,
      }
  }
}
