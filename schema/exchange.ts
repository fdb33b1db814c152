import { authorize } from '../server/auth/permissions.ts'
import { packageSummary } from '../server/exchange/export.ts'
import { builder } from './builder.ts'
import { Campaign } from './campaigns.ts'

/** 数据交换包 (ADR 0017): what a campaign's package carries, to compare what was sent with what arrived. */
const ExchangeSummary = builder.objectRef<Record<string, number>>('ExchangeSummary').implement({
  description:
    '体检任务的数据交换包中各类记录的条数 / Records of each kind a campaign’s exchange package carries',
  fields: (t) => ({
    indicatorValues: t.int({ resolve: (c) => c.indicator_values ?? 0 }),
    problems: t.int({ resolve: (c) => c.problems ?? 0 }),
    tasks: t.int({ resolve: (c) => c.tasks ?? 0 }),
    transitions: t.int({
      description: '问题流转记录 / problem history',
      resolve: (c) => c.problem_transitions ?? 0,
    }),
    opinions: t.int({ resolve: (c) => c.opinions ?? 0 }),
    resources: t.int({ resolve: (c) => c.stock_resources ?? 0 }),
    projects: t.int({ resolve: (c) => c.projects ?? 0 }),
    units: t.int({
      description:
        '带几何的单元（街区、小区、建筑、片区）/ units with geometry (blocks, compounds, buildings, areas)',
      resolve: (c) => (c.blocks ?? 0) + (c.compounds ?? 0) + (c.buildings ?? 0) + (c.renewal_areas ?? 0),
    }),
  }),
})

builder.objectField(Campaign, 'exchangeSummary', (t) =>
  t.field({
    type: ExchangeSummary,
    // Nullable: a role without exchange.export gets its error on this field, not on the campaign around it.
    nullable: true,
    description:
      '导出数据交换包时将包含的记录数（省、市账号）/ What the campaign’s exchange package would carry now (province and city tokens)',
    resolve: async (campaign, _args, context) => {
      authorize(context.identity, context.scope, 'exchange.export', { regionCode: campaign.regionCode })
      return packageSummary(context.database, campaign.id)
    },
  }),
)
