/**
 * `screen(regionCode)`: the figures of the command-centre big screen (`/screen/`, docs/adr/0022) for a city or
 * one of its districts, each panel read lazily by its own statement (./panels.ts) within the caller's scope.
 */
import { sql } from 'drizzle-orm'
import { lookupRegion } from '../../server/auth/scope.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { regionVisible } from '../regions.ts'
import {
  type AreaRow,
  areas,
  type BlindSpotsRow,
  blindSpots,
  type DimensionGradesRow,
  gradesByDimension,
  latestGradedCampaign,
  problemFunnel,
  projectFunding,
  projectPipeline,
  type ScreenCampaignRow,
  type ScreenRoot,
  type WarningRow,
  warnings,
} from './panels.ts'

const ScreenCampaign = builder.objectRef<ScreenCampaignRow>('ScreenCampaign').implement({
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    name: t.exposeString('name'),
    year: t.exposeInt('year'),
  }),
})

const DimensionGrades = builder.objectRef<DimensionGradesRow>('ScreenDimensionGrades').implement({
  description: '一个维度的指标值按等级计数 / Graded values of one dimension, counted by grade',
  fields: (t) => ({
    dimension: t.exposeString('dimension', { description: 'housing | compound | block | city' }),
    poor: t.exposeInt('poor'),
    fair: t.exposeInt('fair'),
    good: t.exposeInt('good'),
    excellent: t.exposeInt('excellent'),
  }),
})

const Warning = builder.objectRef<WarningRow>('ScreenWarning').implement({
  fields: (t) => ({
    indicatorCode: t.exposeString('indicatorCode'),
    name: t.exposeString('name'),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    unitType: t.exposeString('unitType'),
    unitKey: t.exposeString('unitKey'),
    regionCode: t.exposeString('regionCode'),
    value: t.exposeFloat('value', { nullable: true }),
    warning: t.exposeString('warning', { description: 'red | yellow' }),
  }),
})

const Warnings = builder
  .objectRef<{ red: number; yellow: number; items: WarningRow[] }>('ScreenWarnings')
  .implement({
    description: '最近一次有评价的体检中的预警 / Warnings of the latest graded campaign',
    fields: (t) => ({
      red: t.exposeInt('red', { description: '红色预警数 / red warnings' }),
      yellow: t.exposeInt('yellow', { description: '黄色预警数 / yellow warnings' }),
      items: t.field({ type: [Warning], resolve: (w) => w.items }),
    }),
  })

const FunnelStage = builder.objectRef<{ stage: string; problems: number }>('ScreenFunnelStage').implement({
  fields: (t) => ({
    stage: t.exposeString('stage', { description: 'found | assigned | rectifying | re_inspected | closed' }),
    problems: t.exposeInt('problems', {
      description: '到达该环节的问题数 / problems that reached the stage',
    }),
  }),
})

const BlindSpots = builder.objectRef<BlindSpotsRow>('ScreenBlindSpots').implement({
  description: '一类设施的服务盲区及未覆盖人口（按年龄组）/ Blind spots of one facility type by age group',
  fields: (t) => ({
    facilityType: t.exposeString('facilityType'),
    distanceModel: t.exposeString('distanceModel', { description: 'euclidean | network' }),
    gaps: t.exposeInt('gaps', { description: '盲区数 / blind spots' }),
    children: t.exposeFloat('children', { description: '未覆盖儿童 / uncovered children' }),
    working: t.exposeFloat('working', { description: '未覆盖劳动年龄人口 / uncovered working-age' }),
    elderly: t.exposeFloat('elderly', { description: '未覆盖老年人 / uncovered elderly' }),
  }),
})

const ProjectStage = builder
  .objectRef<{ state: string; projects: number; budget: number }>('ScreenProjectStage')
  .implement({
    fields: (t) => ({
      state: t.exposeString('state', {
        description: 'proposed | approved | under_way | completed | evaluated',
      }),
      projects: t.exposeInt('projects'),
      budget: t.exposeFloat('budget', { description: '概算合计（万元）/ total budget' }),
    }),
  })

