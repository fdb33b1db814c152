import { createHash } from 'node:crypto'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from '../runs/events.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { refreshCityTiles } from './city.ts'

export const TILES_JOB_KIND = 'tiles'

export interface TilesRunRequest {
  /** The region the run is recorded under (and whose staff see it). */
  regionCode: string
  /** Only this region's buildings go into the tileset. @defaultValue false: the whole city model */
  onlyRegion?: boolean
  /** Where the tileset is written, usually `cityTilesDir(config.dataDir)`. */
  outDir: string
  requestedBy?: string | null
}

export class TilesRunError extends Error {
  override name = 'TilesRunError'
}

/**
 * Queues a refresh of the 3D Tiles of the city model: a full build the first time, afterwards only the tiles
 * whose buildings or problems changed. A refresh already queued or running for the same output is returned.
 */
export async function startTilesRun(
  database: Database,
  runner: JobRunner,
  request: TilesRunRequest,
): Promise<{ runId: number; created: boolean }> {
  const outDir = path.resolve(request.outDir)
  const regionCode = request.onlyRegion ? request.regionCode : null
  const key = createHash('sha256')
    .update(`tiles:${outDir}:${regionCode ?? ''}`)
    .digest('hex')
  const [existing] = await database.rows<{ id: number }>(
    sql`select id from diagnostic_runs where idempotency_key = ${key} and state in ('queued', 'running')
      order by id desc limit 1`,
  )
  if (existing) return { runId: existing.id, created: false }
  const [run] = await database.rows<{ id: number }>(
    sql`insert into diagnostic_runs (kind, region_code, parameters, idempotency_key, requested_by)
      values (${TILES_JOB_KIND}, ${request.regionCode}, ${JSON.stringify({ outDir, regionCode })}::jsonb,
        ${key}, ${request.requestedBy ?? null})
      returning id`,
  )
  if (!run) throw new TilesRunError('tiles run insert returned nothing')
  await runner.enqueue(TILES_JOB_KIND, run.id)
  return { runId: run.id, created: true }
}

/** The tiles processor: idempotent, since a refresh of unchanged input rewrites nothing. */
export async function processTilesRun(database: Database, context: JobContext): Promise<void> {
  const [run] = await database.rows<{
    state: string
    parameters: { outDir?: string; regionCode?: string | null }
  }>(sql`select state, parameters from diagnostic_runs where id = ${context.runId}`)
  if (!run) throw new TilesRunError(`run ${context.runId} does not exist`)
  if (run.state !== 'queued' && run.state !== 'running') return
  const outDir = run.parameters.outDir
  if (!outDir) throw new TilesRunError(`run ${context.runId} names no output directory`)
  await database.rows(
    updateAndNotify(sql`update diagnostic_runs set state = 'running', attempts = attempts + 1,
      started_at = coalesce(started_at, now()), message = '生成三维瓦片 / generating 3D Tiles'
      where id = ${context.runId} and state in ('queued', 'running')`),
  )
  const started = performance.now()
  const refreshed = await refreshCityTiles(database, {
    outDir,
    ...(run.parameters.regionCode ? { regionCode: run.parameters.regionCode } : {}),
  })
  const outputs = {
    refresh: refreshed.kind,
    seconds: (performance.now() - started) / 1000,
    ...('result' in refreshed && refreshed.result
      ? {
          tiles: (refreshed.result as { tiles?: number }).tiles,
          bytes: (refreshed.result as { bytes?: number }).bytes,
        }
      : {}),
  }
  await database.rows(
    updateAndNotify(sql`update diagnostic_runs set state = 'succeeded', progress = 1, finished_at = now(),
      message = null, outputs = ${JSON.stringify(outputs)}::jsonb
      where id = ${context.runId} and state = 'running'`),
  )
}
