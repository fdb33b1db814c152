/**
 * The problem loop's HTTP fixture: the whole pipeline over a fresh test database with a data directory of its own
 * (photos are stored there), tokens with a subject of the test's choosing (a rectifier and a re-inspector are
 * two people), and problems and tasks inserted as routing leaves them.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Role } from '../../../server/auth/identity.ts'
import { signToken } from '../../../server/auth/token.ts'
import { loadConfig } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import type { ProblemState } from '../../../server/db/problems.ts'
import { type RunningServer, startHttpServer } from '../../../server/http.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { TEST_JWT_SECRET } from './api.ts'

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
type Json = any

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

export interface LoopFixture {
  url: string
  database: Database
  dataDir: string
  gql(
    query: string,
    variables: Record<string, unknown>,
    token?: string | null,
  ): Promise<{ data?: Json; errors?: Json[] }>
  upload(
    problemId: number,
    kind: string,
    token: string | null,
    options?: { bytes?: Buffer; name?: string; taskId?: number },
  ): Promise<{ status: number; body: Json }>
  close(): Promise<void>
}

export async function startLoopFixture(): Promise<LoopFixture> {
  const database = await openTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-problems-'))
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  const server: RunningServer = await startHttpServer({ config, database })
  return {
    url: server.url,
    database,
    dataDir,
    async gql(query, variables, token) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      })
      return (await response.json()) as { data?: Json; errors?: Json[] }
    },
    async upload(problemId, kind, token, options = {}) {
      const query = new URLSearchParams({ kind, filename: options.name ?? `${kind}.png` })
      if (options.taskId !== undefined) query.set('taskId', String(options.taskId))
      const response = await fetch(`${server.url}/api/problems/${problemId}/photos?${query}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: new Uint8Array(options.bytes ?? PNG),
      })
      return { status: response.status, body: await response.json() }
    },
    close: async () => {
      await server.close()
      await database.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A token for a named person: `who` is its subject, so two people of one role are told apart. */
export function personToken(who: string, role: Role, region: string, department?: string): Promise<string> {
  return signToken({ sub: who, role, region, department }, TEST_JWT_SECRET, { expiresIn: 3600 })
}

export const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64')

/** A problem found in 2025 in `regionCode`, in the given state, routed to `department` when one is given. */
export async function insertLoopProblem(
  database: Database,
  options: {
    regionCode?: string
    state?: ProblemState
    department?: string | null
    yearFound?: number
    createdAt?: string
  } = {},
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, title_en, severity, source, year_found, state,
      responsible_department, created_at)
    values (${options.regionCode ?? '310101002'}, 'facade_safety', '外立面脱落隐患', 'facade may fall', 2,
      'inspection', ${options.yearFound ?? 2025}, ${options.state ?? 'identified'},
      ${options.department ?? null}, coalesce(${options.createdAt ?? null}::timestamptz, now()))
    returning id`)
  return row!.id
}

/** Seeds one before and one after photo row, for tests about what comes after rectification. */
export async function seedPhotos(database: Database, problemId: number): Promise<void> {
  await database.rows(sql`insert into problem_photos
      (problem_id, kind, sha256, byte_size, media_type, file_name, region_code, uploaded_by)
    select ${problemId}, k, repeat('0', 64), 1, 'image/png', k || '.png', region_code, 'seed'
    from problems, unnest(array['before', 'after']) k where id = ${problemId}`)
}
