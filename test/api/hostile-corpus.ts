import { encodeGlobalId } from '../../schema/support/global-id.ts'
import { signToken } from '../../server/auth/token.ts'
import { TEST_JWT_SECRET } from './helpers/api.ts'

// The malformed and hostile requests that hostile.test.ts sends, by kind: each a name and what is sent.

export const BUILDINGS =
  'query($filter: SpatialFilter, $first: Int) { buildings(filter: $filter, first: $first) { totalCount } }'
const ring = (n: number, radiusDeg = 0.01) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = ((i % n) / n) * 2 * Math.PI
    return [121.48 + radiusDeg * Math.cos(a), 31.23 + radiusDeg * Math.sin(a)]
  })

export const BODIES: [string, string][] = [
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

export const QUERIES: [string, string][] = [
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

export const GEOMETRIES: [string, unknown][] = [
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

export const FILTERS: [string, unknown][] = [
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
export const TOKENS: [string, () => Promise<string> | string][] = [
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

export const HEADERS: [string, string][] = [
  ['Basic credentials', 'Basic dXNlcjpwYXNz'],
  ['Bearer and nothing', 'Bearer'],
  ['two tokens', 'Bearer a b'],
  ['a lowercase scheme with spaces', 'bearer    '],
]

export const IDS: [string, string][] = [
  ['a problem key that is not a number', encodeGlobalId('Problem', 'abc')],
  ['a problem key beyond int4', encodeGlobalId('Problem', '99999999999')],
  ['a negative problem key', encodeGlobalId('Problem', '-1')],
  ['a building where a problem belongs', encodeGlobalId('Building', '1')],
  ['garbage base64', '%%%not-base64%%%'],
  ['an empty ID', ''],
  ['a type that does not exist', encodeGlobalId('Nothing', '1')],
  ['a key with SQL', encodeGlobalId('Problem', '1; delete from problems')],
]

export const STATIC_PATHS = [
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
