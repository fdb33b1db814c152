import { sql } from 'drizzle-orm'
import {
  cancelRun,
  DiagnosisParameterError,
  RUN_EVENTS_CHANNEL,
  type RunEvent,
  type RunRow,
  startCoverageRun,
} from '../jobs/api.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { RUN_STATES } from '../server/db/runs.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { FacilityType } from './facilities.ts'
import { announcedRows, regionPrefix } from './support/live.ts'
import { inKeyOrder, loadNodes, numericIds } from './support/loading.ts'

const RUN_COLUMNS = sql`r.id, r.kind, r.parent_id as "parentId", r.campaign_id as "campaignId", r.region_code as "regionCode", r.parameters,
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
export const DistanceModel = builder.enumType('DistanceModel', {
  description: '距离模型：直线或沿路网步行 / straight line or walking on the road network',
  values: ['euclidean', 'network'] as const,
})

export const DiagnosticRun = builder.objectRef<RunRow>('DiagnosticRun')

interface GapRow {
  facilityType: string
  distanceModel: 'euclidean' | 'network'
  kind: 'blind_spot' | 'capacity'
  rank: number
  priority: number
  cells: number
  uncoveredChildren: number
  uncoveredWorking: number
  uncoveredElderly: number
  capacityGap: number
  geom: Geometry | null
  point: Geometry
}

const GapKind = builder.enumType('CoverageGapKind', {
  description: '盲区（无设施可达）或容量缺口 / a blind spot (no facility in reach) or a capacity gap',
  values: ['blind_spot', 'capacity'] as const,
})

const CoverageGap = builder.objectRef<GapRow>('CoverageGap').implement({
  description: '覆盖诊断发现的服务盲区或缺口（按优先级排序）/ A blind spot or capacity gap found by a run',
  fields: (t) => ({
    facilityType: t.field({ type: FacilityType, resolve: (g) => g.facilityType as never }),
    distanceModel: t.field({ type: DistanceModel, resolve: (g) => g.distanceModel }),
    kind: t.field({ type: GapKind, resolve: (g) => g.kind }),
    rank: t.exposeInt('rank', { description: '1 = 最优先 / 1 = most urgent' }),
    priority: t.exposeFloat('priority'),
    cells: t.exposeInt('cells', { description: '盲区内的人口格网数 / population cells in the blind spot' }),
    uncoveredChildren: t.exposeFloat('uncoveredChildren'),
    uncoveredWorking: t.exposeFloat('uncoveredWorking'),
    uncoveredElderly: t.exposeFloat('uncoveredElderly'),
    capacityGap: t.exposeFloat('capacityGap'),
    geom: t.field({
      type: 'GeoJSON',
      nullable: true,
      description: '盲区轮廓（容量缺口为空）/ outline of the blind spot, null for capacity gaps',
      resolve: (g) => g.geom,
    }),
    point: t.field({ type: 'GeoJSON', description: '需求点 / demand point', resolve: (g) => g.point }),
  }),
})

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
          sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.parent_id = ${r.id} and ${visible(context)}
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
    gaps: t.field({
      type: [CoverageGap],
      description:
        '本次运行发现的盲区与缺口，按优先级排序（最多 2000）/ Gaps of the run by rank (at most 2000)',
      args: {
        facilityType: t.arg({ type: FacilityType }),
        distanceModel: t.arg({ type: DistanceModel }),
        first: t.arg.int({ defaultValue: 500 }),
      },
      resolve: (r, args, context) => {
        const first = Math.min(Math.max(args.first ?? 500, 0), 2000)
        const where = [sql`g.run_id = ${r.id}`]
        if (args.facilityType) where.push(sql`g.facility_type = ${args.facilityType}`)
        if (args.distanceModel) where.push(sql`g.distance_model = ${args.distanceModel}`)
        return context.database.rows<GapRow>(
          sql`select g.facility_type as "facilityType", g.distance_model as "distanceModel", g.kind, g.rank,
            g.priority, g.cells, g.uncovered_children as "uncoveredChildren", g.uncovered_working as "uncoveredWorking",
            g.uncovered_elderly as "uncoveredElderly", g.capacity_gap as "capacityGap",
            ST_AsGeoJSON(g.geom, 7)::json as geom, ST_AsGeoJSON(g.point, 7)::json as point
            from coverage_gaps g where ${sql.join(where, sql` and `)}
            order by g.rank, g.id limit ${first}`,
        )
      },
    }),
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
      const where = [visible(context)]
      if (args.regionCode) where.push(sql`r.region_code = ${args.regionCode}`)
      if (!args.includeParts) where.push(sql`r.parent_id is null`)
      return context.database.rows<RunRow>(
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where ${sql.join(where, sql` and `)} order by r.id desc limit ${limit}`,
      )
    },
  }),
)

builder.queryField('latestCoverageRun', (t) =>
  t.field({
    type: DiagnosticRun,
    nullable: true,
    description:
      '区划内最近一次成功的覆盖诊断（无则为空）/ The latest succeeded coverage run inside the region, null if none',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      const prefix = regionPrefix(args.regionCode)
      const [run] = await context.database.rows<RunRow>(
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.kind = 'coverage' and r.state = 'succeeded'
          and r.region_code like ${`${prefix}%`} and ${visible(context)}
          order by r.finished_at desc nulls last, r.id desc limit 1`,
      )
      return run ?? null
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
    maxCellsPerPart: t.int({
      description:
        '超过此网格数的区划拆分为分片并行计算后合并（结果相同）/ regions with more population cells are split ' +
        'into parts computed by any worker and joined (same results); default 50000',
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
          maxCellsPerPart: input.maxCellsPerPart ?? null,
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
