import { sql } from 'drizzle-orm'
import { index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { indicatorSystems, OBJECT_TYPES } from './indicators.ts'
import { regions } from './regions.ts'
import { renewalAreas } from './renewal-areas.ts'

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
    /** A special check's object type (compound, self-built cluster, building); null for annual and area checks. */
    objectType: text('object_type', { enum: OBJECT_TYPES }),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('campaigns_scope_gist').using('gist', t.scope),
    index('campaigns_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
