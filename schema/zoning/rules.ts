import { sql } from 'drizzle-orm'
import { applicableRules, RULE_COLUMNS, type RuleRow } from '../../jobs/api.ts'
import { authorize } from '../../server/auth/permissions.ts'
import { lookupRegion } from '../../server/auth/scope.ts'
import {
  COMPARISONS,
  conditionProblem,
  METRIC_NAMES,
  ZONING_CLASS_NAMES,
  ZONING_METRICS,
} from '../../server/domain/zoning.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit } from '../audit.ts'
import { builder } from '../builder.ts'

const ZoningCondition = builder
  .objectRef<{ metric: string; op: string; value: number }>('ZoningCondition')
  .implement({
    description: '规则条件：地块指标与阈值比较 / One condition: a figure of the block compared with a value',
    fields: (t) => ({
      metric: t.exposeString('metric'),
      op: t.exposeString('op', { description: COMPARISONS.join(' ') }),
      value: t.exposeFloat('value'),
    }),
  })

/** A text of a label pair in the request's language. */
const localized = (context: GraphQLContext, text: { zh: string; en: string }) =>
  context.language === 'en' && text.en ? text.en : text.zh

export const ZoningRule = builder.objectRef<RuleRow>('ZoningRule').implement({
  description:
    '更新分区规则的一个版本；编辑即新增版本，旧版本保留 / One version of a zoning rule (an edit adds a version)',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    regionCode: t.exposeString('regionCode'),
    key: t.exposeString('key', { description: '规则在各版本间不变的名称 / stable across versions' }),
    version: t.exposeInt('version'),
    areaClass: t.exposeString('areaClass', {
      description: 'near_term（近期改造区）| gradual（渐进更新区）| protection（保护区）| 城市自定义',
    }),
    className: t.string({
      resolve: (r, _a, context) =>
        localized(context, ZONING_CLASS_NAMES[r.areaClass] ?? { zh: r.label.zh, en: r.label.en }),
    }),
    label: t.string({ resolve: (r, _a, context) => localized(context, r.label) }),
    labelZh: t.string({ resolve: (r) => r.label.zh }),
    labelEn: t.string({ resolve: (r) => r.label.en }),
    priority: t.exposeInt('priority', { description: '小者先判 / lower is evaluated first' }),
    match: t.exposeString('match', { description: 'all：全部条件成立；any：任一成立' }),
    conditions: t.field({ type: [ZoningCondition], resolve: (r) => r.conditions }),
    enabled: t.exposeBoolean('enabled'),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    supersededAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.supersededAt }),
  }),
})

const ZoningMetric = builder
  .objectRef<{ name: string; zh: string; en: string; unit: string }>('ZoningMetric')
  .implement({
    description: '规则可用的地块指标 / A figure of a block a rule may compare',
    fields: (t) => ({
      name: t.exposeString('name'),
      zh: t.exposeString('zh'),
      en: t.exposeString('en'),
      unit: t.exposeString('unit'),
    }),
  })

builder.queryField('zoningMetrics', (t) =>
  t.field({
    type: [ZoningMetric],
    description: '分区规则可用的指标 / The figures zoning rules may use',
    resolve: () => METRIC_NAMES.map((name) => ({ name, ...ZONING_METRICS[name] })),
  }),
)

/**
 * Whether the caller reads a region's rules: those of its own region and below, and those of the regions above
 * it, whose rules apply to it until it has its own.
 */
export async function rulesReadable(context: GraphQLContext, regionCode: string): Promise<boolean> {
  if (context.scope.kind !== 'region') return false
  const region = await lookupRegion(context.database, regionCode)
  if (!region) return false
  return region.prefix.startsWith(context.scope.prefix) || context.scope.prefix.startsWith(region.prefix)
}

builder.queryField('zoningRules', (t) =>
  t.field({
    type: [ZoningRule],
    authScopes: { signedIn: true },
    description:
      '行政区划自身的分区规则（按优先级），可含已被替代的旧版本 / The rules a region holds, by priority; ' +
      'with `includeSuperseded` also their earlier versions',
    args: {
      regionCode: t.arg.string({ required: true }),
      key: t.arg.string(),
      includeSuperseded: t.arg.boolean({ defaultValue: false }),
      applicable: t.arg.boolean({
        defaultValue: false,
        description:
          '改为列出适用于该区划的现行规则（其自身的，或上级的）/ instead, the current rules that apply to the ' +
          'region: its own, or those of the nearest region above it that has rules',
      }),
    },
    resolve: async (_root, args, context) => {
      if (!(await rulesReadable(context, args.regionCode))) return []
      if (args.applicable) return applicableRules(context.database, args.regionCode)
      const where = [sql`z.region_code = ${args.regionCode}`]
      if (!args.includeSuperseded) where.push(sql`z.superseded_at is null`)
      if (args.key) where.push(sql`z.key = ${args.key}`)
      return context.database.rows<RuleRow>(
        sql`select ${RULE_COLUMNS} from zoning_rules z where ${sql.join(where, sql` and `)}
          order by z.priority, z.key, z.version desc`,
      )
    },
  }),
)

