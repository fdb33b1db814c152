import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { JobRunner } from '../../../jobs/api.ts'
import type { Role } from '../../../server/auth/identity.ts'
import { signToken } from '../../../server/auth/token.ts'
import { loadConfig } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import type { ProblemState } from '../../../server/db/problems.ts'
import { type RunningServer, startHttpServer } from '../../../server/http.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { TEST_JWT_SECRET } from './api.ts'

/** 南京东路街道, inside 黄浦区 (310101), 上海市 (310100, province-level 310000). */
export const INSIDE = '310101002'
/** 南京市玄武区: outside every Shanghai token. */
export const OUTSIDE = '320102'

/** Who calls: a role, the region its token names and the department it claims. */
export interface Caller {
  name: string
  role: Role | null
  region?: string
  department?: string
}

/** One caller per role (the department twice: with its department and without one), and no token at all. */
export const CALLERS: Caller[] = [
  { name: 'province', role: 'province', region: '310000' },
  { name: 'city', role: 'city', region: '310100' },
  { name: 'district', role: 'district', region: '310101' },
  { name: 'street', role: 'street', region: INSIDE },
  { name: 'department 住建委', role: 'department', region: '310101', department: '住建委' },
  { name: 'department without one', role: 'department', region: '310101' },
  { name: 'expert', role: 'expert', region: '310101' },
  { name: 'partner', role: 'partner', region: '310101' },
  { name: 'public', role: 'public' },
  { name: 'no token', role: null },
]

export function tokenOf(caller: Caller): Promise<string> | null {
  if (!caller.role) return null
  return signToken(
    {
      sub: `perm-${caller.name}`,
      role: caller.role,
      region: caller.region,
      department: caller.department,
    },
    TEST_JWT_SECRET,
    { expiresIn: 3600 },
  )
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
type Json = any

export interface WriteApi {
  url: string
  database: Database
  /** A GraphQL POST with an optional token and `x-request-id`. */
  gql(
    query: string,
    variables: Record<string, unknown>,
    options?: { token?: string | null; requestId?: string },
  ): Promise<{ data?: Json; errors?: Json[] }>
  close(): Promise<void>
}

/** Takes runs and never runs them, so a started run stays queued for the test to look at and cancel. */
const idleRunner: JobRunner = { enqueue: async () => {}, close: async () => {} }

/** The whole HTTP pipeline over a fresh test database, with a job runner that keeps runs queued. */
export async function startWriteApi(): Promise<WriteApi> {
  const database = await openTestDatabase()
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  const server: RunningServer = await startHttpServer({ config, database, jobs: idleRunner })
  return {
    url: server.url,
    database,
    async gql(query, variables, options = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        },
        body: JSON.stringify({ query, variables }),
      })
      return (await response.json()) as { data?: Json; errors?: Json[] }
    },
    close: async () => {
      await server.close()
      await database.close()
    },
  }
}

export const codesOf = (response: { errors?: Json[] }): string[] =>
  (response.errors ?? []).map((e) => String(e.extensions?.code))

export const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64')

/** A problem in `state`, in `regionCode`, routed to `department` (or to none). */
export async function insertProblem(
  database: Database,
  options: { regionCode: string; state: ProblemState; department?: string | null; title?: string },
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found, state, responsible_department)
    values (${options.regionCode}, 'facade_safety', ${options.title ?? '外立面脱落隐患'}, 2, 'inspection', 2025,
      ${options.state}, ${options.department ?? null})
    returning id`)
  return row?.id ?? 0
}

/** A queued coverage run in `regionCode`, as the API would have started it. */
export async function insertRun(
  database: Database,
  regionCode: string,
  requestedBy = 'someone',
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into diagnostic_runs (kind, region_code, idempotency_key, state, requested_by)
    values ('coverage', ${regionCode}, ${randomUUID()}, 'queued', ${requestedBy}) returning id`)
  return row?.id ?? 0
}

export interface AuditRow {
  actor: string
  role: string | null
  department: string | null
  regionCode: string | null
  action: string
  before: Json
  after: Json
  requestId: string | null
}

/** The audit events of one entity, oldest first. */
export function auditOf(database: Database, entity: string, id: number): Promise<AuditRow[]> {
  return database.rows<AuditRow>(sql`
    select actor, role, department, region_code as "regionCode", action, before, after,
      request_id as "requestId"
    from audit_events where entity = ${entity} and entity_id = ${String(id)} order by id`)
}
