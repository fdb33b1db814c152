import { sql } from 'drizzle-orm'
import { startExchangeSendRun } from '../jobs/api.ts'
import { authorize } from '../server/auth/permissions.ts'
import { packageSummary } from '../server/exchange/export.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { Campaign } from './campaigns.ts'
import { auditRunStart, StartedRun, startRunIn } from './runs.ts'

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

interface ExchangeSendRow {
  id: number
  runId: number | null
  campaignId: number
  upstreamUrl: string
  packageSha256: string | null
  packageBytes: number | null
  state: string
  attempts: number
  lastError: string | null
  receipt: Record<string, unknown> | null
  requestedBy: string
  createdAt: string
  sentAt: string | null
  acknowledgedAt: string | null
}

const ExchangeSendState = builder.enumType('ExchangeSendState', {
  values: {
    sending: { description: '发送中或等待重试 / being sent, or waiting to be retried' },
    acknowledged: { description: '上级平台已确认接收 / the upstream acknowledged it' },
    failed: { description: '上级平台拒绝或多次重试仍失败 / refused, or still failing after the retries' },
  } as const,
})

const ExchangeSend = builder.objectRef<ExchangeSendRow>('ExchangeSend').implement({
  description: '一次上报：发送的数据交换包与上级平台的回执 / One package sent upstream, and the receipt',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    runId: t.exposeInt('runId', {
      nullable: true,
      description: '发送它的后台任务（见 diagnosticRuns）/ the run that sent it',
    }),
    campaignId: t.exposeInt('campaignId'),
    upstreamUrl: t.exposeString('upstreamUrl'),
    packageSha256: t.exposeString('packageSha256', { nullable: true }),
    packageBytes: t.exposeInt('packageBytes', { nullable: true }),
    state: t.field({ type: ExchangeSendState, resolve: (s) => s.state as 'sending' }),
    attempts: t.exposeInt('attempts', { description: '已发送次数 / posts made' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    receipt: t.field({
      type: 'JSON',
      nullable: true,
      description: '上级平台的回执：导入编号与各类记录数 / the upstream’s receipt: its import id and counts',
      resolve: (s) => s.receipt,
    }),
    requestedBy: t.exposeString('requestedBy'),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    sentAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.sentAt }),
    acknowledgedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.acknowledgedAt }),
  }),
})

builder.queryField('exchangeSends', (t) =>
  t.field({
    type: [ExchangeSend],
    authScopes: { signedIn: true },
    description:
      '体检任务的上报记录，最新在前（省、市账号）/ What was sent of a campaign upstream and acknowledged, newest first',
    args: { campaignId: t.arg.int({ required: true }) },
    resolve: async (_root, { campaignId }, context) => {
      const [campaign] = await context.database.rows<{ regionCode: string }>(
        sql`select region_code as "regionCode" from campaigns where id = ${campaignId}`,
      )
      if (!campaign) {
        throw notFound(`体检任务 ${campaignId} 不存在`, `Campaign ${campaignId} does not exist`)
      }
      authorize(context.identity, context.scope, 'exchange.send', { regionCode: campaign.regionCode })
      return context.database.rows<ExchangeSendRow>(sql`select id, run_id as "runId",
          campaign_id as "campaignId", upstream_url as "upstreamUrl", package_sha256 as "packageSha256",
          package_bytes as "packageBytes", state, attempts, last_error as "lastError", receipt,
          requested_by as "requestedBy", created_at as "createdAt", sent_at as "sentAt",
          acknowledged_at as "acknowledgedAt"
        from exchange_sends where campaign_id = ${campaignId} order by id desc`)
    },
  }),
)

const SendExchangePackageInput = builder.inputType('SendExchangePackageInput', {
  fields: (t) => ({
    campaignId: t.int({ required: true }),
    regionCode: t.string({ required: true, description: '体检任务的行政区划 / the campaign’s region' }),
  }),
})

builder.mutationField('sendExchangePackage', (t) =>
  t.field({
    type: StartedRun,
    description:
      '上报：把体检任务的数据交换包发送到配置的上级平台（后台任务，见 diagnosticRuns 与 exchangeSends；省、市账号）/ ' +
      'Sends the campaign’s package to the configured upstream install as a run, retried with backoff',
    args: { input: t.arg({ type: SendExchangePackageInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startRunIn(
        context,
        input.regionCode,
        async (jobs) => {
          if (!context.upstream) {
            throw badUserInput(
              '未配置上级平台（CITYCHECK_UPSTREAM_URL 与 CITYCHECK_UPSTREAM_TOKEN），无法上报',
              'No upstream is configured (CITYCHECK_UPSTREAM_URL and CITYCHECK_UPSTREAM_TOKEN): nothing can be sent',
            )
          }
          return startExchangeSendRun(context.database, jobs, {
            campaign: input.campaignId,
            regionCode: input.regionCode,
            requestedBy: context.identity?.subject ?? null,
            onCreated: auditRunStart(context),
          })
        },
        'exchange.send',
      ),
  }),
)
