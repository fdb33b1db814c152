import { type SQL, sql } from 'drizzle-orm'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { regionPrefix } from '../support/live.ts'
import { primeLoader } from '../support/loading.ts'
import { and, keysetPage } from '../support/pagination.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from '../support/spatial.ts'
import {
  isOverdue,
  loadProblems,
  PROBLEM_COLUMNS,
  Problem,
  type ProblemRow,
  ProblemSourceEnum,
  ProblemStateEnum,
  visible,
} from './problem.ts'

/**
 * Which problems belong to a year's ledger: those found that year and those carried into it (结转) when a
 * check closed with them open. Kept as the one place that says so.
 */
export function yearCondition(year: number): SQL {
  return sql`(p.year_found = ${year} or exists (select 1 from problem_carryovers c
    where c.problem_id = p.id and c.to_year = ${year}))`
}

function checkRegionCode(code: string): void {
  if (!/^\d{6,12}$/.test(code)) {
    throw badUserInput(`无效的行政区划代码 ${code}`, `Invalid region code ${code}`)
  }
}

builder.queryField('problems', (t) =>
  t.connection(
    {
      type: Problem,
      nullable: true,
      description:
        '问题台账：按空间范围、行政区划、状态、建筑、类型、来源、责任部门、是否超期和年度筛选 / The problem ledger, ' +
        'filtered like every list (box, polygon, distance, region) and by state, building, type, source, ' +
        'department, overdue and year',
      args: {
        filter: t.arg({
          type: SpatialFilter,
          description: '作用于问题位置 / Applies to the problem’s location',
        }),
        regionCode: t.arg.string(),
        states: t.arg({ type: [ProblemStateEnum] }),
        buildingId: t.arg.int(),
        openOnly: t.arg.boolean({ description: '仅未销号 / only problems not closed' }),
        types: t.arg.stringList({ description: '问题类型代码 / problem type codes' }),
        sources: t.arg({ type: [ProblemSourceEnum] }),
        department: t.arg.string({ description: '责任部门 / the department it is routed to' }),
        overdue: t.arg.boolean({
          description: '仅超期（true）或仅未超期（false）/ only overdue (true) or only not overdue (false)',
        }),
        year: t.arg.int({
          description:
            '台账年度：当年发现的与结转入当年的 / the ledger year: found that year or carried into it',
        }),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          visible(context),
          ...spatial.conditions({ geom: sql`p.geom`, regionCode: sql`p.region_code` }),
        ]
        if (args.regionCode) {
          checkRegionCode(args.regionCode)
          where.push(sql`p.region_code like ${`${regionPrefix(args.regionCode)}%`}`)
        }
        if (args.states?.length) where.push(sql`p.state = any(${sql.param(args.states)}::text[])`)
        if (args.buildingId != null) where.push(sql`p.building_id = ${args.buildingId}`)
        if (args.openOnly) where.push(sql`p.state <> 'closed'`)
        if (args.types?.length) where.push(sql`p.type = any(${sql.param(args.types)}::text[])`)
        if (args.sources?.length) where.push(sql`p.source = any(${sql.param(args.sources)}::text[])`)
        if (args.department != null) where.push(sql`p.responsible_department = ${args.department}`)
        if (args.overdue === true) where.push(isOverdue(sql`p`))
        if (args.overdue === false) where.push(sql`not ${isOverdue(sql`p`)}`)
        if (args.year != null) where.push(yearCondition(args.year))
        const byDistance = (args.orderBy ?? (spatial.distance ? 'DISTANCE' : 'ID')) === 'DISTANCE'
        return keysetPage<ProblemRow>(
          context,
          {
            from: sql`problems p`,
            columns: withDistance(PROBLEM_COLUMNS, spatial, sql`p.geom`),
            where: [and(where)],
            // Ordered by id unless by distance, under the ordering name cursors have always carried.
            ordering: byDistance
              ? spatialOrdering('DISTANCE', spatial, sql`p.geom`, sql`p.id`)
              : { name: 'problems-id', keys: [{ expr: sql`p.id` }] },
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
