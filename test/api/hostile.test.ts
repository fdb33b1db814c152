import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeGlobalId } from '../../schema/support/global-id.ts'
import { signToken } from '../../server/auth/token.ts'
import { MAX_BODY_BYTES } from '../../server/graphql/server.ts'
import { type Api, startApi, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

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

const BUILDINGS =
  'query($filter: SpatialFilter, $first: Int) { buildings(filter: $filter, first: $first) { totalCount } }'
const ring = (n: number, radiusDeg = 0.01) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = ((i % n) / n) * 2 * Math.PI
    return [121.48 + radiusDeg * Math.cos(a), 31.23 + radiusDeg * Math.sin(a)]
  })

const BODIES: [string, string][] = [
  ['an empty body', ''],
  ['an unclosed object', '{'],
  ['a bare null', 'null'],
  ['an array', '[]'],
  [
    'a batch of 100 operations',
    JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ viewer { role } }' }))),
  ],
  ['a string', '"{ viewer { role } }"'],
  ['a numeric query', '{"query": 1}'],
  ['a null query', '{"query": null}'],
  ['variables as a string', '{"query": "{ viewer { role } }", "variables": "x"}'],
  ['variables as an array', '{"query": "{ viewer { role } }", "variables": []}'],
  ['an operation name that is not there', '{"query": "query A { viewer { role } }", "operationName": "B"}'],
  ['two operations and no name', '{"query": "query A { viewer { role } } query B { viewer { role } }"}'],
  ['a truncated document', '{"query": "{ buildings(first: 1) { totalCount "}'],
  ['a NUL in the document', JSON.stringify({ query: '{ viewer { role } }\u0000' })],
  ['a lone surrogate', '{"query": "{ viewer { role } }\\ud800"}'],
  ['a mutation over GET-only fields', '{"query": "mutation { viewer { role } }"}'],
  ['an unknown field', '{"query": "{ everything }"}'],
  ['JSON with a trailing comma', '{"query": "{ viewer { role } }",}'],
]

const deep = (levels: number) =>
  `{ ${'node(id: "x") { ... on Building { compound { block { '.repeat(levels)}id${' } } } }'.repeat(levels)} }`

const QUERIES: [string, string][] = [
  ['30 levels of nesting', deep(10)],
  ['1,000 aliases', `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`],
  ['50 aliases', `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`],
  ['100 directives', `{ viewer { role ${'@include(if: true) '.repeat(100)} } }`],
  ['5,000 fields', `{ viewer { ${'role '.repeat(5000)} } }`],
  [
    'a page of 500 buildings with everything nested',
    `{ ${Array.from({ length: 8 }, (_, i) => `b${i}: buildings(first: 500) { nodes { id height floors compound { id name buildings(first: 500) { nodes { id height } } } } }`).join(' ')} }`,
  ],
  [
    'a fragment cycle',
    'query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }',
  ],
  ['an unused fragment', 'query { viewer { role } } fragment A on Viewer { role }'],
  [
    'a deep introspection',
    `{ __schema { types { ${'fields { type { ofType { '.repeat(8)}name${' } } }'.repeat(8)} } } }`,
  ],
  ['a 100 kB string literal', `{ regions(parentCode: "${'9'.repeat(100_000)}") { totalCount } }`],
  ['a first of a billion', '{ buildings(first: 1000000000) { totalCount } }'],
  ['a negative first', '{ buildings(first: -5) { totalCount } }'],
  ['a garbage cursor', '{ buildings(first: 5, after: "not-a-cursor") { totalCount } }'],
  ['an enum that does not exist', '{ buildings(orderBy: SIDEWAYS) { totalCount } }'],
  ['a subscription over HTTP', 'subscription { problemChanged { databaseId } }'],
]

const GEOMETRIES: [string, unknown][] = [
  [
    'a self-intersecting bow tie',
    {
      type: 'Polygon',
      coordinates: [
        [
          [121.48, 31.23],
          [121.49, 31.24],
          [121.49, 31.23],
          [121.48, 31.24],
          [121.48, 31.23],
        ],
      ],
    },
  ],
  ['100,000 vertices', { type: 'Polygon', coordinates: [ring(100_000)] }],
  ['10,001 vertices', { type: 'Polygon', coordinates: [ring(10_001)] }],
  ['a position of strings', { type: 'Point', coordinates: ['NaN', 'Infinity'] }],
  ['Infinity written as 1e400', JSON.parse('{"type": "Point", "coordinates": [1e400, 31.2]}')],
  ['a latitude of 91°', { type: 'Point', coordinates: [121.4, 91] }],
  ['a longitude of -181°', { type: 'Point', coordinates: [-181, 31.2] }],
  ['no type', { coordinates: [121.4, 31.2] }],
  [
    'a GeometryCollection of 10,000 points',
    {
      type: 'GeometryCollection',
      geometries: Array.from({ length: 10_000 }, () => ({ type: 'Point', coordinates: [121.4, 31.2] })),
    },
  ],
  ['an empty polygon', { type: 'Polygon', coordinates: [] }],
  ['a ring of one point', { type: 'Polygon', coordinates: [[[121.4, 31.2]]] }],
  [
    'coordinates nested 50 deep',
    { type: 'Point', coordinates: JSON.parse(`${'['.repeat(50)}1${']'.repeat(50)}`) },
  ],
  ['a null geometry', null],
  ['a number', 42],
  [
    'a MultiPolygon of 2,000 polygons',
    { type: 'MultiPolygon', coordinates: Array.from({ length: 2000 }, () => [ring(8, 0.001)]) },
  ],
]

