import { sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { inKeyOrder } from '../support/loading.ts'
import { inLanguage, Problem } from './problem.ts'

export interface ProblemTypeRow {
  code: string
  name: string
  nameEn: string | null
  description: string | null
  reportable: boolean
  group: string | null
  defaultSeverity: number
  attributes: Record<string, unknown>[]
}

const TYPE_COLUMNS = sql`code, name, name_en as "nameEn", description, reportable, group_name as "group",
  default_severity as "defaultSeverity", attributes`

/** Problem types by code, in one statement for a page of problems. */
export async function loadProblemTypes(
  codes: readonly string[],
  context: GraphQLContext,
): Promise<(ProblemTypeRow | null)[]> {
  const rows = await context.database.rows<ProblemTypeRow>(
    sql`select ${TYPE_COLUMNS} from problem_types where code = any(${sql.param([...codes])}::text[])`,
  )
  return inKeyOrder(codes, rows, (r) => r.code)
}

export const ProblemType = builder.objectRef<ProblemTypeRow>('ProblemType').implement({
  description:
    '问题类型；可由群众上报的即 Open311 服务 / A problem type; those residents may report are the Open311 services',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.string({
      description: '名称（按请求语言）/ name in the request’s language',
      resolve: (r, _a, context) => inLanguage(context, r.name, r.nameEn) ?? r.name,
    }),
    nameZh: t.exposeString('name'),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    reportable: t.exposeBoolean('reportable', { description: '群众可上报 / residents may report it' }),
    group: t.exposeString('group', { nullable: true }),
    defaultSeverity: t.exposeInt('defaultSeverity'),
    attributes: t.field({
      type: 'JSON',
      description: 'Open311 服务定义的属性 / the Open311 service definition attributes',
      resolve: (r) => r.attributes,
    }),
  }),
})

builder.queryField('problemTypes', (t) =>
  t.field({
    type: [ProblemType],
    description: '问题类型（参考数据，公开）/ Problem types (reference data, public)',
    args: { reportable: t.arg.boolean({ description: '仅群众可上报的 / only those residents may report' }) },
    resolve: (_root, args, context) =>
      context.database.rows<ProblemTypeRow>(
        sql`select ${TYPE_COLUMNS} from problem_types
          ${args.reportable == null ? sql`` : sql`where reportable = ${args.reportable}`} order by code`,
      ),
  }),
)

builder.objectField(Problem, 'problemType', (t) =>
  t.field({
    type: ProblemType,
    nullable: true,
    description: '问题类型（未登记的类型为空）/ the problem’s type, null for a type not in the table',
    resolve: (p, _a, context) => context.loader(loadProblemTypes).load(p.type),
  }),
)
