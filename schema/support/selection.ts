import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql'

/**
 * The field names a query asks for on the rows of a connection (under `edges { node { … } }` and `nodes`),
 * through fragments and inline fragments. `@skip`/`@include` are not evaluated: a superset is harmless.
 */
export function requestedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const fields = new Set<string>()
  const fragments = info.fragments as Record<string, FragmentDefinitionNode>
  const collect = (set: SelectionSetNode | undefined, visit: (field: FieldNode) => void, depth = 0): void => {
    if (!set || depth > 20) return
    for (const selection of set.selections) {
      if (selection.kind === 'Field') visit(selection)
      else if (selection.kind === 'InlineFragment') collect(selection.selectionSet, visit, depth + 1)
      else collect(fragments[selection.name.value]?.selectionSet, visit, depth + 1)
    }
  }
  const nodeFields = (field: FieldNode) => fields.add(field.name.value)
  for (const connection of info.fieldNodes) {
    collect(connection.selectionSet, (field) => {
      if (field.name.value === 'nodes') collect(field.selectionSet, nodeFields)
      if (field.name.value === 'edges') {
        collect(field.selectionSet, (edgeField) => {
          if (edgeField.name.value === 'node') collect(edgeField.selectionSet, nodeFields)
        })
      }
    })
  }
  return fields
}

/** The field names a query asks for on the items of a plain list field (`buildings { … }`), fragments included. */
export function requestedListFields(info: GraphQLResolveInfo): Set<string> {
  const fields = new Set<string>()
  const fragments = info.fragments as Record<string, FragmentDefinitionNode>
  const collect = (set: SelectionSetNode | undefined, depth = 0): void => {
    if (!set || depth > 20) return
    for (const selection of set.selections) {
      if (selection.kind === 'Field') fields.add(selection.name.value)
      else if (selection.kind === 'InlineFragment') collect(selection.selectionSet, depth + 1)
      else collect(fragments[selection.name.value]?.selectionSet, depth + 1)
    }
  }
  for (const field of info.fieldNodes) collect(field.selectionSet)
  return fields
}
