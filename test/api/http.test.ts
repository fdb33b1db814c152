import { PgDialect } from 'drizzle-orm/pg-core'
import { serverAudits } from 'graphql-http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { signToken } from '../../server/auth/token.ts'
import type { Database } from '../../server/db/client.ts'
import { graphql } from '../generated/index.ts'
import { type Api, errorCodes, startApi, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

let api: Api
beforeAll(async () => {
  api = await startApi()
})
afterAll(() => api?.close())

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  for (const audit of serverAudits({ url: () => `${api.url}/graphql` })) {
    it(audit.name, async () => {
      const result = await audit.fn()
      expect(result.status, 'reason' in result ? result.reason : '').toBe('ok')
    })
  }
})

describe('/graphql', () => {
  it('serves a self-contained explorer page to browsers', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await response.text()
    expect(html).toContain('CityCheck GraphQL')
    // Works offline: nothing is loaded from another origin.
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/@import|cdn\./i)
  })

  it('answers GET queries with application/graphql-response+json', async () => {
    const query = encodeURIComponent('{ region(code: "310101") { name } }')
    const response = await fetch(`${api.url}/graphql?query=${query}`, {
      headers: { accept: 'application/graphql-response+json' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/)
    expect(await response.json()).toEqual({ data: { region: { name: '黄浦区' } } })
  })

  it('keeps /healthz', async () => {
    const response = await fetch(`${api.url}/healthz`)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { counts: { buildings: number } }).counts.buildings).toBeGreaterThan(
      1000,
    )
  })

  it('refuses a request body over the limit with 413, not 500', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"{ viewer { signedIn } }","variables":{"x":"${'x'.repeat(9 * 1024 * 1024)}"}}`,
    })
    expect(response.status).toBe(413)
  })

  it('answers malformed JSON with 400', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    })
    expect(response.status).toBe(400)
  })
})

describe('bearer tokens', () => {
  const Viewer = graphql(`
    query Viewer {
      viewer {
        signedIn
        role
        publicOnly
        scopePrefix
        region {
          code
        }
      }
    }
  `)

  it('reads the identity and its scope from the token', async () => {
    const token = await tokenFor('district', '310101')
    const { viewer } = await api.query(Viewer, {}, { token })
    expect(viewer).toEqual({
      signedIn: true,
      role: 'district',
      publicOnly: false,
      scopePrefix: '310101',
      region: { code: '310101' },
    })
  })

  it('treats a request without a token, and the public role, as public', async () => {
    expect((await api.query(Viewer)).viewer).toMatchObject({
      signedIn: false,
      publicOnly: true,
      scopePrefix: null,
    })
    const token = await tokenFor('public')
    expect((await api.query(Viewer, {}, { token })).viewer).toMatchObject({
      signedIn: true,
      publicOnly: true,
    })
  })

  it.each([
    ['a malformed header', { authorization: 'Token abc' }],
    ['a garbage token', { authorization: 'Bearer abc.def.ghi' }],
  ])('answers %s with 401 UNAUTHENTICATED', async (_name, headers) => {
    const response = await api.request('{ viewer { signedIn } }', {}, { headers })
    expect(response.status).toBe(401)
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED'])
  })

  it('refuses tokens signed with another key, expired, or naming an unknown region', async () => {
    const tokens = [
      await signToken({ sub: 'x', role: 'district', region: '310101' }, 'another-key'),
      await signToken({ sub: 'x', role: 'district', region: '310101' }, TEST_JWT_SECRET, { expiresIn: -60 }),
      await signToken({ sub: 'x', role: 'district', region: '999999' }, TEST_JWT_SECRET),
    ]
    for (const token of tokens) {
      const response = await api.request('{ viewer { signedIn } }', {}, { token })
      expect(response.status).toBe(401)
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED'])
      expect(response.body.errors?.[0]?.message).toMatch(/ \/ /)
    }
  })
})

describe('error masking', () => {
  let broken: Api
  const dialect = new PgDialect()
  beforeAll(async () => {
    broken = await startApi({
      database: api.database,
      // Without the pool, every statement goes through `rows`, where this one fails.
      wrap: (db: Database): Database => ({
        ...db,
        pool: undefined,
        rows: (query) => {
          if (/from facilities/.test(dialect.sqlToQuery(query).sql)) {
            return Promise.reject(new Error('relation "secret_internal_table" does not exist'))
          }
          return db.rows(query)
        },
      }),
    })
  })
  afterAll(() => broken?.close())

  it('masks unexpected failures as INTERNAL_SERVER_ERROR and logs the original', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = await broken.request('{ facilities(first: 1) { edges { node { id } } } }')
      expect(response.status).toBe(200)
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: 'Unexpected error',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        }),
      ])
      expect(JSON.stringify(response.body)).not.toContain('secret_internal_table')
      expect(String(logged.mock.calls.flat())).toContain('secret_internal_table')
    } finally {
      logged.mockRestore()
    }
  })

  it('lets deliberate failures through with their code and a bilingual message', async () => {
    const response = await broken.request('{ region(code: "000000") { name } }')
    expect(errorCodes(response)).toEqual(['NOT_FOUND'])
    expect(response.body.errors?.[0]?.message).toMatch(/不存在.* \/ .*not found/)
    expect(response.body.errors?.[0]?.extensions?.localized).toEqual({
      'zh-CN': expect.stringContaining('000000'),
      en: expect.stringContaining('000000'),
    })
  })
})
