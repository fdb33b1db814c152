/**
 * 复查/销号 (ADR 0012: province and city staff): re-inspecting a rectified problem by someone other than the
 * rectifier, closing a problem that will not be fixed with a reason, and what a problem shows of both — its
 * outcome, its rectifier and its re-inspections.
 */
import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import {
  checkCloseNotFixed,
  checkReInspectionNote,
  checkReInspector,
  reInspectionTarget,
} from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { groupedByKey } from '../support/loading.ts'
import { Problem, type ProblemRow } from './problem.ts'
import { check, lockProblem, recordReInspection, rectifiersOf, writeStep } from './steps.ts'

const ReInspectProblemInput = builder.inputType('ReInspectProblemInput', {
  fields: (t) => ({
    problemId: t.globalID({ required: true, description: '问题的全局 ID / the problem' }),
    passed: t.boolean({ required: true, description: '复查是否通过 / whether the rectification holds' }),
    note: t.string({ description: '复查意见；未通过时必填 / the inspector’s note, required when it failed' }),
  }),
})

const CloseProblemNotFixedInput = builder.inputType('CloseProblemNotFixedInput', {
  fields: (t) => ({
    problemId: t.globalID({ required: true, description: '问题的全局 ID / the problem' }),
    reason: t.string({ required: true, description: '不予整改的原因 / why it is closed without a fix' }),
  }),
})

/** Re-inspects a rectified problem: passed → re-inspected, failed → back in progress with the note. */
function reInspectProblem(
  context: GraphQLContext,
  input: { id: number; passed: boolean; note: string | null },
): Promise<ProblemRow> {
  const inspector = context.identity?.subject ?? 'unknown'
  authorize(context.identity, context.scope, 'problem.signOff')
  return context.database.db.transaction(async (tx) => {
    const problem = await lockProblem(tx, context, input.id)
    authorize(context.identity, context.scope, 'problem.signOff', {
      regionCode: problem.regionCode,
      department: problem.responsibleDepartment,
    })
    if (problem.state !== 'rectified') {
      throw badUserInput(
        `只有已整改的问题可以复查，该问题处于「${problem.state}」`,
        `Only a rectified problem can be re-inspected; this one is ${problem.state}`,
        { state: problem.state },
      )
    }
    check(() => checkReInspectionNote(input.passed, input.note))
    const rectifiers = await rectifiersOf(tx, input.id)
    check(() => checkReInspector(inspector, rectifiers))
    await recordReInspection(tx, input.id, inspector, input.passed, input.note)
    const to = reInspectionTarget(input.passed)
    return writeStep(tx, context, problem, {
      to,
      reason: input.note,
      outcome: problem.lockedOutcome,
      action: 're_inspect',
      after: { state: to, passed: input.passed, note: input.note },
    })
  })
}

/** Closes an open problem as not fixed; its open tasks are cancelled. */
function closeProblemNotFixed(
  context: GraphQLContext,
  input: { id: number; reason: string },
): Promise<ProblemRow> {
  authorize(context.identity, context.scope, 'problem.signOff')
  return context.database.db.transaction(async (tx) => {
    const problem = await lockProblem(tx, context, input.id)
    authorize(context.identity, context.scope, 'problem.signOff', {
      regionCode: problem.regionCode,
      department: problem.responsibleDepartment,
    })
    check(() => checkCloseNotFixed(problem.state, input.reason), { state: problem.state })
    await tx.execute(sql`update tasks set state = 'cancelled'
      where problem_id = ${input.id} and state in ('open', 'overdue')`)
    return writeStep(tx, context, problem, {
      to: 'closed',
      reason: input.reason.trim(),
      outcome: 'not_fixed',
      action: 'close_not_fixed',
      after: { state: 'closed', outcome: 'not_fixed', reason: input.reason.trim() },
    })
  })
}

builder.mutationField('reInspectProblem', (t) =>
  t.field({
    type: Problem,
    description:
      '复查已整改的问题（整改人以外的省级、市级人员）：通过→已复查，未通过→退回整改 / Re-inspects a rectified problem (someone other than the rectifier): passed → re-inspected, failed → back in progress',
    args: { input: t.arg({ type: ReInspectProblemInput, required: true }) },
    resolve: (_root, { input }, context) =>
      reInspectProblem(context, {
        id: keyOfType(input.problemId, 'Problem'),
        passed: input.passed,
        note: input.note?.trim() || null,
      }),
  }),
)

builder.mutationField('closeProblemNotFixed', (t) =>
  t.field({
    type: Problem,
    description:
      '以“未整改”结果关闭问题（须说明原因）/ Closes an open problem with the outcome not fixed, giving the reason',
    args: { input: t.arg({ type: CloseProblemNotFixedInput, required: true }) },
    resolve: (_root, { input }, context) =>
      closeProblemNotFixed(context, { id: keyOfType(input.problemId, 'Problem'), reason: input.reason }),
  }),
)

export const ProblemOutcomeEnum = builder.enumType('ProblemOutcome', {
  description: '销号结果：已整改 / 未整改 / How a closed problem ended',
  values: ['fixed', 'not_fixed'] as const,
})

interface ReInspectionRow {
  problemId: number
  inspector: string
  passed: boolean
  note: string | null
  at: string
}

const ReInspection = builder.objectRef<ReInspectionRow>('ReInspection').implement({
  description: '一次复查：谁、何时、是否通过、意见 / One re-inspection: who, when, passed, note',
  fields: (t) => ({
    inspector: t.exposeString('inspector'),
    passed: t.exposeBoolean('passed'),
    note: t.exposeString('note', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
  }),
})

async function loadReInspections(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<ReInspectionRow[][]> {
  const rows = await context.database.rows<ReInspectionRow>(
    sql`select problem_id as "problemId", inspector, passed, note, at from re_inspections
      where problem_id = any(${sql.param([...ids])}::int[]) order by id`,
  )
  return groupedByKey(ids, rows, (r) => r.problemId)
}

interface SignOffFacts {
  id: number
  outcome: 'fixed' | 'not_fixed' | null
  rectifiedBy: string | null
}

async function loadSignOffFacts(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(SignOffFacts | null)[]> {
  const rows = await context.database.rows<SignOffFacts>(
    sql`select p.id, p.outcome, (select actor from problem_transitions t
        where t.problem_id = p.id and t.to_state = 'rectified' order by t.id desc limit 1) as "rectifiedBy"
      from problems p where p.id = any(${sql.param([...ids])}::int[])`,
  )
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id) ?? null)
}

builder.objectFields(Problem, (t) => ({
  outcome: t.field({
    type: ProblemOutcomeEnum,
    nullable: true,
    description: '销号结果（未销号时为空）/ how the problem ended, null while open',
    resolve: async (p, _a, context) => (await context.loader(loadSignOffFacts).load(p.id))?.outcome ?? null,
  }),
  rectifiedBy: t.string({
    nullable: true,
    description: '最近一次报告整改完成的人 / who last reported the problem rectified',
    resolve: async (p, _a, context) =>
      (await context.loader(loadSignOffFacts).load(p.id))?.rectifiedBy ?? null,
  }),
  reInspections: t.field({
    type: [ReInspection],
    description: '复查记录，先后排列 / re-inspections, oldest first',
    resolve: async (p, _a, context) => (await context.loader(loadReInspections).load(p.id)) ?? [],
  }),
}))
