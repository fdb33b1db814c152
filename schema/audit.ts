import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { builder } from './builder.ts'
import { and, keysetPage } from './support/pagination.ts'

/** What a write records beside the caller and the request: the entity, the action and its before and after. */
export interface AuditRecord {
  entity:
    | 'problem'
    | 'diagnostic_run'
    | 'indicator_system'
    | 'indicator'
    | 'campaign'
    | 'filling'
    | 'indicator_value'
    | 'evidence_file'
    | 'holiday'
    | 'routing_rule'
    | 'task'
    | 'project'
    | 'stock_resource'
    | 'zoning_rule'
    | 'address_match'
    | 'field_photo'
    | 'report_template'
  entityId: number | string
  action: string
  /** The region of the entity: the audit log is read by region scope. */
  regionCode: string
  before: unknown
  after: unknown
}

/** Anything that runs SQL: the transaction of the write being recorded. */
export interface SqlExecutor {
  execute(query: SQL): Promise<unknown>
}

const jsonb = (value: unknown) => (value == null ? sql`null` : sql`${JSON.stringify(value)}::jsonb`)

/**
 * Writes one audit event in the transaction of the change it records, so that a change rolled back leaves no
 * event and no change goes unrecorded (ADR 0012).
 */
export async function recordAudit(
  tx: SqlExecutor,
  context: GraphQLContext,
  record: AuditRecord,
): Promise<void> {
  const who = context.identity
  await tx.execute(sql`insert into audit_events
      (actor, role, department, region_code, entity, entity_id, action, before, after, request_id)
    values (${who?.subject ?? 'anonymous'}, ${who?.role ?? null}, ${who?.department ?? null}, ${record.regionCode},
      ${record.entity}, ${String(record.entityId)}, ${record.action}, ${jsonb(record.before)}, ${jsonb(record.after)},
      ${context.requestId})`)
}

/** Writes many audit events of one request in one statement, as {@link recordAudit} would one by one. */
export async function recordAudits(
  tx: SqlExecutor,
  context: GraphQLContext,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return
  const who = context.identity
  const rows = records.map(
    (record) => sql`(${who?.subject ?? 'anonymous'}, ${who?.role ?? null}, ${who?.department ?? null},
      ${record.regionCode}, ${record.entity}, ${String(record.entityId)}, ${record.action}, ${jsonb(record.before)},
      ${jsonb(record.after)}, ${context.requestId})`,
  )
  await tx.execute(sql`insert into audit_events
      (actor, role, department, region_code, entity, entity_id, action, before, after, request_id)
    values ${sql.join(rows, sql`, `)}`)
}

interface AuditEventRow {
  id: number
  at: Date | string
  actor: string
  role: string | null
  department: string | null
  regionCode: string | null
  entity: string
  entityId: string
  action: string
  before: unknown
  after: unknown
  requestId: string | null
}

const AUDIT_COLUMNS = sql`e.id, e.at, e.actor, e.role, e.department, e.region_code as "regionCode", e.entity,
  e.entity_id as "entityId", e.action, e.before, e.after, e.request_id as "requestId"`

const AuditEvent = builder.objectRef<AuditEventRow>('AuditEvent').implement({
  description:
    '审计日志中的一条记录（只读）/ One recorded write: who, when, what, before and after (read-only)',
  fields: (t) => ({
    sequence: t.field({
      type: 'String',
      description: '日志序号（递增）/ position in the log, increasing',
      resolve: (e) => String(e.id),
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    actor: t.exposeString('actor', { description: '登录凭证主体 / the token subject' }),
    role: t.exposeString('role', { nullable: true }),
    department: t.exposeString('department', { nullable: true }),
    regionCode: t.exposeString('regionCode', { nullable: true }),
    entity: t.exposeString('entity', { description: 'problem | diagnostic_run' }),
    entityId: t.exposeString('entityId'),
    action: t.exposeString('action', { description: 'transition | start | cancel' }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.after }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: '请求的 x-request-id / the request it came from',
    }),
  }),
})

builder.queryField('auditEvents', (t) =>
  t.connection(
    {
      type: AuditEvent,
      nullable: true,
      description:
        '审计日志，新的在前（仅省级、市级，限本辖区）/ The audit log, newest first: province and city staff, within their region',
      args: {
        entity: t.arg.string({ description: 'problem | diagnostic_run' }),
        entityId: t.arg.string(),
        actor: t.arg.string({ description: '登录凭证主体 / token subject' }),
        since: t.arg({ type: 'DateTime', description: '含此时刻及之后 / at or after' }),
      },
      resolve: (_root, args, context) => {
        authorize(context.identity, context.scope, 'audit.read')
        const where = [scopeCondition(context.scope, sql`e.region_code`, 'never')]
        if (args.entity != null) where.push(sql`e.entity = ${args.entity}`)
        if (args.entityId != null) where.push(sql`e.entity_id = ${args.entityId}`)
        if (args.actor != null) where.push(sql`e.actor = ${args.actor}`)
        if (args.since) where.push(sql`e.at >= ${args.since.toISOString()}::timestamptz`)
        return keysetPage<AuditEventRow>(
          context,
          {
            from: sql`audit_events e`,
            columns: AUDIT_COLUMNS,
            where: [and(where)],
            ordering: { name: 'audit-newest', keys: [{ expr: sql`e.id`, desc: true }] },
          },
          args,
        )
      },
    },
    {
      name: 'AuditEventConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
