import { spawnSync } from 'node:child_process'
import { sql } from 'drizzle-orm'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { type Api, errorCodes, startApi, TEST_JWT_SECRET } from '../api/helpers/api.ts'

// The two token scripts as an operator runs them, against the database a running API serves.
let api: Api
let databaseUrl: string
beforeAll(async () => {
  api = await startApi()
  databaseUrl = String((api.database.pool as pg.Pool).options.connectionString)
})
afterAll(() => api?.close())

function npm(script: string, args: string[]) {
  return spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

function issue(subject: string): { token: string; jti: string } {
  const result = npm('token', ['--role', 'district', '--region', '310101', '--sub', subject])
  expect(result.status, result.stderr).toBe(0)
  const token = result.stdout.trim().split('\n').at(-1) ?? ''
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
  return { token, jti: String(claims.jti) }
}

const signedIn = async (token: string) => {
  const response = await api.request<{ viewer: { signedIn: boolean } }>(
    '{ viewer { signedIn } }',
    {},
    { token },
  )
  return errorCodes(response).includes('UNAUTHENTICATED') ? 'refused' : response.body.data?.viewer.signedIn
}

describe('npm run token:revoke', () => {
  it('revokes one token by its jti; the running API refuses it and keeps accepting the others', async () => {
    const revoked = issue('cli-revoke-one')
    const kept = issue('cli-revoke-one')
    expect(await signedIn(revoked.token)).toBe(true)
    const result = npm('token:revoke', ['--jti', revoked.jti, '--reason', 'lost laptop', '--by', 'ops'])
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toContain(`revoked token ${revoked.jti}`)
    await vi.waitFor(async () => expect(await signedIn(revoked.token)).toBe('refused'), { timeout: 20_000 })
    expect(await signedIn(kept.token)).toBe(true)
    const [row] = await api.database.rows<{ reason: string; revokedBy: string }>(
      sql`select reason, revoked_by as "revokedBy" from revoked_tokens
        where jti = ${revoked.jti}`,
    )
    expect(row).toEqual({ reason: 'lost laptop', revokedBy: 'ops' })
  })

  it('revokes every token a subject holds', async () => {
    const first = issue('cli-revoke-all')
    const second = issue('cli-revoke-all')
    const result = npm('token:revoke', ['--subject', 'cli-revoke-all'])
    expect(result.status, result.stderr).toBe(0)
    await vi.waitFor(async () => expect(await signedIn(first.token)).toBe('refused'), { timeout: 20_000 })
    expect(await signedIn(second.token)).toBe('refused')
  })

  it('prints its usage and exits 2 without a jti or subject', () => {
    const result = npm('token:revoke', [])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--subject')
  })
})
