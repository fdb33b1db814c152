import { sql } from 'drizzle-orm'
import type { Database } from '../../../server/db/client.ts'
import { updateAndNotify } from '../../runs/events.ts'
import type { JobRef } from '../../runs/queue.ts'
import { lockRunningRun, type RunRow } from '../../runs/rows.ts'
import type { FanOut } from '../../runs/types.ts'
import { pointBounds } from '../engine/index.ts'
import type { CoverageJobHooks } from '../hooks.ts'
import type { CoverageRunParameters } from '../parameters.ts'
import { readCells } from '../read-rows.ts'
import { type Rect, reachOf, splitIntoRects } from './split.ts'

// Fan-out of a big region's coverage run into part runs and a join: docs/adr/0007.

export const COVERAGE_PART_JOB_KIND = 'coverage_part'

/** What a part run's `parameters` hold. */
export interface CoveragePartParameters {
  parentRunId: number
  part: number
  parts: number
  srid: number
  /** The part's cells: those whose centre falls in this rectangle. */
  rect: Rect
  /** How far beyond the rectangle facilities and roads can matter, in metres. */
  reachM: number
}

/** Where a run to fan out reads: its region's `like` pattern and metric CRS. */
export interface FanOutScope {
  like: string
  srid: number
  maxCellsPerPart: number
}

/**
 * Creates the part runs of `run` (once: a re-planned run finds its parts) and schedules them with the join.
 * When every part already succeeded (the process died before the join ran), returns true: the caller joins now.
 */
export async function fanOutCoverageRun(
  database: Database,
  fanOut: FanOut,
  run: RunRow,
  parameters: CoverageRunParameters,
  scope: FanOutScope,
  hooks: CoverageJobHooks = {},
): Promise<boolean> {
  const reachM = reachOf(parameters, hooks)
  let parts = await partRuns(database, run.id)
  if (parts.length === 0) {
    const types = parameters.rules.map((r) => r.type)
    const rects = await planRects(database, scope, types)
    await insertPartRuns(database, run, rects, scope.srid, reachM)
    parts = await partRuns(database, run.id)
  }
  if (parts.length === 0) return false // cancelled while planning
  if (parts.every((p) => p.state === 'succeeded')) return true
  const join: JobRef = { kind: 'coverage', runId: run.id, phase: 'join' }
  await fanOut(
    join,
    parts
      .filter((p) => p.state === 'queued' || p.state === 'running')
      .map((p) => ({ kind: COVERAGE_PART_JOB_KIND, runId: p.id })),
  )
  return false
}

/** The part runs of a parent, in the order they were planned. */
export async function partRuns(database: Database, parentId: number) {
  return database.rows<{ id: number; state: string; error: string | null }>(
    sql`select id, state, error from diagnostic_runs where parent_id = ${parentId} order by id`,
  )
}

/**
 * Rectangles of at most `maxCellsPerPart` cells that hold every cell and facility of the region (facilities: for
 * the list of those that no road reaches, which each part reports for its own rectangle).
 */
async function planRects(
  database: Database,
  scope: FanOutScope,
  types: readonly string[],
): Promise<Array<{ rect: Rect; count: number }>> {
  const { like, srid } = scope
  // Both in the compact form of the load step (ADR 0023): one projection per table, not one per row.
  const [cellRows, [facilityExtent]] = await Promise.all([
    readCells(database, srid, sql`region_code like ${like}`),
    database.rows<{ x0: number | null; y0: number | null; x1: number | null; y1: number | null }>(sql`
      select ST_XMin(p) as x0, ST_YMin(p) as y0, ST_XMax(p) as x1, ST_YMax(p) as y1
      from (select ST_Transform(ST_Collect(geom), ${srid}::int) as p from facilities
        where region_code like ${like} and type = any(${`{${types.join(',')}}`}::text[])) f`),
  ])
  const xs = Float64Array.from(cellRows, (c) => c.x)
  const ys = Float64Array.from(cellRows, (c) => c.y)
  const cells = pointBounds(xs, ys)
  const extent: Rect = [
    Math.min(cells.minX, facilityExtent?.x0 ?? cells.minX) - 1,
    Math.min(cells.minY, facilityExtent?.y0 ?? cells.minY) - 1,
    Math.max(cells.maxX, facilityExtent?.x1 ?? cells.maxX) + 1,
    Math.max(cells.maxY, facilityExtent?.y1 ?? cells.maxY) + 1,
  ]
  return splitIntoRects(xs, ys, extent, scope.maxCellsPerPart)
}

/** One queued part run per rectangle, unless the run stopped running or another attempt planned them first. */
async function insertPartRuns(
  database: Database,
  run: RunRow,
  rects: ReadonlyArray<{ rect: Rect; count: number }>,
  srid: number,
  reachM: number,
): Promise<void> {
  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, run.id))) return
    const existing = (
      (await tx.execute(
        sql`select count(*)::int as n from diagnostic_runs where parent_id = ${run.id}`,
      )) as unknown as { rows: { n: number }[] }
    ).rows[0]
    if ((existing?.n ?? 0) > 0) return
    const rows = rects.map(({ rect, count }, i) => ({
      parameters: {
        parentRunId: run.id,
        part: i + 1,
        parts: rects.length,
        srid,
        rect,
        reachM,
      } satisfies CoveragePartParameters,
      key: `${run.idempotencyKey}:part:${i + 1}/${rects.length}`,
      message: `分片 ${i + 1}/${rects.length}，${count} 个网格 / part ${i + 1} of ${rects.length}, ${count} cells`,
    }))
    await tx.execute(sql`
      insert into diagnostic_runs (kind, parent_id, campaign_id, region_code, parameters, input_versions,
        idempotency_key, state, message, requested_by)
      select ${COVERAGE_PART_JOB_KIND}, ${run.id}, ${run.campaignId}, ${run.regionCode}, p.parameters,
        ${JSON.stringify(run.inputVersions)}::jsonb, p.key, 'queued', p.message, ${run.requestedBy}
      from json_to_recordset(${JSON.stringify(rows)}::json) as p(parameters jsonb, key text, message text)`)
    await tx.execute(
      updateAndNotify(sql`
      update diagnostic_runs set progress = 0.02,
        message = ${`分为 ${rects.length} 个分片计算 / fanned out into ${rects.length} parts`}
      where id = ${run.id}`),
    )
  })
}
