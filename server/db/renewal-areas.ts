import { sql } from 'drizzle-orm'
import { doublePrecision, index, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/** 片区: a renewal area, any polygon where an area check or plan applies. */
export const renewalAreas = pgTable(
  'renewal_areas',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    name: text('name').notNull(),
    kind: text('kind'),
    geom: geometry('geom', 'MultiPolygon').notNull(),
    areaM2: doublePrecision('area_m2'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('renewal_areas_geom_gist').using('gist', t.geom),
    index('renewal_areas_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
