import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import { RESOURCE_KINDS, RESOURCE_SOURCES, RESOURCE_STATES } from '../../server/db/resources.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder, primeLoader } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from '../support/spatial.ts'

export interface ResourceRow {
  id: number
  code: string | null
  regionCode: string
  kind: string
  name: string | null
  geom: Geometry
  areaM2: number | null
  ownership: string | null
  currentUse: string | null
  department: string | null
  layer: string | null
  address: string | null
  source: (typeof RESOURCE_SOURCES)[number]
  sourceKey: string | null
  verificationState: (typeof RESOURCE_STATES)[number]
  reportedBy: string | null
  reportedAt: string
  verifiedBy: string | null
  verifiedAt: string | null
  verificationNote: string | null
  attributes: Record<string, unknown>
  updatedAt: string
  distanceM?: number | null
}

export const RESOURCE_COLUMNS = sql`s.id, s.code, s.region_code as "regionCode", s.kind, s.name,
  ST_AsGeoJSON(s.geom, 9)::json as geom, s.area_m2 as "areaM2", s.ownership, s.current_use as "currentUse",
  s.department, s.layer, s.address, s.source, s.source_key as "sourceKey",
  s.verification_state as "verificationState", s.reported_by as "reportedBy", s.reported_at as "reportedAt",
  s.verified_by as "verifiedBy", s.verified_at as "verifiedAt", s.verification_note as "verificationNote",
  s.attributes, s.updated_at as "updatedAt"`

// The one-map is working data of the region's staff (owners, vacancies): never public.
export const resourceVisible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`s.region_code`, 'never')

