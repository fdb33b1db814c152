import { sql } from 'drizzle-orm'
import { authorize, problemOperation } from '../../server/auth/permissions.ts'
import type { ProblemState } from '../../server/db/problems.ts'
import { checkTransition, ProblemTransitionError } from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { announcedRows, regionPrefix } from '../support/live.ts'
import {
  PROBLEM_COLUMNS,
  PROBLEM_EVENTS_CHANNEL,
  Problem,
  type ProblemRow,
  ProblemStateEnum,
  visible,
} from './problem.ts'

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
