import { sql } from 'drizzle-orm'
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'
import { geometry } from './geometry.ts'
import { problems } from './problems.ts'
import { regions } from './regions.ts'
import { stockResources } from './resources.ts'
import { diagnosticRuns } from './runs.ts'

export const PROJECT_STATES = ['proposed', 'approved', 'under_way', 'completed', 'evaluated'] as const
export type ProjectState = (typeof PROJECT_STATES)[number]
/** 项目储备库 (the five-year reserve) or 年度计划 (this year's plan). */
export const PROJECT_PHASES = ['reserve', 'annual'] as const
/** Quick-win programmes that count their outcomes: 口袋公园, 停车, 适老化. */
export const PROJECT_PROGRAMMES = ['pocket_park', 'parking', 'ageing_friendly'] as const

/** A measured benefit: the coverage diagnosis rerun with the proposed facility added. */
export interface ProjectBenefit {
  facilityType?: string
  newlyCoveredTotal: number
  newlyCoveredByAgeGroup: Record<string, number>
  /** The run, parameters and cells the figure was computed from, so it can be recomputed. */
  basis?: Record<string, unknown>
}

/** A score with the formula and the terms it was computed from, shown to whoever ranks projects. */
export interface ProjectScore {
  value: number
  formula: string
  terms: Record<string, number>
}

/** 项目: a renewal project, annual or in the five-year reserve. */
export const projects = pgTable(
  'projects',
  {
    id: serial('id').primaryKey(),
    /** 编号: the project's number in the 项目清单, e.g. `XM-310000-2025-0001`. */
    code: text('code'),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    campaignId: integer('campaign_id').references(() => campaigns.id),
    /** The generation run that proposed it; null for projects entered by hand. */
    runId: integer('run_id').references(() => diagnosticRuns.id, { onDelete: 'set null' }),
    /** What a rerun of the generation recognises the proposal by: the same proposal updates, not duplicates. */
    generationKey: text('generation_key'),
    name: text('name').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    facilityType: text('facility_type'),
    programme: text('programme'),
    geom: geometry('geom'),
    budget: doublePrecision('budget'),
    fundingSources: jsonb('funding_sources')
      .$type<{ source: string; amount: number }[]>()
      .notNull()
      .default([]),
    feasibility: doublePrecision('feasibility'),
    urgency: doublePrecision('urgency'),
    benefit: doublePrecision('benefit'),
    benefitDetails: jsonb('benefit_details').$type<ProjectBenefit>(),
    feasibilityDetails: jsonb('feasibility_details').$type<ProjectScore>(),
    urgencyDetails: jsonb('urgency_details').$type<ProjectScore>(),
    phase: text('phase', { enum: PROJECT_PHASES }).notNull().default('reserve'),
    year: integer('year'),
    state: text('state', { enum: PROJECT_STATES }).notNull().default('proposed'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('projects_geom_gist').using('gist', t.geom),
    index('projects_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    uniqueIndex('projects_code_key').on(t.code),
    uniqueIndex('projects_generation_key').on(t.campaignId, t.generationKey),
  ],
)

export const projectProblems = pgTable(
  'project_problems',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'project_problems_pkey', columns: [t.projectId, t.problemId] })],
)

export const projectResources = pgTable(
  'project_resources',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    resourceId: integer('resource_id')
      .notNull()
      .references(() => stockResources.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'project_resources_pkey', columns: [t.projectId, t.resourceId] })],
)

/** 年度资金计划: how much of a project's budget each source gives in each year. */
export const projectFunding = pgTable(
  'project_funding',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    source: text('source').notNull(),
    amount: doublePrecision('amount').notNull(),
  },
  (t) => [primaryKey({ name: 'project_funding_pkey', columns: [t.projectId, t.year, t.source] })],
)

/**
 * 项目评估: a later check judging a finished project — did its linked indicators and coverage improve? — and,
 * for a quick-win programme, what it delivered.
 */
export const projectEvaluations = pgTable(
  'project_evaluations',
  {
    id: serial('id').primaryKey(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    outcome: text('outcome', { enum: ['improved', 'unchanged', 'worse', 'not_measurable'] }).notNull(),
    /** Per linked indicator: `{indicatorCode, unitCode, before, after, better}`. */
    indicators: jsonb('indicators').$type<Record<string, unknown>[]>().notNull().default([]),
    /** Linked problems' states and the coverage figure before and after. */
    figures: jsonb('figures').$type<Record<string, unknown>>().notNull().default({}),
    evaluatedBy: text('evaluated_by'),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('project_evaluations_project_campaign').on(t.projectId, t.campaignId)],
)
