import { type SQL, sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { loadRegions, Region } from '../regions.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder, joinedReader, primeLoader } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from '../support/spatial.ts'
import { Block, loadBlocks } from './blocks.ts'

export interface CompoundRow {
  id: number
  regionCode: string
  blockId: number | null
  name: string | null
  kind: 'compound' | 'self_built_cluster'
  /** Absent when the row came with a building's page: then the outline is loaded when asked for. */
  geom?: Geometry
  areaM2: number | null
  yearBuilt: number | null
  households: number | null
  residents: number | null
  attributes: Record<string, unknown>
  distanceM?: number
}

const COMPOUND_FIELDS: [string, string][] = [
  ['id', 'id'],
  ['region_code', 'regionCode'],
  ['block_id', 'blockId'],
  ['name', 'name'],
  ['kind', 'kind'],
  ['area_m2', 'areaM2'],
  ['year_built', 'yearBuilt'],
  ['households', 'households'],
  ['residents', 'residents'],
  ['attributes', 'attributes'],
]

/** A compound's columns under an alias; the outline only where asked for (a join leaves it to a loader). */
export function compoundColumns(alias = 'c', prefix = '', withGeom = true): SQL {
  const columns = COMPOUND_FIELDS.map(([column, field]) => `${alias}.${column} as "${prefix}${field}"`)
  if (withGeom) columns.push(`ST_AsGeoJSON(${alias}.geom, 9)::json as "${prefix}geom"`)
  return sql.raw(columns.join(', '))
}

const COMPOUND_COLUMNS = compoundColumns()

/** The compound a list joined to its rows with `compoundColumns(alias, 'compound.', false)`. */
export const joinedCompound = joinedReader<CompoundRow>(
  'compound.',
  COMPOUND_FIELDS.map(([, field]) => field),
  'id',
)
// Compounds and blocks are the named units of the public map: no row of theirs is private.
export const compoundVisible = (context: GraphQLContext, alias: SQL = sql`c`) =>
  scopeCondition(context.scope, sql`${alias}.region_code`, 'always')

/** A compound outline is NOT NULL: a missing one is a fault, not a client's mistake. */
function missingOutline(id: number): never {
  throw new Error(`compound ${id} has no outline`)
}

async function loadCompoundOutlines(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(Geometry | null)[]> {
  const rows = await context.database.rows<{ id: number; geom: Geometry }>(
    sql`select c.id, ST_AsGeoJSON(c.geom, 9)::json as geom from compounds c
        where c.id = any(${sql.param([...ids])}::int[]) and ${compoundVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id).map((r) => r?.geom ?? null)
}

export async function loadCompounds(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(CompoundRow | null)[]> {
  const rows = await context.database.rows<CompoundRow>(
    sql`select ${COMPOUND_COLUMNS} from compounds c where c.id = any(${sql.param([...ids])}::int[]) and ${compoundVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadCompoundsOfBlocks(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<CompoundRow[][]> {
  const rows = await context.database.rows<CompoundRow>(
    sql`select ${COMPOUND_COLUMNS} from compounds c
        where c.block_id = any(${sql.param([...ids])}::int[]) and ${compoundVisible(context)} order by c.id`,
  )
  return groupedByKey(ids, rows, (r) => r.blockId as number)
}

/** Its buildings are added by schema/buildings/buildings.ts. */
export const Compound = builder.objectRef<CompoundRow>('Compound')

registerNode('Compound', (key, context) => context.loader(loadCompounds).load(numericKey(key)))

builder.objectType(Compound, {
  description: '小区或自建房片 / A residential compound or a cluster of self-built houses',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (c) => encodeGlobalId('Compound', c.id) }),
    name: t.exposeString('name', { nullable: true }),
    kind: t.exposeString('kind', { description: 'compound | self_built_cluster' }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (r, _a, c) => c.loader(loadRegions).load(r.regionCode),
    }),
    block: t.field({
      type: Block,
      nullable: true,
      resolve: (r, _a, c) => (r.blockId ? c.loader(loadBlocks).load(r.blockId) : null),
    }),
    geom: t.field({
      type: 'GeoJSON',
      resolve: async (r, _a, c) =>
        r.geom ?? (await c.loader(loadCompoundOutlines).load(r.id)) ?? missingOutline(r.id),
    }),
    areaM2: t.exposeFloat('areaM2', { nullable: true }),
    yearBuilt: t.exposeInt('yearBuilt', { nullable: true }),
    households: t.exposeInt('households', { nullable: true }),
    residents: t.exposeFloat('residents', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (r) => r.attributes }),
    distanceM: t.float({
      nullable: true,
      description: '到查询点的距离（米，仅在 filter.near 时有值）/ Metres to filter.near',
      resolve: (r) => r.distanceM ?? null,
    }),
  }),
})

builder.objectField(Block, 'compounds', (t) =>
  t.field({
    type: [Compound],
    resolve: async (k, _a, c) => (await c.loader(loadCompoundsOfBlocks).load(k.id)) ?? [],
  }),
)

builder.queryField('compounds', (t) =>
  t.connection(
    {
      type: Compound,
      nullable: true,
      description: '小区列表 / Residential compounds',
      args: {
        filter: t.arg({
          type: SpatialFilter,
          description: '作用于小区范围 / Applies to the compound outline',
        }),
        kind: t.arg.string(),
        nameContains: t.arg.string(),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          compoundVisible(context),
          ...spatial.conditions({ geom: sql`c.geom`, regionCode: sql`c.region_code` }),
        ]
        if (args.kind) where.push(sql`c.kind = ${args.kind}`)
        if (args.nameContains) where.push(sql`strpos(c.name, ${args.nameContains}) > 0`)
        return keysetPage<CompoundRow>(
          context,
          {
            from: sql`compounds c`,
            columns: withDistance(COMPOUND_COLUMNS, spatial, sql`c.geom`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`c.geom`, sql`c.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadCompounds), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'CompoundConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