const ConditionInput = builder.inputType('ZoningConditionInput', {
  fields: (t) => ({
    metric: t.string({ required: true, description: '见 zoningMetrics / see zoningMetrics' }),
    op: t.string({ required: true, description: COMPARISONS.join(' ') }),
    value: t.float({ required: true }),
  }),
})

const SaveRuleInput = builder.inputType('SaveZoningRuleInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true }),
    key: t.string({
      required: true,
      description: '已有规则的 key 则新增版本 / an existing key adds a version',
    }),
    areaClass: t.string({ required: true }),
    labelZh: t.string({ required: true }),
    labelEn: t.string(),
    priority: t.int({ description: '默认 100 / 100 by default' }),
    match: t.string({ description: 'all（默认）或 any / all (default) or any' }),
    conditions: t.field({ type: [ConditionInput], required: true }),
    enabled: t.boolean({ defaultValue: true }),
  }),
})

interface SaveInput {
  regionCode: string
  key: string
  areaClass: string
  labelZh: string
  labelEn?: string | null
  priority?: number | null
  match?: string | null
  conditions: { metric: string; op: string; value: number }[]
  enabled?: boolean | null
}

function checkInput(input: SaveInput): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(input.key)) {
    throw badUserInput(
      '规则 key 须为小写字母、数字、- 或 _',
      'A rule key is lower-case letters, digits, - or _',
    )
  }
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(input.areaClass)) {
    throw badUserInput('分区类别须为小写字母、数字或 _', 'areaClass is lower-case letters, digits or _')
  }
  if (!input.labelZh.trim() || input.labelZh.length > 100) {
    throw badUserInput('规则名称不能为空且不超过 100 字', 'labelZh must be 1–100 characters')
  }
  if (input.match != null && input.match !== 'all' && input.match !== 'any') {
    throw badUserInput('match 须为 all 或 any', 'match must be all or any')
  }
  const problem = conditionProblem(input.conditions)
  if (problem) throw badUserInput(problem.zh, problem.en)
}

/** 编辑规则: the current version of the key is superseded and a new one written, both in one transaction. */
async function saveRule(context: GraphQLContext, input: SaveInput): Promise<RuleRow> {
  authorize(context.identity, context.scope, 'zoning.write')
  checkInput(input)
  const [region] = await context.database.rows<{ code: string }>(
    sql`select code from regions where code = ${input.regionCode}`,
  )
  if (!region)
    throw notFound(`行政区划 ${input.regionCode} 不存在`, `Region ${input.regionCode} does not exist`)
  authorize(context.identity, context.scope, 'zoning.write', { regionCode: input.regionCode })
  return context.database.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`zoning_rule:${input.regionCode}:${input.key}`}))`,
    )
    const found = (await tx.execute(sql`select ${RULE_COLUMNS} from zoning_rules z
      where z.region_code = ${input.regionCode} and z.key = ${input.key} order by z.version desc limit 1`)) as {
      rows: RuleRow[]
    }
    const before = found.rows[0] ?? null
    if (before) {
      await tx.execute(sql`update zoning_rules set superseded_at = now()
        where region_code = ${input.regionCode} and key = ${input.key} and superseded_at is null`)
    }
    const label = { zh: input.labelZh.trim(), en: input.labelEn?.trim() || before?.label.en || '' }
    const inserted = (await tx.execute(sql`insert into zoning_rules as z
        (region_code, key, version, area_class, label, priority, match, conditions, enabled, created_by)
      values (${input.regionCode}, ${input.key}, ${(before?.version ?? 0) + 1}, ${input.areaClass},
        ${JSON.stringify(label)}::jsonb, ${input.priority ?? before?.priority ?? 100}, ${input.match ?? 'all'},
        ${JSON.stringify(input.conditions)}::jsonb, ${input.enabled === false ? 0 : 1},
        ${context.identity?.subject ?? null})
      returning ${RULE_COLUMNS}`)) as { rows: RuleRow[] }
    const after = inserted.rows[0]!
    await recordAudit(tx, context, {
      entity: 'zoning_rule',
      entityId: after.id,
      action: before ? 'revise' : 'create',
      regionCode: input.regionCode,
      before: before && { id: before.id, version: before.version, conditions: before.conditions },
      after: {
        key: after.key,
        version: after.version,
        areaClass: after.areaClass,
        conditions: after.conditions,
      },
    })
    return after
  })
}

builder.mutationField('saveZoningRule', (t) =>
  t.field({
    type: ZoningRule,
    description:
      '新建或编辑更新分区规则（编辑写入新版本，旧版本保留；省级、市级）/ Creates a zoning rule or revises it as a ' +
      'new version; recompute the areas with startZoning',
    args: { input: t.arg({ type: SaveRuleInput, required: true }) },
    resolve: (_root, { input }, context) => saveRule(context, input),
  }),
)
