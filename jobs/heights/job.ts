import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { isGaussKrueger, metricSridFor } from '../../server/domain/crs.ts'
import { updateAndNotify } from '../runs/events.ts'
import { lockRunningRun, markRunSucceeded, queueRun, unfinishedRun } from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import { buildingsInExtent, candidatesIn, type Measured, writeHeights } from './buildings.ts'
import { HeightsInputError } from './errors.ts'
import { disagrees, GROUND_PERCENTILE, measureBuilding, ROOF_PERCENTILE } from './measure.ts'
import { type Box, Raster } from './raster.ts'
import { ringsOf } from './zonal.ts'

export const HEIGHTS_JOB_KIND = 'heights'

export interface HeightsRunRequest {
  /** The DSM (GeoTIFF or COG): surface heights in metres. */
  dsmFile: string
  /** A DTM on the same CRS: ground heights; without it the ground is taken around each footprint. */
  dtmFile?: string | undefined
  /** When the rasters were taken, overriding the TIFF's DateTime tag (YYYY-MM-DD). */
  rasterDate?: string | undefined
  /** @defaultValue the city of the buildings the DSM covers */
  regionCode?: string | undefined
  /** Pixels per side of a processing window. @defaultValue 512 */
  windowPx?: number | undefined
  requestedBy?: string | null
}

/** What a finished run reports. */
export interface HeightsRunOutputs {
  buildings: number
  updated: number
  flagged: number
  qualities: Record<string, number>
  windows: number
  /** The most pixels one window read: what bounds the memory, whatever the raster's size. */
  maxWindowPixels: number
  rasterDate: string | null
}

interface HeightsParameters {
  dsmFile: string
  dtmFile: string | null
  rasterDate: string | null
  windowPx: number
}

/** Queues a height import; the same rasters (path, size, modification time) queued or running are returned. */
export async function startHeightsRun(
  database: Database,
  runner: JobRunner,
  request: HeightsRunRequest,
): Promise<{ runId: number; created: boolean }> {
  const dsmFile = path.resolve(request.dsmFile)
  const dtmFile = request.dtmFile ? path.resolve(request.dtmFile) : null
  if (request.rasterDate && !/^\d{4}-\d{2}-\d{2}$/.test(request.rasterDate)) {
    throw new HeightsInputError(
      `日期格式应为 YYYY-MM-DD / the raster date must be YYYY-MM-DD: ${request.rasterDate}`,
    )
  }
  const dsm = await Raster.open(dsmFile)
  const extent = await buildingsInExtent(database, dsm.extent, dsm.srid).finally(() => dsm.close())
  const regionCode = request.regionCode ?? extent.cityCode ?? '310100'
  const parameters: HeightsParameters = {
    dsmFile,
    dtmFile,
    rasterDate: request.rasterDate ?? null,
    windowPx: request.windowPx ?? 512,
  }
  const fingerprint = [dsmFile, dtmFile].map((f) => (f ? `${f}:${fileVersion(f)}` : '')).join('|')
  const { run, created } = await queueRun(database, runner, {
    kind: HEIGHTS_JOB_KIND,
    regionCode,
    campaignId: null,
    parameters: { ...parameters },
    inputVersions: { rasters: fingerprint },
    idempotencyKey: createHash('sha256')
      .update(`heights:${fingerprint}:${JSON.stringify(parameters)}`)
      .digest('hex'),
    reuseStates: ['queued', 'running'],
    requestedBy: request.requestedBy ?? null,
  })
  return { runId: run.id, created }
}

function fileVersion(file: string): string {
  try {
    const stat = fs.statSync(file)
    return `${stat.size}:${stat.mtimeMs}`
  } catch {
    throw new HeightsInputError(`找不到栅格文件 / raster file not found: ${file}`)
  }
}

/**
 * The height processor: walks the DSM window by window, measures the buildings whose point falls in each
 * window, and writes every height and mismatch problem in one transaction at the end, so a retry starts over
 * and a cancelled run writes nothing. Memory holds one window of pixels and a few numbers per building.
 */
