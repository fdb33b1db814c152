import { sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { groupedByKey } from '../support/loading.ts'
import { OpinionKindEnum } from './appeals.ts'
import type { OpinionKind } from './intake.ts'
import { Problem } from './problem.ts'

interface OpinionRow {
  id: number
  problemId: number
  regionCode: string
  kind: OpinionKind
  content: string
  serviceCode: string | null
  address: string | null
  mediaUrl: string | null
  geom: Geometry | null
  createdAt: string
}

/** A problem's appeals, oldest first, for a page of problems in one statement. Who sent them is not shown. */
async function loadOpinionsOfProblems(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<OpinionRow[][]> {
  const rows = await context.database.rows<OpinionRow>(
    sql`select o.id, o.problem_id as "problemId", o.region_code as "regionCode", o.kind, o.content,
        o.service_code as "serviceCode", o.address, o.media_url as "mediaUrl",
        ST_AsGeoJSON(o.geom, 9)::json as geom, o.created_at as "createdAt"
      from opinions o
      where o.problem_id = any(${sql.param([...ids])}::int[])
        and ${scopeCondition(context.scope, sql`o.region_code`, 'never')}
      order by o.id`,
  )
  return groupedByKey(ids, rows, (r) => r.problemId)
}

export const Opinion = builder.objectRef<OpinionRow>('Opinion').implement({
  description: '民意：群众的一条诉求、走访或问卷意见 / An opinion: one appeal, visit or survey answer',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    regionCode: t.exposeString('regionCode'),
    kind: t.field({ type: OpinionKindEnum, resolve: (o) => o.kind }),
    content: t.exposeString('content'),
    serviceCode: t.exposeString('serviceCode', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
    mediaUrl: t.exposeString('mediaUrl', { nullable: true }),
    geom: t.field({ type: 'GeoJSON', nullable: true, resolve: (o) => o.geom }),
    createdAt: t.field({ type: 'DateTime', resolve: (o) => o.createdAt }),
  }),
})

builder.objectField(Problem, 'opinions', (t) =>
  t.field({
    type: [Opinion],
    description:
      '反映该问题的民意（诉求），先后排列；公众不可见 / The appeals that raised or joined the problem, oldest first; ' +
      'not public',
    resolve: async (p, _a, context) => (await context.loader(loadOpinionsOfProblems).load(p.id)) ?? [],
  }),
)
