import { type SQL, sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import { PROBLEM_SOURCES, PROBLEM_STATES, type ProblemState } from '../../server/db/problems.ts'
import { allowedTransitions } from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { Building } from '../buildings/buildings.ts'
import { groupedByKey, inKeyOrder, loadNodes, numericIds, primeLoader } from '../support/loading.ts'

/** Channel announcing every problem change as JSON `{ id, buildingId, regionCode, state }`. */
export const PROBLEM_EVENTS_CHANNEL = 'problems'

export interface ProblemRow {
  id: number
  regionCode: string
  type: string
  /** Chinese, the city's language; the English beside it may be missing. */
  title: string
  titleEn: string | null
  description: string | null
  descriptionEn: string | null
  geom: Geometry | null
  buildingId: number | null
  severity: number
  source: (typeof PROBLEM_SOURCES)[number]
  yearFound: number
  state: ProblemState
  runId: number | null
  responsibleDepartment: string | null
  responsibleUnit: string | null
  deadline: string | null
  overdue: boolean
  overdueAt: string | null
  escalationLevel: number
  reportCount: number
  mergedIntoId: number | null
  details: Record<string, unknown>
  updatedAt: string
  /** Metres from the ledger filter's `near` point, when it has one. */
  distanceM?: number | null
}

/**
 * Whether a problem is overdue now: still open and past its deadline. Read from the deadline itself rather than
 * from `overdue_at`, which the deadline job sets on its rounds, so the ledger never lags behind the clock.
 */
export const isOverdue = (p: SQL) =>
  sql`(${p}.state <> 'closed' and ${p}.deadline is not null and ${p}.deadline < now())`

export const PROBLEM_COLUMNS = sql`p.id, p.region_code as "regionCode", p.type, p.title, p.title_en as "titleEn",
  p.description, p.description_en as "descriptionEn", ST_AsGeoJSON(p.geom, 9)::json as geom,
  p.building_id as "buildingId", p.severity, p.source, p.year_found as "yearFound", p.state, p.run_id as "runId",
  p.responsible_department as "responsibleDepartment", p.responsible_unit as "responsibleUnit", p.deadline,
  ${isOverdue(sql`p`)} as overdue, p.overdue_at as "overdueAt", p.escalation_level as "escalationLevel",
  p.report_count as "reportCount", p.merged_into_id as "mergedIntoId", p.details, p.updated_at as "updatedAt"`

/** The notice live screens and the 3D viewer hear on commit, whichever process changed the problem. */
export const announceProblem = (p: Pick<ProblemRow, 'id' | 'buildingId' | 'regionCode' | 'state'>) =>
  sql`select pg_notify(${PROBLEM_EVENTS_CHANNEL}, ${JSON.stringify({
    id: p.id,
    buildingId: p.buildingId,
    regionCode: p.regionCode,
    state: p.state,
  })})`

export const visible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`p.region_code`, { flag: sql`p.is_public` })

