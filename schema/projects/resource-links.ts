import { sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { Problem } from '../problems/problem.ts'
import { RESOURCE_COLUMNS, type ResourceRow, resourceVisible, StockResource } from '../resources/resource.ts'
import { groupedByKey } from '../support/loading.ts'
import { PROJECT_COLUMNS, Project, type ProjectRow, projectVisible } from './project.ts'

// The four lists' links through the resource list (资源清单): a project's resources and back, and the resources
// near a problem that a project could use.

/** @defaultValue metres around a problem searched for resources */
const NEARBY_M = 500
const MAX_NEARBY_M = 5000

async function loadResourcesOfProjects(ids: readonly number[], context: GraphQLContext) {
  const rows = await context.database.rows<ResourceRow & { projectId: number }>(sql`
    select pr.project_id as "projectId", ${RESOURCE_COLUMNS} from project_resources pr
    join stock_resources s on s.id = pr.resource_id
    where pr.project_id = any(${sql.param([...ids])}::int[]) and ${resourceVisible(context)} order by s.id`)
  return groupedByKey(ids, rows, (r) => r.projectId)
}

async function loadProjectsOfResources(ids: readonly number[], context: GraphQLContext) {
  const rows = await context.database.rows<ProjectRow & { resourceId: number }>(sql`
    select pr.resource_id as "resourceId", ${PROJECT_COLUMNS} from project_resources pr
    join projects j on j.id = pr.project_id
    where pr.resource_id = any(${sql.param([...ids])}::int[]) and ${projectVisible(context)} order by j.id`)
  return groupedByKey(ids, rows, (r) => r.resourceId)
}

builder.objectField(Project, 'resources', (t) =>
  t.field({
    type: [StockResource],
    description: '项目使用的存量资源 / the stock resources the project uses',
    resolve: async (p, _a, context) => (await context.loader(loadResourcesOfProjects).load(p.id)) ?? [],
  }),
)

builder.objectField(StockResource, 'projects', (t) =>
  t.field({
    type: [Project],
    description: '使用该资源的更新项目 / the renewal projects that use the resource',
    resolve: async (s, _a, context) => (await context.loader(loadProjectsOfResources).load(s.id)) ?? [],
  }),
)

builder.objectField(Problem, 'resourcesNearby', (t) =>
  t.field({
    type: [StockResource],
    description:
      '问题附近未被驳回的存量资源，近者在前（默认 500 米内，最多 5000 米）/ resources not rejected within a ' +
      'distance of the problem, nearest first (500 m by default, at most 5000 m)',
    args: { radiusM: t.arg.float({ defaultValue: NEARBY_M }) },
    resolve: async (p, args, context) => {
      if (!p.geom) return []
      const radius = Math.min(Math.max(args.radiusM ?? NEARBY_M, 0), MAX_NEARBY_M)
      return context.database.rows<ResourceRow>(sql`
        select ${RESOURCE_COLUMNS} from stock_resources s, problems p
        where p.id = ${p.id} and s.verification_state <> 'rejected' and ${resourceVisible(context)}
          and ST_DWithin(s.geom::geography, p.geom::geography, ${radius})
        order by ST_Distance(s.geom::geography, p.geom::geography), s.id limit 100`)
    },
  }),
)
