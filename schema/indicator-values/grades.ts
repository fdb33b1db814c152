import { type SQL, sql } from 'drizzle-orm'
import { lookupRegion } from '../../server/auth/scope.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { buildingVisible } from '../buildings/buildings.ts'
import { INDICATOR_COLUMNS, Indicator, type IndicatorRow } from '../indicators/catalogue.ts'
import { regionVisible } from '../regions.ts'
import { and } from '../support/pagination.ts'
import { campaignAround, valueVisible } from './visibility.ts'

export const GRADES = ['poor', 'fair', 'good', 'excellent'] as const
export type Grade = (typeof GRADES)[number]
/** Units a building inherits a grade from, most specific first (renewal areas are not in the chain). */
export const GRADE_UNITS = ['building', 'compound', 'block', 'region'] as const
export type GradeUnit = (typeof GRADE_UNITS)[number]

export const GradeEnum = builder.enumType('Grade', {
  description: '评价等级：较差 / 一般 / 较好 / 很好 / Grade from the standard values',
  values: GRADES,
})
export const GradeUnitType = builder.enumType('GradeUnitType', {
  description: '等级所取自的单元 / The unit a building took its grade from',
  values: GRADE_UNITS,
})

interface BuildingGradeRow {
  buildingId: number
  grade: Grade
  unitType: GradeUnit
}

interface BuildingGradesRow {
  campaignId: number
  campaignName: string
  year: number
  indicatorCode: string | null
  regionCode: string
  prefix: string
}

const BuildingGrade = builder.objectRef<BuildingGradeRow>('BuildingGrade').implement({
  fields: (t) => ({
    buildingId: t.exposeInt('buildingId', { description: '建筑数据库编号（三维瓦片的 id）/ database id' }),
    grade: t.field({ type: GradeEnum, resolve: (g) => g.grade }),
    unitType: t.field({ type: GradeUnitType, resolve: (g) => g.unitType }),
  }),
})

const BuildingGrades = builder.objectRef<BuildingGradesRow>('BuildingGrades').implement({
  description: '按指标等级为建筑着色的数据 / Grades of the buildings of a region in one campaign',
  fields: (t) => ({
    campaignId: t.exposeInt('campaignId'),
    campaignName: t.exposeString('campaignName'),
    year: t.exposeInt('year'),
    indicatorCode: t.exposeString('indicatorCode', {
      nullable: true,
      description: '为空时取全部指标中的最差等级 / null: the worst grade over every indicator',
    }),
    indicators: t.field({
      type: [Indicator],
      description: '本次体检在区内有评价等级的指标 / indicators graded in the campaign within the region',
      resolve: (g, _args, context) =>
        context.database.rows<IndicatorRow>(
          sql`select ${INDICATOR_COLUMNS} from indicators i
            where exists (select 1 from indicator_values v where v.indicator_id = i.id
              and v.campaign_id = ${g.campaignId} and v.grade is not null
              and v.region_code like ${`${g.prefix}%`} and ${valueVisible(context)})
            order by i.sort_order, i.id`,
        ),
    }),
    buildings: t.field({
      type: [BuildingGrade],
      description:
        '每栋建筑取最具体的有值单元（建筑 → 小区 → 街区 → 行政区划）的等级 / each building takes the grade of its most specific unit with a value',
      resolve: (g, _args, context) => buildingGrades(context, g),
    }),
  }),
})

/**
 * One statement: every candidate (building, indicator, unit) pair through the building's own id, its compound,
 * its block and the regions containing it, the most specific per indicator, then the worst over indicators.
 */
