import { type SQL, sql } from 'drizzle-orm'
import { authorize, PERMISSIONS } from '../../server/auth/permissions.ts'
import { FILLING_STATES, type FillingState } from '../../server/db/fillings.ts'
import { REVIEW_ROUNDS, type ReviewRound } from '../../server/db/indicators.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { Indicator, loadIndicators } from '../indicators/catalogue.ts'
import { loadRegions, Region } from '../regions.ts'
import { encodeGlobalId, numericKey } from '../support/global-id.ts'
import { groupedByKey, inKeyOrder } from '../support/loading.ts'
import { registerNode } from '../support/node.ts'
import { checkRegionCode, databaseKey } from './keys.ts'

/** A filling as the API reads it, with its edition's review rounds. */
export interface FillingView {
  id: number
  campaignId: number
  regionCode: string
  state: FillingState
  round: number
  reviewRounds: ReviewRound[]
  submittedBy: string | null
  submittedAt: Date | string | null
  lockedAt: Date | string | null
  updatedAt: Date | string
}

export const FILLING_COLUMNS = sql`f.id, f.campaign_id as "campaignId", f.region_code as "regionCode", f.state, f.round,
  s.review_rounds as "reviewRounds", f.submitted_by as "submittedBy", f.submitted_at as "submittedAt",
  f.locked_at as "lockedAt", f.updated_at as "updatedAt"`

export const FILLING_FROM = sql`fillings f join campaigns k on k.id = f.campaign_id
  join indicator_systems s on s.id = k.system_id`

/**
 * Fillings are the region staff's working data: read by the roles holding `filling.read` (ADR 0012) within their
 * region, and by a street the filling of its district, which holds the street's own units (its tasks are then
 * read through `taskVisible`); partners and the public read none.
 */
export function fillingVisible(context: GraphQLContext, alias: SQL = sql`f`): SQL {
  const role = context.identity?.role
  if (context.scope.kind !== 'region' || !role || !PERMISSIONS['filling.read'][role]) return sql`false`
  const prefix = context.scope.prefix
  return sql`(${alias}.region_code like ${sql.raw(`'${prefix}%'`)} or starts_with(${sql.raw(`'${prefix}'`)}, ${alias}.region_code))`
}

/** The tasks of a visible filling the caller reads: those of units inside its region (all, but for a street). */
export function taskVisible(context: GraphQLContext, alias: SQL = sql`t`): SQL {
  if (context.scope.kind !== 'region') return sql`false`
  return sql`${alias}.region_code like ${sql.raw(`'${context.scope.prefix}%'`)}`
}

