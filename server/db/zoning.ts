import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'
import { diagnosticRuns } from './runs.ts'

/** The national classes of 更新分区; a city may name its own classes beside them. */
export const ZONING_CLASSES = ['near_term', 'gradual', 'protection'] as const

/** One condition of a zoning rule: a metric of a block or cell compared with a value. */
export interface ZoningCondition {
  metric: string
  op: '<' | '<=' | '>' | '>=' | '=' | '!='
  value: number | string
}

/**
 * 更新分区规则: rules over check results and the building stock that classify areas. Rules are data: an edit
 * writes a new version (the old row is kept with `supersededAt`), so a classification names the versions it used.
 */
export const zoningRules = pgTable(
  'zoning_rules',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    /** Stable name of the rule across its versions. */
    key: text('key').notNull(),
    version: integer('version').notNull().default(1),
    areaClass: text('area_class').notNull(),
    label: jsonb('label').$type<{ zh: string; en: string }>().notNull(),
    /** Lower runs first; an area takes the class of the first rule that matches it. */
    priority: integer('priority').notNull().default(100),
    match: text('match', { enum: ['all', 'any'] })
      .notNull()
      .default('all'),
    conditions: jsonb('conditions').$type<ZoningCondition[]>().notNull(),
    enabled: integer('enabled').notNull().default(1),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('zoning_rules_key_version').on(t.regionCode, t.key, t.version),
    index('zoning_rules_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)

/** 分区结果: a classified area, the polygon a zoning run wrote, with the rule and the figures behind it. */
export const zoningAreas = pgTable(
  'zoning_areas',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id')
      .notNull()
      .references(() => diagnosticRuns.id, { onDelete: 'cascade' }),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    campaignId: integer('campaign_id').references(() => campaigns.id),
    areaClass: text('area_class').notNull(),
    ruleId: integer('rule_id').references(() => zoningRules.id),
    geom: geometry('geom', 'MultiPolygon').notNull(),
    /** Why: the conditions that matched with the area's figures, `[{metric, op, value, actual}]`. */
    reasons: jsonb('reasons').$type<Record<string, unknown>[]>().notNull().default([]),
    metrics: jsonb('metrics').$type<Record<string, number>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('zoning_areas_geom_gist').using('gist', t.geom),
    index('zoning_areas_run_idx').on(t.runId),
    index('zoning_areas_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