export async function loadProblems(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(ProblemRow | null)[]> {
  const rows = await context.database.rows<ProblemRow>(
    sql`select ${PROBLEM_COLUMNS} from problems p where p.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const ProblemStateEnum = builder.enumType('ProblemState', {
  description: '问题状态：发现→交办→整改中→已整改→已复查→销号 / Problem workflow state',
  values: PROBLEM_STATES,
})

export const ProblemSourceEnum = builder.enumType('ProblemSource', {
  description:
    '问题来源：诊断、指标评价、巡查、专家、问卷调查、群众诉求 / Where a problem came from: a diagnosis run, a poor or ' +
    'warned indicator value, a street inspection, an expert, a survey, residents’ appeals',
  values: PROBLEM_SOURCES,
})

/** A text in the request's language: the English when asked for and present, else the Chinese. */
export const inLanguage = (context: GraphQLContext, zh: string | null, en: string | null) =>
  context.language === 'en' && en ? en : zh

interface TransitionRow {
  fromState: string | null
  toState: string
  actor: string
  reason: string | null
  at: string
}

const ProblemTransition = builder.objectRef<TransitionRow>('ProblemTransition').implement({
  description: '问题状态变更记录（谁、何时、为何）/ One state change: who, when, why',
  fields: (t) => ({
    fromState: t.exposeString('fromState', { nullable: true }),
    toState: t.exposeString('toState'),
    actor: t.exposeString('actor'),
    reason: t.exposeString('reason', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
  }),
})

export const Problem = builder.objectRef<ProblemRow>('Problem')

builder.node(Problem, {
  description: '问题台账中的一条问题 / A located problem of the problem ledger',
  id: { resolve: (p) => p.id },
  loadMany: (ids, context) => loadNodes(context.loader(loadProblems), numericIds(ids)),
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    regionCode: t.exposeString('regionCode'),
    type: t.exposeString('type'),
    title: t.string({
      description: '标题（按请求的 Accept-Language，缺英文时用中文）/ title in the request’s language',
      resolve: (p, _a, context) => inLanguage(context, p.title, p.titleEn) ?? p.title,
    }),
    description: t.string({
      nullable: true,
      description: '描述（按请求语言）/ description in the request’s language',
      resolve: (p, _a, context) => inLanguage(context, p.description, p.descriptionEn),
    }),
    titleZh: t.exposeString('title', { description: '中文标题 / title in Chinese' }),
    titleEn: t.exposeString('titleEn', { nullable: true, description: '英文标题 / title in English' }),
    descriptionZh: t.exposeString('description', { nullable: true }),
    descriptionEn: t.exposeString('descriptionEn', { nullable: true }),
    geom: t.field({ type: 'GeoJSON', nullable: true, resolve: (p) => p.geom }),
    buildingId: t.exposeInt('buildingId', { nullable: true }),
    severity: t.exposeInt('severity', { description: '1 低 / low, 2 中 / medium, 3 高 / high' }),
    source: t.field({ type: ProblemSourceEnum, resolve: (p) => p.source }),
    yearFound: t.exposeInt('yearFound'),
    state: t.field({ type: ProblemStateEnum, resolve: (p) => p.state }),
    allowedTransitions: t.field({
      type: [ProblemStateEnum],
      resolve: (p) => [...allowedTransitions(p.state)],
    }),
    runId: t.exposeInt('runId', { nullable: true }),
    responsibleDepartment: t.exposeString('responsibleDepartment', {
      nullable: true,
      description: '责任部门（部门账号只能推进交办给本部门的问题）/ the department the problem is routed to',
    }),
    responsibleUnit: t.exposeString('responsibleUnit', {
      nullable: true,
      description: '责任单位（区划代码，由派单规则确定）/ region code of the unit that answers for it',
    }),
    deadline: t.field({
      type: 'DateTime',
      nullable: true,
      description: '整改时限（按严重程度的工作日）/ deadline, in working days by severity',
      resolve: (p) => p.deadline,
    }),
    overdue: t.exposeBoolean('overdue', { description: '未销号且已过时限 / open and past its deadline' }),
    overdueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: '时限任务发现超期的时间 / when the deadline job found it overdue',
      resolve: (p) => p.overdueAt,
    }),
    escalationLevel: t.exposeInt('escalationLevel', {
      description: '督办升级次数（0 未升级）/ how many levels it was escalated',
    }),
    reportCount: t.exposeInt('reportCount', {
      description: '反映次数（含合并的重复诉求）/ reports it stands for',
    }),
    mergedInto: t.field({
      type: Problem,
      nullable: true,
      description: '被合并到的问题 / the problem this one was merged into',
      resolve: (p, _a, context) =>
        p.mergedIntoId ? context.loader(loadProblems).load(p.mergedIntoId) : null,
    }),
    details: t.field({ type: 'JSON', resolve: (p) => p.details }),
    distanceM: t.float({
      nullable: true,
      description: '到 filter.near 点的距离（米）/ metres from the filter’s near point',
      resolve: (p) => p.distanceM ?? null,
    }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    transitions: t.field({
      type: [ProblemTransition],
      resolve: (p, _a, context) =>
        context.database.rows<TransitionRow>(
          sql`select from_state as "fromState", to_state as "toState", actor, reason, at
            from problem_transitions where problem_id = ${p.id} order by id`,
        ),
    }),
  }),
})

/** A building's problems, newest found first, for many buildings in one statement (open ones, or all). */
function problemsOfBuildings(openOnly: boolean) {
  return async (ids: readonly number[], context: GraphQLContext): Promise<ProblemRow[][]> => {
    const open = openOnly ? sql`and p.state <> 'closed'` : sql``
    const rows = await context.database.rows<ProblemRow>(
      sql`select ${PROBLEM_COLUMNS} from problems p
          where p.building_id = any(${sql.param([...ids])}::int[]) and ${visible(context)} ${open}
          order by p.year_found desc, p.id desc`,
    )
    primeLoader(context.loader(loadProblems), rows, (r) => r.id)
    return groupedByKey(ids, rows, (r) => r.buildingId as number)
  }
}
const loadOpenProblemsOfBuildings = problemsOfBuildings(true)
const loadAllProblemsOfBuildings = problemsOfBuildings(false)

builder.objectField(Building, 'problems', (t) =>
  t.field({
    type: [Problem],
    description:
      '挂在该建筑上的问题，新发现的在前（与问题台账同样的权限）/ Problems attached to the building, newest found first, scoped like the ledger',
    args: {
      openOnly: t.arg.boolean({
        defaultValue: true,
        description: '仅未销号（默认）/ only problems not closed (default)',
      }),
    },
    resolve: async (b, args, context) => {
      const load = args.openOnly === false ? loadAllProblemsOfBuildings : loadOpenProblemsOfBuildings
      return (await context.loader(load).load(b.id)) ?? []
    },
  }),
)
