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
/** Where a problem came from: a diagnosis run, a poor or warned indicator value, a street inspection, an expert, residents. */
export const PROBLEM_SOURCES = ['diagnosis', 'indicator', 'inspection', 'expert', 'survey', 'appeal'] as const
/** How a closed problem ended: fixed, or closed without being fixed (e.g. not feasible, out of remit). */
export const PROBLEM_OUTCOMES = ['fixed', 'not_fixed'] as const

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
    /** Title and description in Chinese; the English ones beside them, chosen by the request's language. */
    title: text('title').notNull(),
    titleEn: text('title_en'),
    description: text('description'),
    descriptionEn: text('description_en'),
    geom: geometry('geom'),
    unitType: text('unit_type'),
    unitKey: text('unit_key'),
    /** Building the problem is attached to, when there is one (drives the 3D colouring). */
    buildingId: integer('building_id'),
    /** 1 low, 2 medium, 3 high. */
    severity: integer('severity').notNull().default(1),
    source: text('source', { enum: PROBLEM_SOURCES }).notNull(),
    yearFound: integer('year_found').notNull(),
    state: text('state', { enum: PROBLEM_STATES }).notNull().default('identified'),
    runId: integer('run_id'),
    /** 责任部门: the department the problem is routed to; a `department` token may move only problems naming its own. */
    responsibleDepartment: text('responsible_department'),
    /** 责任单位: the region code of the unit that answers for it (a district or street), set by routing. */
    responsibleUnit: text('responsible_unit'),
    /** The deadline from routing (by severity), and when the deadline job found it overdue and escalated it. */
    deadline: timestamp('deadline', { withTimezone: true }),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    /** 0 not escalated; each escalation moves the problem one level up (street → district → city). */
    escalationLevel: integer('escalation_level').notNull().default(0),
    outcome: text('outcome', { enum: PROBLEM_OUTCOMES }),
    /** How many reports (appeals) it stands for: a duplicate within 50 m and 30 days joins it and counts. */
    reportCount: integer('report_count').notNull().default(1),
    /** Set when staff merged this problem into another; the merged one is closed and points there. */
    mergedIntoId: integer('merged_into_id'),
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
    title: text('title'),
    /** The region of the responsible unit, for scope: a department sees its own tasks inside its region. */
    regionCode: text('region_code'),
    responsibleUnit: text('responsible_unit').notNull(),
    department: text('department'),
    owner: text('owner'),
    deadline: timestamp('deadline', { withTimezone: true }),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    rectifiedBy: text('rectified_by'),
    state: text('state', { enum: ['open', 'done', 'overdue', 'cancelled'] })
      .notNull()
      .default('open'),
    feedback: text('feedback'),
    evidence: jsonb('evidence').$type<{ name: string; url: string }[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('tasks_problem_id_idx').on(t.problemId),
    index('tasks_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
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
    /** The problem type (Open311 `service_code`) the appeal names. */
    serviceCode: text('service_code'),
    address: text('address'),
    mediaUrl: text('media_url'),
    submittedBy: text('submitted_by'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('opinions_geom_gist').using('gist', t.geom),
    index('opinions_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)

/** 问题类型: what a problem is; those residents may report are Open311 services. */
export const problemTypes = pgTable('problem_types', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  description: text('description'),
  /** Residents may report it (an Open311 service). */
  reportable: boolean('reportable').notNull().default(false),
  group: text('group_name'),
  defaultSeverity: integer('default_severity').notNull().default(1),
  /** Open311 service definition attributes: `[{ code, datatype, required, description, values }]`. */
  attributes: jsonb('attributes').$type<Record<string, unknown>[]>().notNull().default([]),
})

/**
 * 派单规则: which unit and department a problem of a type in a region goes to, and its deadline by severity
 * (days). The most specific rule wins: a type over any type, a longer region prefix over a shorter one.
 */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: serial('id').primaryKey(),
    /** A problem type, or null for any type. */
    problemType: text('problem_type'),
    /** The region the rule applies within (its scope prefix matches), or null for everywhere. */
    regionCode: text('region_code'),
    /** Which level of unit answers for the problem: its street, its district or its city. */
    unitLevel: text('unit_level', { enum: ['street', 'district', 'city'] })
      .notNull()
      .default('district'),
    department: text('department'),
    /** Deadline in working days by severity: `{ "1": 60, "2": 30, "3": 15 }`. */
    deadlineDays: jsonb('deadline_days').$type<Record<string, number>>().notNull().default({}),
    updatedBy: text('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('routing_rules_type_idx').on(t.problemType)],
)

/** 节假日: days off (and 调休 working weekends) the deadline arithmetic counts in Asia/Shanghai. */
export const holidays = pgTable('holidays', {
  day: text('day').primaryKey(),
  name: text('name').notNull(),
  /** A weekend day worked in exchange (调休): counts as a working day. */
  isWorkday: boolean('is_workday').notNull().default(false),
})

/** Photos and files of a problem's work: before and after rectification, and of the re-inspection. */
export const problemPhotos = pgTable(
  'problem_photos',
  {
    id: serial('id').primaryKey(),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    taskId: integer('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: ['before', 'after', 'inspection'] }).notNull(),
    sha256: text('sha256').notNull(),
    byteSize: integer('byte_size').notNull(),
    mediaType: text('media_type').notNull(),
    fileName: text('file_name').notNull(),
    regionCode: text('region_code').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('problem_photos_problem_idx').on(t.problemId)],
)

/** 复查: a re-inspection of a rectified problem, by someone other than the rectifier. */
export const reInspections = pgTable(
  're_inspections',
  {
    id: serial('id').primaryKey(),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    inspector: text('inspector').notNull(),
    passed: boolean('passed').notNull(),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('re_inspections_problem_idx').on(t.problemId)],
)

/** 结转: an open problem carried into the next check's ledger at a campaign's close, with its age then. */
export const problemCarryovers = pgTable(
  'problem_carryovers',
  {
    id: serial('id').primaryKey(),
    problemId: integer('problem_id')
      .notNull()
      .references(() => problems.id, { onDelete: 'cascade' }),
    fromCampaignId: integer('from_campaign_id').references(() => campaigns.id),
    toYear: integer('to_year').notNull(),
    ageDays: integer('age_days').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('problem_carryovers_problem_year_key').on(t.problemId, t.toYear)],
)
