import {
  type AnyPgColumn,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type RunState = (typeof RUN_STATES)[number]

/** 诊断运行: one run of a background diagnosis or generation job. */
export const diagnosticRuns = pgTable(
  'diagnostic_runs',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    /** The run this one is a part of: a big region's coverage run fans out into parts and joins them. */
    parentId: integer('parent_id').references((): AnyPgColumn => diagnosticRuns.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id').references(() => campaigns.id),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    /** Fingerprints of the inputs (row counts and latest update of each table read). */
    inputVersions: jsonb('input_versions').$type<Record<string, unknown>>().notNull().default({}),
    /** kind + parameters + input versions: the same inputs never run twice side by side. */
    idempotencyKey: text('idempotency_key').notNull(),
    state: text('state', { enum: RUN_STATES }).notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    message: text('message'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    outputs: jsonb('outputs').$type<Record<string, unknown>>().notNull().default({}),
    requestedBy: text('requested_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('diagnostic_runs_region_code_idx').on(t.regionCode),
    index('diagnostic_runs_idempotency_key_idx').on(t.idempotencyKey),
    index('diagnostic_runs_parent_id_idx').on(t.parentId),
  ],
)

/** Raw bytes (`bytea`): node-postgres reads them as a Buffer, PGlite as a Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
})

/**
 * 分片结果: what one part of a fanned-out coverage run computed for its cells, kept until the parent joins the
 * parts. Per distance model × facility type (in the order of the parent's parameters) the nearest facility and
 * its distance of every cell, as little-endian Float64 arrays (NaN: none within the cut-off).
 */
export const coverageRunParts = pgTable(
  'coverage_run_parts',
  {
    runId: integer('run_id')
      .primaryKey()
      .references(() => diagnosticRuns.id, { onDelete: 'cascade' }),
    parentRunId: integer('parent_run_id')
      .notNull()
      .references(() => diagnosticRuns.id, { onDelete: 'cascade' }),
    /** Ids of the part's cells, ascending, as little-endian Int32. */
    cellIds: bytea('cell_ids').notNull(),
    /** Per step: `cells` distances then `cells` facility ids, Float64 LE. */
    results: bytea('results').notNull(),
    /** Per model: unreachable cells; per step: unreachable facilities inside the part's rectangle. */
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('coverage_run_parts_parent_idx').on(t.parentRunId)],
)

/** 服务盲区 / 缺口: a blind spot or capacity gap for one facility type found by a run. */
export const coverageGaps = pgTable(
  'coverage_gaps',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id')
      .notNull()
      .references(() => diagnosticRuns.id, { onDelete: 'cascade' }),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    facilityType: text('facility_type').notNull(),
    distanceModel: text('distance_model', { enum: ['euclidean', 'network'] }).notNull(),
    kind: text('kind', { enum: ['blind_spot', 'capacity'] }).notNull(),
    /** Stable key within a run so a retried write replaces instead of duplicating. */
    gapKey: text('gap_key').notNull(),
    geom: geometry('geom', 'MultiPolygon'),
    point: geometry('point', 'Point').notNull(),
    cells: integer('cells').notNull().default(0),
    uncoveredChildren: doublePrecision('uncovered_children').notNull().default(0),
    uncoveredWorking: doublePrecision('uncovered_working').notNull().default(0),
    uncoveredElderly: doublePrecision('uncovered_elderly').notNull().default(0),
    capacityGap: doublePrecision('capacity_gap').notNull().default(0),
    priority: doublePrecision('priority').notNull().default(0),
    rank: integer('rank').notNull(),
  },
  (t) => [
    index('coverage_gaps_geom_gist').using('gist', t.geom),
    index('coverage_gaps_point_gist').using('gist', t.point),
    uniqueIndex('coverage_gaps_run_key').on(t.runId, t.gapKey),
  ],
)
