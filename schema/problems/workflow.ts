import { sql } from 'drizzle-orm'
import { authorize, problemOperation } from '../../server/auth/permissions.ts'
import type { ProblemState } from '../../server/db/problems.ts'
import {
  checkRectification,
  checkReInspector,
  checkSignOff,
  checkTransition,
  outcomeAfter,
  PROBLEM_EVENTS_CHANNEL,
} from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { announcedRows, regionPrefix } from '../support/live.ts'
import { PROBLEM_COLUMNS, Problem, type ProblemRow, ProblemStateEnum, visible } from './problem.ts'
import {
  check,
  completeTasks,
  latestReInspection,
  lockProblem,
  photoCounts,
  recordReInspection,
  rectifiersOf,
  writeStep,
} from './steps.ts'

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
 * workflow with its evidence rules, write the state, the transition, the audit event and the notice, which goes
 * out on commit. Rectifying needs before and after photos; a step out of rectified is a re-inspection (by
 * someone other than the rectifier, recorded as one); closing needs a passed re-inspection and ends fixed.
 */
function transitionProblem(context: GraphQLContext, input: TransitionInput): Promise<ProblemRow> {
  const { id, to, reason } = input
  const actor = context.identity?.subject ?? 'unknown'
  // Roles that may move no problem at all are told so before anything is read (every mover holds this one).
  authorize(context.identity, context.scope, 'problem.transition')
  return context.database.db.transaction(async (tx) => {
    const problem = await lockProblem(tx, context, id)
    authorize(context.identity, context.scope, problemOperation(problem.state), {
      regionCode: problem.regionCode,
      department: problem.responsibleDepartment,
    })
    const details = { from: problem.state, to }
    check(() => checkTransition(problem.state, to, reason), details)
    if (to === 'rectified') {
      const photos = await photoCounts(tx, id)
      check(() => checkRectification(photos), details)
      await completeTasks(tx, id, actor)
    }
    if (problem.state === 'rectified') {
      const rectifiers = await rectifiersOf(tx, id)
      check(() => checkReInspector(actor, rectifiers), details)
      await recordReInspection(tx, id, actor, to === 're_inspected', reason)
    }
    if (problem.state === 're_inspected' && to === 'closed') {
      const latest = await latestReInspection(tx, id)
      check(() => checkSignOff(latest), details)
    }
    return writeStep(tx, context, problem, {
      to,
      reason,
      outcome: outcomeAfter(to, problem.lockedOutcome),
      action: 'transition',
      after: { state: to, reason },
    })
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
