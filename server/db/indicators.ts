import {
  boolean,
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
/** The checks an edition serves: the annual check (年度体检), area checks (片区体检), special checks (专项体检). */
export const CHECK_KINDS = ['annual', 'area', 'special'] as const
/** The unit types values are filled for; special checks name theirs (a compound, a self-built cluster…). */
export const OBJECT_TYPES = ['region', 'block', 'compound', 'self_built_cluster', 'building'] as const
/** Who fills an indicator in: the city itself, its districts, their streets, or a named department. */
export const REPORTING_LEVELS = ['city', 'district', 'street', 'department'] as const
/** The review rounds an edition may ask for, in order: 初审 by the city, 复审 by the province. */
export const REVIEW_ROUNDS = ['city', 'province'] as const
export type ReviewRound = (typeof REVIEW_ROUNDS)[number]

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
    /** Which check the edition serves; a special edition names the object types it examines. */
    checkKind: text('check_kind', { enum: CHECK_KINDS }).notNull().default('annual'),
    objectTypes: jsonb('object_types').$type<(typeof OBJECT_TYPES)[number][]>().notNull().default(['region']),
    /** The review rounds a filling passes, in order; provinces differ, so the edition says (ADR 0014). */
    reviewRounds: jsonb('review_rounds').$type<ReviewRound[]>().notNull().default(['city', 'province']),
    /** How many consecutive poor or warned checks make a persistent weakness (持续短板). */
    weaknessChecks: integer('weakness_checks').notNull().default(3),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
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
    /** The base edition's indicator this one inherits (null when the edition added it). */
    baseIndicatorId: integer('base_indicator_id'),
    /** An inherited indicator the edition switched off stays listed but is neither filled nor computed. */
    enabled: boolean('enabled').notNull().default(true),
    weight: doublePrecision('weight'),
    /** The unit type values are filled for, and who fills them. */
    unitType: text('unit_type', { enum: OBJECT_TYPES }).notNull().default('region'),
    reportingLevel: text('reporting_level', { enum: REPORTING_LEVELS }).notNull().default('district'),
  },
  (t) => [
    uniqueIndex('indicators_system_code_key').on(t.systemId, t.code),
    index('indicators_dimension_idx').on(t.dimension),
  ],
)