export async function loadResources(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(ResourceRow | null)[]> {
  const rows = await context.database.rows<ResourceRow>(
    sql`select ${RESOURCE_COLUMNS} from stock_resources s
      where s.id = any(${sql.param([...ids])}::int[]) and ${resourceVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const ResourceStateEnum = builder.enumType('ResourceVerificationState', {
  description: '核实状态：已上报 → 已核实 / 已驳回 / reported, then verified or rejected',
  values: RESOURCE_STATES,
})
export const ResourceSourceEnum = builder.enumType('ResourceSource', {
  description: '来源：部门导入、街道实地上报、由 OpenStreetMap 推导的候选 / a department file, a street, OSM',
  values: RESOURCE_SOURCES,
})
export const ResourceKindEnum = builder.enumType('ResourceKind', {
  description:
    '闲置土地、闲置建筑、低效建筑、腾退厂房、桥下空间、边角地、停车 / idle land, idle or under-used buildings, ' +
    'vacated factories, under-bridge and corner spaces, parking',
  values: RESOURCE_KINDS,
})

interface PhotoRow {
  id: number
  resourceId: number
  fileName: string
  mediaType: string
  byteSize: number
  sha256: string
  uploadedBy: string
  uploadedAt: string
}

const ResourcePhoto = builder.objectRef<PhotoRow>('StockResourcePhoto').implement({
  description: '资源的现场照片，上传见 /api/resources/{id}/photos / A field photo of a resource',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    fileName: t.exposeString('fileName'),
    mediaType: t.exposeString('mediaType'),
    byteSize: t.exposeInt('byteSize'),
    sha256: t.exposeString('sha256'),
    uploadedBy: t.exposeString('uploadedBy'),
    uploadedAt: t.field({ type: 'DateTime', resolve: (p) => p.uploadedAt }),
    url: t.string({ resolve: (p) => `/api/resource-photos/${p.id}` }),
  }),
})

async function loadPhotos(ids: readonly number[], context: GraphQLContext): Promise<PhotoRow[][]> {
  const rows = await context.database.rows<PhotoRow>(
    sql`select id, resource_id as "resourceId", file_name as "fileName", media_type as "mediaType",
      byte_size as "byteSize", sha256, uploaded_by as "uploadedBy", uploaded_at as "uploadedAt"
    from stock_resource_photos where resource_id = any(${sql.param([...ids])}::int[]) order by id`,
  )
  return groupedByKey(ids, rows, (r) => r.resourceId)
}

export const StockResource = builder.objectRef<ResourceRow>('StockResource')

registerNode('StockResource', (key, context) => context.loader(loadResources).load(numericKey(key)))

builder.objectType(StockResource, {
  description:
    '存量资源：闲置土地、闲置或低效建筑、桥下空间、边角地、停车… / A stock resource of the one-map',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (s) => encodeGlobalId('StockResource', s.id) }),
    databaseId: t.exposeInt('id'),
    code: t.exposeString('code', { nullable: true, description: '编号，如 ZY-310101-0001' }),
    regionCode: t.exposeString('regionCode'),
    kind: t.exposeString('kind'),
    name: t.exposeString('name', { nullable: true }),
    geom: t.field({ type: 'GeoJSON', resolve: (s) => s.geom }),
    areaM2: t.exposeFloat('areaM2', { nullable: true }),
    ownership: t.exposeString('ownership', { nullable: true, description: '权属' }),
    currentUse: t.exposeString('currentUse', { nullable: true, description: '现状用途' }),
    department: t.exposeString('department', { nullable: true, description: '管理部门' }),
    layer: t.exposeString('layer', { nullable: true, description: '部门图层' }),
    address: t.exposeString('address', { nullable: true }),
    source: t.field({ type: ResourceSourceEnum, resolve: (s) => s.source }),
    sourceKey: t.exposeString('sourceKey', { nullable: true }),
    verificationState: t.field({ type: ResourceStateEnum, resolve: (s) => s.verificationState }),
    reportedBy: t.exposeString('reportedBy', { nullable: true }),
    reportedAt: t.field({ type: 'DateTime', resolve: (s) => s.reportedAt }),
    verifiedBy: t.exposeString('verifiedBy', { nullable: true }),
    verifiedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.verifiedAt }),
    verificationNote: t.exposeString('verificationNote', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (s) => s.attributes }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
    distanceM: t.float({ nullable: true, resolve: (s) => s.distanceM ?? null }),
    photos: t.field({
      type: [ResourcePhoto],
      resolve: async (s, _args, context) => (await context.loader(loadPhotos).load(s.id)) ?? [],
    }),
  }),
})

builder.queryField('stockResources', (t) =>
  t.connection(
    {
      type: StockResource,
      description:
        '存量资源一张图：按空间范围、图层、类型、核实状态、来源筛选 / The stock-resource one-map, filtered like ' +
        'every list (box, polygon, distance, region) and by layer, kind, verification state and source',
      args: {
        filter: t.arg({ type: SpatialFilter }),
        layers: t.arg.stringList({ description: '部门图层 / department layers' }),
        kinds: t.arg({ type: [ResourceKindEnum] }),
        states: t.arg({ type: [ResourceStateEnum] }),
        sources: t.arg({ type: [ResourceSourceEnum] }),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        authorize(context.identity, context.scope, 'resource.read')
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          resourceVisible(context),
          ...spatial.conditions({ geom: sql`s.geom`, regionCode: sql`s.region_code` }),
        ]
        if (args.layers?.length) where.push(sql`s.layer = any(${sql.param(args.layers)}::text[])`)
        if (args.kinds?.length) where.push(sql`s.kind = any(${sql.param(args.kinds)}::text[])`)
        if (args.states?.length) {
          where.push(sql`s.verification_state = any(${sql.param(args.states)}::text[])`)
        }
        if (args.sources?.length) where.push(sql`s.source = any(${sql.param(args.sources)}::text[])`)
        return keysetPage<ResourceRow>(
          context,
          {
            from: sql`stock_resources s`,
            columns: withDistance(RESOURCE_COLUMNS, spatial, sql`s.geom`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`s.geom`, sql`s.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadResources), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'StockResourceConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
