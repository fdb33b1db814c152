import { sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { Opinion } from '../problems/opinions.ts'
import { loadProblems, PROBLEM_COLUMNS, Problem, type ProblemRow, visible } from '../problems/problem.ts'
import { groupedByKey } from '../support/loading.ts'
import { PROJECT_COLUMNS, Project, type ProjectRow, projectVisible } from './project.ts'

// The four lists as one graph (问题清单 ↔ 意见清单 ↔ 资源清单 ↔ 项目清单): the links between problems, opinions
// and projects; those through resources are in ./resource-links.ts. Each side is read in the caller's scope.

async function loadProjectsOfProblems(ids: readonly number[], context: GraphQLContext) {
  const rows = await context.database.rows<ProjectRow & { problemId: number }>(sql`
    select pp.problem_id as "problemId", ${PROJECT_COLUMNS} from project_problems pp join projects j on j.id = pp.project_id
    where pp.problem_id = any(${sql.param([...ids])}::int[]) and ${projectVisible(context)} order by j.id`)
  return groupedByKey(ids, rows, (r) => r.problemId)
}

async function loadProblemsOfProjects(ids: readonly number[], context: GraphQLContext) {
  const rows = await context.database.rows<ProblemRow & { projectId: number }>(sql`
    select pp.project_id as "projectId", ${PROBLEM_COLUMNS} from project_problems pp join problems p on p.id = pp.problem_id
    where pp.project_id = any(${sql.param([...ids])}::int[]) and ${visible(context)} order by p.id`)
  return groupedByKey(ids, rows, (r) => r.projectId)
}

builder.objectField(Problem, 'projects', (t) =>
  t.field({
    type: [Project],
    description: '解决该问题的更新项目 / the renewal projects that address the problem',
    resolve: async (p, _a, context) => (await context.loader(loadProjectsOfProblems).load(p.id)) ?? [],
  }),
)

builder.objectField(Project, 'problems', (t) =>
  t.field({
    type: [Problem],
    description: '项目解决的问题 / the problems the project addresses',
    resolve: async (p, _a, context) => (await context.loader(loadProblemsOfProjects).load(p.id)) ?? [],
  }),
)

builder.objectField(Opinion, 'problem', (t) =>
  t.field({
    type: Problem,
    nullable: true,
    description: '该意见反映（或并入）的问题 / the problem the opinion raised or joined',
    resolve: async (o, _a, context) =>
      o.problemId == null ? null : context.loader(loadProblems).load(o.problemId),
  }),
)