function buildingGrades(context: GraphQLContext, g: BuildingGradesRow): Promise<BuildingGradeRow[]> {
  const indicator = g.indicatorCode === null ? sql`true` : sql`i.code = ${g.indicatorCode}`
  return context.database.rows<BuildingGradeRow>(
    sql`with v as (
        select v.indicator_id, v.unit_type, v.unit_key, array_position(array['poor','fair','good','excellent'], v.grade) as g
        from indicator_values v join indicators i on i.id = v.indicator_id
        where v.campaign_id = ${g.campaignId} and v.grade is not null and ${indicator} and ${valueVisible(context)}
      ), b as (
        select b.id, b.compound_id, b.block_id, b.region_code from buildings b
        where b.region_code like ${`${g.prefix}%`} and ${buildingVisible(context)}
      ), candidate as (
        select b.id, v.indicator_id, v.unit_type, 0 as specificity, v.g
          from b join v on v.unit_type = 'building' and v.unit_key = b.id::text
        union all
        select b.id, v.indicator_id, v.unit_type, 1, v.g
          from b join v on v.unit_type = 'compound' and v.unit_key = b.compound_id::text
        union all
        select b.id, v.indicator_id, v.unit_type, 2, v.g
          from b join v on v.unit_type = 'block' and v.unit_key = b.block_id::text
        union all
        select b.id, v.indicator_id, v.unit_type, 100 - length(r.scope_prefix), v.g
          from v join regions r on v.unit_type = 'region' and r.code = v.unit_key
          join b on starts_with(b.region_code, r.scope_prefix)
      ), chosen as (
        select distinct on (id, indicator_id) id, indicator_id, unit_type, specificity, g
        from candidate order by id, indicator_id, specificity
      )
      select distinct on (id) id as "buildingId", (array['poor','fair','good','excellent'])[g] as grade,
        unit_type as "unitType"
      from chosen order by id, g, specificity`,
  )
}

/** The region by its code when the caller may read it: a hidden region reads as a missing one. */
async function visibleRegion(context: GraphQLContext, code: string): Promise<{ prefix: string }> {
  const region = await lookupRegion(context.database, code)
  const [visible] = region
    ? await context.database.rows<{ code: string }>(
        sql`select r.code from regions r where r.code = ${code} and ${regionVisible(context)}`,
      )
    : []
  if (!region || !visible) throw notFound(`行政区划 ${code} 不存在或无权访问`, `Region ${code} was not found`)
  return region
}

/** The campaign asked for, or the latest with a grade inside the region; never a sibling region's campaign. */
async function gradedCampaign(
  context: GraphQLContext,
  prefix: string,
  campaignId: number | null,
): Promise<{ id: number; name: string; year: number } | undefined> {
  // Relevant to the region asked for, and readable in the caller's scope.
  const where: SQL[] = [campaignAround(sql`${prefix}`)]
  if (context.scope.kind === 'region') where.push(campaignAround(sql`${context.scope.prefix}`))
  if (campaignId != null) where.push(sql`k.id = ${campaignId}`)
  else
    where.push(sql`exists (select 1 from indicator_values v where v.campaign_id = k.id and v.grade is not null
      and v.region_code like ${`${prefix}%`} and ${valueVisible(context)})`)
  const [campaign] = await context.database.rows<{ id: number; name: string; year: number }>(
    sql`select k.id, k.name, k.year from campaigns k where ${and(where)} order by k.year desc, k.id desc limit 1`,
  )
  return campaign
}

builder.queryField('buildingGrades', (t) =>
  t.field({
    type: BuildingGrades,
    nullable: true,
    description:
      '区内建筑的指标等级（需登录）：所选或最近一次有评价的体检；无则为空 / Building grades in the chosen or latest graded campaign, null if none',
    authScopes: { signedIn: true },
    args: {
      regionCode: t.arg.string({ required: true }),
      campaignId: t.arg.int({
        description: '默认：最近一次有评价等级的体检 / default: the latest graded campaign',
      }),
      indicatorCode: t.arg.string({
        description: '默认：全部指标中的最差等级 / default: the worst over all',
      }),
    },
    resolve: async (_root, args, context) => {
      const region = await visibleRegion(context, args.regionCode)
      const campaign = await gradedCampaign(context, region.prefix, args.campaignId ?? null)
      if (!campaign) {
        if (args.campaignId == null) return null
        throw notFound(
          `体检任务 ${args.campaignId} 不存在或无权访问`,
          `Campaign ${args.campaignId} was not found`,
        )
      }
      return {
        campaignId: campaign.id,
        campaignName: campaign.name,
        year: campaign.year,
        indicatorCode: args.indicatorCode ?? null,
        regionCode: args.regionCode,
        prefix: region.prefix,
      }
    },
  }),
)
