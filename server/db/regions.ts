import { sql } from 'drizzle-orm'
import { boolean, index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'

/** 行政区划: administrative divisions with GB/T 2260 codes (6 digits) and statistical codes below county. */
export const regions = pgTable(
  'regions',
  {
    id: serial('id').primaryKey(),
    /** GB/T 2260 code (310000, 310100, 310101) or the statistical street/community code (9 / 12 digits). */
    code: text('code').notNull().unique('regions_code_key'),
    /** The code's significant prefix: what every entity inside the region starts its `region_code` with. */
    scopePrefix: text('scope_prefix').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    level: text('level', { enum: ['province', 'city', 'district', 'street', 'community'] }).notNull(),
    parentCode: text('parent_code'),
    boundary: geometry('boundary', 'MultiPolygon'),
    /** 城市分类 (e.g. 超大城市 / 特大城市 / 大城市 / 中等城市 / 小城市) used for per-class thresholds. */
    cityClass: text('city_class'),
    cityTier: integer('city_tier'),
    isPublic: boolean('is_public').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('regions_parent_code_idx').on(t.parentCode),
    index('regions_level_idx').on(t.level),
    index('regions_scope_prefix_idx').using('btree', sql`${t.scopePrefix} text_pattern_ops`),
    index('regions_boundary_gist').using('gist', t.boundary),
  ],
)
