import { sql } from 'drizzle-orm'
import { authorize, problemOperation } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { PROBLEM_STATES, type ProblemState } from '../server/db/problems.ts'
import {
  allowedTransitions,
  checkTransition,
  ProblemTransitionError,
} from '../server/domain/problem-states.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { recordAudit } from './audit.ts'
import { builder } from './builder.ts'
import { Building } from './buildings/buildings.ts'
import { keyOfType } from './support/global-id.ts'
import { announcedRows, regionPrefix } from './support/live.ts'
import { groupedByKey, inKeyOrder, loadNodes, numericIds, primeLoader } from './support/loading.ts'
import { and, keysetPage } from './support/pagination.ts'

/** Channel announcing every problem change as JSON `{ id, buildingId, regionCode, state }`. */
export const PROBLEM_EVENTS_CHANNEL = 'problems'

export interface ProblemRow {
  id: number
  regionCode: string
  type: string
  title: string
  description: string | null
  geom: Geometry | null
  buildingId: number | null
  severity: number
  source: string
  yearFound: number
  state: ProblemState
  runId: number | null
  responsibleDepartment: string | null
  details: Record<string, unknown>
  updatedAt: string
}

const PROBLEM_COLUMNS = sql`p.id, p.region_code as "regionCode", p.type, p.title, p.description,
  ST_AsGeoJSON(p.geom, 9)::json as geom, p.building_id as "buildingId", p.severity, p.source,
  p.year_found as "yearFound", p.state, p.run_id as "runId", p.responsible_department as "responsibleDepartment",
  p.details, p.updated_at as "updatedAt"`

const visible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`p.region_code`, { flag: sql`p.is_public` })

async function loadProblems(ids: readonly number[], context: GraphQLContext): Promise<(ProblemRow | null)[]> {
  const rows = await context.database.rows<ProblemRow>(
    sql`select ${PROBLEM_COLUMNS} from problems p where p.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const ProblemStateEnum = builder.enumType('ProblemState', {
  description: '问题状态：发现→交办→整改中→已整改→已复查→销号 / Problem workflow state',
  values: PROBLEM_STATES,
})

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
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    geom: t.field({ type: 'GeoJSON', nullable: true, resolve: (p) => p.geom }),
    buildingId: t.exposeInt('buildingId', { nullable: true }),
    severity: t.exposeInt('severity', { description: '1 低 / low, 2 中 / medium, 3 高 / high' }),
    source: t.exposeString('source'),
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
    details: t.field({ type: 'JSON', resolve: (p) => p.details }),
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

builder.queryField('problems', (t) =>
  t.connection(
    {
      type: Problem,
      nullable: true,
      description: '问题台账（按行政区划、状态、建筑筛选）/ The problem ledger',
      args: {
        regionCode: t.arg.string(),
        states: t.arg({ type: [ProblemStateEnum] }),
        buildingId: t.arg.int(),
        openOnly: t.arg.boolean({ description: '仅未销号 / only problems not closed' }),
      },
      resolve: async (_root, args, context) => {
        const where = [visible(context)]
        if (args.regionCode) {
          if (!/^\d{6,12}$/.test(args.regionCode)) {
            throw badUserInput(
              `无效的行政区划代码 ${args.regionCode}`,
              `Invalid region code ${args.regionCode}`,
            )
          }
          where.push(sql`p.region_code like ${`${regionPrefix(args.regionCode)}%`}`)
        }
        if (args.states?.length) where.push(sql`p.state = any(${sql.param(args.states)}::text[])`)
        if (args.buildingId != null) where.push(sql`p.building_id = ${args.buildingId}`)
        if (args.openOnly) where.push(sql`p.state <> 'closed'`)
        return keysetPage<ProblemRow>(
          context,
          {
            from: sql`problems p`,
            columns: PROBLEM_COLUMNS,
            where: [and(where)],
            ordering: { name: 'problems-id', keys: [{ expr: sql`p.id` }] },
          },
          args,
          (rows) => primeLoader(context.loader(loadProblems), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'ProblemConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)

const TransitionProblemInput = builder.inputType('TransitionProblemInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, description: '问题的全局 ID / the problem' }),
    to: t.field({ type: ProblemStateEnum, required: true }),
    reason: t.string({ description: '退回或重新打开时必填 / required to send back or reopen' }),
  }),
})

interface TransitionInput {
  id: number
  to: ProblemState
  reason: string | null
}

/**
 * Moves one problem in one transaction: read and lock it in scope, check the matrix (ADR 0012) and the
 * workflow, write the state, the transition, the audit event and the notice, which goes out on commit.
 */
function transitionProblem(context: GraphQLContext, input: TransitionInput): Promise<ProblemRow> {
  const { id, to, reason } = input
  const actor = context.identity?.subject ?? 'unknown'
  // Roles that may move no problem at all are told so before anything is read (every mover holds this one).
  authorize(context.identity, context.scope, 'problem.transition')
  return context.database.db.transaction(async (tx) => {
    const found = (await tx.execute(
      sql`select ${PROBLEM_COLUMNS} from problems p where p.id = ${id} and ${visible(context)} for update`,
    )) as unknown as { rows: ProblemRow[] }
    const problem = found.rows[0]
    if (!problem) throw notFound(`问题 ${id} 不存在或无权访问`, `Problem ${id} was not found`)
    authorize(context.identity, context.scope, problemOperation(problem.state), {
      regionCode: problem.regionCode,
      department: problem.responsibleDepartment,
    })
    try {
      checkTransition(problem.state, to, reason)
    } catch (error) {
      if (!(error instanceof ProblemTransitionError)) throw error
      const [zh, en] = error.message.split(' / ')
      throw badUserInput(zh ?? error.message, en ?? error.message, { from: problem.state, to })
    }
    await tx.execute(sql`update problems set state = ${to}, updated_at = now() where id = ${id}`)
    await tx.execute(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, reason)
      values (${id}, ${problem.state}, ${to}, ${actor}, ${reason})`)
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: id,
      action: 'transition',
      regionCode: problem.regionCode,
      before: { state: problem.state },
      after: { state: to, reason },
    })
    // Live screens and the 3D viewer hear of it on commit, from whichever process made the change.
    await tx.execute(
      sql`select pg_notify(${PROBLEM_EVENTS_CHANNEL}, ${JSON.stringify({
        id,
        buildingId: problem.buildingId,
        regionCode: problem.regionCode,
        state: to,
      })})`,
    )
    return { ...problem, state: to }
  })
}

