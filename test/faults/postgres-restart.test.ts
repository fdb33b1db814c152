import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revokeTokens } from '../../server/auth/revocations.ts'
import { signToken } from '../../server/auth/token.ts'
import { loadConfig } from '../../server/config.ts'
import { type Database, migrateDatabase, openDatabase } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres.ts'

const SECRET = 'citycheck-fault-tests-secret'
const QUERY = JSON.stringify({ query: '{ regions(first: 1) { totalCount } }' })

let postgres: PrivatePostgres
let database: Database
let server: RunningServer

beforeAll(async () => {
  postgres = await startPrivatePostgres()
  database = await openDatabase({ databaseUrl: postgres.url, poolSize: 4 })
  await migrateDatabase(database)
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: SECRET }
  server = await startHttpServer({ config, database })
})
afterAll(async () => {
  await server?.close().catch(() => {})
  await database?.close().catch(() => {})
  postgres?.remove()
})

interface Answer {
  status: number
  codes: string[]
  ok: boolean
}

async function ask(token?: string): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: QUERY,
  })
  const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] }
  const codes = (body.errors ?? []).map((e) => String(e.extensions?.code))
  return { status: response.status, codes, ok: response.status === 200 && codes.length === 0 }
}

/** Asks until an answer passes `done`, recording every answer; bounded, so a server that never recovers fails. */
async function askUntil(
  done: (answer: Answer) => boolean,
  seen: Answer[],
  token?: string,
  attempts = 600,
): Promise<Answer> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const answer = await ask(token)
    seen.push(answer)
    if (done(answer)) return answer
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no answer passed after ${attempts} requests; last ${JSON.stringify(seen.at(-1))}`)
}

describe('PostgreSQL restarted under load', () => {
  it('answers with a retryable code while it is down and recovers without a restart of the API', async () => {
    const token = await signToken({ sub: 'fault-tester', role: 'public' }, SECRET)
    expect((await ask(token)).ok).toBe(true)

    const seen: Answer[] = []
    // Load from several clients at once while the database goes away and comes back.
    let loading = true
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) seen.push(await ask(token))
      }),
    )
    postgres.stop()
    await askUntil((answer) => !answer.ok, seen, token)
    // A token whose region was never looked up fails before execution: the whole request is a 503 to retry.
    const district = await signToken({ sub: 'fault-district', role: 'district', region: '310101' }, SECRET)
    const early = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${district}` },
      body: QUERY,
    })
    expect(early.status).toBe(503)
    expect(early.headers.get('retry-after')).toBe('1')
    expect(JSON.stringify(await early.json())).toContain('SERVICE_UNAVAILABLE')
    postgres.start()
    await askUntil((answer) => answer.ok, seen, token)
    loading = false
    await load

    const failures = seen.filter((answer) => !answer.ok)
    expect(failures.length).toBeGreaterThan(0)
    for (const failure of failures) {
      expect(failure.status, JSON.stringify(failure)).toBeLessThan(600)
      expect(failure.codes, JSON.stringify(failure)).toEqual(['SERVICE_UNAVAILABLE'])
    }
    expect((await ask(token)).ok).toBe(true)
  })

  it('listens again after the restart: a revocation announced afterwards reaches the API', async () => {
    const token = await signToken({ sub: 'after-restart', role: 'public' }, SECRET)
    expect((await ask(token)).ok).toBe(true)
    await revokeTokens(database, { subject: 'after-restart', revokedBy: 'fault test' })
    // Within 50 requests, well before the list's periodic reload (30 s): only the notification can bring it.
    const refused = await askUntil((answer) => answer.status === 401, [], token, 50)
    expect(refused.codes).toEqual(['UNAUTHENTICATED'])
  })
})
