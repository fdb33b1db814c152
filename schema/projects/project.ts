import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import {
  PROJECT_PHASES,
  PROJECT_PROGRAMMES,
  PROJECT_STATES,
  type ProjectBenefit,
  type ProjectScore,
  type ProjectState,
} from '../../server/db/projects.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder, primeLoader } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { and, keysetPage } from '../support/pagination.ts'
import {
  ListOrder,
  resolveSpatialFilter,
  SpatialFilter,
  spatialOrdering,
  withDistance,
} from '../support/spatial.ts'

export interface ProjectRow {
  id: number
  code: string | null
  regionCode: string
  campaignId: number | null
  runId: number | null
  name: string
  description: string | null
  kind: string
  facilityType: string | null
  programme: (typeof PROJECT_PROGRAMMES)[number] | null
  geom: Geometry | null
  budget: number | null
  feasibility: number | null
  urgency: number | null
  benefit: number | null
  benefitDetails: ProjectBenefit | null
  feasibilityDetails: ProjectScore | null
  urgencyDetails: ProjectScore | null
  phase: (typeof PROJECT_PHASES)[number]
  year: number | null
  state: ProjectState
  createdAt: string
  updatedAt: string
  distanceM?: number | null
}

export const PROJECT_COLUMNS = sql`j.id, j.code, j.region_code as "regionCode", j.campaign_id as "campaignId",
  j.run_id as "runId", j.name, j.description, j.kind, j.facility_type as "facilityType", j.programme,
  ST_AsGeoJSON(j.geom, 9)::json as geom, j.budget, j.feasibility, j.urgency, j.benefit,
  j.benefit_details as "benefitDetails", j.feasibility_details as "feasibilityDetails",
  j.urgency_details as "urgencyDetails", j.phase, j.year, j.state, j.created_at as "createdAt",
  j.updated_at as "updatedAt"`

/** Projects are plans under work, read by the region's staff (ADR 0012 `project.read`); never public. */
export const projectVisible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`j.region_code`, 'never')

