import { sql } from 'drizzle-orm'
import {
  cancelRun,
  DiagnosisParameterError,
  type JobRunner,
  RUN_EVENTS_CHANNEL,
  type RunEvent,
  type RunRow,
} from '../jobs/api.ts'
import { authorize, type Operation } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import { RUN_STATES } from '../server/db/runs.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from './audit.ts'
import { builder } from './builder.ts'
import { keyOfType } from './support/global-id.ts'
import { announcedRows, regionPrefix } from './support/live.ts'
import { inKeyOrder, loadNodes, numericIds } from './support/loading.ts'

/** A run's columns under the alias `r`, as `RunRow`. */
export const RUN_COLUMNS = sql`r.id, r.kind, r.parent_id as "parentId", r.campaign_id as "campaignId", r.region_code as "regionCode", r.parameters,
  r.input_versions as "inputVersions", r.idempotency_key as "idempotencyKey", r.state, r.progress, r.message,
  r.attempts, r.error, r.outputs, r.requested_by as "requestedBy", r.created_at as "createdAt",
  r.started_at as "startedAt", r.finished_at as "finishedAt"`

// Runs are working data of the region's staff: never public.
export const runVisible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`r.region_code`, 'never')

async function loadRuns(ids: readonly number[], context: GraphQLContext): Promise<(RunRow | null)[]> {
  const rows = await context.database.rows<RunRow>(
    sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.id = any(${sql.param([...ids])}::int[]) and ${runVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

const RunState = builder.enumType('DiagnosticRunState', { values: RUN_STATES })

export const DiagnosticRun = builder.objectRef<RunRow>('DiagnosticRun')

builder.node(DiagnosticRun, {
  description: '一次诊断运行（后台任务）/ One run of a background diagnosis',
  id: { resolve: (r) => r.id },
  loadMany: (ids, context) => loadNodes(context.loader(loadRuns), numericIds(ids)),
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    kind: t.exposeString('kind', {
      description: 'coverage | coverage_part | indicators | tiles',
    }),
    parentRun: t.field({
      type: DiagnosticRun,
      nullable: true,
      description: '分片所属的运行 / The run this part belongs to',
      resolve: async (r, _args, context) =>
        r.parentId === null ? null : ((await loadRuns([r.parentId], context))[0] ?? null),
    }),
    parts: t.field({
      type: [DiagnosticRun],
      description:
        '大区划拆分出的分片运行（按编号）/ The part runs a big region was split into, in order; empty when it was not',
      resolve: (r, _args, context) =>
        context.database.rows<RunRow>(
          sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.parent_id = ${r.id} and ${runVisible(context)}
            order by r.id`,
        ),
    }),
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
    args: {
      regionCode: t.arg.string(),
      limit: t.arg.int({ defaultValue: 20 }),
      includeParts: t.arg.boolean({
        defaultValue: false,
        description: '同时列出分片运行 / also list the part runs of fanned-out runs',
      }),
    },
    resolve: async (_root, args, context) => {
      const limit = Math.min(Math.max(args.limit ?? 20, 1), 100)
      const where = [runVisible(context)]
      if (args.regionCode) where.push(sql`r.region_code = ${args.regionCode}`)
      if (!args.includeParts) where.push(sql`r.parent_id is null`)
      return context.database.rows<RunRow>(
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where ${sql.join(where, sql` and `)} order by r.id desc limit ${limit}`,
      )
    },
  }),
)

interface StartedRunRow {
  run: RunRow
  created: boolean
}

/** What a mutation starting a run answers; the diagnoses' domains start their own runs with `startRunIn`. */
export const StartedRun = builder.objectRef<StartedRunRow>('StartedDiagnosticRun').implement({
  fields: (t) => ({
    run: t.field({ type: DiagnosticRun, resolve: (parent) => parent.run }),
    created: t.exposeBoolean('created', {
      description: '相同输入的运行已存在时为 false / false when an identical run existed',
    }),
  }),
})

/** What the audit log keeps of a run: enough to tell which run it was and where it stood. */
const runSummary = (run: RunRow) => ({
  kind: run.kind,
  state: run.state,
  regionCode: run.regionCode,
  campaignId: run.campaignId,
  parameters: run.parameters,
})

/**
 * Records a run started by this request, in the transaction that inserts it (`onCreated` of the job's request),
 * so that a run never exists without its audit event.
 */
export const auditRunStart = (context: GraphQLContext) => (tx: SqlExecutor, _before: unknown, run: RunRow) =>
  recordAudit(tx, context, {
    entity: 'diagnostic_run',
    entityId: run.id,
    action: 'start',
    regionCode: run.regionCode,
    before: null,
    after: runSummary(run),
  })

/**
 * Starts a run inside the caller's region, if the matrix lets its role (ADR 0012; a region outside the scope
 * reads as a missing one), and a diagnosis that refuses its parameters is the client's mistake, told in both languages.
 * `operation` is the matrix row starting the run needs when it is not a diagnosis's (sending a package).
 */
export async function startRunIn(
  context: GraphQLContext,
  regionCode: string,
  start: (jobs: JobRunner) => Promise<StartedRunRow>,
  operation: Operation = 'run.start',
): Promise<StartedRunRow> {
  if (!context.jobs) throw new Error('no job runner configured')
  authorize(context.identity, context.scope, operation, { regionCode })
  try {
    const started = await start(context.jobs)
    return { created: started.created, run: started.run }
  } catch (error) {
    if (error instanceof DiagnosisParameterError) {
      const [zh, en] = error.message.split(' / ')
      throw badUserInput(zh ?? error.message, en ?? error.message, { error: error.name })
    }
    throw error
  }
}

builder.mutationField('cancelDiagnosticRun', (t) =>
  t.field({
    type: DiagnosticRun,
    description:
      '取消排队或运行中的诊断；已写入的结果不受影响（省级、市级、区县）/ Cancels a queued or running run',
    args: { id: t.arg.globalID({ required: true }) },
    resolve: async (_root, { id }, context) => {
      authorize(context.identity, context.scope, 'run.cancel')
      const [run] = await loadRuns([keyOfType(id, 'DiagnosticRun')], context)
      if (!run) throw notFound(`诊断运行 ${id.id} 不存在`, `Run ${id.id} was not found`)
      authorize(context.identity, context.scope, 'run.cancel', { regionCode: run.regionCode })
      const cancelled = await cancelRun(context.database, run.id, (tx, before, after) =>
        recordAudit(tx, context, {
          entity: 'diagnostic_run',
          entityId: after.id,
          action: 'cancel',
          regionCode: after.regionCode,
          before: before && { state: before.state, message: before.message },
          after: { state: after.state, message: after.message },
        }),
      )
      return cancelled ?? run
    },
  }),
)

builder.subscriptionField('diagnosticRunUpdated', (t) =>
  t.field({
    type: DiagnosticRun,
    description: '诊断运行的状态与进度（供指挥大屏实时显示）/ Live state and progress of runs',
    args: { regionCode: t.arg.string(), runId: t.arg.int() },
    subscribe: (_root, args, context) => {
      // The region rule for reads is the scope condition each announced run is read with.
      authorize(context.identity, context.scope, 'run.read')
      return runUpdates(context, args.runId ?? null, args.regionCode ?? null)
    },
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
          sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.id = ${id} and ${runVisible(context)}
            and r.region_code like ${`${prefix}%`}`,
        )
      )[0],
  )
}
