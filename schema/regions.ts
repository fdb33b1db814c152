import { type SQL, sql } from 'drizzle-orm'
import { regionScopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { notFound } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { encodeGlobalId } from './support/global-id.ts'
import { groupedByKey, inKeyOrder, joinedReader, primeLoader } from './support/loading.ts'
import { registerNode } from './support/node.ts'
import { and, keysetPage } from './support/pagination.ts'
import { resolveSpatialFilter, SpatialFilter } from './support/spatial.ts'

export const REGION_LEVELS = ['province', 'city', 'district', 'street', 'community'] as const

export interface RegionRow {
  id: number
  code: string
  scopePrefix: string
  name: string
  nameEn: string | null
  level: (typeof REGION_LEVELS)[number]
  parentCode: string | null
  cityClass: string | null
  cityTier: number | null
  isPublic: boolean
}

// The boundary is left out: a province's outline is large and most reads only need the name.
const REGION_FIELDS: [string, string][] = [
  ['id', 'id'],
  ['code', 'code'],
  ['scope_prefix', 'scopePrefix'],
  ['name', 'name'],
  ['name_en', 'nameEn'],
  ['level', 'level'],
  ['parent_code', 'parentCode'],
  ['city_class', 'cityClass'],
  ['city_tier', 'cityTier'],
  ['is_public', 'isPublic'],
]

/** The region a list joined to its rows with `regionColumns(alias, 'region.')`. */
export const joinedRegion = joinedReader<RegionRow>(
  'region.',
  REGION_FIELDS.map(([, field]) => field),
  'code',
)

/** A region's columns (its boundary is loaded on its own) under a table alias, optionally prefixed for joins. */
export function regionColumns(alias = 'r', prefix = ''): SQL {
  return sql.raw(
    REGION_FIELDS.map(([column, field]) => `${alias}.${column} as "${prefix}${field}"`).join(', '),
  )
}

const REGION_COLUMNS = regionColumns()

export const regionVisible = (context: GraphQLContext, alias: SQL = sql`r`): SQL =>
  regionScopeCondition(context.scope, alias)

export async function loadRegions(
  codes: readonly string[],
  context: GraphQLContext,
): Promise<(RegionRow | null)[]> {
  const rows = await context.database.rows<RegionRow>(
    sql`select ${REGION_COLUMNS} from regions r where r.code = any(${sql.param([...codes])}::text[]) and ${regionVisible(context)}`,
  )
  return inKeyOrder(codes, rows, (r) => r.code)
}

export async function loadRegionChildren(
  parents: readonly string[],
  context: GraphQLContext,
): Promise<RegionRow[][]> {
  const rows = await context.database.rows<RegionRow>(
    sql`select ${REGION_COLUMNS} from regions r
        where r.parent_code = any(${sql.param([...parents])}::text[]) and ${regionVisible(context)} order by r.code`,
  )
  return groupedByKey(parents, rows, (r) => r.parentCode as string)
}

async function loadBoundaries(
  codes: readonly string[],
  context: GraphQLContext,
): Promise<(Geometry | null)[]> {
  const rows = await context.database.rows<{ code: string; boundary: Geometry | null }>(
    sql`select r.code, ST_AsGeoJSON(r.boundary, 9)::json as boundary from regions r where r.code = any(${sql.param([...codes])}::text[]) and ${regionVisible(context)}`,
  )
  return inKeyOrder(codes, rows, (r) => r.code).map((r) => r?.boundary ?? null)
}

export const RegionLevel = builder.enumType('RegionLevel', {
  description: '行政层级 / Administrative level',
  values: REGION_LEVELS,
})

export const Region = builder.objectRef<RegionRow>('Region')

registerNode('Region', (key, context) => context.loader(loadRegions).load(key))

builder.objectType(Region, {
  description: '行政区划（GB/T 2260 代码，街道为 9 位统计代码）/ An administrative division',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (r) => encodeGlobalId('Region', r.code) }),
    code: t.exposeString('code', { description: '区划代码 / Division code' }),
    name: t.exposeString('name'),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    level: t.field({ type: RegionLevel, resolve: (r) => r.level }),
    scopePrefix: t.exposeString('scopePrefix', {
      description: '区内对象的区划代码前缀 / What region codes inside this region start with',
    }),
    parentCode: t.exposeString('parentCode', { nullable: true }),
    parent: t.field({
      type: Region,
      nullable: true,
      resolve: (r, _args, context) => (r.parentCode ? context.loader(loadRegions).load(r.parentCode) : null),
    }),
    children: t.field({
      type: [Region],
      description: '下级区划 / The regions directly below',
      args: { level: t.arg({ type: RegionLevel }) },
      resolve: async (r, args, context) => {
        const children = (await context.loader(loadRegionChildren).load(r.code)) ?? []
        return args.level ? children.filter((c) => c.level === args.level) : children
      },
    }),
    boundary: t.field({
      type: 'GeoJSON',
      nullable: true,
      resolve: async (r, _args, context) => {
        return (await context.loader(loadBoundaries).load(r.code)) ?? null
      },
    }),
    cityClass: t.exposeString('cityClass', { nullable: true, description: '城市分类 / City class' }),
    cityTier: t.exposeInt('cityTier', { nullable: true }),
    isPublic: t.exposeBoolean('isPublic'),
  }),
})

builder.queryField('region', (t) =>
  t.field({
    type: Region,
    nullable: true,
    description: '按代码读取行政区划 / A region by its code',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, context) => {
      const region = await context.loader(loadRegions).load(code)
      if (!region) throw notFound(`行政区划 ${code} 不存在或无权访问`, `Region ${code} was not found`)
      return region
    },
  }),
)

builder.queryField('regions', (t) =>
  t.connection(
    {
      type: Region,
      nullable: true,
      description: '行政区划列表，按代码排序 / Regions ordered by code',
      args: {
        level: t.arg({ type: RegionLevel }),
        parentCode: t.arg.string({ description: '直接上级 / Direct parent code' }),
        nameContains: t.arg.string(),
        filter: t.arg({ type: SpatialFilter, description: '作用于区划边界 / Applies to the boundary' }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          regionVisible(context),
          ...spatial.conditions({ geom: sql`r.boundary`, regionCode: sql`r.code` }),
        ]
        if (args.level) where.push(sql`r.level = ${args.level}`)
        if (args.parentCode) where.push(sql`r.parent_code = ${args.parentCode}`)
        if (args.nameContains) where.push(sql`strpos(r.name, ${args.nameContains}) > 0`)
        return keysetPage<RegionRow>(
          context,
          {
            from: sql`regions r`,
            columns: REGION_COLUMNS,
            where: [and(where)],
            ordering: { name: 'code', keys: [{ expr: sql`r.code` }, { expr: sql`r.id` }] },
          },
          args,
          (rows) => primeLoader(context.loader(loadRegions), rows, (r) => r.code),
        )
      },
    },
    {
      name: 'RegionConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
