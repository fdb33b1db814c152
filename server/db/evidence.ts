import { sql } from 'drizzle-orm'
import { bigint, index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { campaigns } from './campaigns.ts'
import { indicatorValues } from './indicator-values.ts'
import { regions } from './regions.ts'

/**
 * 佐证材料: a file attached to a value. The bytes live content-addressed under the data directory
 * (`evidence/<sha256[0..2]>/<sha256>`), so the same photo attached twice is stored once; the row keeps the
 * sanitised name the uploader gave and the type the server recognised from the bytes.
 */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: serial('id').primaryKey(),
    sha256: text('sha256').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    mediaType: text('media_type').notNull(),
    fileName: text('file_name').notNull(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    valueId: integer('value_id').references(() => indicatorValues.id, { onDelete: 'set null' }),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('evidence_files_value_idx').on(t.valueId),
    index('evidence_files_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
