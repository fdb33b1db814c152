import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { type Routing, routingFor } from '../../server/db/problem-routing.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { announceProblem, PROBLEM_COLUMNS, Problem, type ProblemRow, visible } from './problem.ts'

export async function rowsOf<T>(tx: SqlExecutor, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

/** Routing applies to work not yet reported done; after that the verifiers decide (ADR 0012). */
const ROUTABLE_STATES = new Set(['identified', 'assigned', 'in_progress'])

const RouteProblemInput = builder.inputType('RouteProblemInput', {
  fields: (t) => ({
    problemId: t.globalID({ required: true, description: '问题的全局 ID / the problem' }),
    department: t.string({ description: '改派的责任部门（默认按规则）/ department, instead of the rule’s' }),
    responsibleUnit: t.string({
      description:
        '责任单位的区划代码（默认按规则）/ region code of the responsible unit, instead of the rule’s',
    }),
    deadline: t.field({
      type: 'DateTime',
      description: '时限（默认按规则）/ deadline, instead of the rule’s',
    }),
    note: t.string({ description: '交办说明 / a note for the transition' }),
  }),
})

interface RouteInput {
  problemId: number
  department: string | null | undefined
  responsibleUnit: string | null | undefined
  deadline: Date | null | undefined
  note: string | null | undefined
}

/**
 * Reads a problem to route or split and locks it: NOT_FOUND outside the caller's read scope or region, CONFLICT
 * once it is reported rectified. The role is checked before anything is read.
 */
export async function problemForRouting(
  tx: SqlExecutor,
  context: GraphQLContext,
  id: number,
): Promise<ProblemRow> {
  authorize(context.identity, context.scope, 'problem.route')
  const [problem] = await rowsOf<ProblemRow>(
    tx,
    sql`select ${PROBLEM_COLUMNS} from problems p where p.id = ${id} and ${visible(context)} for update`,
  )
  if (!problem) throw notFound(`问题 ${id} 不存在或无权访问`, `Problem ${id} was not found`)
  authorize(context.identity, context.scope, 'problem.route', { regionCode: problem.regionCode })
  if (!ROUTABLE_STATES.has(problem.state)) {
    throw conflict(
      `问题已报整改完成（${problem.state}），不能再派单或拆分`,
      `A problem reported rectified (${problem.state}) is no longer routed or split`,
      { state: problem.state },
    )
  }
  return problem
}

/** Checks a hand-chosen responsible unit: a known region inside the caller's scope. */
export async function checkUnit(tx: SqlExecutor, context: GraphQLContext, code: string): Promise<void> {
  const [unit] = await rowsOf<{ code: string }>(tx, sql`select code from regions where code = ${code}`)
  const inScope = context.scope.kind === 'region' && code.startsWith(context.scope.prefix)
  if (!unit || !inScope) {
    throw badUserInput(
      `责任单位 ${code} 不是本辖区内的行政区划`,
      `The responsible unit ${code} is no region inside your scope`,
      { responsibleUnit: code },
    )
  }
}

/** The rules' routing with the caller's choices over it. */
async function chosenRouting(
  tx: SqlExecutor,
  context: GraphQLContext,
  problem: ProblemRow,
  input: RouteInput,
) {
  const routing: Routing = await routingFor(tx, problem, new Date())
  if (input.responsibleUnit) await checkUnit(tx, context, input.responsibleUnit)
  if (input.deadline && input.deadline.getTime() <= Date.now()) {
    throw badUserInput('时限须晚于现在', 'The deadline must lie in the future', {
      deadline: input.deadline.toISOString(),
    })
  }
  return {
    ruleId: routing.ruleId,
    responsibleUnit: input.responsibleUnit || routing.responsibleUnit || problem.regionCode,
    department: input.department?.trim() || routing.department,
    deadline: input.deadline ?? routing.deadline,
  }
}

/**
 * 交办: routes one problem in one transaction — read and lock it in scope, apply the most specific rule unless
 * the caller overrides unit, department or deadline, move it from identified to assigned (a problem already
 * assigned or in progress is re-routed where it stands), record the transition, the audit event and the notice.
 */
async function routeProblem(context: GraphQLContext, input: RouteInput): Promise<ProblemRow> {
  authorize(context.identity, context.scope, 'problem.route')
  return context.database.db.transaction(async (tx) => {
    const problem = await problemForRouting(tx, context, input.problemId)
    const routed = await chosenRouting(tx, context, problem, input)
    const state = problem.state === 'identified' ? 'assigned' : problem.state
    const [after] = await rowsOf<ProblemRow>(
      tx,
      sql`update problems p set responsible_unit = ${routed.responsibleUnit},
          responsible_department = ${routed.department}, deadline = ${routed.deadline?.toISOString() ?? null},
          overdue_at = case when p.deadline is distinct from ${routed.deadline?.toISOString() ?? null}::timestamptz
            then null else p.overdue_at end,
          state = ${state}, updated_at = now()
        where p.id = ${problem.id} returning ${PROBLEM_COLUMNS}`,
    )
    const actor = context.identity?.subject ?? 'unknown'
    if (state !== problem.state) {
      const reason = input.note?.trim() || `交办 ${routed.responsibleUnit} ${routed.department ?? ''}`.trim()
      await tx.execute(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, reason)
        values (${problem.id}, ${problem.state}, ${state}, ${actor}, ${reason})`)
    }
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: problem.id,
      action: 'route',
      regionCode: problem.regionCode,
      before: routingFacts(problem),
      after: { ...routingFacts(after as ProblemRow), ruleId: routed.ruleId },
    })
    await tx.execute(announceProblem(after as ProblemRow))
    return after as ProblemRow
  })
}

const routingFacts = (p: ProblemRow) => ({
  state: p.state,
  responsibleUnit: p.responsibleUnit,
  responsibleDepartment: p.responsibleDepartment,
  deadline: p.deadline == null ? null : new Date(p.deadline).toISOString(),
})

builder.mutationField('routeProblem', (t) =>
  t.field({
    type: Problem,
    description:
      '派单（交办）：按最具体的派单规则确定责任单位、责任部门和时限（可改派），发现→交办 / Routes a problem by the ' +
      'most specific rule (or the caller’s choice): responsible unit, department, deadline; identified → assigned',
    args: { input: t.arg({ type: RouteProblemInput, required: true }) },
    resolve: (_root, { input }, context) =>
      routeProblem(context, {
        problemId: keyOfType(input.problemId, 'Problem'),
        department: input.department,
        responsibleUnit: input.responsibleUnit,
        deadline: input.deadline as Date | null | undefined,
        note: input.note,
      }),
  }),
)
