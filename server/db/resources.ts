import { sql } from 'drizzle-orm'
import { doublePrecision, index, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/** 存量资源: idle land, idle buildings, under-bridge space, vacated village land… */
export const stockResources = pgTable(
  'stock_resources',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    kind: text('kind').notNull(),
    name: text('name'),
    geom: geometry('geom').notNull(),
    areaM2: doublePrecision('area_m2'),
    ownership: text('ownership'),
    currentUse: text('current_use'),
    department: text('department'),
    layer: text('layer'),
    verificationState: text('verification_state', { enum: ['reported', 'verified', 'rejected'] })
      .notNull()
      .default('reported'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stock_resources_geom_gist').using('gist', t.geom),
    index('stock_resources_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
