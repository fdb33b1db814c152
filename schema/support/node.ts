import { brandWithType } from '@pothos/core'
import { resolveNodes } from '@pothos/plugin-relay'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { decodeGlobalId } from './global-id.ts'

/** Loads one object of a Node type by the key in its global ID; null when absent or out of scope. */
export type NodeLoad = (key: string, context: GraphQLContext) => Promise<object | null>

const loaders = new Map<string, NodeLoad>()

/**
 * Makes a type loadable by `node(id:)`. The types implement Node with a plain `id` field of their own
 * (`encodeGlobalId`), not the relay plugin's asynchronous one: on a list of a hundred rows, a promise per
 * `id` costs more than the rest of the row.
 */
export function registerNode(typename: string, load: NodeLoad): void {
  loaders.set(typename, load)
}

/** The loader a type registered, for federation's entity references (schema/federation.ts). */
export function registeredLoader(typename: string): NodeLoad | undefined {
  return loaders.get(typename)
}

/** An object type implementing Node, compared by tag: test runners may load a second copy of graphql-js. */
function isRelayNode(type: unknown): boolean {
  if (Object.prototype.toString.call(type) !== '[object GraphQLObjectType]') return false
  return (type as { getInterfaces(): { name: string }[] }).getInterfaces().some((i) => i.name === 'Node')
}

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description:
      '按全局 ID 读取任一对象；不存在或不在权限范围内时返回 NOT_FOUND / Any object by its global ID',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context, info) => {
      const { typename, id } = decodeGlobalId(String(args.id))
      const load = loaders.get(typename)
      let node: object | null | undefined
      if (load) node = await load(id, context)
      else if (isRelayNode(info.schema.getType(typename))) {
        // A type declared with the relay plugin's `builder.node` loads through the plugin.
        node = (await resolveNodes(builder, context, info, [{ typename, id }]))[0] as
          | object
          | null
          | undefined
      }
      if (!node) {
        throw notFound(`对象 ${typename} ${id} 不存在或无权访问`, `${typename} ${id} was not found`, {
          typename,
        })
      }
      brandWithType(node, typename as never)
      return node
    },
  }),
)
