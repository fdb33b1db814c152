import { execute, parse } from 'graphql/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schema } from '../../schema/index.ts'
import { scopeFor } from '../../server/auth/scope.ts'
import type { Database } from '../../server/db/client.ts'
import {
  compiledRequestOf,
  createCompiledExecutor,
  responseMediaType,
} from '../../server/graphql/compiled.ts'
import { createContext } from '../../server/graphql/context.ts'
import { apolloQueryLimits } from '../../server/graphql/limits.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

const VIEWPORT = `query Viewport($filter: SpatialFilter!, $first: Int!) {
  buildings(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name heightM footprint compound { id name } region { code name } }
  }
}`
const BUND = { bbox: { west: 121.48, south: 31.23, east: 121.5, north: 31.245 } }

// Shapes partner systems send: nested lists, a node lookup, aggregates, scoped problems with their building.
const SHAPES: [name: string, query: string, variables: Record<string, unknown>][] = [
  ['viewport', VIEWPORT, { filter: BUND, first: 50 }],
  [
    'problems in a district',
    `query P($region: String!) { problems(regionCode: $region, first: 20) {
      totalCount nodes { id title state severity regionCode transitions { toState at reason } } } }`,
    { region: '310101' },
  ],
  [
    'regions and editions',
    `{ regions(level: district, first: 5) { nodes { code name nameEn level } }
       indicatorSystems(first: 2) { nodes { name year level indicators { code name unit direction } } } }`,
    {},
  ],
  [
    'district blocks',
    `query B($region: String!) { blocks(filter: { region: $region }, first: 10) {
      nodes { id name areaM2 region { code name } buildings { id name heightM floors } } } }`,
    { region: '310101' },
  ],
  [
    'aggregate',
    `query A($filter: SpatialFilter) { aggregate(filter: $filter) { groupedBy total { key facilityCount } } }`,
    { filter: BUND },
  ],
]

let database: Database
let api: Api
beforeAll(async () => {
  database = await openTestDatabase()
  api = await startApi({ database })
})
afterAll(async () => {
  await api?.close()
})

const armor = apolloQueryLimits({ suggestFields: false })
const executor = () =>
  createCompiledExecutor(schema, { validationRules: armor.validationRules, introspection: false })
const request = (query: string, variables: Record<string, unknown> = {}) => ({
  query,
  variables,
  operationName: null,
})

describe('compiled execution', () => {
  it('takes queries and leaves mutations, subscriptions and documents that do not validate to Apollo', () => {
    const compiled = executor()
    expect(compiled.accepts(request('{ viewer { signedIn } }'))).toBe(true)
    expect(compiled.accepts(request('mutation { cancelDiagnosticRun(id: "x") { id } }'))).toBe(false)
    expect(compiled.accepts(request('subscription { problemChanged { id } }'))).toBe(false)
    expect(compiled.accepts(request('{ viewer { signedIn '))).toBe(false)
    expect(compiled.accepts(request('{ noSuchField }'))).toBe(false)
    // Introspection off: the rule Apollo applies keeps __schema out of the compiled path too.
    expect(compiled.accepts(request('{ __schema { types { name } } }'))).toBe(false)
    const deep = `{ regions(first: 1) { nodes { ${'parent { '.repeat(14)}code${' }'.repeat(14)} } } }`
    expect(compiled.accepts(request(deep))).toBe(false)
  })

  it('reads only plain JSON requests and Accept headers it can answer as Apollo would', () => {
    expect(compiledRequestOf({ query: '{ a }' })).toEqual({
      query: '{ a }',
      variables: {},
      operationName: null,
    })
    expect(compiledRequestOf({ query: '{ a }', extensions: { persistedQuery: {} } })).toBeNull()
    expect(compiledRequestOf({ query: '{ a }', variables: [1] })).toBeNull()
    expect(compiledRequestOf('{ a }')).toBeNull()
    expect(responseMediaType(undefined)).toMatch(/^application\/json/)
    expect(responseMediaType('application/graphql-response+json, application/json')).toMatch(
      /^application\/graphql-response\+json/,
    )
    expect(responseMediaType('application/json;q=0.5, application/graphql-response+json')).toBeNull()
    expect(responseMediaType('text/html')).toBeNull()
  })

  for (const [name, query, variables] of SHAPES) {
    it(`answers ${name} exactly as graphql-js executes it`, async () => {
      const identity = { subject: 'test-city', role: 'city' as const, regionCode: '310100', department: null }
      const scope = await scopeFor(identity, database)
      const compiled = await executor().execute(
        request(query, variables),
        createContext(database, identity, scope),
      )
      const reference = await execute({
        schema,
        document: parse(query),
        variableValues: variables,
        contextValue: createContext(database, identity, scope),
      })
      expect(reference.errors).toBeUndefined()
      expect(compiled).not.toBeNull()
      expect(JSON.parse(compiled?.body ?? 'null')).toEqual(JSON.parse(JSON.stringify(reference)))
    })
  }

  it('hands an answer with errors back, so Apollo answers it with its codes', async () => {
    const scope = await scopeFor(null, database)
    const answer = await executor().execute(
      request('{ node(id: "UHJvYmxlbTphYmM=") { id } }'),
      createContext(database, null, scope),
    )
    expect(answer).toBeNull()
    const response = await api.request('{ node(id: "UHJvYmxlbTphYmM=") { id } }')
    expect(errorCodes(response)).toEqual(['NOT_FOUND'])
  })

  it('serves the same body over HTTP whichever path answers', async () => {
    const token = await tokenFor('city', '310100')
    for (const [, query, variables] of SHAPES) {
      const post = (accept: string) =>
        fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      // A quality factor sends the request through Apollo's negotiation.
      const [fast, apollo] = await Promise.all([post('application/json'), post('application/json;q=0.9')])
      expect(fast.status).toBe(200)
      expect(apollo.status).toBe(200)
      expect(fast.headers.get('content-type')).toBe(apollo.headers.get('content-type'))
      expect(await fast.json()).toEqual(await apollo.json())
    }
  })
})
