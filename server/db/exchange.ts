import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'

/** 数据交换包 (ADR 0017): this install's identity as a producer of packages, created once, one row. */
export const exchangeInstall = pgTable(
  'exchange_install',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    /** A random UUID: the namespace of this install's ids in every install that imports its packages. */
    installId: text('install_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('exchange_install_one_row', sql`${t.singleton}`)],
)

/**
 * What an imported row was called where it came from: (source install, record kind, its id there) → its id here.
 * Ids are namespaced by the source install, so two cities' problem 17 stay two problems at the province.
 */
export const exchangeKeys = pgTable(
  'exchange_keys',
  {
    sourceInstall: text('source_install').notNull(),
    kind: text('kind').notNull(),
    sourceKey: text('source_key').notNull(),
    localId: text('local_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceInstall, t.kind, t.sourceKey] }),
    index('exchange_keys_local_idx').on(t.kind, t.localId),
  ],
)

export const EXCHANGE_IMPORT_STATES = ['importing', 'done'] as const

/**
 * One package being or having been imported: `progress` is the number of records of each kind already written,
 * committed with them, so an import killed halfway goes on from there when the same package is given again.
 */
export const exchangeImports = pgTable(
  'exchange_imports',
  {
    id: serial('id').primaryKey(),
    packageSha256: text('package_sha256').notNull().unique('exchange_imports_package_sha256'),
    sourceInstall: text('source_install').notNull(),
    sourceCampaignId: text('source_campaign_id').notNull(),
    campaignId: integer('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    formatVersion: text('format_version').notNull(),
    packageCreatedAt: timestamp('package_created_at', { withTimezone: true }).notNull(),
    state: text('state', { enum: EXCHANGE_IMPORT_STATES }).notNull().default('importing'),
    progress: jsonb('progress').$type<Record<string, number>>().notNull().default({}),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    importedBy: text('imported_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('exchange_imports_source_idx').on(t.sourceInstall, t.sourceCampaignId)],
)

export const EXCHANGE_SEND_STATES = ['sending', 'acknowledged', 'failed'] as const

/** 上报: one package sent (or being sent) to the upstream install, with what the upstream answered. */
export const exchangeSends = pgTable(
  'exchange_sends',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id'),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    upstreamUrl: text('upstream_url').notNull(),
    packageSha256: text('package_sha256'),
    packageBytes: integer('package_bytes'),
    state: text('state', { enum: EXCHANGE_SEND_STATES }).notNull().default('sending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The upstream's answer to the accepted package (its import id and counts). */
    receipt: jsonb('receipt').$type<Record<string, unknown>>(),
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  },
  (t) => [index('exchange_sends_campaign_idx').on(t.campaignId)],
)
