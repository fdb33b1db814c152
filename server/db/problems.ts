import { sql } from 'drizzle-orm'
import {
  boolean,
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
import { geometry } from './geometry.ts'
import { indicators } from './indicators.ts'
import { regions } from './regions.ts'

export const PROBLEM_STATES = [
  'identified',
  'assigned',
  'in_progress',
  'rectified',
  're_inspected',
  'closed',
] as const
export type ProblemState = (typeof PROBLEM_STATES)[number]

/** 问题: a located problem that lives across years until it is signed off (销号). */
export const problems = pgTable(
  'problems',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    campaignId: integer('campaign_id').references(() => campaigns.id),
    indicatorId: integer('indicator_id').references(() => indicators.id),
    type: text('type').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    geom: geometry('geom'),
    unitType: text('unit_type'),
    unitKey: text('unit_key'),
    /** Building the problem is attached to, when there is one (drives the 3D colouring). */
    buildingId: integer('building_id'),
    /** 1 low, 2 medium, 3 high. */
    severity: integer('severity').notNull().default(1),
    source: text('source', { enum: ['diagnosis', 'survey', 'appeal', 'inspection'] }).notNull(),
    yearFound: integer('year_found').notNull(),
    state: text('state', { enum: PROBLEM_STATES }).notNull().default('identified'),
    runId: integer('run_id'),
    /** 责任部门: the department the problem is routed to; a `department` token may move only problems naming its own. */
    responsibleDepartment: text('responsible_department'),
    /** Stable identity of a diagnosed problem, so that a rerun updates instead of duplicating. */
    dedupeKey: text('dedupe_key'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    isPublic: boolean('is_public').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('problems_geom_gist').using('gist', t.geom),
    index('problems_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    index('problems_building_id_idx').on(t.buildingId),
    index('problems_state_idx').on(t.state),
    uniqueIndex('problems_dedupe_key').on(t.dedupeKey),
  ],
)

/** Every problem state change: who, when, why. */
export const problemTransitions = pgTable(
  'problem_transitions',
  {
    id: serial('id').primaryKey(),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('problem_transitions_problem_id_idx').on(t.problemId)],
)

/** 整改任务: the work that closes a problem, routed to a responsible unit with a deadline. */
export const tasks = pgTable(
  'tasks',
  {
    id: serial('id').primaryKey(),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    responsibleUnit: text('responsible_unit').notNull(),
    department: text('department'),
    owner: text('owner'),
    deadline: timestamp('deadline', { withTimezone: true }),
    state: text('state', { enum: ['open', 'done', 'overdue', 'cancelled'] })
      .notNull()
      .default('open'),
    feedback: text('feedback'),
    evidence: jsonb('evidence').$type<{ name: string; url: string }[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('tasks_problem_id_idx').on(t.problemId)],
)

/** 民意: surveys, visits, hot-line and online appeals. */
export const opinions = pgTable(
  'opinions',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    kind: text('kind', { enum: ['survey', 'visit', 'hotline', 'online', 'appeal'] }).notNull(),
    content: text('content').notNull(),
    geom: geometry('geom', 'Point'),
    problemId: integer('problem_id').references(() => problems.id),
    submittedBy: text('submitted_by'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('opinions_geom_gist').using('gist', t.geom),
    index('opinions_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
