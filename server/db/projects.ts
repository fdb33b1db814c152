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
} from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { problems } from './problems.ts'
import { regions } from './regions.ts'
import { stockResources } from './resources.ts'

/** 项目: a renewal project, annual or in the five-year reserve. */
export const projects = pgTable(
  'projects',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    geom: geometry('geom'),
    budget: doublePrecision('budget'),
    fundingSources: jsonb('funding_sources')
      .$type<{ source: string; amount: number }[]>()
      .notNull()
      .default([]),
    feasibility: doublePrecision('feasibility'),
    urgency: doublePrecision('urgency'),
    benefit: doublePrecision('benefit'),
    phase: text('phase', { enum: ['annual', 'reserve'] })
      .notNull()
      .default('reserve'),
    year: integer('year'),
    state: text('state', { enum: ['proposed', 'approved', 'under_way', 'completed', 'evaluated'] })
      .notNull()
      .default('proposed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('projects_geom_gist').using('gist', t.geom),
    index('projects_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
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
