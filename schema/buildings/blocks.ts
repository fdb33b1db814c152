import { sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { joinedRegion, loadRegions, Region, regionColumns, regionVisible } from '../regions.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { inKeyOrder, primeLoader } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'
import { requestedNodeFields } from '../support/selection.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from '../support/spatial.ts'

export interface BlockRow {
  id: number
  regionCode: string
  name: string | null
  /** Absent when a list did not ask for it (block outlines are the bulk of a block row). */
  geom?: Geometry
  areaM2: number | null
  distanceM?: number
}

const BLOCK_KEY_COLUMNS = sql`k.id, k.region_code as "regionCode", k.name, k.area_m2 as "areaM2"`
const BLOCK_COLUMNS = sql`${BLOCK_KEY_COLUMNS}, ST_AsGeoJSON(k.geom, 9)::json as geom`
// Blocks and compounds are the named units of the public map: no row of theirs is private.
const blockVisible = (context: GraphQLContext) => scopeCondition(context.scope, sql`k.region_code`, 'always')

export async function loadBlocks(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(BlockRow | null)[]> {
  const rows = await context.database.rows<BlockRow>(
    sql`select ${BLOCK_COLUMNS} from blocks k where k.id = any(${sql.param([...ids])}::int[]) and ${blockVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadBlockGeoms(ids: readonly number[], context: GraphQLContext): Promise<(Geometry | null)[]> {
  return (await loadBlocks(ids, context)).map((row) => row?.geom ?? null)
}

/** Its compounds and buildings are added by schema/buildings/compounds.ts and buildings.ts. */
export const Block = builder.objectRef<BlockRow>('Block')

registerNode('Block', (key, context) => context.loader(loadBlocks).load(numericKey(key)))

builder.objectType(Block, {
  description: '街区 / A block',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (k) => encodeGlobalId('Block', k.id) }),
    name: t.exposeString('name', { nullable: true }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      // Read with the page when the list joined it, as buildings do.
      resolve: (k, _a, c) => {
        const joined = joinedRegion(k)
        return joined !== undefined ? joined : c.loader(loadRegions).load(k.regionCode)
      },
    }),
    geom: t.field({
      type: 'GeoJSON',
      resolve: async (k, _a, c) => k.geom ?? ((await c.loader(loadBlockGeoms).load(k.id)) as Geometry),
    }),
    areaM2: t.exposeFloat('areaM2', { nullable: true }),
    distanceM: t.float({
      nullable: true,
      description: '到查询点的距离（米，仅在 filter.near 时有值）/ Metres to filter.near',
      resolve: (r) => r.distanceM ?? null,
    }),
  }),
})

builder.queryField('blocks', (t) =>
  t.connection(
    {
      type: Block,
      nullable: true,
      description: '街区列表 / Blocks',
      args: {
        filter: t.arg({ type: SpatialFilter }),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context, info) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const fields = requestedNodeFields(info)
        const withGeom = fields.has('geom')
        let columns = withGeom ? BLOCK_COLUMNS : BLOCK_KEY_COLUMNS
        if (fields.has('region')) columns = sql`${columns}, ${regionColumns('jr', 'region.')}`
        return keysetPage<BlockRow>(
          context,
          {
            from: sql`blocks k`,
            ...(fields.has('region')
              ? {
                  joins: sql`left join regions jr on jr.code = k.region_code and ${regionVisible(context, sql`jr`)}`,
                }
              : {}),
            columns: withDistance(columns, spatial, sql`k.geom`),
            where: [
              and([
                blockVisible(context),
                ...spatial.conditions({ geom: sql`k.geom`, regionCode: sql`k.region_code` }),
              ]),
            ],
            ordering: spatialOrdering(args.orderBy, spatial, sql`k.geom`, sql`k.id`),
          },
          args,
          // Only whole rows may stand in for the node loader's.
          (rows) => (withGeom ? primeLoader(context.loader(loadBlocks), rows, (r) => r.id) : undefined),
        )
      },
    },
    {
      name: 'BlockConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
