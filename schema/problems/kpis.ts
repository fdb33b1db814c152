/**
 * `problemKpis`: the problem loop's performance per district, street or department for a period (issue 13,
 * item 7), in one statement; the Excel export (server/kpis/) reads the same rows. The arithmetic is in
 * server/domain/kpis.ts.
 */
import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { lookupRegion, scopeCondition } from '../../server/auth/scope.ts'
import {
  type KpiCounts,
  type KpiFigures,
  KpiPeriodError,
  kpiFigures,
  kpiPeriod,
} from '../../server/domain/kpis.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'

export const KPI_GROUPINGS = ['district', 'street', 'department'] as const
export type KpiGrouping = (typeof KPI_GROUPINGS)[number]

export interface KpiArgs {
  regionCode: string
  from: string
  to: string
  groupBy: KpiGrouping
}

export interface KpiRow extends KpiFigures {
  /** The region code, or the department's name. */
  key: string
  name: string
  appeals: number | null
  residents: number | null
}

/** Appeals are what residents raise: every opinion but survey answers. */
const APPEAL_KINDS = sql`o.kind <> 'survey'`

/**
 * The groups and their problems: regions of the level under the region asked for (every one, with nothing
 * found or not), or the departments problems there are routed to. Merged problems count in their target only.
 */
function groupsOf(args: KpiArgs, prefix: string, inScope: SQL): { groups: SQL; member: SQL } {
  if (args.groupBy === 'department') {
    return {
      groups: sql`select distinct p.responsible_department as key, p.responsible_department as name,
          null::text as prefix
        from problems p where p.region_code like ${`${prefix}%`} and p.responsible_department is not null
          and ${inScope}`,
      member: sql`p.responsible_department = g.key and p.region_code like ${`${prefix}%`}`,
    }
  }
  return {
    groups: sql`select r.code as key, r.name, r.scope_prefix as prefix from regions r
      where r.level = ${args.groupBy} and r.code like ${`${prefix}%`}`,
    member: sql`p.region_code like g.prefix || '%'`,
  }
}

/** One row per group with what server/domain/kpis.ts needs, in one statement. */
function kpiStatement(args: KpiArgs, prefix: string, context: GraphQLContext, start: Date, end: Date): SQL {
  const inScope = scopeCondition(context.scope, sql`p.region_code`, 'never')
  const { groups, member } = groupsOf(args, prefix, inScope)
  const [s, e] = [sql`${start.toISOString()}::timestamptz`, sql`${end.toISOString()}::timestamptz`]
  const byRegion = args.groupBy !== 'department'
  return sql`with g as (${groups}),
    closes as (select t.problem_id, max(t.at) as at from problem_transitions t
      where t.to_state = 'closed' and t.at >= ${s} and t.at < ${e} group by t.problem_id),
    reopens as (select distinct t.problem_id from problem_transitions t
      where t.from_state = 'closed' and t.to_state <> 'closed' and t.at >= ${s} and t.at < ${e})
    select g.key, g.name,
      count(p.id) filter (where p.created_at >= ${s} and p.created_at < ${e})::int as received,
      count(c.problem_id)::int as closed,
      count(c.problem_id) filter (where p.deadline is not null)::int as "closedWithDeadline",
      count(c.problem_id) filter (where c.at <= p.deadline)::int as "closedOnTime",
      coalesce(array_agg(extract(epoch from c.at - p.created_at)::float8 / 86400)
        filter (where c.problem_id is not null), '{}') as "daysToClose",
      count(p.id) filter (where p.state <> 'closed' and (p.overdue_at is not null or p.deadline < now()))::int
        as "overdueNow",
      count(r.problem_id)::int as reopened,
      ${
        byRegion
          ? sql`(select count(*)::int from opinions o where o.region_code like g.prefix || '%' and ${APPEAL_KINDS}
              and o.created_at >= ${s} and o.created_at < ${e}) as appeals,
            (select sum(pc.total)::float8 from population_cells pc where pc.region_code like g.prefix || '%')
              as residents`
          : sql`null::int as appeals, null::float8 as residents`
      }
    from g left join problems p on ${member} and p.merged_into_id is null and ${inScope}
      left join closes c on c.problem_id = p.id
      left join reopens r on r.problem_id = p.id
    group by g.key, g.name, g.prefix
    order by g.key`
}

