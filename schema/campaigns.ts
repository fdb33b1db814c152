import { type SQL, sql } from 'drizzle-orm'
import { lookupRegion } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { CHECK_KINDS } from '../server/db/indicators.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { Filling, FillingProgress, loadFillingsOfCampaigns, progressOf } from './fillings/filling.ts'
import { checkRegionCode, databaseKey } from './fillings/keys.ts'
import { campaignAround } from './indicator-values/visibility.ts'
import { IndicatorSystem, loadSystems } from './indicators/catalogue.ts'
import { loadRegions, Region } from './regions.ts'
import { RenewalArea, type RenewalAreaRow } from './renewal-areas.ts'
import { encodeGlobalId, numericKey } from './support/global-id.ts'
import { inKeyOrder, primeLoader } from './support/loading.ts'
import { registerNode } from './support/node.ts'
import { and, keysetPage } from './support/pagination.ts'

export const CAMPAIGN_STATUSES = ['planned', 'collecting', 'reviewing', 'closed'] as const

export interface CampaignRow {
  id: number
  kind: (typeof CHECK_KINDS)[number]
  year: number
  name: string
  regionCode: string
  renewalAreaId: number | null
  systemId: number
  status: (typeof CAMPAIGN_STATUSES)[number]
  objectType: string | null
  createdBy: string | null
  createdAt: Date | string
}

export const CAMPAIGN_COLUMNS = sql`k.id, k.kind, k.year, k.name, k.region_code as "regionCode",
  k.renewal_area_id as "renewalAreaId", k.system_id as "systemId", k.status, k.object_type as "objectType",
  k.created_by as "createdBy", k.created_at as "createdAt"`

/**
 * Campaigns (alias `k`) a caller sees: those of its region, of the regions within it, and of the regions above
 * it — a district takes part in its city's annual check. A check is the staff's work in progress: no public rows.
 */
export function campaignVisible(context: GraphQLContext): SQL {
  if (context.scope.kind !== 'region') return sql`false`
  return campaignAround(sql`${context.scope.prefix}`)
}

