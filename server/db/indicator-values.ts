import { sql } from 'drizzle-orm'
import {
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
import { indicators } from './indicators.ts'
import { regions } from './regions.ts'

export const UNIT_TYPES = [
  'region',
  'block',
  'compound',
  'self_built_cluster',
  'building',
  'renewal_area',
] as const

/** 指标值: one value of one indicator for one spatial unit in one campaign. */
export const indicatorValues = pgTable(
  'indicator_values',
  {
    id: serial('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicators.id),
    unitType: text('unit_type', { enum: UNIT_TYPES }).notNull(),
    /** Id of the unit (region code for `region`, numeric id as text otherwise). */
    unitKey: text('unit_key').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    value: doublePrecision('value'),
    grade: text('grade', { enum: ['poor', 'fair', 'good', 'excellent'] }),
    warning: text('warning', { enum: ['red', 'yellow'] }),
    source: text('source', { enum: ['reported', 'computed', 'imported'] }).notNull(),
    runId: integer('run_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    evidence: jsonb('evidence').$type<{ name: string; url: string }[]>().notNull().default([]),
    reviewState: text('review_state', { enum: ['draft', 'submitted', 'approved', 'returned'] })
      .notNull()
      .default('draft'),
    reviewer: text('reviewer'),
    reviewComment: text('review_comment'),
    /** Provenance: who reported it and when; the dataset it was imported from; a documented derivation rule. */
    reportedBy: text('reported_by'),
    reportedAt: timestamp('reported_at', { withTimezone: true }),
    datasetId: integer('dataset_id'),
    derivation: text('derivation'),
    /** A reported value's computed counterpart, kept beside it so a large disagreement can be flagged. */
    computedValue: doublePrecision('computed_value'),
    /** The filler's remark (备注) beside the value, as typed in GraphQL or the workbook. */
    remark: text('remark'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('indicator_values_unit_key').on(t.campaignId, t.indicatorId, t.unitType, t.unitKey),
    index('indicator_values_run_id_idx').on(t.runId),
    index('indicator_values_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
