import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * 审计: every change, in order, written in the transaction of the change (ADR 0012); the API never edits it. The sequence doubles as the change feed that partner systems and live screens
 * read per region (`region_code` prefix, `id` as cursor).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    role: text('role'),
    department: text('department'),
    regionCode: text('region_code'),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    /** The HTTP request's `x-request-id` (or one generated for it), to find every change of one request. */
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_events_region_code_idx').on(t.regionCode, t.id),
    index('audit_events_entity_idx').on(t.entity, t.entityId),
  ],
)
