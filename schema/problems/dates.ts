/**
 * When a problem was found and closed, for timelines (the viewer's time slider): found when it entered the
 * ledger, closed at its latest transition into `closed` while it is closed. Read in one statement for all the
 * problems of a response.
 */
import { sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { inKeyOrder } from '../support/loading.ts'
import { Problem } from './problem.ts'

interface ProblemDates {
  id: number
  foundAt: string
  closedAt: string | null
}

async function loadProblemDates(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(ProblemDates | null)[]> {
  const rows = await context.database.rows<ProblemDates>(
    sql`select p.id, p.created_at as "foundAt",
        case when p.state = 'closed' then (select max(t.at) from problem_transitions t
          where t.problem_id = p.id and t.to_state = 'closed') end as "closedAt"
      from problems p where p.id = any(${sql.param([...ids])}::int[])`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

builder.objectFields(Problem, (t) => ({
  foundAt: t.field({
    type: 'DateTime',
    description: '发现（进入台账）的时间 / when the problem was found (entered the ledger)',
    resolve: async (p, _a, context) => (await context.loader(loadProblemDates).load(p.id))!.foundAt,
  }),
  closedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: '销号时间，未销号为空 / when the problem was closed; null while it is open',
    resolve: async (p, _a, context) => (await context.loader(loadProblemDates).load(p.id))?.closedAt ?? null,
  }),
}))