const Funding = builder.objectRef<{ source: string; amount: number }>('ScreenFunding').implement({
  fields: (t) => ({
    source: t.exposeString('source', { description: '资金来源 / funding source' }),
    amount: t.exposeFloat('amount'),
  }),
})

const Area = builder.objectRef<AreaRow>('ScreenArea').implement({
  description: '下一级区划的未销号与超期问题 / Open and overdue problems of one region a level down',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    nameEn: t.exposeString('nameEn', { nullable: true }),
    open: t.exposeInt('open', { description: '未销号问题 / open problems' }),
    overdue: t.exposeInt('overdue', { description: '其中超期 / of which overdue' }),
  }),
})

const ScreenFigures = builder.objectRef<ScreenRoot>('ScreenFigures').implement({
  description: '指挥大屏的各面板数据（一区划）/ The big screen’s panels for one region',
  fields: (t) => ({
    regionCode: t.exposeString('regionCode'),
    campaign: t.field({
      type: ScreenCampaign,
      nullable: true,
      description: '最近一次有评价等级的体检 / the latest graded campaign',
      resolve: (root, _args, context) => latestGradedCampaign(context, root),
    }),
    gradesByDimension: t.field({
      type: [DimensionGrades],
      resolve: (root, _args, context) => gradesByDimension(context, root),
    }),
    warnings: t.field({
      type: Warnings,
      args: { first: t.arg.int({ defaultValue: 8, description: '列出的预警条数（≤ 50）/ warnings listed' }) },
      resolve: (root, args, context) => {
        const first = args.first ?? 8
        if (first < 0 || first > 50) throw badUserInput('first 须在 0–50 之间', 'first must be within 0–50')
        return warnings(context, root, first)
      },
    }),
    problemFunnel: t.field({
      type: [FunnelStage],
      description:
        '问题漏斗：发现 → 交办 → 整改 → 复查 → 销号 / found → assigned → rectifying → re-inspected → closed',
      resolve: (root, _args, context) => problemFunnel(context, root),
    }),
    areas: t.field({
      type: [Area],
      description:
        '下一级区划（市：各区；区：各街道）的未销号与超期问题 / open and overdue problems a level down',
      resolve: (root, _args, context) => areas(context, root),
    }),
    blindSpots: t.field({
      type: [BlindSpots],
      description: '最近一次成功的覆盖诊断的盲区 / blind spots of the latest succeeded coverage run',
      resolve: (root, _args, context) => blindSpots(context, root),
    }),
    projectPipeline: t.field({
      type: [ProjectStage],
      description: '更新项目按状态 / renewal projects by state',
      resolve: (root, _args, context) => projectPipeline(context, root),
    }),
    projectFunding: t.field({
      type: [Funding],
      description: '更新项目资金按来源 / renewal project funding by source',
      resolve: (root, _args, context) => projectFunding(context, root),
    }),
  }),
})

builder.queryField('screen', (t) =>
  t.field({
    type: ScreenFigures,
    description:
      '指挥大屏数据（需登录，区划内）/ The command-centre screen’s figures for a region (signed in)',
    authScopes: { signedIn: true },
    args: { regionCode: t.arg.string({ required: true, description: '市或区的代码 / a city or district' }) },
    resolve: async (_root, args, context) => {
      const region = await lookupRegion(context.database, args.regionCode)
      const [readable] = region
        ? await context.database.rows<{ code: string }>(
            sql`select r.code from regions r where r.code = ${args.regionCode} and ${regionVisible(context)}`,
          )
        : []
      if (!region || !readable) {
        throw notFound(
          `行政区划 ${args.regionCode} 不存在或无权访问`,
          `Region ${args.regionCode} was not found`,
        )
      }
      return { regionCode: args.regionCode, prefix: region.prefix }
    },
  }),
)