builder.mutationField('transitionProblem', (t) =>
  t.field({
    type: Problem,
    description:
      '推进问题状态（交办、整改、复查、销号、重新打开；按权限矩阵）/ Moves a problem through its workflow, as the permission matrix allows',
    args: { input: t.arg({ type: TransitionProblemInput, required: true }) },
    resolve: (_root, { input }, context) =>
      transitionProblem(context, {
        id: keyOfType(input.id, 'Problem'),
        to: input.to,
        reason: input.reason ?? null,
      }),
  }),
)

builder.subscriptionField('problemChanged', (t) =>
  t.field({
    type: Problem,
    description: '问题状态变化（指挥大屏与三维视图实时更新）/ Problems as they change, for live screens',
    args: { regionCode: t.arg.string({ description: '只看该区划 / only inside this region' }) },
    subscribe: (_root, args, context) => {
      // The region rule for reads is the scope condition each announced row is read with.
      authorize(context.identity, context.scope, 'problem.read')
      return problemUpdates(context, args.regionCode ?? null)
    },
    resolve: (problem) => problem as ProblemRow,
  }),
)

/** Changed problems read fresh within the caller's scope (public problems for a reader without a token). */
function problemUpdates(context: GraphQLContext, regionCode: string | null): AsyncGenerator<ProblemRow> {
  const prefix = regionPrefix(regionCode)
  return announcedRows(
    context.database,
    PROBLEM_EVENTS_CHANNEL,
    (payload) => (JSON.parse(payload) as { id: number }).id,
    async (id) =>
      (
        await context.database.rows<ProblemRow>(
          sql`select ${PROBLEM_COLUMNS} from problems p where p.id = ${id} and ${visible(context)}
            and p.region_code like ${`${prefix}%`}`,
        )
      )[0],
  )
}
