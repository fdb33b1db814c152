import { type SQL, sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { Building, buildingVisible } from '../buildings/buildings.ts'
import { INDICATOR_COLUMNS, Indicator, type IndicatorRow } from '../indicators/catalogue.ts'
import { type REGION_LEVELS, RegionLevel } from '../regions.ts'
import { groupedByKey } from '../support/loading.ts'
import { type Grade, GradeEnum, type GradeUnit, GradeUnitType } from './grades.ts'
import { campaignAround, valueVisible } from './visibility.ts'

interface BuildingIndicatorValueRow {
  buildingId: number
  campaignId: number
  value: number | null
  grade: Grade | null
  warning: 'red' | 'yellow' | null
  unitType: GradeUnit
  unitKey: string
  regionLevel: (typeof REGION_LEVELS)[number] | null
  indicator: IndicatorRow
}

const BuildingIndicatorValue = builder
  .objectRef<BuildingIndicatorValueRow>('BuildingIndicatorValue')
  .implement({
    description:
      '适用于一栋建筑的指标值：取最具体的有值单元（建筑 → 小区 → 街区 → 行政区划）/ The value of an indicator that applies to a building: its most specific unit with a value',
    fields: (t) => ({
      indicator: t.field({ type: Indicator, resolve: (v) => v.indicator }),
      value: t.exposeFloat('value', {
        nullable: true,
        description: '指标值（单位见指标）/ in the indicator’s unit',
      }),
      grade: t.field({
        type: GradeEnum,
        nullable: true,
        description: '评价等级；未评价时为空 / null when not graded',
        resolve: (v) => v.grade,
      }),
      warning: t.exposeString('warning', { nullable: true, description: '预警：red | yellow / warning' }),
      unitType: t.field({
        type: GradeUnitType,
        description: '值所取自的单元 / The unit the value was reported or computed for',
        resolve: (v) => v.unitType,
      }),
      unitKey: t.exposeString('unitKey', {
        description: '单元编号（行政区划为代码）/ id of that unit (a region’s code)',
      }),
      regionLevel: t.field({
        type: RegionLevel,
        nullable: true,
        description: '取自行政区划时的层级（区、市…）/ the region’s level when the unit is a region',
        resolve: (v) => v.regionLevel,
      }),
      campaignId: t.exposeInt('campaignId'),
    }),
  })

/** Loader keys: `${buildingId}:${campaignId}`, the campaign empty for the default one. */
type ValueKey = `${number}:${number | ''}`

/**
 * Per building and indicator, the value of the most specific unit that has one — the building, its compound,
 * its block, then the regions containing it from the smallest — as `buildingGrades` picks grades. Without a
 * campaign, each building reads the latest campaign with values (visible to the caller) in its city.
 */
async function loadBuildingIndicatorValues(
  keys: readonly ValueKey[],
  context: GraphQLContext,
): Promise<BuildingIndicatorValueRow[][]> {
  const parsed = keys.map((key) => {
    const [building, campaign] = key.split(':')
    return { buildingId: Number(building), campaignId: campaign ? Number(campaign) : null }
  })
  const byCampaign = new Map<number | null, number[]>()
  for (const { buildingId, campaignId } of parsed) {
    const ids = byCampaign.get(campaignId) ?? []
    ids.push(buildingId)
    byCampaign.set(campaignId, ids)
  }
  const rows: (BuildingIndicatorValueRow & { campaignArg: number | null })[] = []
  for (const [campaignId, ids] of byCampaign) {
    const found = await buildingIndicatorValues(context, ids, campaignId)
    for (const row of found) rows.push({ ...row, campaignArg: campaignId })
  }
  return groupedByKey(keys, rows, (r) => `${r.buildingId}:${r.campaignArg ?? ''}` as ValueKey).map((group) =>
    group.map(({ campaignArg: _, ...row }) => row),
  )
}

const hasValue = sql`(v.value is not null or v.grade is not null)`

/**
 * The campaign of a city (`c.prefix`) when none is asked for: relevant to the building's city (or to its own
 * region where no city is above it), readable in the caller's scope and holding a value the caller may read.
 */
function defaultCampaign(context: GraphQLContext): SQL {
  const scoped = context.scope.kind === 'region' ? campaignAround(sql`${context.scope.prefix}`) : sql`true`
  return sql`(select k.id from campaigns k
    where ${campaignAround(sql`c.prefix`)} and ${scoped}
      and exists (select 1 from indicator_values v where v.campaign_id = k.id and ${hasValue}
        and starts_with(v.region_code, c.prefix) and ${valueVisible(context)})
    order by k.year desc, k.id desc limit 1)`
}

// The value's unit type is renamed in SQL: the indicator has a `unitType` of its own (who reports it).
type ValueWithIndicator = Omit<BuildingIndicatorValueRow, 'indicator' | 'unitType'> &
  IndicatorRow & { indicatorId: number; valueUnitType: GradeUnit }

/** One statement for the buildings of one campaign argument: their cities' campaigns, then the values. */
function buildingIndicatorValues(
  context: GraphQLContext,
  ids: readonly number[],
  campaignId: number | null,
): Promise<BuildingIndicatorValueRow[]> {
  const campaign = campaignId !== null ? sql`${campaignId}::int` : defaultCampaign(context)
  return context.database
    .rows<ValueWithIndicator>(
      sql`with b as (
        select b.id, b.compound_id, b.block_id, b.region_code,
          coalesce((select r.scope_prefix from regions r where r.level = 'city'
            and starts_with(b.region_code, r.scope_prefix) order by length(r.scope_prefix) desc limit 1),
            b.region_code) as city_prefix
        from buildings b
        where b.id = any(${sql.param([...ids])}::int[]) and ${buildingVisible(context)}
      ), c as (
        select c.prefix, ${campaign} as campaign_id from (select distinct city_prefix as prefix from b) c
      ), bc as (
        select b.*, c.campaign_id from b join c on c.prefix = b.city_prefix where c.campaign_id is not null
      ), v as (
        select v.* from indicator_values v
        where v.campaign_id in (select campaign_id from c) and ${hasValue} and ${valueVisible(context)}
      ), candidate as (
        select bc.id, v.id as value_id, null::text as region_level, 0 as specificity
          from bc join v on v.campaign_id = bc.campaign_id and v.unit_type = 'building' and v.unit_key = bc.id::text
        union all
        select bc.id, v.id, null, 1
          from bc join v on v.campaign_id = bc.campaign_id and v.unit_type = 'compound'
            and v.unit_key = bc.compound_id::text
        union all
        select bc.id, v.id, null, 2
          from bc join v on v.campaign_id = bc.campaign_id and v.unit_type = 'block' and v.unit_key = bc.block_id::text
        union all
        select bc.id, v.id, r.level, 100 - length(r.scope_prefix)
          from bc join regions r on starts_with(bc.region_code, r.scope_prefix)
          join v on v.campaign_id = bc.campaign_id and v.unit_type = 'region' and v.unit_key = r.code
      ), chosen as (
        select distinct on (candidate.id, v.indicator_id) candidate.id as building_id, candidate.region_level, v.*
        from candidate join v on v.id = candidate.value_id
        order by candidate.id, v.indicator_id, candidate.specificity
      )
      select ch.building_id as "buildingId", ch.campaign_id as "campaignId", ch.value, ch.grade, ch.warning,
        ch.unit_type as "valueUnitType", ch.unit_key as "unitKey", ch.region_level as "regionLevel",
        ch.indicator_id as "indicatorId", ${INDICATOR_COLUMNS}
      from chosen ch join indicators i on i.id = ch.indicator_id
      order by ch.building_id, i.sort_order, i.id`,
    )
    .then((rows) => rows.map(withIndicator))
}

/** A joined row split into the value and the indicator it is of. */
function withIndicator(row: ValueWithIndicator): BuildingIndicatorValueRow {
  const { buildingId, campaignId, value, grade, warning, valueUnitType, unitKey, regionLevel, ...rest } = row
  const { indicatorId: _, ...indicator } = rest
  return {
    buildingId,
    campaignId,
    value: value === null ? null : Number(value),
    grade,
    warning,
    unitType: valueUnitType,
    unitKey,
    regionLevel,
    indicator,
  }
}

builder.objectField(Building, 'indicatorValues', (t) =>
  t.field({
    type: [BuildingIndicatorValue],
    description:
      '适用于该建筑的指标值，按指标顺序；每个指标取最具体的有值单元；指标值不公开，未登录时为空 / Indicator values that apply to the building, in indicator order, each from its most specific unit with a value; never public: empty without a token',
    args: {
      campaignId: t.arg.int({
        description:
          '默认：建筑所在城市最近一次有指标值的体检 / default: the latest campaign with values in the building’s city',
      }),
    },
    resolve: async (b, args, context) =>
      (await context.loader(loadBuildingIndicatorValues).load(`${b.id}:${args.campaignId ?? ''}`)) ?? [],
  }),
)
