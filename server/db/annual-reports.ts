import {
  bigint,
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
import { regions } from './regions.ts'
import { diagnosticRuns } from './runs.ts'

/** One entry of a report's outline: a built-in section, or a text block the template's owner wrote. */
export interface ReportSection {
  /** A built-in section (`summary`, `dimension.housing`, `coverage`…) or `text` for the owner's own block. */
  kind: string
  /** Heading; null keeps the built-in section's own heading. */
  title?: string | null
  /** The text block's paragraphs (kind `text`), or an introduction printed above a built-in section. */
  body?: string | null
}

/**
 * 体检报告模板: a province's (or the nation's, when `region_code` is null) outline of the annual check report —
 * which sections, in what order, with its own text blocks. Every change is a new version; reports name the
 * version they were built from.
 */
export const reportTemplates = pgTable(
  'report_templates',
  {
    id: serial('id').primaryKey(),
    /** The province whose reports follow it. */
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    sections: jsonb('sections').$type<ReportSection[]>().notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('report_templates_region_version_key').on(t.regionCode, t.version)],
)

export const REPORT_FORMATS = ['docx', 'pdf'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** 体检报告文件: one file a report run wrote under the data directory. */
export const annualReports = pgTable(
  'annual_reports',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id')
      .notNull()
      .references(() => diagnosticRuns.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    /** Null: the national default outline. */
    templateId: integer('template_id').references(() => reportTemplates.id),
    format: text('format', { enum: REPORT_FORMATS }).notNull(),
    fileName: text('file_name').notNull(),
    /** Relative to the data directory. */
    path: text('path').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('annual_reports_run_format_key').on(t.runId, t.format),
    index('annual_reports_campaign_idx').on(t.campaignId),
    index('annual_reports_region_code_idx').on(t.regionCode),
  ],
)
