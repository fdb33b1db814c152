import { sql } from 'drizzle-orm'
import { check, index, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * 令牌吊销: bearer tokens refused before they expire — one token by its `jti`, or every token of a subject issued
 * before `revoked_at` (a lost device, a person who left). Read into memory by every API process (ADR 0011).
 */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    id: serial('id').primaryKey(),
    jti: text('jti'),
    subject: text('subject'),
    reason: text('reason'),
    revokedBy: text('revoked_by').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('revoked_tokens_jti_idx').on(t.jti),
    index('revoked_tokens_subject_idx').on(t.subject),
    check('revoked_tokens_target', sql`${t.jti} is not null or ${t.subject} is not null`),
  ],
)
