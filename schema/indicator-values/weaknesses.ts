import { type SQL, sql } from 'drizzle-orm'
import type { UNIT_TYPES } from '../../server/db/indicator-values.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { and } from '../support/pagination.ts'
import { type Grade, GradeEnum } from './grades.ts'
import { ValueUnitType, visibleRegion } from './history.ts'
import { campaignAround, valueVisible } from './visibility.ts'

// 持续短板: a unit poor or warned in at least N consecutive checks of its city, up to the latest one. N is the
// edition's `weakness_checks` (3 unless the edition says otherwise) or the caller's `checks`.

interface AnchorRow {
  id: number
  name: string
  year: number
  kind: string
  regionCode: string
  weaknessChecks: number
}

interface WeaknessRow {
  indicatorId: number
  indicatorCode: string
  indicatorName: string
  indicatorUnit: string | null
  unitType: (typeof UNIT_TYPES)[number]
  unitKey: string
  regionCode: string
  consecutiveChecks: number
  years: number[]
  latestValue: number | null
  latestGrade: Grade | null
  latestWarning: string | null
}

interface WeaknessListRow {
  campaign: AnchorRow
  checks: number
  weaknesses: WeaknessRow[]
}

const PersistentWeakness = builder.objectRef<WeaknessRow>('PersistentWeakness').implement({
  description:
    '持续短板：连续多次体检评价较差或预警的指标与单元 / An indicator poor or warned for a unit in consecutive checks',
  fields: (t) => ({
    indicatorId: t.exposeInt('indicatorId', {
      description: '最近一次体检版本中的指标 / in the latest edition',
    }),
    indicatorCode: t.exposeString('indicatorCode'),
    indicatorName: t.exposeString('indicatorName'),
    indicatorUnit: t.exposeString('indicatorUnit', { nullable: true }),
    unitType: t.field({ type: ValueUnitType, resolve: (w) => w.unitType }),
    unitKey: t.exposeString('unitKey', {
      description: '单元编号（行政区划为代码）/ unit id (a region’s code)',
    }),
    regionCode: t.exposeString('regionCode'),
    consecutiveChecks: t.exposeInt('consecutiveChecks', {
      description:
        '截至最近一次体检连续较差或预警的次数 / consecutive poor or warned checks up to the latest',
    }),
    years: t.exposeIntList('years', { description: '这些体检的年度 / their years' }),
    latestValue: t.exposeFloat('latestValue', { nullable: true }),
    latestGrade: t.field({ type: GradeEnum, nullable: true, resolve: (w) => w.latestGrade }),
    latestWarning: t.exposeString('latestWarning', { nullable: true, description: 'red | yellow' }),
  }),
})

const PersistentWeaknessList = builder.objectRef<WeaknessListRow>('PersistentWeaknessList').implement({
  description: '持续短板清单 / The persistent weaknesses up to one check',
  fields: (t) => ({
    campaignId: t.int({
      resolve: (l) => l.campaign.id,
      description: '截至的体检 / the latest check counted',
    }),
    campaignName: t.string({ resolve: (l) => l.campaign.name }),
    year: t.int({ resolve: (l) => l.campaign.year }),
    checks: t.exposeInt('checks', { description: '认定为持续短板的连续次数 N / the N applied' }),
    weaknesses: t.field({ type: [PersistentWeakness], resolve: (l) => l.weaknesses }),
  }),
})

/**
 * The check the list runs up to: the campaign asked for, or the latest annual check (of that year, if given)
 * relevant to the region asked about and readable in the caller's scope, preferring one with graded values.
 */
async function anchorCampaign(
  context: GraphQLContext,
  args: { campaignId: number | null; year: number | null; prefix: string | null },
): Promise<AnchorRow | undefined> {
  const where: SQL[] = []
  if (args.prefix !== null) where.push(campaignAround(sql`${args.prefix}`))
  if (context.scope.kind === 'region') where.push(campaignAround(sql`${context.scope.prefix}`))
  if (args.campaignId !== null) where.push(sql`k.id = ${args.campaignId}`)
  else where.push(sql`k.kind = 'annual'`)
  if (args.year !== null) where.push(sql`k.year = ${args.year}`)
  const [anchor] = await context.database.rows<AnchorRow>(sql`
    select k.id, k.name, k.year, k.kind, k.region_code as "regionCode", s.weakness_checks as "weaknessChecks"
    from campaigns k join indicator_systems s on s.id = k.system_id
    where ${and(where)}
    order by k.year desc, exists (select 1 from indicator_values v where v.campaign_id = k.id
      and v.grade is not null) desc, k.id desc
    limit 1`)
  return anchor
}

/**
 * One statement, gaps and islands: the checks of the anchor's region and kind up to its year are numbered by
 * year; per indicator code and unit the weak checks (poor, or any warning) are grouped into runs of consecutive
 * numbers; a run that reaches the anchor's check and is at least N long is a persistent weakness. A unit with no
 * value in a check breaks its run; two campaigns of one year count as one check (the later one's value).
 */
