import { type SQL, sql } from 'drizzle-orm'
import {
  type CHECK_KINDS,
  DIMENSIONS,
  INDICATOR_LEVELS,
  type OBJECT_TYPES,
  type REPORTING_LEVELS,
  type ReviewRound,
} from '../../server/db/indicators.ts'
import { fieldChanges } from '../../server/domain/edition-diff.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { loadRegions, Region } from '../regions.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder, primeLoader } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'

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
  checkKind: (typeof CHECK_KINDS)[number]
  objectTypes: (typeof OBJECT_TYPES)[number][]
  reviewRounds: ReviewRound[]
  weaknessChecks: number
  publishedAt: Date | string | null
  lockedAt: Date | string | null
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
  baseIndicatorId: number | null
  enabled: boolean
  weight: number | null
  unitType: (typeof OBJECT_TYPES)[number]
  reportingLevel: (typeof REPORTING_LEVELS)[number]
}

/** An edition's columns under the alias `s`, as `IndicatorSystemRow`. */
export const SYSTEM_COLUMNS = sql`s.id, s.code, s.name, s.year, s.level, s.owner_region_code as "ownerRegionCode",
  s.base_system_id as "baseSystemId", s.status, s.settings, s.note, s.check_kind as "checkKind",
  s.object_types as "objectTypes", s.review_rounds as "reviewRounds", s.weakness_checks as "weaknessChecks",
  s.published_at as "publishedAt", s.locked_at as "lockedAt"`

/** An indicator's columns under the alias `i`, as `IndicatorRow`. */
export const INDICATOR_COLUMNS = sql`i.id, i.system_id as "systemId", i.code, i.name, i.name_en as "nameEn", i.dimension,
  i.group_name as "group", i.unit, i.direction, i.level, i.method_kind as "methodKind", i.method, i.calculator,
  i.parameters, i.standard_values as "standardValues", i.renewal_theme as "renewalTheme", i.department,
  i.required_evidence as "requiredEvidence", i.evidence, i.sort_order as "sortOrder",
  i.base_indicator_id as "baseIndicatorId", i.enabled, i.weight, i.unit_type as "unitType",
  i.reporting_level as "reportingLevel"`

/**
 * Indicator systems are not inside one region: a district applies the national edition and its province's and
 * city's editions. Published and locked editions are public; a draft is read only inside its owner's scope.
 * A scoped identity sees national editions, those of the regions above it and those of the regions within it.
 */
export function systemVisible(context: GraphQLContext, alias: SQL = sql`s`): SQL {
  const published = sql`${alias}.status in ('published', 'locked')`
  if (context.scope.kind === 'public') return published
  const inside = sql.raw(`'${context.scope.prefix}%'`)
  const prefix = sql.raw(`'${context.scope.prefix}'`)
  const owned = sql`${alias}.owner_region_code like ${inside}`
  const above = sql`exists (select 1 from regions o where o.code = ${alias}.owner_region_code
    and starts_with(${prefix}, o.scope_prefix))`
  return sql`(${owned} or (${published} and (${alias}.owner_region_code is null or ${above})))`
}

export async function loadSystems(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(IndicatorSystemRow | null)[]> {
  const rows = await context.database.rows<IndicatorSystemRow>(
    sql`select ${SYSTEM_COLUMNS} from indicator_systems s
        where s.id = any(${sql.param([...ids])}::int[]) and ${systemVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export async function loadIndicators(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(IndicatorRow | null)[]> {
  const rows = await context.database.rows<IndicatorRow>(
    sql`select ${INDICATOR_COLUMNS} from indicators i join indicator_systems s on s.id = i.system_id
        where i.id = any(${sql.param([...ids])}::int[]) and ${systemVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export async function loadIndicatorsOfSystems(
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
    checkKind: t.exposeString('checkKind', {
      description: '年度体检 / 片区体检 / 专项体检：annual | area | special',
    }),
    objectTypes: t.exposeStringList('objectTypes', {
      description:
        '体检对象类型 / Object types examined: region | block | compound | self_built_cluster | building',
    }),
    reviewRounds: t.exposeStringList('reviewRounds', {
      description:
        '审核轮次，依次进行：city = 初审，province = 复审 / Review rounds a filling passes, in order',
    }),
    weaknessChecks: t.exposeInt('weaknessChecks', {
      description:
        '连续几次较差或预警即为持续短板 / Consecutive poor or warned checks that make a persistent weakness',
    }),
    publishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.publishedAt }),
    lockedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lockedAt }),
    indicators: t.field({
      type: [Indicator],
      args: {
        dimension: t.arg({ type: Dimension }),
        level: t.arg({ type: IndicatorLevel }),
        enabled: t.arg.boolean({
          description: '只列启用（true）或停用（false）的 / only switched on or off',
        }),
      },
      resolve: async (s, args, c) => {
        const all = (await c.loader(loadIndicatorsOfSystems).load(s.id)) ?? []
        return all.filter(
          (i) =>
            (!args.dimension || i.dimension === args.dimension) &&
            (!args.level || i.level === args.level) &&
            (args.enabled == null || i.enabled === args.enabled),
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
    enabled: t.exposeBoolean('enabled', {
      description:
        '停用的继承指标仍列出，但不填报也不计算 / A switched-off indicator is neither filled nor computed',
    }),
    weight: t.exposeFloat('weight', { nullable: true }),
    unitType: t.exposeString('unitType', {
      description:
        '填报对象类型 / The unit type values are for: region | block | compound | self_built_cluster | building',
    }),
    reportingLevel: t.exposeString('reportingLevel', {
      description: '填报层级 / Who reports it: city | district | street | department',
    }),
    inherited: t.boolean({
      description: '继承自上级版本 / Inherited from the base edition',
      resolve: (i) => i.baseIndicatorId != null,
    }),
    baseIndicator: t.field({
      type: Indicator,
      nullable: true,
      description: "上级版本中的同一指标 / The base edition's indicator this one inherits",
      resolve: (i, _a, c) => (i.baseIndicatorId ? c.loader(loadIndicators).load(i.baseIndicatorId) : null),
    }),
    overriddenFields: t.stringList({
      description: '与上级版本不同的字段（自行新增的指标为空）/ Fields that differ from the base indicator',
      resolve: async (i, _a, c) => {
        const base = i.baseIndicatorId ? await c.loader(loadIndicators).load(i.baseIndicatorId) : null
        return base ? fieldChanges(base, i).map((change) => change.field) : []
      },
    }),
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
