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
import { regions } from './regions.ts'

export const DIMENSIONS = ['housing', 'compound', 'block', 'city'] as const
export type Dimension = (typeof DIMENSIONS)[number]
export const INDICATOR_LEVELS = ['national', 'provincial', 'municipal', 'special'] as const

/**
 * 指标体系: one edition of an indicator system. Editions layer: a provincial edition extends the national
 * one (`baseSystemId`), a municipal edition the provincial one. Indicator names change between years, so the
 * catalogue is data with editions, never code.
 */
export const indicatorSystems = pgTable(
  'indicator_systems',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    year: integer('year').notNull(),
    level: text('level', { enum: INDICATOR_LEVELS }).notNull(),
    ownerRegionCode: text('owner_region_code').references(() => regions.code),
    baseSystemId: integer('base_system_id'),
    status: text('status', { enum: ['draft', 'published', 'locked'] })
      .notNull()
      .default('draft'),
    /** Edition-wide settings such as default service radii per facility type. */
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('indicator_systems_code_year_key').on(t.code, t.year)],
)

/** 指标: one indicator of an edition. `method` is `reported` or a calculator name with parameters. */
export const indicators = pgTable(
  'indicators',
  {
    id: serial('id').primaryKey(),
    systemId: integer('system_id')
      .notNull()
      .references(() => indicatorSystems.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    dimension: text('dimension', { enum: DIMENSIONS }).notNull(),
    group: text('group_name'),
    unit: text('unit'),
    direction: text('direction', { enum: ['higher', 'lower', 'target', 'none'] })
      .notNull()
      .default('none'),
    level: text('level', { enum: INDICATOR_LEVELS }).notNull(),
    methodKind: text('method_kind', { enum: ['reported', 'computed'] }).notNull(),
    /** The method as written in the catalogue, e.g. `coverage:kindergarten`. */
    method: text('method').notNull(),
    calculator: text('calculator'),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    /** Thresholds for grading: `{ poor, fair, good }` boundaries and warning levels. */
    standardValues: jsonb('standard_values').$type<Record<string, unknown>>(),
    renewalTheme: text('renewal_theme'),
    department: text('department'),
    requiredEvidence: text('required_evidence'),
    evidence: text('evidence'),
    sortOrder: doublePrecision('sort_order').notNull().default(0),
  },
  (t) => [
    uniqueIndex('indicators_system_code_key').on(t.systemId, t.code),
    index('indicators_dimension_idx').on(t.dimension),
  ],
)
