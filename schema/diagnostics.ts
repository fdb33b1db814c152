import { sql } from 'drizzle-orm'
import {
  cancelRun,
  type DiagnosticRun as RunRow,
  startCoverageRun,
} from '../jobs/diagnostics/coverage-job.ts'
import { DiagnosisParameterError } from '../jobs/diagnostics/errors.ts'
import { RUN_EVENTS_CHANNEL, type RunEvent } from '../jobs/diagnostics/run-events.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import { RUN_STATES } from '../server/db/diagnostics.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { FacilityType } from './facilities.ts'
import { announcedRows, regionPrefix } from './live.ts'
import { inKeyOrder, loadNodes, numericIds } from './loading.ts'

const RUN_COLUMNS = sql`r.id, r.kind, r.campaign_id as "campaignId", r.region_code as "regionCode", r.parameters,
  r.input_versions as "inputVersions", r.idempotency_key as "idempotencyKey", r.state, r.progress, r.message,
  r.attempts, r.error, r.outputs, r.requested_by as "requestedBy", r.created_at as "createdAt",
  r.started_at as "startedAt", r.finished_at as "finishedAt"`

// Runs are working data of the region's staff: never public.
const visible = (context: GraphQLContext) => scopeCondition(context.scope, sql`r.region_code`, 'never')

async function loadRuns(ids: readonly number[], context: GraphQLContext): Promise<(RunRow | null)[]> {
  const rows = await context.database.rows<RunRow>(
    sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.id = any(${sql.param([...ids])}::int[]) and ${visible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

const RunState = builder.enumType('DiagnosticRunState', { values: RUN_STATES })
const DistanceModel = builder.enumType('DistanceModel', {
  description: '距离模型：直线或沿路网步行 / straight line or walking on the road network',
  values: ['euclidean', 'network'] as const,
})

export const DiagnosticRun = builder.objectRef<RunRow>('DiagnosticRun')

builder.node(DiagnosticRun, {
  description: '一次诊断运行（后台任务）/ One run of a background diagnosis',
  id: { resolve: (r) => r.id },
  loadMany: (ids, context) => loadNodes(context.loader(loadRuns), numericIds(ids)),
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    kind: t.exposeString('kind'),
    regionCode: t.exposeString('regionCode'),
    campaignId: t.exposeInt('campaignId', { nullable: true }),
    state: t.field({ type: RunState, resolve: (r) => r.state }),
    progress: t.exposeFloat('progress', { description: '0–1' }),
    message: t.exposeString('message', { nullable: true }),
    attempts: t.exposeInt('attempts'),
    error: t.exposeString('error', { nullable: true }),
    parameters: t.field({ type: 'JSON', resolve: (r) => r.parameters }),
    inputVersions: t.field({ type: 'JSON', resolve: (r) => r.inputVersions }),
    outputs: t.field({ type: 'JSON', resolve: (r) => r.outputs }),
    requestedBy: t.exposeString('requestedBy', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.finishedAt }),
  }),
})

