import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { UNIT_LEVELS } from '../../server/db/problem-routing.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'

interface RuleRow {
  id: number
  problemType: string | null
  regionCode: string | null
  unitLevel: (typeof UNIT_LEVELS)[number]
  department: string | null
  deadlineDays: Record<string, number>
  updatedBy: string | null
  updatedAt: string
}

const RULE_COLUMNS = sql`r.id, r.problem_type as "problemType", r.region_code as "regionCode",
  r.unit_level as "unitLevel", r.department, r.deadline_days as "deadlineDays", r.updated_by as "updatedBy",
  r.updated_at as "updatedAt"`

/** The longest a deadline may be: a year of working days; beyond it a problem belongs in a project. */
const MAX_DEADLINE_DAYS = 250

async function rowsOf<T>(tx: SqlExecutor, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

const UnitLevelEnum = builder.enumType('UnitLevel', {
  description: '责任单位层级：街道、区县、市 / Which level of unit answers for a problem',
  values: UNIT_LEVELS,
})

const DeadlineDays = builder.objectRef<Record<string, number>>('DeadlineDays').implement({
  description: '按严重程度的时限（工作日）/ Deadline in working days by severity',
  fields: (t) => ({
    severity1: t.int({ nullable: true, description: '低 / low', resolve: (d) => d['1'] ?? null }),
    severity2: t.int({ nullable: true, description: '中 / medium', resolve: (d) => d['2'] ?? null }),
    severity3: t.int({ nullable: true, description: '高 / high', resolve: (d) => d['3'] ?? null }),
  }),
})

const RoutingRule = builder.objectRef<RuleRow>('RoutingRule').implement({
  description:
    '派单规则：某类问题在某区划内交给哪一级单位、哪个部门，按严重程度的时限 / A routing rule: which unit level and ' +
    'department a problem type in a region goes to, with deadlines by severity. The most specific rule applies.',
  fields: (t) => ({
    id: t.exposeInt('id'),
    problemType: t.exposeString('problemType', {
      nullable: true,
      description: '空为任意类型 / null: any type',
    }),
    regionCode: t.exposeString('regionCode', {
      nullable: true,
      description: '空为全国默认 / null: everywhere',
    }),
    unitLevel: t.field({ type: UnitLevelEnum, resolve: (r) => r.unitLevel }),
    department: t.exposeString('department', { nullable: true }),
    deadlineDays: t.field({ type: DeadlineDays, resolve: (r) => r.deadlineDays }),
    updatedBy: t.exposeString('updatedBy', { nullable: true }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
  }),
})

builder.queryField('routingRules', (t) =>
  t.field({
    type: [RoutingRule],
    description:
      '在本辖区适用或由本辖区设定的派单规则（需登录）/ Routing rules that apply in or were set inside the caller’s region',
    authScopes: { signedIn: true },
    args: { problemType: t.arg.string() },
    resolve: (_root, args, context) => {
      const prefix = context.scope.kind === 'region' ? context.scope.prefix : ''
      return context.database.rows<RuleRow>(
        sql`select ${RULE_COLUMNS} from routing_rules r left join regions g on g.code = r.region_code
          where (r.region_code is null or g.scope_prefix like ${`${prefix}%`}
            or ${prefix} like g.scope_prefix || '%')
            ${args.problemType ? sql`and r.problem_type = ${args.problemType}` : sql``}
          order by r.problem_type nulls first, length(coalesce(g.scope_prefix, '')), r.id`,
      )
    },
  }),
)

const DeadlineDaysInput = builder.inputType('DeadlineDaysInput', {
  fields: (t) => ({
    severity1: t.int({ description: '低 / low' }),
    severity2: t.int({ description: '中 / medium' }),
    severity3: t.int({ description: '高 / high' }),
  }),
})

const UpsertRoutingRuleInput = builder.inputType('UpsertRoutingRuleInput', {
  fields: (t) => ({
    id: t.int({ description: '要修改的规则；不填则新建 / the rule to change; a new one without it' }),
    problemType: t.string({ description: '问题类型代码，不填为任意类型 / a problem type code, or any type' }),
    regionCode: t.string({ required: true, description: '适用区划（本辖区内）/ region it applies within' }),
    unitLevel: t.field({ type: UnitLevelEnum, required: true }),
    department: t.string(),
    deadlineDays: t.field({ type: DeadlineDaysInput, required: true }),
  }),
})

interface RuleInput {
  id?: number | null
  problemType?: string | null
  regionCode: string
  unitLevel: (typeof UNIT_LEVELS)[number]
  department?: string | null
  deadlineDays: { severity1?: number | null; severity2?: number | null; severity3?: number | null }
}

function checkedDays(input: RuleInput['deadlineDays']): Record<string, number> {
  const days: Record<string, number> = {}
  for (const severity of ['1', '2', '3'] as const) {
    const value = input[`severity${severity}`]
    if (value == null) continue
    if (!Number.isInteger(value) || value < 0 || value > MAX_DEADLINE_DAYS) {
      throw badUserInput(
        `时限须为 0 到 ${MAX_DEADLINE_DAYS} 个工作日`,
        `Deadlines must be 0 to ${MAX_DEADLINE_DAYS} working days`,
        { severity: Number(severity), days: value },
      )
    }
    days[severity] = value
  }
  return days
}

/** A rule read for change in the caller's region; a national default (no region) is no region's to change. */
async function ruleForChange(tx: SqlExecutor, context: GraphQLContext, id: number): Promise<RuleRow> {
  const [rule] = await rowsOf<RuleRow>(
    tx,
    sql`select ${RULE_COLUMNS} from routing_rules r where r.id = ${id} for update`,
  )
  if (!rule?.regionCode) throw notFound(`派单规则 ${id} 不存在或无权修改`, `Routing rule ${id} was not found`)
  authorize(context.identity, context.scope, 'routing.write', { regionCode: rule.regionCode })
  return rule
}

async function checkTarget(tx: SqlExecutor, context: GraphQLContext, input: RuleInput): Promise<void> {
  authorize(context.identity, context.scope, 'routing.write', { regionCode: input.regionCode })
  const [region] = await rowsOf<{ code: string }>(
    tx,
    sql`select code from regions where code = ${input.regionCode}`,
  )
  if (!region) {
    throw badUserInput(`行政区划 ${input.regionCode} 不存在`, `Region ${input.regionCode} does not exist`)
  }
  if (input.problemType) {
    const [type] = await rowsOf<{ code: string }>(
      tx,
      sql`select code from problem_types where code = ${input.problemType}`,
    )
    if (!type) {
      throw badUserInput(
        `问题类型 ${input.problemType} 不存在`,
        `Problem type ${input.problemType} does not exist`,
      )
    }
  }
}

async function upsertRoutingRule(context: GraphQLContext, input: RuleInput): Promise<RuleRow> {
  authorize(context.identity, context.scope, 'routing.write')
  const days = checkedDays(input.deadlineDays)
  return context.database.db.transaction(async (tx) => {
    const before = input.id == null ? null : await ruleForChange(tx, context, input.id)
    await checkTarget(tx, context, input)
    const values = sql`${input.problemType || null}, ${input.regionCode}, ${input.unitLevel},
      ${input.department?.trim() || null}, ${JSON.stringify(days)}::jsonb, ${context.identity?.subject ?? null}`
    const [rule] = before
      ? await rowsOf<RuleRow>(
          tx,
          sql`update routing_rules r set (problem_type, region_code, unit_level, department, deadline_days,
              updated_by, updated_at) = (${values}, now()) where r.id = ${before.id} returning ${RULE_COLUMNS}`,
        )
      : await rowsOf<RuleRow>(
          tx,
          sql`insert into routing_rules as r (problem_type, region_code, unit_level, department, deadline_days,
              updated_by) values (${values}) returning ${RULE_COLUMNS}`,
        )
    const after = rule as RuleRow
    await recordAudit(tx, context, {
      entity: 'routing_rule',
      entityId: after.id,
      action: before ? 'update' : 'create',
      regionCode: input.regionCode,
      before,
      after,
    })
    return after
  })
}

builder.mutationField('upsertRoutingRule', (t) =>
  t.field({
    type: RoutingRule,
    description:
      '新建或修改本辖区的派单规则（全国默认规则不可改，可在本辖区新建更具体的规则覆盖）/ Creates or changes a routing ' +
      'rule in the caller’s region; the national defaults are overridden by a more specific rule, not edited',
    args: { input: t.arg({ type: UpsertRoutingRuleInput, required: true }) },
    resolve: (_root, { input }, context) => upsertRoutingRule(context, input),
  }),
)

builder.mutationField('deleteRoutingRule', (t) =>
  t.field({
    type: 'Int',
    description:
      '删除本辖区的派单规则，返回其 id / Deletes a routing rule of the caller’s region, answering its id',
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, { id }, context) => {
      authorize(context.identity, context.scope, 'routing.write')
      return context.database.db.transaction(async (tx) => {
        const before = await ruleForChange(tx, context, id)
        await tx.execute(sql`delete from routing_rules where id = ${id}`)
        await recordAudit(tx, context, {
          entity: 'routing_rule',
          entityId: id,
          action: 'delete',
          regionCode: before.regionCode as string,
          before,
          after: null,
        })
        return id
      })
    },
  }),
)