interface WeaknessFilter {
  checks: number
  prefix: string | null
  indicatorCode: string | null
  unitType: WeaknessRow['unitType'] | null
}

function weaknesses(
  context: GraphQLContext,
  anchor: AnchorRow,
  filter: WeaknessFilter,
): Promise<WeaknessRow[]> {
  const where: SQL[] = [sql`(v.grade = 'poor' or v.warning is not null)`, valueVisible(context)]
  if (filter.prefix !== null) where.push(sql`v.region_code like ${`${filter.prefix}%`}`)
  if (filter.indicatorCode !== null) where.push(sql`i.code = ${filter.indicatorCode}`)
  if (filter.unitType !== null) where.push(sql`v.unit_type = ${filter.unitType}`)
  return context.database.rows<WeaknessRow>(sql`
    with checks as (
      select k.id, k.year, dense_rank() over (order by k.year)::int as check_no
      from campaigns k
      where k.region_code = ${anchor.regionCode} and k.kind = ${anchor.kind} and k.year <= ${anchor.year}
    ), vals as (
      select distinct on (i.code, v.unit_type, v.unit_key, c.check_no)
        i.id as indicator_id, i.code, i.name, i.unit, v.unit_type, v.unit_key, v.region_code, c.year,
        c.check_no, v.value, v.grade, v.warning
      from indicator_values v
      join indicators i on i.id = v.indicator_id
      join checks c on c.id = v.campaign_id
      where ${and(where)}
      order by i.code, v.unit_type, v.unit_key, c.check_no, c.id desc
    ), islands as (
      select *, check_no - row_number() over (partition by code, unit_type, unit_key order by check_no)::int
        as island
      from vals
    ), streaks as (
      select code, unit_type, unit_key, count(*)::int as n, array_agg(year order by year) as years,
        max(check_no) as last_no
      from islands group by code, unit_type, unit_key, island
    )
    select l.indicator_id as "indicatorId", l.code as "indicatorCode", l.name as "indicatorName",
      l.unit as "indicatorUnit", l.unit_type as "unitType", l.unit_key as "unitKey", l.region_code as "regionCode",
      s.n as "consecutiveChecks", s.years, l.value as "latestValue", l.grade as "latestGrade",
      l.warning as "latestWarning"
    from streaks s
    join vals l on l.code = s.code and l.unit_type = s.unit_type and l.unit_key = s.unit_key
      and l.check_no = s.last_no
    where s.last_no = (select max(check_no) from checks) and s.n >= ${filter.checks}
    order by s.n desc, l.code, l.unit_type, l.unit_key`)
}

builder.queryField('persistentWeaknesses', (t) =>
  t.field({
    type: PersistentWeaknessList,
    nullable: true,
    description:
      '持续短板（需登录）：截至所选或最近一次年度体检，连续 N 次评价较差或预警的指标与单元；N 默认取指标体系版本的设定（通常为 3）；无体检时为空 / ' +
      'Indicators and units poor or warned in at least N consecutive checks up to the chosen or latest annual check; N from the edition unless given; null without a check',
    authScopes: { signedIn: true },
    args: {
      regionCode: t.arg.string({ description: '只列该区划内的单元 / only units within this region' }),
      campaignId: t.arg.int({
        description: '截至的体检；默认最近一次年度体检 / default: the latest annual check',
      }),
      year: t.arg.int({ description: '截至该年度的年度体检 / the annual check of this year' }),
      checks: t.arg.int({ description: '连续次数 N，默认取版本设定 / N, default the edition’s' }),
      indicatorCode: t.arg.string({ description: '只列该指标 / only this indicator' }),
      unitType: t.arg({ type: ValueUnitType, description: '只列该类单元 / only units of this type' }),
    },
    resolve: async (_root, args, context) => {
      if (args.checks != null && (args.checks < 1 || args.checks > 50)) {
        throw badUserInput('checks 应在 1 到 50 之间', 'checks must lie between 1 and 50')
      }
      if (args.regionCode == null && args.campaignId == null) {
        throw badUserInput('需提供 regionCode 或 campaignId', 'Give a regionCode or a campaignId')
      }
      const prefix = args.regionCode == null ? null : (await visibleRegion(context, args.regionCode)).prefix
      const anchor = await anchorCampaign(context, {
        campaignId: args.campaignId ?? null,
        year: args.year ?? null,
        prefix,
      })
      if (!anchor) {
        if (args.campaignId == null) return null
        throw notFound(
          `体检任务 ${args.campaignId} 不存在或无权访问`,
          `Campaign ${args.campaignId} was not found`,
        )
      }
      const checks = args.checks ?? anchor.weaknessChecks
      const filter = {
        checks,
        prefix,
        indicatorCode: args.indicatorCode ?? null,
        unitType: args.unitType ?? null,
      }
      return { campaign: anchor, checks, weaknesses: await weaknesses(context, anchor, filter) }
    },
  }),
)