export async function loadCampaigns(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(CampaignRow | null)[]> {
  const rows = await context.database.rows<CampaignRow>(
    sql`select ${CAMPAIGN_COLUMNS} from campaigns k
      where k.id = any(${sql.param([...ids])}::int[]) and ${campaignVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadScopes(ids: readonly number[], context: GraphQLContext): Promise<(Geometry | null)[]> {
  const rows = await context.database.rows<{ id: number; scope: Geometry | null }>(
    sql`select k.id, ST_AsGeoJSON(k.scope, 9)::json as scope from campaigns k
      where k.id = any(${sql.param([...ids])}::int[]) and ${campaignVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id).map((r) => r?.scope ?? null)
}

/** The campaign's renewal area, read like the renewal-area list reads it: within scope, never public. */
async function loadCampaignAreas(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(RenewalAreaRow | null)[]> {
  const where =
    context.scope.kind === 'region' ? sql`a.region_code like ${`${context.scope.prefix}%`}` : sql`false`
  const rows = await context.database.rows<RenewalAreaRow>(
    sql`select a.id, a.region_code as "regionCode", a.name, a.kind, ST_AsGeoJSON(a.geom, 9)::json as geom,
        a.area_m2 as "areaM2", a.attributes, a.created_at as "createdAt"
      from renewal_areas a where a.id = any(${sql.param([...ids])}::int[]) and ${where}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const CampaignKind = builder.enumType('CampaignKind', {
  description: '体检类型：年度体检 / 片区体检 / 专项体检 / Kind of check',
  values: CHECK_KINDS,
})

export const CampaignStatus = builder.enumType('CampaignStatus', {
  description: '体检状态：计划 / 填报中 / 审核中 / 已结束 / Status of a check',
  values: CAMPAIGN_STATUSES,
})

export const Campaign = builder.objectRef<CampaignRow>('Campaign')

registerNode('Campaign', (key, context) => context.loader(loadCampaigns).load(numericKey(key)))

builder.objectType(Campaign, {
  description: '体检任务：年度、片区或专项体检 / One check: annual, area or special',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (k) => encodeGlobalId('Campaign', k.id) }),
    databaseId: t.exposeInt('id'),
    name: t.exposeString('name'),
    year: t.exposeInt('year'),
    kind: t.field({ type: CampaignKind, resolve: (k) => k.kind }),
    status: t.field({ type: CampaignStatus, resolve: (k) => k.status }),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (k, _a, c) => c.loader(loadRegions).load(k.regionCode),
    }),
    objectType: t.exposeString('objectType', {
      nullable: true,
      description:
        '专项体检的对象类型 / a special check’s object type (compound, self_built_cluster, building…)',
    }),
    edition: t.field({
      type: IndicatorSystem,
      nullable: true,
      description: '所用指标体系版本 / the indicator system edition the check runs on',
      resolve: (k, _a, c) => c.loader(loadSystems).load(k.systemId),
    }),
    renewalArea: t.field({
      type: RenewalArea,
      nullable: true,
      description: '片区体检的片区 / an area check’s renewal area',
      resolve: (k, _a, c) => (k.renewalAreaId ? c.loader(loadCampaignAreas).load(k.renewalAreaId) : null),
    }),
    scope: t.field({
      type: 'GeoJSON',
      nullable: true,
      description: '片区体检的范围（EPSG:4326）/ an area check’s polygon, null for a whole region',
      resolve: (k, _a, c) => c.loader(loadScopes).load(k.id),
    }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    fillings: t.field({
      type: [Filling],
      description:
        '各填报单位的填报表（权限范围内）/ the fillings of the filling regions the caller may read, by region code',
      resolve: async (k, _a, c) => (await c.loader(loadFillingsOfCampaigns).load(k.id)) ?? [],
    }),
    progress: t.field({
      type: FillingProgress,
      description: '权限范围内的填报进度 / progress over the fillings the caller may read',
      resolve: (k, _a, c) => progressOf(c, sql`t.campaign_id = ${k.id}`),
    }),
  }),
})

builder.objectField(Filling, 'campaign', (t) =>
  t.field({
    type: Campaign,
    nullable: true,
    resolve: (f, _a, c) => c.loader(loadCampaigns).load(f.campaignId),
  }),
)

builder.queryField('campaign', (t) =>
  t.field({
    type: Campaign,
    nullable: true,
    description: '按 databaseId 或全局 ID 读取体检任务 / A campaign by databaseId or global ID',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => context.loader(loadCampaigns).load(databaseKey(args.id, 'Campaign')),
  }),
)

builder.queryField('campaigns', (t) =>
  t.connection(
    {
      type: Campaign,
      nullable: true,
      description:
        '体检任务，新年度在前；包括本辖区、辖区内与上级区划的体检 / Checks of the caller’s region, within it and above it, newest year first',
      args: {
        regionCode: t.arg.string({
          description: '与该区划有关的体检（其本身、其内、其上级）/ checks of, within or above this region',
        }),
        year: t.arg.int(),
        kind: t.arg({ type: CampaignKind }),
        status: t.arg({ type: CampaignStatus }),
      },
      resolve: async (_root, args, context) => {
        const where = [campaignVisible(context)]
        if (args.regionCode) {
          const region = await lookupRegion(context.database, checkRegionCode(args.regionCode))
          if (!region) {
            throw badUserInput(
              `行政区划 ${args.regionCode} 不存在`,
              `Region ${args.regionCode} does not exist`,
            )
          }
          where.push(campaignAround(sql`${region.prefix}`))
        }
        if (args.year != null) where.push(sql`k.year = ${args.year}`)
        if (args.kind) where.push(sql`k.kind = ${args.kind}`)
        if (args.status) where.push(sql`k.status = ${args.status}`)
        return keysetPage<CampaignRow>(
          context,
          {
            from: sql`campaigns k`,
            columns: CAMPAIGN_COLUMNS,
            where: [and(where)],
            ordering: {
              name: 'campaign-year',
              keys: [{ expr: sql`k.year`, desc: true }, { expr: sql`k.id` }],
            },
          },
          args,
          (rows) => primeLoader(context.loader(loadCampaigns), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'CampaignConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