export async function loadProjects(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(ProjectRow | null)[]> {
  const rows = await context.database.rows<ProjectRow>(
    sql`select ${PROJECT_COLUMNS} from projects j
      where j.id = any(${sql.param([...ids])}::int[]) and ${projectVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export const ProjectStateEnum = builder.enumType('ProjectState', {
  description: '项目状态：提出→批准→实施中→完工→已评估 / proposed, approved, under way, completed, evaluated',
  values: PROJECT_STATES,
})
export const ProjectPhaseEnum = builder.enumType('ProjectPhase', {
  description: '项目储备库（五年）或年度计划 / the five-year reserve or the annual plan',
  values: PROJECT_PHASES,
})
export const ProjectProgrammeEnum = builder.enumType('ProjectProgramme', {
  description:
    '见效快项目：口袋公园、停车、适老化 / quick-win programmes: pocket parks, parking, ageing-friendly',
  values: PROJECT_PROGRAMMES,
})

const Score = builder.objectRef<ProjectScore>('ProjectScore').implement({
  description: '评分及其公式和各项取值 / A score with its formula and the terms it was computed from',
  fields: (t) => ({
    value: t.exposeFloat('value'),
    formula: t.exposeString('formula'),
    terms: t.field({ type: 'JSON', resolve: (s) => s.terms }),
  }),
})

const Benefit = builder.objectRef<ProjectBenefit>('ProjectBenefit').implement({
  description:
    '实测效益：加入拟建设施后重算覆盖诊断，新增覆盖的居民（按年龄组）/ Residents newly covered when the coverage ' +
    'diagnosis is rerun with the proposed facility added',
  fields: (t) => ({
    facilityType: t.exposeString('facilityType', { nullable: true }),
    newlyCoveredTotal: t.exposeFloat('newlyCoveredTotal', {
      description: '新增覆盖人口（该设施服务的人群）/ residents of the served groups newly covered',
    }),
    newlyCoveredChildren: t.float({ resolve: (b) => b.newlyCoveredByAgeGroup.children ?? 0 }),
    newlyCoveredWorking: t.float({ resolve: (b) => b.newlyCoveredByAgeGroup.working ?? 0 }),
    newlyCoveredElderly: t.float({ resolve: (b) => b.newlyCoveredByAgeGroup.elderly ?? 0 }),
    basis: t.field({
      type: 'JSON',
      nullable: true,
      description: '计算依据：覆盖运行、距离模型、半径、选址、新覆盖格网 / run, model, radius, site, cells',
      resolve: (b) => b.basis ?? null,
    }),
  }),
})

interface FundingRow {
  projectId: number
  year: number
  source: string
  amount: number
}

async function loadFunding(ids: readonly number[], context: GraphQLContext): Promise<FundingRow[][]> {
  const rows =
    await context.database.rows<FundingRow>(sql`select project_id as "projectId", year, source, amount
    from project_funding where project_id = any(${sql.param([...ids])}::int[]) order by year, source`)
  return groupedByKey(ids, rows, (r) => r.projectId)
}

const Funding = builder.objectRef<FundingRow>('ProjectFunding').implement({
  description: '年度资金计划中的一笔：年份、来源、金额（万元）/ One year and source of the funding plan',
  fields: (t) => ({
    year: t.exposeInt('year'),
    source: t.exposeString('source'),
    amount: t.exposeFloat('amount'),
  }),
})

export const Project = builder.objectRef<ProjectRow>('Project')

registerNode('Project', (key, context) => context.loader(loadProjects).load(numericKey(key)))

builder.objectType(Project, {
  description: '更新项目（项目清单）：年度计划或五年储备 / A renewal project of the project list',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (p) => encodeGlobalId('Project', p.id) }),
    databaseId: t.exposeInt('id'),
    code: t.exposeString('code', { nullable: true, description: '编号，如 XM-310000-2025-0001' }),
    regionCode: t.exposeString('regionCode'),
    campaignId: t.exposeInt('campaignId', { nullable: true }),
    runId: t.exposeInt('runId', { nullable: true, description: '提出它的生成运行 / the generation run' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    kind: t.exposeString('kind', { description: 'facility | pocket_park | parking | housing_upgrade | …' }),
    facilityType: t.exposeString('facilityType', { nullable: true }),
    programme: t.field({ type: ProjectProgrammeEnum, nullable: true, resolve: (p) => p.programme }),
    geom: t.field({ type: 'GeoJSON', nullable: true, resolve: (p) => p.geom }),
    budget: t.exposeFloat('budget', { nullable: true, description: '总投资（万元）/ budget, 10k CNY' }),
    newlyCovered: t.exposeFloat('benefit', {
      nullable: true,
      description:
        '新增覆盖人口；不新增设施的项目为空 / residents newly covered; null without a new facility',
    }),
    benefit: t.field({ type: Benefit, nullable: true, resolve: (p) => p.benefitDetails }),
    feasibility: t.field({ type: Score, nullable: true, resolve: (p) => p.feasibilityDetails }),
    urgency: t.field({ type: Score, nullable: true, resolve: (p) => p.urgencyDetails }),
    phase: t.field({ type: ProjectPhaseEnum, resolve: (p) => p.phase }),
    year: t.exposeInt('year', { nullable: true, description: '计划年度 / the plan year' }),
    state: t.field({ type: ProjectStateEnum, resolve: (p) => p.state }),
    funding: t.field({
      type: [Funding],
      description: '年度资金计划 / the yearly funding plan',
      resolve: async (p, _a, context) => (await context.loader(loadFunding).load(p.id)) ?? [],
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    distanceM: t.float({ nullable: true, resolve: (p) => p.distanceM ?? null }),
  }),
})

builder.queryField('projects', (t) =>
  t.connection(
    {
      type: Project,
      description: '项目清单（需登录）/ The project list (needs a scoped token)',
      args: {
        campaignId: t.arg.int(),
        phase: t.arg({ type: ProjectPhaseEnum }),
        state: t.arg({ type: ProjectStateEnum }),
        programme: t.arg({ type: ProjectProgrammeEnum }),
        filter: t.arg({ type: SpatialFilter, description: '区划、范围框或附近 / region, box or near' }),
        orderBy: t.arg({ type: ListOrder }),
      },
      resolve: async (_root, args, context) => {
        authorize(context.identity, context.scope, 'project.read')
        const spatial = await resolveSpatialFilter(context, args.filter)
        const where = [
          projectVisible(context),
          ...spatial.conditions({ geom: sql`j.geom`, regionCode: sql`j.region_code` }),
        ]
        if (args.campaignId != null) where.push(sql`j.campaign_id = ${args.campaignId}`)
        if (args.phase) where.push(sql`j.phase = ${args.phase}`)
        if (args.state) where.push(sql`j.state = ${args.state}`)
        if (args.programme) where.push(sql`j.programme = ${args.programme}`)
        return keysetPage<ProjectRow>(
          context,
          {
            from: sql`projects j`,
            columns: withDistance(PROJECT_COLUMNS, spatial, sql`j.geom`),
            where: [and(where)],
            ordering: spatialOrdering(args.orderBy, spatial, sql`j.geom`, sql`j.id`),
          },
          args,
          (rows) => primeLoader(context.loader(loadProjects), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'ProjectConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)

builder.queryField('project', (t) =>
  t.field({
    type: Project,
    nullable: true,
    description: '按编号或数据库编号取一个项目 / One project by its 编号 or database id',
    args: { code: t.arg.string(), databaseId: t.arg.int() },
    resolve: async (_root, args, context) => {
      authorize(context.identity, context.scope, 'project.read')
      if (args.databaseId != null) return context.loader(loadProjects).load(args.databaseId)
      if (!args.code) return null
      const [row] = await context.database.rows<ProjectRow>(
        sql`select ${PROJECT_COLUMNS} from projects j where j.code = ${args.code} and ${projectVisible(context)}`,
      )
      return row ?? null
    },
  }),
)
