import { sql } from 'drizzle-orm'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { regionPrefix } from '../support/live.ts'
import { primeLoader } from '../support/loading.ts'
import { and, keysetPage } from '../support/pagination.ts'
import {
  loadProblems,
  PROBLEM_COLUMNS,
  Problem,
  type ProblemRow,
  ProblemStateEnum,
  visible,
} from './problem.ts'

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
