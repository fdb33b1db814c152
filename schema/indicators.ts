import { type SQL, sql } from 'drizzle-orm'
import { lookupRegion, scopeCondition } from '../server/auth/scope.ts'
import { DIMENSIONS, INDICATOR_LEVELS } from '../server/db/indicators.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { notFound } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { Building, buildingVisible } from './buildings/buildings.ts'
import { loadRegions, type REGION_LEVELS, Region, RegionLevel, regionVisible } from './regions.ts'
import { encodeGlobalId, numericKey } from './support/global-id.ts'
import { groupedByKey, inKeyOrder, primeLoader } from './support/loading.ts'
import { registerNode } from './support/node.ts'
import { and, keysetPage } from './support/pagination.ts'

export interface IndicatorSystemRow {
  id: number
  code: string
  name: string
  year: number
  level: (typeof INDICATOR_LEVELS)[number]
  ownerRegionCode: string | null
  baseSystemId: number | null
  status: 'draft' | 'published' | 'locked'
  settings: Record<string, unknown>
  note: string | null
}

export interface IndicatorRow {
  id: number
  systemId: number
  code: string
  name: string
  nameEn: string | null
  dimension: (typeof DIMENSIONS)[number]
  group: string | null
  unit: string | null
  direction: 'higher' | 'lower' | 'target' | 'none'
  level: (typeof INDICATOR_LEVELS)[number]
  methodKind: 'reported' | 'computed'
  method: string
  calculator: string | null
  parameters: Record<string, unknown>
  standardValues: Record<string, unknown> | null
  renewalTheme: string | null
  department: string | null
  requiredEvidence: string | null
  evidence: string | null
  sortOrder: number
}

const SYSTEM_COLUMNS = sql`s.id, s.code, s.name, s.year, s.level, s.owner_region_code as "ownerRegionCode",
  s.base_system_id as "baseSystemId", s.status, s.settings, s.note`

const INDICATOR_COLUMNS = sql`i.id, i.system_id as "systemId", i.code, i.name, i.name_en as "nameEn", i.dimension,
  i.group_name as "group", i.unit, i.direction, i.level, i.method_kind as "methodKind", i.method, i.calculator,
  i.parameters, i.standard_values as "standardValues", i.renewal_theme as "renewalTheme", i.department,
  i.required_evidence as "requiredEvidence", i.evidence, i.sort_order as "sortOrder"`

/**
 * Indicator systems are not inside one region: a district applies the national edition and its province's and
 * city's editions. Published and locked editions are public; a draft is read only inside its owner's scope.
 * A scoped identity sees national editions, those of the regions above it and those of the regions within it.
 */
function systemVisible(context: GraphQLContext, alias: SQL = sql`s`): SQL {
  const published = sql`${alias}.status in ('published', 'locked')`
  if (context.scope.kind === 'public') return published
  const inside = sql.raw(`'${context.scope.prefix}%'`)
  const prefix = sql.raw(`'${context.scope.prefix}'`)
  const owned = sql`${alias}.owner_region_code like ${inside}`
  const above = sql`exists (select 1 from regions o where o.code = ${alias}.owner_region_code
    and starts_with(${prefix}, o.scope_prefix))`
  return sql`(${owned} or (${published} and (${alias}.owner_region_code is null or ${above})))`
}

