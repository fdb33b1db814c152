import SchemaBuilder from '@pothos/core'
import DirectivePlugin from '@pothos/plugin-directives'
import FederationPlugin from '@pothos/plugin-federation'
import RelayPlugin from '@pothos/plugin-relay'
import ScopeAuthPlugin from '@pothos/plugin-scope-auth'
import ValidationPlugin from '@pothos/plugin-validation'
import type { Geometry } from '../server/db/geometry.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, unauthenticated } from '../server/graphql/errors.ts'
import type { RawJson } from '../server/graphql/raw-json.ts'
import { decodeGlobalId } from './support/global-id.ts'

/** A validated GeoJSON geometry from the client, with the SRID named by its own `crs` member, if any. */
export interface GeometryInput {
  geometry: Geometry
  srid: number | null
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext
  Scalars: {
    // Output: a geometry, or GeoJSON text PostgreSQL already wrote (carried to the response unparsed).
    GeoJSON: { Input: GeometryInput; Output: Geometry | RawJson }
    DateTime: { Input: Date; Output: Date | string }
    JSON: { Input: unknown; Output: unknown }
  }
  AuthScopes: { signedIn: boolean }
  DefaultFieldNullability: false
  DefaultEdgesNullability: false
  DefaultNodeNullability: false
}>({
  // Federation last: it must see the resolvers the auth plugin wraps (ADR 0017).
  plugins: [ScopeAuthPlugin, RelayPlugin, ValidationPlugin, DirectivePlugin, FederationPlugin],
  // Fields are non-null unless they say otherwise: a client can rely on what the schema promises.
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({ signedIn: context.scope.kind === 'region' }),
    unauthorizedError: () =>
      unauthenticated(
        '需要带有行政区划的登录凭证（Authorization: Bearer …）才能读取此数据',
        'This data needs a bearer token scoped to a region (Authorization: Bearer …)',
      ),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    // `nodes` beside `edges`: clients that need no cursor per row skip a level of nesting.
    nodesOnConnection: true,
    decodeGlobalID: (globalID) => decodeGlobalId(globalID),
    // schema/support/node.ts defines `node(id:)` for the types it registers.
    nodeQueryOptions: false,
  },
  validation: {
    validationError: (failure) => {
      const zh: string[] = []
      const en: string[] = []
      for (const issue of failure.issues) {
        const [z, e] = issue.message.includes(' / ')
          ? issue.message.split(' / ', 2)
          : [issue.message, issue.message]
        const where = issue.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')
        zh.push(where ? `${where}：${z}` : (z ?? ''))
        en.push(where ? `${where}: ${e}` : (e ?? ''))
      }
      return badUserInput(zh.join('；'), en.join('; '))
    },
  },
})

builder.queryType({ description: 'CityCheck 城市体检 API：按行政区划权限读取城市模型与体检数据' })
builder.mutationType({ description: '写操作（需登录，按行政区划权限）/ Writes, scoped like reads' })
builder.subscriptionType({
  description: '实时推送（graphql-ws，同一路径 /graphql）/ Live updates over graphql-ws',
})
