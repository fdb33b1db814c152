import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { gapPayload, POINT_WKB_BYTES } from './gap-payload.ts'
import type { UnrankedGap } from './gaps.ts'

/**
 * Sends each diagnosed step's gaps to `coverage_gap_staging` while the next step computes (docs/adr/0023): the
 * database parses, projects and stores them on the other core instead of after the last step, inside the output
 * transaction. One statement is in flight at a time, in order; a failure is kept and thrown by `flush`, never left
 * as an unhandled rejection while the diagnosis goes on.
 */
export class GapStager {
  /** The attempt's key in the staging table. */
  readonly stage = randomUUID()
  private staged = 0
  private pending: Promise<void> = Promise.resolve()
  private failure: unknown = null

  constructor(
    private readonly database: Database,
    readonly runId: number,
    private readonly srid: number,
  ) {}

  /** Queues a step's gaps; they take the positions after the ones queued before (`n`, 1-based). */
  add(gaps: readonly UnrankedGap[]): void {
    if (gaps.length === 0 || this.failure !== null) return
    const offset = this.staged
    this.staged += gaps.length
    const payload = gapPayload(gaps)
    this.pending = this.pending
      .then(() => (this.failure === null ? this.insert(payload, offset) : undefined))
      .catch((error: unknown) => {
        this.failure ??= error
      })
  }

  /** Waits for every queued step; the number of gaps staged. */
  async flush(): Promise<number> {
    await this.pending
    if (this.failure !== null) throw this.failure
    return this.staged
  }

  /** Waits, then removes what this attempt staged (a cancelled run). */
  async discard(): Promise<void> {
    await this.pending
    await this.database.rows(sql`delete from coverage_gap_staging where stage = ${this.stage}::uuid`)
  }

  private async insert(p: ReturnType<typeof gapPayload>, offset: number): Promise<void> {
    const { text: t, numbers: v } = p
    await this.database.rows(sql`
      insert into coverage_gap_staging (stage, run_id, n, facility_type, distance_model, kind, gap_key, geom, point,
        cells, uncovered_children, uncovered_working, uncovered_elderly, unserved, capacity_gap, priority, radius_m)
      select ${this.stage}::uuid, ${this.runId}::int, ${offset}::int + g.i::int, ${p.step.facilityType}::text,
        ${p.step.distanceModel}::text, g.kind, g.gap_key,
        case when g.outline_length > 0 then ST_Multi(ST_Transform(ST_GeomFromWKB(
          substring(${p.outlines}::bytea from g.outline_from for g.outline_length), ${this.srid}::int), 4326)) end,
        ST_Transform(ST_GeomFromWKB(substring(${p.points}::bytea
          from ${POINT_WKB_BYTES}::int * (g.i::int - 1) + 1 for ${POINT_WKB_BYTES}::int), ${this.srid}::int), 4326),
        g.cells, g.uncovered_children, g.uncovered_working, g.uncovered_elderly, g.unserved, g.capacity_gap,
        g.priority, ${p.step.radiusM}::float8
      from unnest(${t.kind}::text[], ${t.gap_key}::text[], ${v.cells}::int[], ${v.uncovered_children}::float8[],
        ${v.uncovered_working}::float8[], ${v.uncovered_elderly}::float8[], ${v.unserved}::float8[],
        ${v.capacity_gap}::float8[], ${v.priority}::float8[], ${p.outlineFrom}::int[], ${p.outlineLength}::int[])
        with ordinality as g(kind, gap_key, cells, uncovered_children, uncovered_working, uncovered_elderly,
          unserved, capacity_gap, priority, outline_from, outline_length, i)`)
  }
}

/**
 * Removes staged rows of runs that are no longer running (a crashed, failed or cancelled attempt's). Rows of running
 * runs stay: another attempt of the same run may still be staging, and its rows are its own (`stage`).
 */
export async function clearStaleStages(database: Database): Promise<void> {
  await database.rows(sql`
    delete from coverage_gap_staging s
    where not exists (select 1 from diagnostic_runs r where r.id = s.run_id and r.state = 'running')`)
}