export async function loadFillings(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<(FillingView | null)[]> {
  const rows = await context.database.rows<FillingView>(
    sql`select ${FILLING_COLUMNS} from ${FILLING_FROM}
      where f.id = any(${sql.param([...ids])}::int[]) and ${fillingVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

export async function loadFillingsOfCampaigns(
  ids: readonly number[],
  context: GraphQLContext,
): Promise<FillingView[][]> {
  const rows = await context.database.rows<FillingView>(
    sql`select ${FILLING_COLUMNS} from ${FILLING_FROM}
      where f.campaign_id = any(${sql.param([...ids])}::int[]) and ${fillingVisible(context)}
      order by f.region_code`,
  )
  return groupedByKey(ids, rows, (r) => r.campaignId)
}

export interface ProgressRow {
  tasks: number
  filled: number
  approved: number
}

/** Tasks owed, tasks with a value, and values approved, over the fillings the caller may read. */
export async function progressOf(context: GraphQLContext, where: SQL): Promise<ProgressRow> {
  const [row] = await context.database.rows<ProgressRow>(sql`select count(t.id)::int as tasks,
      count(v.value)::int as filled, (count(*) filter (where v.review_state = 'approved'))::int as approved
    from filling_tasks t join fillings f on f.id = t.filling_id
    left join indicator_values v on v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key
    where ${where} and ${fillingVisible(context)} and ${taskVisible(context)}`)
  return row ?? { tasks: 0, filled: 0, approved: 0 }
}

export const FillingProgress = builder.objectRef<ProgressRow>('FillingProgress').implement({
  description: '填报进度 / How far the filling has come',
  fields: (t) => ({
    tasks: t.exposeInt('tasks', { description: '填报任务数（指标 × 单元）/ values owed' }),
    filled: t.exposeInt('filled', { description: '已有值的任务 / tasks with a value' }),
    approved: t.exposeInt('approved', { description: '已审定的值 / values approved' }),
  }),
})

export const FillingStateEnum = builder.enumType('FillingState', {
  description: '填报状态：草稿 / 审核中 / 已退回 / 已审定（锁定）/ State of a filling',
  values: FILLING_STATES,
})

export const FillingReviewRound = builder.enumType('FillingReviewRound', {
  description: '审核轮次：市级初审 / 省级复审 / A review round',
  values: REVIEW_ROUNDS,
})

interface TaskView {
  id: number
  indicatorId: number
  indicatorCode: string
  indicatorName: string
  unit: string | null
  methodKind: string
  unitType: string
  unitKey: string
  unitName: string
  regionCode: string
  department: string | null
  valueId: number | null
  value: number | null
  grade: string | null
  warning: string | null
  source: string | null
  remark: string | null
  reviewState: string | null
  reviewComment: string | null
}

const FillingTask = builder.objectRef<TaskView>('FillingTask').implement({
  description:
    '填报任务：某单元应填的某指标，及其当前值 / One value owed: indicator × unit, with the value it holds',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    indicator: t.field({
      type: Indicator,
      nullable: true,
      resolve: (task, _a, c) => c.loader(loadIndicators).load(task.indicatorId),
    }),
    indicatorCode: t.exposeString('indicatorCode'),
    indicatorName: t.exposeString('indicatorName'),
    unit: t.exposeString('unit', { nullable: true, description: '计量单位 / unit of measure' }),
    methodKind: t.exposeString('methodKind', { description: 'reported | computed' }),
    unitType: t.exposeString('unitType'),
    unitKey: t.exposeString('unitKey'),
    unitName: t.exposeString('unitName'),
    regionCode: t.exposeString('regionCode'),
    department: t.exposeString('department', { nullable: true }),
    valueId: t.exposeInt('valueId', {
      nullable: true,
      description: '指标值编号（溯源用）/ the value row, for indicatorValueProvenance',
    }),
    value: t.exposeFloat('value', { nullable: true }),
    grade: t.exposeString('grade', { nullable: true }),
    warning: t.exposeString('warning', { nullable: true }),
    source: t.exposeString('source', { nullable: true, description: 'reported | computed | imported' }),
    remark: t.exposeString('remark', { nullable: true }),
    reviewState: t.exposeString('reviewState', { nullable: true }),
    reviewComment: t.exposeString('reviewComment', { nullable: true }),
  }),
})

interface ReviewView {
  round: ReviewRound | null
  decision: 'submit' | 'approve' | 'return' | 'unlock'
  comment: string | null
  valueComments: { indicatorCode: string; unitKey: string; comment: string }[]
  actor: string
  role: string | null
  at: Date | string
}

const ValueComment = builder
  .objectRef<{ indicatorCode: string; unitKey: string; comment: string }>('FillingValueComment')
  .implement({
    fields: (t) => ({
      indicatorCode: t.exposeString('indicatorCode'),
      unitKey: t.exposeString('unitKey'),
      comment: t.exposeString('comment'),
    }),
  })

export const FillingReview = builder.objectRef<ReviewView>('FillingReview').implement({
  description: '审核记录：提交、通过、退回或解锁 / One step of the review',
  fields: (t) => ({
    round: t.field({ type: FillingReviewRound, nullable: true, resolve: (r) => r.round }),
    decision: t.exposeString('decision', { description: 'submit | approve | return | unlock' }),
    comment: t.exposeString('comment', { nullable: true }),
    valueComments: t.field({ type: [ValueComment], resolve: (r) => r.valueComments }),
    actor: t.exposeString('actor'),
    role: t.exposeString('role', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
  }),
})

export const REVIEW_COLUMNS = sql`r.round, r.decision, r.comment, r.value_comments as "valueComments", r.actor,
  r.role, r.at`

export const Filling = builder.objectRef<FillingView>('Filling')

registerNode('Filling', (key, context) => context.loader(loadFillings).load(numericKey(key)))

builder.objectType(Filling, {
  description:
    '填报表：某填报单位（区，或市）在一次体检中应填的全部值及其审核进度 / What one filling region owes in a campaign, and its review',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ resolve: (f) => encodeGlobalId('Filling', f.id) }),
    databaseId: t.exposeInt('id'),
    campaignId: t.exposeInt('campaignId'),
    regionCode: t.exposeString('regionCode'),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (f, _a, c) => c.loader(loadRegions).load(f.regionCode),
    }),
    state: t.field({ type: FillingStateEnum, resolve: (f) => f.state }),
    round: t.exposeInt('round', { description: '审核轮次序号 / index of the round under way or next' }),
    reviewRounds: t.field({
      type: [FillingReviewRound],
      description: '指标体系规定的审核轮次 / the rounds the edition asks for, in order',
      resolve: (f) => f.reviewRounds,
    }),
    currentRound: t.field({
      type: FillingReviewRound,
      nullable: true,
      description: '正在进行的审核轮次；未提交时为空 / the round under way, null unless submitted',
      resolve: (f) => (f.state === 'submitted' ? (f.reviewRounds[f.round] ?? null) : null),
    }),
    locked: t.boolean({ resolve: (f) => f.lockedAt !== null }),
    lockedAt: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.lockedAt }),
    submittedBy: t.exposeString('submittedBy', { nullable: true }),
    submittedAt: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.submittedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (f) => f.updatedAt }),
    progress: t.field({
      type: FillingProgress,
      resolve: (f, _a, c) => progressOf(c, sql`t.filling_id = ${f.id}`),
    }),
    tasks: t.field({
      type: [FillingTask],
      description: '填报任务及当前值，按指标顺序 / tasks with their values, in indicator order',
      args: { indicatorCode: t.arg.string(), unitKey: t.arg.string() },
      resolve: (f, args, c) => tasksOfFilling(c, f.id, args.indicatorCode ?? null, args.unitKey ?? null),
    }),
    reviews: t.field({
      type: [FillingReview],
      description: '审核记录，先后顺序 / the review steps, oldest first',
      resolve: (f, _a, c) =>
        c.database.rows<ReviewView>(
          sql`select ${REVIEW_COLUMNS} from filling_reviews r where r.filling_id = ${f.id} order by r.id`,
        ),
    }),
  }),
})

function tasksOfFilling(
  context: GraphQLContext,
  fillingId: number,
  indicatorCode: string | null,
  unitKey: string | null,
): Promise<TaskView[]> {
  const where = [sql`t.filling_id = ${fillingId}`, taskVisible(context)]
  if (indicatorCode !== null) where.push(sql`i.code = ${indicatorCode}`)
  if (unitKey !== null) where.push(sql`t.unit_key = ${unitKey}`)
  return context.database.rows<TaskView>(sql`select t.id, t.indicator_id as "indicatorId", i.code as "indicatorCode", i.name as "indicatorName",
      i.unit, i.method_kind as "methodKind", t.unit_type as "unitType", t.unit_key as "unitKey",
      t.unit_name as "unitName", t.region_code as "regionCode", t.department, v.id as "valueId", v.value, v.grade,
      v.warning, v.source, v.remark, v.review_state as "reviewState", v.review_comment as "reviewComment"
    from filling_tasks t join indicators i on i.id = t.indicator_id
    left join indicator_values v on v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key
    where ${sql.join(where, sql` and `)} order by i.sort_order, i.id, t.unit_key`)
}

builder.queryField('filling', (t) =>
  t.field({
    type: Filling,
    nullable: true,
    description:
      '某次体检中某填报单位的填报表；不存在或无权访问时为空 / The filling of a region in a campaign, null if none visible',
    args: {
      campaignId: t.arg.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
      regionCode: t.arg.string({ required: true }),
    },
    resolve: async (_root, args, context) => {
      authorize(context.identity, context.scope, 'filling.read')
      const campaignId = databaseKey(args.campaignId, 'Campaign')
      const [row] = await context.database.rows<FillingView>(
        sql`select ${FILLING_COLUMNS} from ${FILLING_FROM} where f.campaign_id = ${campaignId}
          and f.region_code = ${checkRegionCode(args.regionCode)} and ${fillingVisible(context)}`,
      )
      return row ?? null
    },
  }),
)
