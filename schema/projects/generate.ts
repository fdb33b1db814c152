import { startProjectsRun } from '../../jobs/api.ts'
import { authorize } from '../../server/auth/permissions.ts'
import { builder } from '../builder.ts'
import { auditRunStart, DiagnosticRun, startRunIn } from '../runs.ts'

const GenerateProjectsInput = builder.inputType('GenerateProjectsInput', {
  fields: (t) => ({
    campaignId: t.int({
      required: true,
      description:
        '体检任务：取其最近一次成功的覆盖诊断和问题 / the campaign whose coverage run and problems are used',
    }),
    regionCode: t.string({
      required: true,
      description: '在此区划内的资源和片区上提出项目 / propose on the resources and areas of this region',
    }),
  }),
})

builder.mutationField('generateProjects', (t) =>
  t.field({
    type: DiagnosticRun,
    description:
      '启动项目生成（后台任务）：由体检的缺口、问题与存量资源提出项目，实测新增覆盖人口并评分；重复生成更新同一批项目 ' +
      '/ Starts the generation of projects from the campaign’s gaps, problems and resources, with measured benefit ' +
      'and scores; a rerun updates the same proposals',
    args: { input: t.arg({ type: GenerateProjectsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      authorize(context.identity, context.scope, 'project.write', { regionCode: input.regionCode })
      const started = await startRunIn(context, input.regionCode, (jobs) =>
        startProjectsRun(context.database, jobs, {
          campaignId: input.campaignId,
          regionCode: input.regionCode,
          requestedBy: context.identity?.subject ?? null,
          onCreated: auditRunStart(context),
        }),
      )
      return started.run
    },
  }),
)