const FILTERS: [string, unknown][] = [
  ['a bbox of strings', { bbox: { west: 'a', south: 'b', east: 'c', north: 'd' } }],
  ['a bbox turned inside out', { bbox: { west: 121.5, south: 31.3, east: 121.4, north: 31.2 } }],
  ['a bbox around the world', { bbox: { west: -180, south: -90, east: 180, north: 90 } }],
  ['an unknown SRID', { bbox: { west: 0, south: 0, east: 1, north: 1, srid: 999999 } }],
  [
    'an SRID as text',
    { bbox: { west: 0, south: 0, east: 1, north: 1, srid: 'EPSG:4326; drop table buildings' } },
  ],
  [
    'a radius of a million metres',
    { near: { point: { type: 'Point', coordinates: [121.48, 31.23] }, radiusM: 1_000_000 } },
  ],
  ['a negative radius', { near: { point: { type: 'Point', coordinates: [121.48, 31.23] }, radiusM: -1 } }],
  [
    'two filters at once',
    {
      bbox: { west: 121.4, south: 31.2, east: 121.5, north: 31.3 },
      near: { point: { type: 'Point', coordinates: [121.48, 31.23] }, radiusM: 10 },
    },
  ],
  ['an unknown filter key', { everywhere: true }],
  ['a region code with SQL', { regionCode: "310101' or '1'='1" }],
]

const forged = async () => {
  const token = await signToken({ sub: 'x', role: 'province', region: '310000' }, 'not-the-secret')
  return token
}
const TOKENS: [string, () => Promise<string> | string][] = [
  ['a forged signature', forged],
  [
    'alg none',
    () =>
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"province","region":"310000","exp":9999999999}').toString('base64url')}.`,
  ],
  [
    'an expired token',
    () => signToken({ sub: 'x', role: 'city', region: '310000' }, TEST_JWT_SECRET, { expiresIn: -60 }),
  ],
  [
    'an unknown role',
    () =>
      `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"mayor"}').toString('base64url')}.sig`,
  ],
  [
    'a region with letters',
    () =>
      signToken({ sub: 'x', role: 'city', region: '31abc0' as string }, TEST_JWT_SECRET).catch(
        () => 'bad.token.here',
      ),
  ],
  ['three dots', () => '...'],
  [
    'an HS512 token',
    () =>
      `${Buffer.from('{"alg":"HS512"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`,
  ],
  [
    'a region of no region',
    () => signToken({ sub: 'x', role: 'district', region: '999999' }, TEST_JWT_SECRET),
  ],
]

const HEADERS: [string, string][] = [
  ['Basic credentials', 'Basic dXNlcjpwYXNz'],
  ['Bearer and nothing', 'Bearer'],
  ['two tokens', 'Bearer a b'],
  ['a lowercase scheme with spaces', 'bearer    '],
]

const IDS: [string, string][] = [
  ['a problem key that is not a number', encodeGlobalId('Problem', 'abc')],
  ['a problem key beyond int4', encodeGlobalId('Problem', '99999999999')],
  ['a negative problem key', encodeGlobalId('Problem', '-1')],
  ['a building where a problem belongs', encodeGlobalId('Building', '1')],
  ['garbage base64', '%%%not-base64%%%'],
  ['an empty ID', ''],
  ['a type that does not exist', encodeGlobalId('Nothing', '1')],
  ['a key with SQL', encodeGlobalId('Problem', '1; delete from problems')],
]

const STATIC_PATHS = [
  '/viewer/../package.json',
  '/viewer/%2e%2e/package.json',
  '/viewer/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/viewer/..%5c..%5cpackage.json',
  '/viewer/%252e%252e/package.json',
  '/viewer/assets/%00.js',
  '/viewer/assets/missing.js',
  `/viewer/${'a/'.repeat(2000)}x.js`,
  '/tiles/../package.json',
  '/tiles/%2e%2e/%2e%2e/package.json',
  '/tiles/city/../../../etc/passwd',
  '/tiles/city/%2e%2e%2f%2e%2e%2fpglite',
  '/tiles/city/manifest.json',
  '/tiles/city/tileset.json%00.glb',
  '/tiles/city/..%5c..%5cpackage.json',
  '/tiles/city/0/0/0.exe',
  '//etc/passwd',
  '/graphql/../package.json',
]

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
