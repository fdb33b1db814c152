import { sql } from 'drizzle-orm'
import {
  bigserial,
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
import { UNIT_TYPES } from './indicator-values.ts'
import { indicators, REVIEW_ROUNDS } from './indicators.ts'
import { regions } from './regions.ts'

export const FILLING_STATES = ['draft', 'submitted', 'returned', 'approved'] as const
export type FillingState = (typeof FILLING_STATES)[number]

/**
 * 填报表: what one filling region (a district, or the city for city-level indicators) owes in one campaign, and
 * where its review stands. `round` is the index in the edition's review rounds of the review under way (or
 * next); a final approval locks it (`lockedAt`) until a province unlocks it with a reason.
 */
export const fillings = pgTable(
  'fillings',
  {
    id: serial('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    state: text('state', { enum: FILLING_STATES }).notNull().default('draft'),
    round: integer('round').notNull().default(0),
    submittedBy: text('submitted_by'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('fillings_campaign_region_key').on(t.campaignId, t.regionCode),
    index('fillings_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)

/** 填报任务: which unit owes which indicator in a campaign, and which filling region or department fills it. */
export const fillingTasks = pgTable(
  'filling_tasks',
  {
    id: serial('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    fillingId: integer('filling_id')
      .notNull()
      .references(() => fillings.id, { onDelete: 'cascade' }),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicators.id),
    unitType: text('unit_type', { enum: UNIT_TYPES }).notNull(),
    unitKey: text('unit_key').notNull(),
    unitName: text('unit_name').notNull(),
    /** The unit's own region (a street or the district itself), for scope. */
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    department: text('department'),
    dueAt: timestamp('due_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('filling_tasks_unit_key').on(t.campaignId, t.indicatorId, t.unitType, t.unitKey),
    index('filling_tasks_filling_idx').on(t.fillingId),
    index('filling_tasks_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)

/** One step of a filling's review: submitted, approved or returned in a round, or unlocked; with per-value comments. */
export const fillingReviews = pgTable(
  'filling_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    fillingId: integer('filling_id')
      .notNull()
      .references(() => fillings.id, { onDelete: 'cascade' }),
    /** The round reviewed (`city`, `province`), or null for a submission or an unlock. */
    round: text('round', { enum: REVIEW_ROUNDS }),
    decision: text('decision', { enum: ['submit', 'approve', 'return', 'unlock'] }).notNull(),
    comment: text('comment'),
    /** Comments on single values: `[{ indicatorCode, unitKey, comment }]`. */
    valueComments: jsonb('value_comments')
      .$type<{ indicatorCode: string; unitKey: string; comment: string }[]>()
      .notNull()
      .default([]),
    actor: text('actor').notNull(),
    role: text('role'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('filling_reviews_filling_idx').on(t.fillingId, t.id)],
)
