import { sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import { PROBLEM_STATES, type ProblemState } from '../../server/db/problems.ts'
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

export const PROBLEM_COLUMNS = sql`p.id, p.region_code as "regionCode", p.type, p.title, p.description,
  ST_AsGeoJSON(p.geom, 9)::json as geom, p.building_id as "buildingId", p.severity, p.source,
  p.year_found as "yearFound", p.state, p.run_id as "runId", p.responsible_department as "responsibleDepartment",
  p.details, p.updated_at as "updatedAt"`

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
