import { GraphQLError } from 'graphql'
import { builder } from './builder.ts'
import { Building } from './buildings/buildings.ts'
import { loadProblems, Problem } from './problems/problem.ts'
import { loadRegions, Region } from './regions.ts'
import { decodeGlobalId } from './support/global-id.ts'
import { registeredLoader } from './support/node.ts'

/**
 * Apollo Federation 2 entities (ADR 0017): a partner's subgraph (a housing register, the 12345 hot line)
 * extends these by their stable keys. A reference is loaded like `node(id:)`, in the caller's scope: out of
 * scope or absent, the entity is null.
 */
builder.asEntity(Region, {
  key: builder.selection<{ code: string }>('code'),
  resolveReference: (ref, context) => context.loader(loadRegions).load(ref.code),
})

/** The key of a Node type's global ID, or null when it names another type or is malformed. */
function keyOf(globalId: string, typename: string): string | null {
  try {
    const decoded = decodeGlobalId(globalId)
    return decoded.typename === typename ? decoded.id : null
  } catch (error) {
    if (error instanceof GraphQLError) return null
    throw error
  }
}

builder.asEntity(Building, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async (ref, context) => {
    const key = keyOf(ref.id, 'Building')
    const load = registeredLoader('Building')
    return key && load ? ((await load(key, context)) as never) : null
  },
})

builder.asEntity(Problem, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, context) => {
    const key = keyOf(ref.id, 'Problem')
    return key && /^\d+$/.test(key) ? context.loader(loadProblems).load(Number(key)) : null
  },
})
