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
import { renewalAreas } from './areas.ts'
import { geometry } from './geometry.ts'
import { indicatorSystems, indicators } from './indicators.ts'
import { regions } from './regions.ts'

/** 体检任务: one examination — annual (年度), area (片区) or special (专项). */
export const campaigns = pgTable(
  'campaigns',
  {
    id: serial('id').primaryKey(),
    kind: text('kind', { enum: ['annual', 'area', 'special'] }).notNull(),
    year: integer('year').notNull(),
    name: text('name').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    renewalAreaId: integer('renewal_area_id').references(() => renewalAreas.id),
    scope: geometry('scope', 'MultiPolygon'),
    systemId: integer('system_id')
      .notNull()
      .references(() => indicatorSystems.id),
    status: text('status', { enum: ['planned', 'collecting', 'reviewing', 'closed'] })
      .notNull()
      .default('planned'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('campaigns_scope_gist').using('gist', t.scope),
    index('campaigns_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)

export const UNIT_TYPES = ['region', 'block', 'compound', 'building', 'renewal_area'] as const

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
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('indicator_values_unit_key').on(t.campaignId, t.indicatorId, t.unitType, t.unitKey),
    index('indicator_values_run_id_idx').on(t.runId),
    index('indicator_values_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
