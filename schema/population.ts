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

export interface PopulationCellRow {
  id: number
  regionCode: string
  cellKey: string
  sizeM: number
  metricSrid: number
  geom: Geometry
  centroid: Geometry
  children: number
  working: number
  elderly: number
  total: number
  method: string
  methodParameters: Record<string, unknown>
  distanceM?: number
}

const CELL_COLUMNS = sql`p.id, p.region_code as "regionCode", p.cell_key as "cellKey", p.size_m as "sizeM",
  p.metric_srid as "metricSrid", ST_AsGeoJSON(p.geom, 9)::json as geom, ST_AsGeoJSON(p.centroid, 9)::json as centroid, p.children, p.working, p.elderly, p.total, p.method,
  p.method_parameters as "methodParameters"`

// Residents by age per 100 m cell are personal-data derived: never shown to public readers.
const visible = (context: GraphQLContext) => scopeCondition(context.scope, sql`p.region_code`, 'never')

async function loadCells(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(PopulationCellRow | null)[]> {
  const rows = await context.database.rows<PopulationCellRow>(
    sql`select ${CELL_COLUMNS} from population_cells p where p.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const PopulationCell = builder.objectRef<PopulationCellRow>('PopulationCell')

registerNode('PopulationCell', (key, context) => context.loader(loadCells).load(numericKey(key)))

builder.objectType(PopulationCell, {
  description: '人口网格：按年龄组的常住人口 / Residents of a grid cell by age group',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (p) => encodeGlobalId('PopulationCell', p.id) }),
    cellKey: t.exposeString('cellKey', { description: '`边长:列:行`（metricSrid 坐标系）/ `size:col:row`' }),
    sizeM: t.exposeFloat('sizeM'),
    metricSrid: t.exposeInt('metricSrid'),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (p, _a, c) => c.loader(loadRegions).load(p.regionCode),
    }),
    geom: t.field({ type: 'GeoJSON', resolve: (p) => p.geom }),
    centroid: t.field({ type: 'GeoJSON', resolve: (p) => p.centroid }),
    children: t.exposeFloat('children', { description: '0–14 岁 / Aged 0–14' }),
    working: t.exposeFloat('working', { description: '15–64 岁 / Aged 15–64' }),
    elderly: t.exposeFloat('elderly', { description: '65 岁及以上 / Aged 65+' }),
    total: t.exposeFloat('total'),
    method: t.exposeString('method', { description: '数据来源方法 / How the figures were produced' }),
    methodParameters: t.field({ type: 'JSON', resolve: (p) => p.methodParameters }),
    distanceM: t.float({ nullable: true, resolve: (p) => p.distanceM ?? null }),
  }),
})

builder.queryField('populationCells', (t) =>
  t.connection(
    {
      type: PopulationCell,
      nullable: true,
      description: '人口网格（需登录）/ Population cells (needs a scoped token)',
      authScopes: { signedIn: true },
      args: {
        filter: t.arg({ type: SpatialFilter, description: '作用于网格 / Applies to the cell square' }),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        return keysetPage<PopulationCellRow>(
          context,
          {
            from: sql`population_cells p`,
            columns: withDistance(CELL_COLUMNS, spatial, sql`p.geom`),
            where: [
              and([
                visible(context),
                ...spatial.conditions({ geom: sql`p.geom`, regionCode: sql`p.region_code` }),
              ]),
            ],
            ordering: spatialOrdering(args.orderBy, spatial, sql`p.geom`, sql`p.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadCells), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'PopulationCellConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
