import { sql } from 'drizzle-orm'
import { scopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { builder } from './builder.ts'
import { loadRegions, Region } from './regions.ts'
import { encodeGlobalId, numericKey } from './support/global-id.ts'
import { inKeyOrder, primeLoader } from './support/loading.ts'
import { registerNode } from './support/node.ts'
import { and, keysetPage } from './support/pagination.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from './support/spatial.ts'

export interface RenewalAreaRow {
  id: number
  regionCode: string
  name: string
  kind: string | null
  geom: Geometry
  areaM2: number | null
  attributes: Record<string, unknown>
  createdAt: Date
  distanceM?: number
}

const AREA_COLUMNS = sql`a.id, a.region_code as "regionCode", a.name, a.kind, ST_AsGeoJSON(a.geom, 9)::json as geom, a.area_m2 as "areaM2",
  a.attributes, a.created_at as "createdAt"`

// Renewal areas are plans under work: read by the scoped staff, published through reports, not here.
const visible = (context: GraphQLContext) => scopeCondition(context.scope, sql`a.region_code`, 'never')

async function loadAreas(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(RenewalAreaRow | null)[]> {
  const rows = await context.database.rows<RenewalAreaRow>(
    sql`select ${AREA_COLUMNS} from renewal_areas a where a.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const RenewalArea = builder.objectRef<RenewalAreaRow>('RenewalArea')

registerNode('RenewalArea', (key, context) => context.loader(loadAreas).load(numericKey(key)))

builder.objectType(RenewalArea, {
  description: '片区：更新片区或片区体检的范围 / A renewal area (any polygon)',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (a) => encodeGlobalId('RenewalArea', a.id) }),
    name: t.exposeString('name'),
    kind: t.exposeString('kind', { nullable: true }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (a, _x, c) => c.loader(loadRegions).load(a.regionCode),
    }),
    geom: t.field({ type: 'GeoJSON', resolve: (a) => a.geom }),
    areaM2: t.exposeFloat('areaM2', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (a) => a.attributes }),
    createdAt: t.field({ type: 'DateTime', resolve: (a) => a.createdAt }),
    distanceM: t.float({ nullable: true, resolve: (a) => a.distanceM ?? null }),
  }),
})

builder.queryField('renewalAreas', (t) =>
  t.connection(
    {
      type: RenewalArea,
      nullable: true,
      description: '片区列表（需登录）/ Renewal areas (needs a scoped token)',
      authScopes: { signedIn: true },
      args: {
        filter: t.arg({ type: SpatialFilter }),
        kind: t.arg.string(),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          visible(context),
          ...spatial.conditions({ geom: sql`a.geom`, regionCode: sql`a.region_code` }),
        ]
        if (args.kind) where.push(sql`a.kind = ${args.kind}`)
        return keysetPage<RenewalAreaRow>(
          context,
          {
            from: sql`renewal_areas a`,
            columns: withDistance(AREA_COLUMNS, spatial, sql`a.geom`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`a.geom`, sql`a.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadAreas), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'RenewalAreaConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
