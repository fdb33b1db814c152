import { type SQL, sql } from 'drizzle-orm'
import type { UNIT_TYPES } from '../../server/db/indicator-values.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { and } from '../support/pagination.ts'
import { type Grade, GradeEnum } from './grades.ts'
import { ValueSource, type ValueSourceName, ValueUnitType, visibleRegion } from './history.ts'
import { campaignAround, valueVisible } from './visibility.ts'

// 趋势: one indicator for one unit across campaigns. Editions change every year, so an indicator is followed by
// its code, never by its id; values are read in the caller's scope as every other value read is.

export interface TrendPointRow {
  year: number
  campaignId: number
  campaignName: string
  campaignKind: string
  indicatorId: number
  indicatorName: string
  indicatorUnit: string | null
  value: number | null
  grade: Grade | null
  warning: string | null
  source: ValueSourceName
  derivation: string | null
  computedValue: number | null
  regionCode: string
}

const TrendPoint = builder.objectRef<TrendPointRow>('IndicatorTrendPoint').implement({
  description: '趋势中的一次体检的值 / One campaign’s value in an indicator’s trend',
  fields: (t) => ({
    year: t.exposeInt('year', { description: '体检年度 / year of the check' }),
    campaignId: t.exposeInt('campaignId'),
    campaignName: t.exposeString('campaignName'),
    campaignKind: t.exposeString('campaignKind', { description: 'annual | area | special' }),
    indicatorId: t.exposeInt('indicatorId', {
      description: '该年度版本中的指标编号 / the edition’s indicator',
    }),
    indicatorName: t.exposeString('indicatorName'),
    indicatorUnit: t.exposeString('indicatorUnit', { nullable: true }),
    value: t.exposeFloat('value', { nullable: true, description: '指标值；未填为空 / null when not filled' }),
    grade: t.field({ type: GradeEnum, nullable: true, resolve: (p) => p.grade }),
    warning: t.exposeString('warning', { nullable: true, description: '预警：red | yellow / warning' }),
    source: t.field({ type: ValueSource, resolve: (p) => p.source }),
    derivation: t.exposeString('derivation', {
      nullable: true,
      description: '推算规则（如示范数据的往年值）/ the documented rule a derived value came from',
    }),
    computedValue: t.exposeFloat('computedValue', {
      nullable: true,
      description: '填报值旁的计算值 / the computed figure beside a reported value',
    }),
    regionCode: t.exposeString('regionCode', { description: '单元所在区划 / region of the unit' }),
  }),
})

export interface TrendArgs {
  indicatorCode: string
  unitType: (typeof UNIT_TYPES)[number]
  unitKey: string
  regionCode: string | null
  annualOnly: boolean
}

/**
 * One statement: the unit's values of every indicator with that code, in the campaigns the caller may read (of
 * the region asked about, above it or within it), by year. With `annualOnly` the annual checks alone, one a year.
 */
export async function indicatorTrend(context: GraphQLContext, args: TrendArgs): Promise<TrendPointRow[]> {
  const where: SQL[] = [
    sql`i.code = ${args.indicatorCode}`,
    sql`v.unit_type = ${args.unitType}`,
    sql`v.unit_key = ${args.unitKey}`,
    valueVisible(context),
  ]
  if (args.regionCode !== null) {
    where.push(campaignAround(sql`${(await visibleRegion(context, args.regionCode)).prefix}`))
  }
  if (args.annualOnly) where.push(sql`k.kind = 'annual'`)
  const points = await context.database.rows<TrendPointRow>(sql`
    select k.year, k.id as "campaignId", k.name as "campaignName", k.kind as "campaignKind",
      i.id as "indicatorId", i.name as "indicatorName", i.unit as "indicatorUnit", v.value, v.grade, v.warning,
      v.source, v.derivation, v.computed_value as "computedValue", v.region_code as "regionCode"
    from indicator_values v
    join indicators i on i.id = v.indicator_id
    join campaigns k on k.id = v.campaign_id
    where ${and(where)}
    order by k.year, k.id`)
  if (points.length === 0) await assertIndicatorExists(context, args.indicatorCode)
  return points
}

/** An unknown code is the caller's mistake, not an empty trend. */
async function assertIndicatorExists(context: GraphQLContext, code: string): Promise<void> {
  const [known] = await context.database.rows<{ n: number }>(
    sql`select 1 as n from indicators where code = ${code} limit 1`,
  )
  if (!known) throw notFound(`没有代码为 ${code} 的指标`, `No indicator has the code ${code}`)
}

builder.queryField('indicatorTrend', (t) =>
  t.field({
    type: [TrendPoint],
    description:
      '指标趋势（需登录）：一个单元的某项指标在历次体检中的值、等级与预警，按年度排序；各年度版本按指标代码对应 / ' +
      'One indicator for one unit across campaigns, by year; editions are matched by indicator code',
    authScopes: { signedIn: true },
    args: {
      indicatorCode: t.arg.string({ required: true, description: '指标代码，如 U05 / indicator code' }),
      unitType: t.arg({
        type: ValueUnitType,
        defaultValue: 'region',
        description: '默认行政区划 / default region',
      }),
      unitKey: t.arg.string({
        required: true,
        description: '单元编号（行政区划为代码）/ unit id (a region’s code)',
      }),
      regionCode: t.arg.string({
        description: '只取该区划（及其上下级）的体检 / only campaigns of this region, above or within it',
      }),
      annualOnly: t.arg.boolean({
        defaultValue: true,
        description: '只取年度体检（默认）/ annual checks only (default); false adds area and special checks',
      }),
    },
    resolve: (_root, args, context) => {
      if (args.indicatorCode.length > 40 || args.unitKey.length > 40) {
        throw badUserInput('指标代码或单元编号过长', 'indicatorCode and unitKey take at most 40 characters')
      }
      return indicatorTrend(context, {
        indicatorCode: args.indicatorCode,
        unitType: args.unitType ?? 'region',
        unitKey: args.unitKey,
        regionCode: args.regionCode ?? null,
        annualOnly: args.annualOnly ?? true,
      })
    },
  }),
)