async function loadSystems(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(IndicatorSystemRow | null)[]> {
  const rows = await context.database.rows<IndicatorSystemRow>(
    sql`select ${SYSTEM_COLUMNS} from indicator_systems s
        where s.id = any(${sql.param([...ids])}::int[]) and ${systemVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadIndicators(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(IndicatorRow | null)[]> {
  const rows = await context.database.rows<IndicatorRow>(
    sql`select ${INDICATOR_COLUMNS} from indicators i join indicator_systems s on s.id = i.system_id
        where i.id = any(${sql.param([...ids])}::int[]) and ${systemVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadIndicatorsOfSystems(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<IndicatorRow[][]> {
  const rows = await context.database.rows<IndicatorRow>(
    sql`select ${INDICATOR_COLUMNS} from indicators i join indicator_systems s on s.id = i.system_id
        where i.system_id = any(${sql.param([...ids])}::int[]) and ${systemVisible(context)}
        order by i.sort_order, i.id`,
  )
  return groupedByKey(ids, rows, (r) => r.systemId)
}

export const Dimension = builder.enumType('Dimension', {
  description: '体检维度：住房 / 小区（社区）/ 街区 / 城区（城市）/ The four objects examined',
  values: DIMENSIONS,
})
export const IndicatorLevel = builder.enumType('IndicatorLevel', {
  description: '指标层级：国家基础 / 省级 / 市级 / 特色 / Indicator level',
  values: INDICATOR_LEVELS,
})
export const SystemStatus = builder.enumType('IndicatorSystemStatus', {
  values: ['draft', 'published', 'locked'] as const,
})

export const IndicatorSystem = builder.objectRef<IndicatorSystemRow>('IndicatorSystem')
export const Indicator = builder.objectRef<IndicatorRow>('Indicator')

registerNode('IndicatorSystem', (key, context) => context.loader(loadSystems).load(numericKey(key)))

builder.objectType(IndicatorSystem, {
  description: '指标体系（某一版本）/ One edition of an indicator system',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (s) => encodeGlobalId('IndicatorSystem', s.id) }),
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    year: t.exposeInt('year'),
    level: t.field({ type: IndicatorLevel, resolve: (s) => s.level }),
    status: t.field({ type: SystemStatus, resolve: (s) => s.status }),
    ownerRegionCode: t.exposeString('ownerRegionCode', { nullable: true }),
    ownerRegion: t.field({
      type: Region,
      nullable: true,
      resolve: (s, _a, c) => (s.ownerRegionCode ? c.loader(loadRegions).load(s.ownerRegionCode) : null),
    }),
    baseSystem: t.field({
      type: IndicatorSystem,
      nullable: true,
      description: '所扩展的上级版本 / The edition this one extends',
      resolve: (s, _a, c) => (s.baseSystemId ? c.loader(loadSystems).load(s.baseSystemId) : null),
    }),
    settings: t.field({ type: 'JSON', resolve: (s) => s.settings }),
    note: t.exposeString('note', { nullable: true }),
    indicators: t.field({
      type: [Indicator],
      args: { dimension: t.arg({ type: Dimension }), level: t.arg({ type: IndicatorLevel }) },
      resolve: async (s, args, c) => {
        const all = (await c.loader(loadIndicatorsOfSystems).load(s.id)) ?? []
        return all.filter(
          (i) =>
            (!args.dimension || i.dimension === args.dimension) && (!args.level || i.level === args.level),
        )
      },
    }),
  }),
})

registerNode('Indicator', (key, context) => context.loader(loadIndicators).load(numericKey(key)))

builder.objectType(Indicator, {
  description: '指标 / An indicator of an edition',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (i) => encodeGlobalId('Indicator', i.id) }),
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    dimension: t.field({ type: Dimension, resolve: (i) => i.dimension }),
    group: t.exposeString('group', { nullable: true }),
    unit: t.exposeString('unit', { nullable: true }),
    direction: t.exposeString('direction', { description: 'higher | lower | target | none' }),
    level: t.field({ type: IndicatorLevel, resolve: (i) => i.level }),
    methodKind: t.exposeString('methodKind', { description: 'reported | computed' }),
    method: t.exposeString('method'),
    calculator: t.exposeString('calculator', { nullable: true }),
    parameters: t.field({ type: 'JSON', resolve: (i) => i.parameters }),
    standardValues: t.field({ type: 'JSON', nullable: true, resolve: (i) => i.standardValues }),
    renewalTheme: t.exposeString('renewalTheme', { nullable: true, description: '更新主题 / Renewal theme' }),
    department: t.exposeString('department', { nullable: true }),
    requiredEvidence: t.exposeString('requiredEvidence', { nullable: true }),
    evidence: t.exposeString('evidence', { nullable: true }),
    sortOrder: t.exposeFloat('sortOrder'),
    system: t.field({
      type: IndicatorSystem,
      nullable: true,
      resolve: (i, _a, c) => c.loader(loadSystems).load(i.systemId),
    }),
  }),
})

