import {
  type AnyPgColumn,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'
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