export async function processHeightsRun(database: Database, context: JobContext): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const parameters = run.parameters as unknown as HeightsParameters
  const claimed = await database.rows(
    updateAndNotify(sql`update diagnostic_runs set state = 'running', attempts = attempts + 1, progress = 0,
      started_at = coalesce(started_at, now()), message = '读取 DSM / reading the DSM'
      where id = ${context.runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  const dsm = await Raster.open(parameters.dsmFile)
  const dtm = parameters.dtmFile ? await Raster.open(parameters.dtmFile) : null
  try {
    if (dtm && dtm.srid !== dsm.srid) {
      throw new HeightsInputError(
        `DTM 与 DSM 坐标系不同 / the DTM (EPSG:${dtm.srid}) and the DSM (EPSG:${dsm.srid}) must share a CRS`,
      )
    }
    const rasterDate = parameters.rasterDate ?? dsm.date
    const measured = await measureAll(database, context.runId, dsm, dtm, parameters.windowPx)
    const method =
      `DSM p${ROOF_PERCENTILE * 100} in the footprint minus ` +
      (dtm ? 'the DTM median under it' : `DSM p${GROUND_PERCENTILE * 100} in a 2–20 m ring around it`)
    const total = await buildingsInExtent(database, dsm.extent, dsm.srid)
    const outputs: HeightsRunOutputs = {
      buildings: total.buildings,
      updated: measured.list.length,
      flagged: measured.list.filter((m) => m.flagged).length,
      qualities: countBy(measured.list.map((m) => m.quality)),
      windows: measured.windows,
      maxWindowPixels: measured.maxWindowPixels,
      rasterDate,
    }
    await database.db.transaction(async (tx) => {
      if (!(await lockRunningRun(tx, context.runId))) return
      await writeHeights(tx, measured.list, { method, rasterDate, runId: context.runId })
      await markRunSucceeded(tx, context.runId, outputs)
    })
  } finally {
    await dsm.close()
    await dtm?.close()
  }
}

async function measureAll(
  database: Database,
  runId: number,
  dsm: Raster,
  dtm: Raster | null,
  windowPx: number,
): Promise<{ list: Measured[]; windows: number; maxWindowPixels: number }> {
  const metricSrid = metricSridOf(dsm)
  const columns = Math.ceil(dsm.width / windowPx)
  const rows = Math.ceil(dsm.height / windowPx)
  const list: Measured[] = []
  let maxWindowPixels = 0
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const window = dsm.boxOf(
        c * windowPx,
        r * windowPx,
        Math.min(dsm.width, (c + 1) * windowPx),
        Math.min(dsm.height, (r + 1) * windowPx),
      )
      const candidates = await candidatesIn(database, window, dsm.srid, metricSrid)
      if (candidates.length === 0) continue
      // The window grows to hold its buildings' rings whole; a building belongs to one window only.
      const box: Box = {
        minX: Math.min(...candidates.map((b) => b.minX)),
        minY: Math.min(...candidates.map((b) => b.minY)),
        maxX: Math.max(...candidates.map((b) => b.maxX)),
        maxY: Math.max(...candidates.map((b) => b.maxY)),
      }
      const dsmGrid = await dsm.read(box)
      const dtmGrid = dtm ? await dtm.read(box) : null
      if (!dsmGrid) continue
      maxWindowPixels = Math.max(maxWindowPixels, dsmGrid.width * dsmGrid.height)
      for (const b of candidates) {
        const m = measureBuilding({ dsm, dsmGrid, dtm, dtmGrid }, ringsOf(b.footprint), ringsOf(b.ring))
        if (!m) continue
        const heightM = Math.round(m.heightM * 100) / 100
        const flagged = b.recordedM !== null && disagrees(b.recordedM, heightM)
        list.push({ id: b.id, heightM, quality: m.quality, recordedM: b.recordedM, flagged })
      }
    }
    await reportProgress(database, runId, (r + 1) / rows)
  }
  return { list, windows: columns * rows, maxWindowPixels }
}

function metricSridOf(dsm: Raster): number {
  if (isGaussKrueger(dsm.srid)) return dsm.srid
  const e = dsm.extent
  return metricSridFor((e.minX + e.maxX) / 2, (e.minY + e.maxY) / 2)
}

async function reportProgress(database: Database, runId: number, progress: number): Promise<void> {
  await database.rows(
    updateAndNotify(sql`update diagnostic_runs set progress = ${Math.min(0.99, progress)},
      message = ${`测量建筑高度 / measuring heights ${Math.round(progress * 100)}%`}
      where id = ${runId} and state = 'running'`),
  )
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}
