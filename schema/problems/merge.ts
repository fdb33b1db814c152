/**
 * 合并 / 拆分: staff correct what the 50 m rule got wrong (issue 13, item 5). `mergeProblems` folds duplicates
 * into one problem; `splitAppeal` takes an appeal that joined the wrong problem out into a problem of its own.
 * Both are 'problem.route' (ADR 0012) and write one audit event each, in the transaction of the change.
 */
import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { announce, openProblem, pointOf, rowsOf, serviceOf } from './intake.ts'
import { loadProblems, Problem } from './problem.ts'

type Tx = SqlExecutor

interface LockedProblem {
  id: number
  regionCode: string
  state: string
  reportCount: number
  mergedIntoId: number | null
  buildingId: number | null
}

/** Locks problems in the caller's scope, in id order (so two merges cannot deadlock); NOT_FOUND for any missing. */
async function lockProblems(
  tx: Tx,
  context: GraphQLContext,
  ids: number[],
): Promise<Map<number, LockedProblem>> {
  const rows = await rowsOf<LockedProblem>(
    tx,
    sql`select p.id, p.region_code as "regionCode", p.state, p.report_count as "reportCount",
        p.merged_into_id as "mergedIntoId", p.building_id as "buildingId"
      from problems p where p.id = any(${sql.param(ids)}::int[])
        and ${scopeCondition(context.scope, sql`p.region_code`, 'never')}
      order by p.id for update`,
  )
  const found = new Map(rows.map((r) => [r.id, r]))
  for (const id of ids) {
    const problem = found.get(id)
    if (!problem) throw notFound(`问题 ${id} 不存在或无权访问`, `Problem ${id} was not found`)
    authorize(context.identity, context.scope, 'problem.route', { regionCode: problem.regionCode })
  }
  return found
}

