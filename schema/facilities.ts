import { sql } from 'drizzle-orm'
import { scopeCondition } from '../server/auth/scope.ts'
import { FACILITY_TYPES } from '../server/db/facilities.ts'
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

export interface FacilityRow {
  id: number
  regionCode: string
  type: (typeof FACILITY_TYPES)[number]
  name: string | null
  nameEn: string | null
  geom: Geometry
  capacity: number | null
  capacityUnit: string | null
  capacityEstimated: boolean
  areaM2: number | null
  attributes: Record<string, unknown>
  isPublic: boolean
  distanceM?: number
}

const FACILITY_COLUMNS = sql`f.id, f.region_code as "regionCode", f.type, f.name, f.name_en as "nameEn", ST_AsGeoJSON(f.geom, 9)::json as geom,
  f.capacity, f.capacity_unit as "capacityUnit", f.capacity_estimated as "capacityEstimated", f.area_m2 as "areaM2",
  f.attributes, f.is_public as "isPublic"`

const visible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`f.region_code`, { flag: sql`f.is_public` })

async function loadFacilities(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(FacilityRow | null)[]> {
  const rows = await context.database.rows<FacilityRow>(
    sql`select ${FACILITY_COLUMNS} from facilities f where f.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const FacilityType = builder.enumType('FacilityType', {
  description: '公共服务设施类型（GB 50180-2018 生活圈）/ Facility type of the life-circle standard',
  values: FACILITY_TYPES,
})

export const Facility = builder.objectRef<FacilityRow>('Facility')

registerNode('Facility', (key, context) => context.loader(loadFacilities).load(numericKey(key)))

builder.objectType(Facility, {
  description: '公共服务设施（点）/ A public service facility',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (f) => encodeGlobalId('Facility', f.id) }),
    type: t.field({ type: FacilityType, resolve: (f) => f.type }),
    name: t.exposeString('name', { nullable: true }),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (f, _a, c) => c.loader(loadRegions).load(f.regionCode),
    }),
    geom: t.field({ type: 'GeoJSON', resolve: (f) => f.geom }),
    capacity: t.exposeFloat('capacity', {
      nullable: true,
      description: '规模（床位、学位、车位…）/ Capacity',
    }),
    capacityUnit: t.exposeString('capacityUnit', { nullable: true }),
    capacityEstimated: t.exposeBoolean('capacityEstimated'),
    areaM2: t.exposeFloat('areaM2', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (f) => f.attributes }),
    isPublic: t.exposeBoolean('isPublic'),
    distanceM: t.float({
      nullable: true,
      description: '到查询点的距离（米，仅在 filter.near 时有值）/ Metres to filter.near',
      resolve: (f) => f.distanceM ?? null,
    }),
  }),
})

builder.queryField('facilities', (t) =>
  t.connection(
    {
      type: Facility,
      nullable: true,
      description: '公共服务设施列表（按类型、空间筛选）/ Facilities by type and space',
      args: {
        types: t.arg({ type: [FacilityType] }),
        filter: t.arg({ type: SpatialFilter }),
        nameContains: t.arg.string(),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          visible(context),
          ...spatial.conditions({ geom: sql`f.geom`, regionCode: sql`f.region_code` }),
        ]
        if (args.types?.length) where.push(sql`f.type = any(${sql.param(args.types)}::text[])`)
        if (args.nameContains) where.push(sql`strpos(f.name, ${args.nameContains}) > 0`)
        return keysetPage<FacilityRow>(
          context,
          {
            from: sql`facilities f`,
            columns: withDistance(FACILITY_COLUMNS, spatial, sql`f.geom`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`f.geom`, sql`f.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadFacilities), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'FacilityConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
