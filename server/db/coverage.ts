import {
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
  uuid,
} from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'
import { diagnosticRuns } from './runs.ts'

/** Raw bytes (`bytea`): node-postgres reads them as a Buffer, PGlite as a Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
})

/**
 * 分片结果: what one part of a fanned-out coverage run computed for its cells, kept until the parent joins the
 * parts. Per distance model × facility type (in the order of the parent's parameters) the nearest facility and
 * its distance of every cell, as little-endian Float64 arrays (NaN: none within the cut-off). Stored uncompressed
 * (migration 0017): compressing a part's ~12 MB took longer than writing it.
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

/**
 * 暂存缺口: a running coverage run's gaps, sent step by step while the next facility type computes, then copied into
 * `coverage_gaps` and `problems` by the run's one output transaction (docs/adr/0023). Internal and short-lived:
 * unlogged (hand SQL in its migration), no index and no foreign key, so that staging costs the run almost nothing;
 * rows of a run that is no longer running are removed when the next coverage run starts.
 */
export const coverageGapStaging = pgTable('coverage_gap_staging', {
  /** One attempt's rows: a duplicate delivery of the same run stages apart and never mixes its rows in. */
  stage: uuid('stage').notNull(),
  runId: integer('run_id').notNull(),
  /** 1-based position in the attempt's order of diagnosis; the run's ranking is sent by it at the end. */
  n: integer('n').notNull(),
  facilityType: text('facility_type').notNull(),
  distanceModel: text('distance_model').notNull(),
  kind: text('kind').notNull(),
  gapKey: text('gap_key').notNull(),
  geom: geometry('geom', 'MultiPolygon'),
  point: geometry('point', 'Point').notNull(),
  cells: integer('cells').notNull(),
  uncoveredChildren: doublePrecision('uncovered_children').notNull(),
  uncoveredWorking: doublePrecision('uncovered_working').notNull(),
  uncoveredElderly: doublePrecision('uncovered_elderly').notNull(),
  unserved: doublePrecision('unserved').notNull(),
  capacityGap: doublePrecision('capacity_gap').notNull(),
  priority: doublePrecision('priority').notNull(),
  radiusM: doublePrecision('radius_m').notNull(),
})
