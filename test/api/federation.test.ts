import { composeServices } from '@apollo/composition'
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway'
import { ApolloServer } from '@apollo/server'
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled'
import { startStandaloneServer } from '@apollo/server/standalone'
import { buildSubgraphSchema } from '@apollo/subgraph'
import { parse } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, postGraphql, startApi, tokenFor } from './helpers/api.ts'

/** A partner's housing register (住房档案): its own subgraph, extending CityCheck's Building by its key. */
const HOUSING_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Building @key(fields: "id") {
    id: ID!
    housingRecord: HousingRecord
  }
  type HousingRecord {
    registerNo: String!
    dwellings: Int!
    building: Building
  }
  type Query {
    housingRecords: [HousingRecord!]!
  }
`)

interface Router {
  run(query: string, token: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>
  stop(): Promise<void>
}

let api: Api
let partner: { url: string; stop: () => Promise<void> }
let router: Router
let buildingIds: string[]

async function startPartner(ids: string[]) {
  const record = (id: string, i: number) => ({
    registerNo: `HK-${1000 + i}`,
    dwellings: 12 + i,
    buildingId: id,
  })
  const records = ids.map(record)
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: HOUSING_SDL,
      resolvers: {
        Query: { housingRecords: () => records },
        HousingRecord: {
          building: (r: { buildingId: string }) => ({ __typename: 'Building', id: r.buildingId }),
        },
        Building: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          housingRecord: (b: { id: string }) => records.find((r) => r.buildingId === b.id) ?? null,
        },
      },
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  })
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } })
  return { url, stop: () => server.stop() }
}

/** The router: a supergraph composed here, offline, from both subgraphs' SDL; the caller's token passed on. */
async function startRouter(citycheckSdl: string): Promise<Router> {
  const composed = composeServices([
    { name: 'citycheck', typeDefs: parse(citycheckSdl), url: `${api.url}/graphql` },
    { name: 'housing', typeDefs: HOUSING_SDL, url: partner.url },
  ])
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'))
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<{ token: string }>({
        url,
        willSendRequest: ({ request, context }) => {
          request.http?.headers.set('authorization', `Bearer ${context.token}`)
        },
      }),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the gateway implements Apollo Server 4's gateway interface, which Apollo Server 5 still drives
  const server = new ApolloServer<{ token: string }>({ gateway: gateway as any })
  await server.start()
  return {
    async run(query, token) {
      const response = await server.executeOperation({ query }, { contextValue: { token } })
      if (response.body.kind !== 'single') throw new Error('expected a single result')
      return response.body.singleResult as { data?: Record<string, unknown>; errors?: unknown[] }
    },
    stop: () => server.stop(),
  }
}

beforeAll(async () => {
  api = await startApi()
  const token = await tokenFor('district', '310101')
  const listed = await postGraphql(api.url, '{ buildings(first: 2) { nodes { id } } }', {}, token)
  buildingIds = listed.data.buildings.nodes.map((n: { id: string }) => n.id)
  partner = await startPartner(buildingIds)
  const service = await postGraphql(api.url, '{ _service { sdl } }')
  router = await startRouter(service.data._service.sdl)
})

afterAll(async () => {
  await router?.stop()
  await partner?.stop()
  await api?.close()
})

describe('CityCheck as an Apollo Federation 2 subgraph', () => {
  it('answers { _service { sdl } } on /graphql with its entities keyed by stable keys', async () => {
    const { data } = await postGraphql(api.url, '{ _service { sdl } }')
    const sdl: string = data._service.sdl
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"')
    expect(sdl).toMatch(/type Region[^{]*@key\(fields: "code"\)/)
    expect(sdl).toMatch(/type Building[^{]*@key\(fields: "id"\)/)
    expect(sdl).toMatch(/type Problem[^{]*@key\(fields: "id"\)/)
  })

  it("answers a query across both subgraphs through the router: CityCheck's buildings with the register's records", async () => {
    const token = await tokenFor('district', '310101')
    const result = await router.run(
      '{ buildings(first: 2) { nodes { id footprintAreaM2 housingRecord { registerNo dwellings } } } }',
      token,
    )
    expect(result.errors).toBeUndefined()
    const nodes = (result.data?.buildings as { nodes?: Record<string, unknown>[] } | undefined)?.nodes ?? []
    expect(nodes.map((n) => n.id)).toEqual(buildingIds)
    expect(nodes[0]?.housingRecord).toEqual({ registerNo: 'HK-1000', dwellings: 12 })
    expect(nodes[1]?.housingRecord).toEqual({ registerNo: 'HK-1001', dwellings: 13 })
    expect(nodes[0]?.footprintAreaM2).toBeGreaterThan(0)
  })

  it("resolves the register's references to CityCheck buildings in the caller's scope", async () => {
    const query = '{ housingRecords { registerNo building { id regionCode heightM } } }'
    const inside = await router.run(query, await tokenFor('district', '310101'))
    expect(inside.errors).toBeUndefined()
    const records = inside.data?.housingRecords as { building: { id: string; regionCode: string } }[]
    expect(records.map((r) => r.building.id)).toEqual(buildingIds)
    expect(records.every((r) => r.building.regionCode === '310101')).toBe(true)
    // Another district's token gets no building of 黄浦区 through the partner either.
    const outside = await router.run(query, await tokenFor('district', '310109'))
    const unseen = outside.data?.housingRecords as { building: unknown }[]
    expect(unseen.map((r) => r.building)).toEqual([null, null])
  })
})