builder.queryField('diagnosticRuns', (t) =>
  t.field({
    type: [DiagnosticRun],
    description: '最近的诊断运行（最多 100 条）/ The latest runs, newest first (at most 100)',
    authScopes: { signedIn: true },
    args: { regionCode: t.arg.string(), limit: t.arg.int({ defaultValue: 20 }) },
    resolve: async (_root, args, context) => {
      const limit = Math.min(Math.max(args.limit ?? 20, 1), 100)
      const where = [visible(context)]
      if (args.regionCode) where.push(sql`r.region_code = ${args.regionCode}`)
      return context.database.rows<RunRow>(
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where ${sql.join(where, sql` and `)} order by r.id desc limit ${limit}`,
      )
    },
  }),
)

const StartCoverageInput = builder.inputType('StartCoverageDiagnosisInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true, description: '诊断的行政区划 / region to diagnose' }),
    campaignId: t.int({
      description: '体检任务（取其指标体系的服务半径）/ campaign whose edition gives the radii',
    }),
    facilityTypes: t.field({ type: [FacilityType], description: '默认：指标体系中有服务半径的全部类型' }),
    distanceModels: t.field({ type: [DistanceModel], description: '默认两种 / default both' }),
    radiusOverrides: t.field({
      type: 'JSON',
      description: '按设施类型覆盖服务半径（米），如 {"kindergarten": 300} / radius per type in metres',
    }),
  }),
})

interface StartedRunRow {
  run: RunRow
  created: boolean
}

const StartedRun = builder.objectRef<StartedRunRow>('StartedDiagnosticRun').implement({
  fields: (t) => ({
    run: t.field({ type: DiagnosticRun, resolve: (parent) => parent.run }),
    created: t.exposeBoolean('created', {
      description: '相同输入的运行已存在时为 false / false when an identical run existed',
    }),
  }),
})

function mayRunIn(context: GraphQLContext, regionCode: string): boolean {
  return context.scope.kind === 'region' && regionCode.startsWith(context.scope.prefix)
}

builder.mutationField('startCoverageDiagnosis', (t) =>
  t.field({
    type: StartedRun,
    description: '启动服务覆盖诊断（盲区、缺口、需求点）/ Starts a service-coverage diagnosis',
    authScopes: { signedIn: true },
    args: { input: t.arg({ type: StartCoverageInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      if (!context.jobs) throw new Error('no job runner configured')
      if (!mayRunIn(context, input.regionCode)) {
        throw notFound(
          `行政区划 ${input.regionCode} 不存在或无权访问`,
          `Region ${input.regionCode} was not found`,
        )
      }
      const overrides = input.radiusOverrides
      if (overrides != null && (typeof overrides !== 'object' || Array.isArray(overrides))) {
        throw badUserInput(
          'radiusOverrides 必须是对象',
          'radiusOverrides must be an object of metres by type',
        )
      }
      try {
        const started = await startCoverageRun(context.database, context.jobs, {
          regionCode: input.regionCode,
          campaignId: input.campaignId ?? null,
          facilityTypes: input.facilityTypes ?? null,
          distanceModels: input.distanceModels ?? null,
          radiusOverrides: (overrides as Record<string, number> | null) ?? null,
          requestedBy: context.identity?.subject ?? null,
        })
        return { created: started.created, run: started.run }
      } catch (error) {
        if (error instanceof DiagnosisParameterError) {
          const [zh, en] = error.message.split(' / ')
          throw badUserInput(zh ?? error.message, en ?? error.message, { error: error.name })
        }
        throw error
      }
    },
  }),
)

builder.mutationField('cancelDiagnosticRun', (t) =>
  t.field({
    type: DiagnosticRun,
    description: '取消排队或运行中的诊断；已写入的结果不受影响 / Cancels a queued or running run',
    authScopes: { signedIn: true },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const [run] = await loadRuns([Number(id.id)], context)
      if (!run || id.typename !== 'DiagnosticRun')
        throw notFound(`诊断运行 ${id.id} 不存在`, `Run ${id.id} was not found`)
      return (await cancelRun(context.database, run.id)) ?? run
    },
  }),
)

builder.subscriptionField('diagnosticRunUpdated', (t) =>
  t.field({
    type: DiagnosticRun,
    description: '诊断运行的状态与进度（供指挥大屏实时显示）/ Live state and progress of runs',
    authScopes: { signedIn: true },
    args: { regionCode: t.arg.string(), runId: t.arg.int() },
    subscribe: (_root, args, context) => runUpdates(context, args.runId ?? null, args.regionCode ?? null),
    resolve: (run) => run as RunRow,
  }),
)

/** Runs announced on the `diagnostic_runs` channel, read fresh and filtered by the caller's scope. */
function runUpdates(
  context: GraphQLContext,
  runId: number | null,
  regionCode: string | null,
): AsyncGenerator<RunRow> {
  const prefix = regionPrefix(regionCode)
  return announcedRows(
    context.database,
    RUN_EVENTS_CHANNEL,
    (payload) => {
      const event = JSON.parse(payload) as RunEvent
      return runId === null || event.id === runId ? event.id : null
    },
    async (id) =>
      (
        await context.database.rows<RunRow>(
          sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.id = ${id} and ${visible(context)}
            and r.region_code like ${`${prefix}%`}`,
        )
      )[0],
  )
}