/** The figures per group, for GraphQL and the workbook alike; 'kpi.read' within the caller's scope. */
export async function problemKpis(context: GraphQLContext, args: KpiArgs): Promise<KpiRow[]> {
  authorize(context.identity, context.scope, 'kpi.read')
  if (!/^\d{2,12}$/.test(args.regionCode)) {
    throw badUserInput(`无效的行政区划代码 ${args.regionCode}`, `Invalid region code ${args.regionCode}`)
  }
  const region = await lookupRegion(context.database, args.regionCode)
  if (!region) throw notFound(`没有行政区划 ${args.regionCode}`, `There is no region ${args.regionCode}`)
  authorize(context.identity, context.scope, 'kpi.read', { regionCode: args.regionCode })
  let period: { start: Date; end: Date }
  try {
    period = kpiPeriod(args.from, args.to)
  } catch (error) {
    if (!(error instanceof KpiPeriodError)) throw error
    const [zh, en] = error.message.split(' / ')
    throw badUserInput(zh ?? error.message, en ?? error.message)
  }
  const rows = await context.database.rows<KpiCounts & { key: string; name: string }>(
    kpiStatement(args, region.prefix, context, period.start, period.end),
  )
  return rows.map((r) => ({
    key: r.key,
    name: r.name,
    appeals: r.appeals,
    residents: r.residents,
    ...kpiFigures({ ...r, daysToClose: r.daysToClose.map(Number) }),
  }))
}

const KpiGroupingEnum = builder.enumType('KpiGrouping', {
  description: '按区、街道或责任部门统计 / Group by district, street or responsible department',
  values: KPI_GROUPINGS,
})

const ProblemKpi = builder.objectRef<KpiRow>('ProblemKpi').implement({
  description: '问题整改考核指标（一组一个统计期）/ The problem loop’s figures for one group and period',
  fields: (t) => ({
    key: t.exposeString('key', { description: '行政区划代码或部门名称 / region code or department' }),
    name: t.exposeString('name'),
    received: t.exposeInt('received', { description: '期内发现的问题 / problems found in the period' }),
    closed: t.exposeInt('closed', { description: '期内销号 / problems closed in the period' }),
    onTimeRate: t.exposeFloat('onTimeRate', {
      nullable: true,
      description: '按期销号率（0–1，有时限的销号中）/ closed by the deadline, of those closed with one',
    }),
    medianDaysToClose: t.exposeFloat('medianDaysToClose', {
      nullable: true,
      description: '销号用时中位数（天）/ median days from found to closed',
    }),
    overdueNow: t.exposeInt('overdueNow', { description: '当前超期未销号 / open and past the deadline now' }),
    reopenRate: t.exposeFloat('reopenRate', {
      nullable: true,
      description: '重新打开率（重新打开 ÷ 销号）/ reopened ÷ closed',
    }),
    appealsPer10k: t.exposeFloat('appealsPer10k', {
      nullable: true,
      description: '每万名常住人口诉求数（部门为空）/ appeals per 10,000 residents; null for departments',
    }),
    appeals: t.exposeInt('appeals', { nullable: true, description: '期内诉求数 / appeals in the period' }),
    residents: t.exposeFloat('residents', { nullable: true, description: '常住人口 / residents' }),
  }),
})

builder.queryField('problemKpis', (t) =>
  t.field({
    type: [ProblemKpi],
    description:
      '问题整改考核：按区、街道或部门统计期内发现、销号、按期率、用时、超期、重开与万人诉求 / Performance of the problem loop',
    args: {
      regionCode: t.arg.string({ required: true }),
      from: t.arg.string({ required: true, description: '起始日（含），YYYY-MM-DD，北京时间 / first day' }),
      to: t.arg.string({ required: true, description: '结束日（含），YYYY-MM-DD / last day, included' }),
      groupBy: t.arg({ type: KpiGroupingEnum, required: true }),
    },
    resolve: (_root, args, context) => problemKpis(context, args),
  }),
)