builder.queryField('indicatorSystems', (t) =>
  t.connection(
    {
      type: IndicatorSystem,
      nullable: true,
      description: '指标体系版本，新年度在前 / Indicator system editions, newest year first',
      args: {
        year: t.arg.int(),
        level: t.arg({ type: IndicatorLevel }),
        status: t.arg({ type: SystemStatus }),
        ownerRegion: t.arg.string({ description: '所属区划代码 / Owner region code' }),
      },
      resolve: async (_root, args, context) => {
        const where = [systemVisible(context)]
        if (args.year != null) where.push(sql`s.year = ${args.year}`)
        if (args.level) where.push(sql`s.level = ${args.level}`)
        if (args.status) where.push(sql`s.status = ${args.status}`)
        if (args.ownerRegion) where.push(sql`s.owner_region_code = ${args.ownerRegion}`)
        return keysetPage<IndicatorSystemRow>(
          context,
          {
            from: sql`indicator_systems s`,
            columns: SYSTEM_COLUMNS,
            where: [and(where)],
            ordering: { name: 'year', keys: [{ expr: sql`s.year`, desc: true }, { expr: sql`s.id` }] },
          },
          args,
          (rows) => primeLoader(context.loader(loadSystems), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'IndicatorSystemConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)

// ------------------------------------------------------------------------------------- building grades

export const GRADES = ['poor', 'fair', 'good', 'excellent'] as const
export type Grade = (typeof GRADES)[number]
/** Units a building inherits a grade from, most specific first (renewal areas are not in the chain). */
const GRADE_UNITS = ['building', 'compound', 'block', 'region'] as const

export const GradeEnum = builder.enumType('Grade', {
  description: '评价等级：较差 / 一般 / 较好 / 很好 / Grade from the standard values',
  values: GRADES,
})
const GradeUnitType = builder.enumType('GradeUnitType', {
  description: '等级所取自的单元 / The unit a building took its grade from',
  values: GRADE_UNITS,
})

interface BuildingGradeRow {
  buildingId: number
  grade: Grade
  unitType: (typeof GRADE_UNITS)[number]
}

interface BuildingGradesRow {
  campaignId: number
  campaignName: string
  year: number
  indicatorCode: string | null
  regionCode: string
  prefix: string
}

// Indicator values are the region staff's working data (drafts, returned reports): never public.
const valueVisible = (context: GraphQLContext, alias: SQL = sql`v`) =>
  scopeCondition(context.scope, sql`${alias}.region_code`, 'never')

/** Campaigns of the region itself, of the regions above it (a city's annual check) and of those within it. */
const campaignAround = (prefix: string): SQL =>
  sql`(k.region_code like ${`${prefix}%`} or exists (select 1 from regions o where o.code = k.region_code
    and starts_with(${prefix}, o.scope_prefix)))`

/** `campaignAround` for a prefix read from a column of the statement. */
const campaignAroundColumn = (prefix: SQL): SQL =>
  sql`(starts_with(k.region_code, ${prefix}) or exists (select 1 from regions o where o.code = k.region_code
    and starts_with(${prefix}, o.scope_prefix)))`

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
      const region = await lookupRegion(context.database, args.regionCode)
      const [visibleRegion] = region
        ? await context.database.rows<{ code: string }>(
            sql`select r.code from regions r where r.code = ${args.regionCode} and ${regionVisible(context)}`,
          )
        : []
      if (!region || !visibleRegion)
        throw notFound(
          `行政区划 ${args.regionCode} 不存在或无权访问`,
          `Region ${args.regionCode} was not found`,
        )
      // Relevant to the region asked for, and readable in the caller's scope (never a sibling's campaign).
      const where = [campaignAround(region.prefix)]
      if (context.scope.kind === 'region') where.push(campaignAround(context.scope.prefix))
      if (args.campaignId != null) where.push(sql`k.id = ${args.campaignId}`)
      else
        where.push(sql`exists (select 1 from indicator_values v where v.campaign_id = k.id and v.grade is not null
          and v.region_code like ${`${region.prefix}%`} and ${valueVisible(context)})`)
      const [campaign] = await context.database.rows<{ id: number; name: string; year: number }>(
        sql`select k.id, k.name, k.year from campaigns k where ${and(where)} order by k.year desc, k.id desc limit 1`,
      )
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

// ----------------------------------------------------------------------------- a building's indicator values

interface BuildingIndicatorValueRow {
  buildingId: number
  campaignId: number
  value: number | null
  grade: Grade | null
  warning: 'red' | 'yellow' | null
  unitType: (typeof GRADE_UNITS)[number]
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

async function buildingIndicatorValues(
  context: GraphQLContext,
  ids: readonly number[],
  campaignId: number | null,
): Promise<BuildingIndicatorValueRow[]> {
  const hasValue = sql`(v.value is not null or v.grade is not null)`
  // The default campaign: relevant to the building's city (or to its own region where no city is above it),
  // readable in the caller's scope and holding a value the caller may read.
  const scoped = context.scope.kind === 'region' ? campaignAround(context.scope.prefix) : sql`true`
  const campaign =
    campaignId !== null
      ? sql`${campaignId}::int`
      : sql`(select k.id from campaigns k
          where ${campaignAroundColumn(sql`c.prefix`)} and ${scoped}
            and exists (select 1 from indicator_values v where v.campaign_id = k.id and ${hasValue}
              and starts_with(v.region_code, c.prefix) and ${valueVisible(context)})
          order by k.year desc, k.id desc limit 1)`
  const rows = await context.database.rows<
    Omit<BuildingIndicatorValueRow, 'indicator'> & IndicatorRow & { indicatorId: number }
  >(
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
        ch.unit_type as "unitType", ch.unit_key as "unitKey", ch.region_level as "regionLevel",
        ch.indicator_id as "indicatorId", ${INDICATOR_COLUMNS}
      from chosen ch join indicators i on i.id = ch.indicator_id
      order by ch.building_id, i.sort_order, i.id`,
  )
  return rows.map(
    ({
      buildingId,
      campaignId,
      value,
      grade,
      warning,
      unitType,
      unitKey,
      regionLevel,
      indicatorId: _,
      ...indicator
    }) => ({
      buildingId,
      campaignId,
      value: value === null ? null : Number(value),
      grade,
      warning,
      unitType,
      unitKey,
      regionLevel,
      indicator,
    }),
  )
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
