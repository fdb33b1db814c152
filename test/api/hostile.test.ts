import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../../server/graphql/server.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'
import {
  BODIES,
  BUILDINGS,
  FILTERS,
  GEOMETRIES,
  HEADERS,
  IDS,
  QUERIES,
  STATIC_PATHS,
  TOKENS,
} from './hostile-corpus.ts'

/**
 * A corpus of malformed and hostile requests: none may cost a 5xx, and every answer carries a code a client can
 * act on — an `extensions.code` the API exposes, or a 4xx status for static paths.
 */
const EXPOSED = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
])

let api: Api
let district: string
beforeAll(async () => {
  api = await startApi()
  district = await tokenFor('district', '310101')
})
afterAll(() => api?.close())

interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** A request sent as written: no URL normalisation, any method, any body. */
function raw(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Raw> {
  const { hostname, port } = new URL(api.url)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      )
    })
    // A server may answer (413) and close before reading an oversized body; that answer is what counts.
    req.on('error', (error) =>
      error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error),
    )
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const post = (body: string, headers: Record<string, string> = {}) =>
  raw('POST', '/graphql', body, { 'content-type': 'application/json', ...headers })
const gql = (query: string, variables: unknown = {}, token?: string) =>
  post(JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {})

/** No 5xx; a JSON answer names an exposed code for every error; anything else is a 4xx. */
function expectActionable(answer: Raw) {
  expect(answer.status, answer.body.slice(0, 300)).toBeLessThan(500)
  if ((answer.headers['content-type'] ?? '').includes('json')) {
    const body = JSON.parse(answer.body) as { data?: unknown; errors?: { extensions?: { code?: string } }[] }
    for (const error of body.errors ?? [])
      expect(EXPOSED, answer.body.slice(0, 300)).toContain(error.extensions?.code)
    if (!body.errors?.length) expect(body.data).toBeDefined()
  } else {
    expect(answer.status, answer.body.slice(0, 200)).toBeGreaterThanOrEqual(300)
  }
}

describe('a hostile-request corpus', () => {
  it('holds at least 100 requests', () => {
    const size =
      BODIES.length +
      QUERIES.length +
      GEOMETRIES.length +
      FILTERS.length +
      TOKENS.length +
      HEADERS.length +
      IDS.length * 2 +
      STATIC_PATHS.length +
      6
    expect(size).toBeGreaterThanOrEqual(100)
  })

  it.each(BODIES)('answers %s without a 5xx and with a code', async (_name, body) => {
    expectActionable(await post(body))
  })

  it.each(QUERIES)('answers %s without a 5xx and with a code', async (_name, query) => {
    expectActionable(await gql(query, {}, district))
  })

  it('refuses the deep, aliased and costly ones as BAD_USER_INPUT, saying which limit', async () => {
    for (const [, query] of QUERIES.slice(0, 2)) {
      const body = JSON.parse((await gql(query)).body) as {
        errors: { message: string; extensions: { code: string } }[]
      }
      expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT')
      expect(body.errors[0]?.message).toMatch(/[\u4e00-\u9fff].* \/ .*(levels|aliases|cost|tokens)/)
    }
  })

  it.each(GEOMETRIES)('answers a geometry with %s without a 5xx', async (_name, geometry) => {
    expectActionable(await gql(BUILDINGS, { filter: { intersects: geometry }, first: 1 }))
  })

  it.each(FILTERS)('answers a spatial filter with %s without a 5xx', async (_name, filter) => {
    expectActionable(await gql(BUILDINGS, { filter, first: 1 }))
  })

  it.each(TOKENS)('answers %s as UNAUTHENTICATED', async (_name, make) => {
    const answer = await gql('{ viewer { role } }', {}, await make())
    expectActionable(answer)
    expect(answer.status).toBe(401)
    expect(answer.body).toContain('UNAUTHENTICATED')
  })

  it('answers a 100 kB token with 431, before reading it', async () => {
    const answer = await post(JSON.stringify({ query: '{ viewer { role } }' }), {
      authorization: `Bearer ${'a'.repeat(100_000)}`,
    })
    expect(answer.status).toBe(431)
  })

  it.each(HEADERS)('answers an Authorization header of %s as UNAUTHENTICATED', async (_name, header) => {
    const answer = await post(JSON.stringify({ query: '{ viewer { role } }' }), { authorization: header })
    expectActionable(answer)
    expect(answer.body).toContain('UNAUTHENTICATED')
  })

  it.each(IDS)('answers transitionProblem with %s without a 5xx', async (_name, id) => {
    const answer = await gql(
      'mutation($id: ID!) { transitionProblem(input: { id: $id, to: in_progress }) { id } }',
      { id },
      district,
    )
    expectActionable(answer)
    expect(answer.body).toMatch(/BAD_USER_INPUT|NOT_FOUND/)
  })

  it.each(IDS)('answers cancelDiagnosticRun and node with %s without a 5xx', async (_name, id) => {
    expectActionable(
      await gql('mutation($id: ID!) { cancelDiagnosticRun(id: $id) { id } }', { id }, district),
    )
    expectActionable(await gql('query($id: ID!) { node(id: $id) { id } }', { id }, district))
  })

  it.each(STATIC_PATHS)('never serves a file outside its folder for %s', async (path) => {
    const answer = await raw('GET', path)
    expect(answer.status).toBeLessThan(500)
    expect(answer.body).not.toContain('"name": "citycheck"')
    expect(answer.body).not.toContain('root:x:0:0')
    if (answer.status === 200) expect(path.startsWith('/viewer/') && !/\.\w+$/.test(path)).toBe(true)
  })

  it('refuses an oversized body with 413 before reading it all', async () => {
    const answer = await post(`{"query": "{ viewer { role } }", "pad": "${'x'.repeat(MAX_BODY_BYTES + 10)}"}`)
    expect(answer.status).toBe(413)
    expectActionable(answer)
  })

  it('refuses a body whose declared length is over the limit', async () => {
    const answer = await raw('POST', '/graphql', '{}', {
      'content-type': 'application/json',
      'content-length': String(MAX_BODY_BYTES + 1),
    })
    expect(answer.status).toBe(413)
  })

  it.each([
    ['PUT', '/graphql'],
    ['DELETE', '/graphql'],
    ['PATCH', '/graphql'],
    ['POST', '/viewer/index.html'],
  ])('answers %s %s with a 4xx', async (method, path) => {
    const answer = await raw(method, path, method === 'DELETE' ? undefined : '{}', {
      'content-type': 'application/json',
    })
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(answer.status).toBeLessThan(500)
  })
})
