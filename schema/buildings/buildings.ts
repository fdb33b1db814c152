import { type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { scopeCondition } from '../../server/auth/scope.ts'
import {
  BUILDING_USES,
  HEIGHT_QUALITIES,
  HEIGHT_SOURCES,
  type HeightQuality,
  type HeightSource,
} from '../../server/db/buildings.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import type { BatchLoad, GraphQLContext } from '../../server/graphql/context.ts'
import { RawJson } from '../../server/graphql/raw-json.ts'
import { builder } from '../builder.ts'
import { joinedRegion, loadRegions, Region, regionColumns, regionVisible } from '../regions.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'
import { requestedListFields, requestedNodeFields } from '../support/selection.ts'
import { resolveSpatialFilter, SpatialFilter, spatialOrdering, withDistance } from '../support/spatial.ts'
import { Block, loadBlocks } from './blocks.ts'
import { Compound, compoundColumns, compoundVisible, joinedCompound, loadCompounds } from './compounds.ts'

export interface BuildingRow {
  id: number
  regionCode: string
  compoundId: number | null
  blockId: number | null
  name: string | null
  nameEn: string | null
  footprint: Geometry | string
  centroid: Geometry
  footprintAreaM2: number
  heightM: number
  heightEstimated: boolean
  heightSource: HeightSource
  heightMethod: string | null
  heightRasterDate: string | null
  heightQuality: HeightQuality | null
  minHeightM: number
  floors: number | null
  floorsEstimated: boolean
  floorAreaM2: number | null
  use: (typeof BUILDING_USES)[number]
  yearBuilt: number | null
  structure: string | null
  standardAddress: string | null
  residents: number | null
  attributes: Record<string, unknown>
  isPublic: boolean
  createdAt: Date
  updatedAt: Date
  /** Metres to the `near` point of the query that listed it. */
  distanceM?: number
}

/** The columns behind each Building field; keys, region and relations are always read. */
const BUILDING_FIELD_COLUMNS: Record<string, string> = {
  name: 'b.name',
  nameEn: 'b.name_en as "nameEn"',
  // GeoJSON text kept by PostgreSQL (buildings.footprint_geojson), not cast to json there.
  footprint: 'b.footprint_geojson as footprint',
  centroid: 'ST_AsGeoJSON(b.centroid, 9)::json as centroid',
  footprintAreaM2: 'b.footprint_area_m2 as "footprintAreaM2"',
  heightM: 'b.height_m as "heightM"',
  heightEstimated: 'b.height_estimated as "heightEstimated"',
  heightSource: 'b.height_source as "heightSource"',
  heightMethod: 'b.height_method as "heightMethod"',
  heightRasterDate: 'b.height_raster_date::text as "heightRasterDate"',
  heightQuality: 'b.height_quality as "heightQuality"',
  minHeightM: 'b.min_height_m as "minHeightM"',
  floors: 'b.floors',
  floorsEstimated: 'b.floors_estimated as "floorsEstimated"',
  floorAreaM2: 'b.floor_area_m2 as "floorAreaM2"',
  use: 'b.use',
  yearBuilt: 'b.year_built as "yearBuilt"',
  structure: 'b.structure',
  standardAddress: 'b.standard_address as "standardAddress"',
  residents: 'b.residents',
  attributes: 'b.attributes',
  isPublic: 'b.is_public as "isPublic"',
  createdAt: 'b.created_at as "createdAt"',
  updatedAt: 'b.updated_at as "updatedAt"',
}
const BUILDING_KEY_COLUMNS =
  'b.id, b.region_code as "regionCode", b.compound_id as "compoundId", b.block_id as "blockId"'

const BUILDING_COLUMNS = sql.raw([BUILDING_KEY_COLUMNS, ...Object.values(BUILDING_FIELD_COLUMNS)].join(', '))

/**
 * Only the columns a list's query asks for: a map viewport needs footprints and heights, not timestamps and
 * attribute blobs, and every column skipped is parsing and garbage the hot path is spared.
 */
function buildingColumnsFor(fields: Set<string>): SQL {
  const wanted = Object.entries(BUILDING_FIELD_COLUMNS)
    .filter(([field]) => fields.has(field))
    .map(([, column]) => column)
  return sql.raw([BUILDING_KEY_COLUMNS, ...wanted].join(', '))
}

export const buildingVisible = (context: GraphQLContext, alias = sql`b`): SQL =>
  scopeCondition(context.scope, sql`${alias}.region_code`, { flag: sql`${alias}.is_public` })

export async function loadBuildings(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(BuildingRow | null)[]> {
  const rows = await context.database.rows<BuildingRow>(
    sql`select ${BUILDING_COLUMNS} from buildings b where b.id = any(${sql.param([...ids])}::int[]) and ${buildingVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

/**
 * Buildings per compound or block, capped per parent (a compound rarely has more than a few hundred), with only
 * the columns the query asks for: one batch function per parent column and column set, so requests asking for
 * the same fields share a loader and its statement.
 */
function buildingsOf(
  column: 'compound_id' | 'block_id',
  fields: Set<string>,
): BatchLoad<number, BuildingRow[]> {
  const wanted = [...fields].filter((field) => field in BUILDING_FIELD_COLUMNS).sort()
  const key = `${column}|${wanted.join(',')}`
  const known = childLoads.get(key)
  if (known) return known
  const columns = buildingColumnsFor(new Set(wanted))
  const load = async (ids: readonly number[], context: GraphQLContext): Promise<BuildingRow[][]> => {
    const rows = await context.database.rows<BuildingRow & { parentId: number }>(
      sql`select * from (
            select ${columns}, b.${sql.raw(column)} as "parentId",
              row_number() over (partition by b.${sql.raw(column)} order by b.id) as n
            from buildings b
            where b.${sql.raw(column)} = any(${sql.param([...ids])}::int[]) and ${buildingVisible(context)}
          ) q where n <= ${MAX_CHILD_BUILDINGS} order by id`,
    )
    return groupedByKey(ids, rows, (r) => r.parentId)
  }
  childLoads.set(key, load)
  return load
}
const MAX_CHILD_BUILDINGS = 1000
// Bounded by the schema: one entry per parent column and distinct set of Building fields asked for.
const childLoads = new Map<string, BatchLoad<number, BuildingRow[]>>()

export const BuildingUse = builder.enumType('BuildingUse', {
  description: '建筑用途 / Building use',
  values: BUILDING_USES,
})

const BuildingHeightSource = builder.enumType('BuildingHeightSource', {
  description:
    '高度来源：导入数据自带、由邻近建筑估算、DSM 实测 / Height source: the imported data, estimated from the neighbours, measured from a DSM',
  values: HEIGHT_SOURCES,
})

const BuildingHeightQuality = builder.enumType('BuildingHeightQuality', {
  description:
    'DSM 高度质量：良好、像元过少、部分无数据 / DSM height quality: good, too few pixels for the footprint, partly nodata',
  values: HEIGHT_QUALITIES,
})

export const Building = builder.objectRef<BuildingRow>('Building')

registerNode('Building', (key, context) => context.loader(loadBuildings).load(numericKey(key)))

builder.objectType(Building, {
  description: '建筑（LOD1：轮廓 + 高度）/ A building of the city model',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (b) => encodeGlobalId('Building', b.id) }),
    name: t.exposeString('name', { nullable: true }),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      // Read with the page when the list joined it: a plain value completes without a promise.
      resolve: (b, _a, c) => {
        const joined = joinedRegion(b)
        return joined !== undefined ? joined : c.loader(loadRegions).load(b.regionCode)
      },
    }),
    compound: t.field({
      type: Compound,
      nullable: true,
      resolve: (b, _a, c) => {
        if (!b.compoundId) return null
        const joined = joinedCompound(b)
        return joined !== undefined ? joined : c.loader(loadCompounds).load(b.compoundId)
      },
    }),
    block: t.field({
      type: Block,
      nullable: true,
      resolve: (b, _a, c) => (b.blockId ? c.loader(loadBlocks).load(b.blockId) : null),
    }),
    footprint: t.field({
      type: 'GeoJSON',
      description: '轮廓 / Footprint',
      // The stored text goes to the response as it is (RawJson), unparsed on the compiled path.
      resolve: (b) => (typeof b.footprint === 'string' ? new RawJson(b.footprint) : b.footprint),
    }),
    centroid: t.field({
      type: 'GeoJSON',
      description: '轮廓内的代表点 / A point inside the footprint',
      resolve: (b) => b.centroid,
    }),
    footprintAreaM2: t.exposeFloat('footprintAreaM2'),
    heightM: t.exposeFloat('heightM'),
    heightEstimated: t.exposeBoolean('heightEstimated'),
    heightSource: t.field({
      type: BuildingHeightSource,
      description: '高度来源 / Where the height comes from',
      resolve: (b) => b.heightSource,
    }),
    heightMethod: t.exposeString('heightMethod', {
      nullable: true,
      description: '高度的推算方法 / How the height was derived',
    }),
    heightRasterDate: t.exposeString('heightRasterDate', {
      nullable: true,
      description: '测得高度的栅格日期 (YYYY-MM-DD) / Date of the raster the height was measured from',
    }),
    heightQuality: t.field({
      type: BuildingHeightQuality,
      nullable: true,
      description: 'DSM 高度的质量 / Quality of a DSM height',
      resolve: (b) => b.heightQuality,
    }),
    minHeightM: t.exposeFloat('minHeightM'),
    floors: t.exposeInt('floors', { nullable: true }),
    floorsEstimated: t.exposeBoolean('floorsEstimated'),
    floorAreaM2: t.exposeFloat('floorAreaM2', { nullable: true, description: '建筑面积 / Gross floor area' }),
    use: t.field({ type: BuildingUse, resolve: (b) => b.use }),
    yearBuilt: t.exposeInt('yearBuilt', { nullable: true }),
    structure: t.exposeString('structure', { nullable: true }),
    standardAddress: t.exposeString('standardAddress', {
      nullable: true,
      description: '标准地址 / Standard address',
    }),
    residents: t.exposeFloat('residents', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (b) => b.attributes }),
    isPublic: t.exposeBoolean('isPublic'),
    createdAt: t.field({ type: 'DateTime', resolve: (b) => b.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (b) => b.updatedAt }),
    distanceM: t.float({
      nullable: true,
      description: '到查询点的距离（米，仅在 filter.near 时有值）/ Metres to filter.near',
      resolve: (b) => b.distanceM ?? null,
    }),
  }),
})

builder.objectField(Block, 'buildings', (t) =>
  t.field({
    type: [Building],
    description: `街区内的建筑（至多 ${MAX_CHILD_BUILDINGS} 栋）/ Buildings of the block (at most ${MAX_CHILD_BUILDINGS})`,
    resolve: async (k, _a, c, info) =>
      (await c.loader(buildingsOf('block_id', requestedListFields(info))).load(k.id)) ?? [],
  }),
)

builder.objectField(Compound, 'buildings', (t) =>
  t.field({
    type: [Building],
    description: `小区内的建筑（至多 ${MAX_CHILD_BUILDINGS} 栋）/ Buildings of the compound (at most ${MAX_CHILD_BUILDINGS})`,
    resolve: async (r, _a, c, info) =>
      (await c.loader(buildingsOf('compound_id', requestedListFields(info))).load(r.id)) ?? [],
  }),
)

// ----------------------------------------------------------------------------------------------- lists

export const BuildingOrder = builder.enumType('BuildingOrder', {
  values: {
    ID: { description: '按主键 / By primary key' },
    DISTANCE: { description: '按到 filter.near 的距离 / By distance to filter.near' },
    HEIGHT_DESC: { description: '由高到低 / Tallest first' },
    FLOOR_AREA_DESC: { description: '建筑面积由大到小 / Largest floor area first' },
  },
})

const yearSchema = z.number().int().min(1000).max(2200)

builder.queryField('buildings', (t) =>
  t.connection(
    {
      type: Building,
      nullable: true,
      description: '建筑列表（空间与属性筛选）/ Buildings, filtered by space and attributes',
      args: {
        filter: t.arg({ type: SpatialFilter, description: '作用于建筑轮廓 / Applies to the footprint' }),
        uses: t.arg({ type: [BuildingUse] }),
        minHeightM: t.arg.float(),
        maxHeightM: t.arg.float(),
        builtFrom: t.arg.int({ validate: yearSchema }),
        builtTo: t.arg.int({ validate: yearSchema }),
        nameContains: t.arg.string(),
        orderBy: t.arg({ type: BuildingOrder }),
      },
      resolve: async (_root, args, context, info) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          buildingVisible(context),
          ...spatial.conditions({ geom: sql`b.footprint`, regionCode: sql`b.region_code` }),
        ]
        if (args.uses?.length) where.push(sql`b.use = any(${sql.param(args.uses)}::text[])`)
        if (args.minHeightM != null) where.push(sql`b.height_m >= ${args.minHeightM}`)
        if (args.maxHeightM != null) where.push(sql`b.height_m <= ${args.maxHeightM}`)
        if (args.builtFrom != null) where.push(sql`b.year_built >= ${args.builtFrom}`)
        if (args.builtTo != null) where.push(sql`b.year_built <= ${args.builtTo}`)
        if (args.nameContains) where.push(sql`strpos(b.name, ${args.nameContains}) > 0`)
        // The to-one relations a map asks for come with the page in the same statement (like PostGraphile's
        // single query); the Building fields read them from the row instead of asking a loader.
        const fields = requestedNodeFields(info)
        const joinRegion = fields.has('region')
        const joinCompound = fields.has('compound')
        let columns = buildingColumnsFor(fields)
        const joins: SQL[] = []
        if (joinRegion) {
          columns = sql`${columns}, ${regionColumns('jr', 'region.')}`
          joins.push(
            sql`left join regions jr on jr.code = b.region_code and ${regionVisible(context, sql`jr`)}`,
          )
        }
        if (joinCompound) {
          columns = sql`${columns}, ${compoundColumns('jc', 'compound.', false)}`
          joins.push(
            sql`left join compounds jc on jc.id = b.compound_id and ${compoundVisible(context, sql`jc`)}`,
          )
        }
        return keysetPage<BuildingRow>(
          context,
          {
            from: sql`buildings b`,
            joins: sql.join(joins, sql` `),
            columns: withDistance(columns, spatial, sql`b.footprint`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`b.footprint`, sql`b.id`, {
              HEIGHT_DESC: [{ expr: sql`b.height_m`, desc: true }],
              FLOOR_AREA_DESC: [{ expr: sql`coalesce(b.floor_area_m2, -1)`, desc: true }],
            }),
          },
          args,
        )
      },
    },
    {
      name: 'BuildingConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
