import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { builder } from '../builder.ts'
import { ProjectProgrammeEnum, projectVisible } from './project.ts'

interface QuickWinRow {
  programme: 'pocket_park' | 'parking' | 'ageing_friendly'
  projects: number
  planned: number
  underWay: number
  completed: number
  improved: number
  budget: number
  newlyCovered: number
  siteAreaM2: number
}

const QuickWin = builder.objectRef<QuickWinRow>('QuickWinOutcome').implement({
  description:
    '见效快项目的成果统计（口袋公园、停车、适老化）/ What a quick-win programme has delivered: counts by stage, ' +
    'budget, residents newly covered and site area of the finished projects',
  fields: (t) => ({
    programme: t.field({ type: ProjectProgrammeEnum, resolve: (q) => q.programme }),
    projects: t.exposeInt('projects', { description: '项目数 / projects' }),
    planned: t.exposeInt('planned', { description: '纳入年度计划 / in the annual plan' }),
    underWay: t.exposeInt('underWay', { description: '实施中 / under way' }),
    completed: t.exposeInt('completed', { description: '完工（含已评估）/ completed, evaluated included' }),
    improved: t.exposeInt('improved', { description: '评估为改善 / evaluated as improved' }),
    budget: t.exposeFloat('budget', { description: '年度计划总投资（万元）/ budget in the annual plan' }),
    newlyCovered: t.exposeFloat('newlyCovered', {
      description: '完工项目新增覆盖人口 / residents newly covered by the completed projects',
    }),
    siteAreaM2: t.exposeFloat('siteAreaM2', {
      description: '完工项目使用的资源面积（平方米）/ area of the resources the completed projects used',
    }),
  }),
})

builder.queryField('quickWinOutcomes', (t) =>
  t.field({
    type: [QuickWin],
    description:
      '见效快项目成果（按计划年度可选）/ Outcomes of the quick-win programmes, optionally for one year',
    args: {
      regionCode: t.arg.string({ required: true }),
      year: t.arg.int({ description: '计划年度 / plan year' }),
    },
    resolve: async (_root, args, context) => {
      authorize(context.identity, context.scope, 'project.read', { regionCode: args.regionCode })
      const [region] = await context.database.rows<{ prefix: string }>(
        sql`select scope_prefix as prefix from regions where code = ${args.regionCode}`,
      )
      if (!region) return []
      const done = sql`j.state in ('completed', 'evaluated')`
      return context.database.rows<QuickWinRow>(sql`
        select g.programme, count(j.id)::int as projects,
          count(j.id) filter (where j.phase = 'annual')::int as planned,
          count(j.id) filter (where j.state = 'under_way')::int as "underWay",
          count(j.id) filter (where ${done})::int as completed,
          count(j.id) filter (where exists (select 1 from project_evaluations e where e.project_id = j.id
            and e.outcome = 'improved'))::int as improved,
          coalesce(sum(j.budget) filter (where j.phase = 'annual'), 0)::float8 as budget,
          coalesce(sum(j.benefit) filter (where ${done}), 0)::float8 as "newlyCovered",
          coalesce(sum((select sum(r.area_m2) from project_resources pr join stock_resources r on r.id = pr.resource_id
            where pr.project_id = j.id)) filter (where ${done}), 0)::float8 as "siteAreaM2"
        from unnest(array['pocket_park', 'parking', 'ageing_friendly']) as g(programme)
        left join projects j on j.programme = g.programme and j.region_code like ${`${region.prefix}%`}
          and ${projectVisible(context)} ${args.year == null ? sql`` : sql`and j.year = ${args.year}`}
        group by g.programme order by array_position(array['pocket_park', 'parking', 'ageing_friendly'], g.programme)`)
    },
  }),
)