export async function mergeProblems(
  context: GraphQLContext,
  targetId: number,
  sourceIds: number[],
): Promise<number> {
  authorize(context.identity, context.scope, 'problem.route')
  const sources = [...new Set(sourceIds)]
  if (!sources.length || sources.includes(targetId)) {
    throw badUserInput('请指定要并入的其他问题', 'Name one or more other problems to merge into the target')
  }
  const actor = context.identity?.subject ?? 'unknown'
  return context.database.db.transaction(async (tx) => {
    const locked = await lockProblems(tx, context, [targetId, ...sources])
    const target = locked.get(targetId)!
    for (const problem of locked.values()) {
      // A closed problem is history: merging it would rewrite its sign-off; reopen it first if it must join.
      if (problem.state === 'closed' || problem.mergedIntoId !== null) {
        throw badUserInput(
          `问题 ${problem.id} 已销号或已合并，不能合并`,
          `Problem ${problem.id} is closed or merged already and cannot be merged`,
        )
      }
    }
    const added = sources.reduce((sum, id) => sum + locked.get(id)!.reportCount, 0)
    const reason = `合并至问题 ${targetId} / merged into problem ${targetId}`
    await tx.execute(
      sql`update opinions set problem_id = ${targetId} where problem_id = any(${sql.param(sources)}::int[])`,
    )
    // The duplicates' own work stops: their open tasks are the target's to do now.
    await tx.execute(sql`update tasks set state = 'cancelled' where problem_id = any(${sql.param(sources)}::int[])
      and state in ('open', 'overdue')`)
    await tx.execute(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, reason)
      select p.id, p.state, 'closed', ${actor}, ${reason} from problems p where p.id = any(${sql.param(sources)}::int[])`)
    await tx.execute(sql`update problems set state = 'closed', merged_into_id = ${targetId}, updated_at = now()
      where id = any(${sql.param(sources)}::int[])`)
    await tx.execute(sql`update problems set report_count = report_count + ${added}, updated_at = now()
      where id = ${targetId}`)
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: targetId,
      action: 'merge',
      regionCode: target.regionCode,
      before: { reportCount: target.reportCount },
      after: { reportCount: target.reportCount + added, merged: sources },
    })
    for (const id of sources) {
      const p = locked.get(id)!
      await announce(tx, { id, buildingId: p.buildingId, regionCode: p.regionCode, state: 'closed' })
    }
    await announce(tx, {
      id: targetId,
      buildingId: target.buildingId,
      regionCode: target.regionCode,
      state: target.state,
    })
    return targetId
  })
}

interface OpinionRow {
  id: number
  problemId: number | null
  regionCode: string
  serviceCode: string | null
  content: string
  address: string | null
  long: number | null
  lat: number | null
}

/**
 * Takes an appeal out of the problem it joined into a new problem of its own, routed like any new appeal. The
 * problem keeps its other reports; one that has no other report is the appeal's problem already.
 */
export async function splitAppeal(context: GraphQLContext, opinionId: number): Promise<number> {
  authorize(context.identity, context.scope, 'problem.route')
  return context.database.db.transaction(async (tx) => {
    const [opinion] = await rowsOf<OpinionRow>(
      tx,
      sql`select o.id, o.problem_id as "problemId", o.region_code as "regionCode", o.service_code as "serviceCode",
          o.content, o.address, ST_X(o.geom) as long, ST_Y(o.geom) as lat
        from opinions o where o.id = ${opinionId}
          and ${scopeCondition(context.scope, sql`o.region_code`, 'never')} for update`,
    )
    if (!opinion) throw notFound(`诉求 ${opinionId} 不存在或无权访问`, `Appeal ${opinionId} was not found`)
    if (opinion.problemId === null || !opinion.serviceCode || opinion.long === null || opinion.lat === null) {
      throw badUserInput(
        `诉求 ${opinionId} 没有关联问题、类型或位置，无法拆分`,
        `Appeal ${opinionId} has no problem, type or location to split from`,
      )
    }
    const problem = (await lockProblems(tx, context, [opinion.problemId])).get(opinion.problemId)!
    const [others] = await rowsOf<{ n: number }>(
      tx,
      sql`select count(*)::int as n from opinions where problem_id = ${problem.id} and id <> ${opinionId}`,
    )
    if (!others?.n) {
      throw badUserInput(
        `诉求 ${opinionId} 是问题 ${problem.id} 唯一的诉求，无需拆分`,
        `Appeal ${opinionId} is the only report of problem ${problem.id}: there is nothing to split from`,
      )
    }
    const service = await serviceOf(tx, opinion.serviceCode)
    const newId = await openProblem(tx, context, {
      service,
      regionCode: opinion.regionCode,
      point: pointOf(opinion.long, opinion.lat),
      description: opinion.content,
      address: opinion.address,
      audit: false,
    })
    await tx.execute(sql`update opinions set problem_id = ${newId} where id = ${opinionId}`)
    await tx.execute(sql`update problems set report_count = greatest(1, report_count - 1), updated_at = now()
      where id = ${problem.id}`)
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: problem.id,
      action: 'split',
      regionCode: problem.regionCode,
      before: { reportCount: problem.reportCount, opinionId },
      after: { reportCount: Math.max(1, problem.reportCount - 1), newProblemId: newId },
    })
    await announce(tx, {
      id: problem.id,
      buildingId: problem.buildingId,
      regionCode: problem.regionCode,
      state: problem.state,
    })
    return newId
  })
}

const MergeProblemsInput = builder.inputType('MergeProblemsInput', {
  fields: (t) => ({
    targetId: t.globalID({ required: true, description: '保留的问题 / the problem that stays' }),
    sourceIds: t.globalIDList({ required: true, description: '并入的重复问题 / the duplicates' }),
  }),
})

const SplitAppealInput = builder.inputType('SplitAppealInput', {
  fields: (t) => ({
    opinionId: t.int({ required: true, description: '误并入的诉求 / the appeal joined by mistake' }),
  }),
})

builder.mutationField('mergeProblems', (t) =>
  t.field({
    type: Problem,
    nullable: true,
    description:
      '合并重复问题：诉求与次数并入目标，重复问题销号并指向目标 / Folds duplicates into one problem',
    args: { input: t.arg({ type: MergeProblemsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const id = await mergeProblems(
        context,
        keyOfType(input.targetId, 'Problem'),
        input.sourceIds.map((s) => keyOfType(s, 'Problem')),
      )
      return context.loader(loadProblems).load(id)
    },
  }),
)

builder.mutationField('splitAppeal', (t) =>
  t.field({
    type: Problem,
    nullable: true,
    description:
      '拆分误并的诉求为新问题（并派单）/ Takes a wrongly joined appeal out into a problem of its own',
    args: { input: t.arg({ type: SplitAppealInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const id = await splitAppeal(context, input.opinionId)
      return context.loader(loadProblems).load(id)
    },
  }),
)
