import { type SQL, sql } from 'drizzle-orm'
import { authorize, type Operation, PERMISSIONS } from '../../server/auth/permissions.ts'
import type { ReviewRound } from '../../server/db/indicators.ts'
import {
  checkRounds,
  type ReviewPosition,
  type ReviewStep,
  ReviewStepError,
  reviewStep,
  submitStep,
  unlockStep,
} from '../../server/domain/review-rounds.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, forbidden, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { FILLING_COLUMNS, FILLING_FROM, Filling, type FillingView } from './filling.ts'
import { checkRegionCode, databaseKey } from './keys.ts'

const ROUND_OPERATIONS: Record<ReviewRound, Operation> = {
  city: 'filling.reviewCity',
  province: 'filling.reviewProvince',
}

interface ValueComment {
  indicatorCode: string
  unitKey: string
  comment: string
}

const rowsOf = async <T>(tx: SqlExecutor, query: SQL): Promise<T[]> =>
  ((await tx.execute(query)) as { rows: T[] }).rows

/** The refusal of the pure state machine as the API's error of the same code. */
function stepOrRefuse(step: () => ReviewStep, state: string): ReviewStep {
  try {
    return step()
  } catch (error) {
    if (!(error instanceof ReviewStepError)) throw error
    if (error.code === 'FORBIDDEN') throw forbidden(error.zh, error.en)
    if (error.code === 'BAD_USER_INPUT') throw badUserInput(error.zh, error.en)
    throw conflict(error.zh, error.en, { state })
  }
}

/**
 * Reads a filling for a review step and locks its row: NOT_FOUND outside the caller's scope (the answer for a
 * filling that does not exist, ADR 0012), then the operation checked against the filling's region.
 */
async function fillingForStep(
  tx: SqlExecutor,
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
  operation: Operation,
): Promise<FillingView> {
  const [filling] = await rowsOf<FillingView & { campaignStatus: string }>(
    tx,
    sql`select ${FILLING_COLUMNS}, k.status as "campaignStatus" from ${FILLING_FROM}
      where f.campaign_id = ${campaignId} and f.region_code = ${regionCode} for update of f`,
  )
  const inScope = context.scope.kind === 'region' && regionCode.startsWith(context.scope.prefix)
  if (!filling || !inScope) {
    throw notFound(
      `体检任务 ${campaignId} 没有 ${regionCode} 的填报表，或无权访问`,
      `Campaign ${campaignId} has no filling for region ${regionCode}, or it is outside your scope`,
    )
  }
  authorize(context.identity, context.scope, operation, { regionCode })
  if (filling.campaignStatus === 'closed') {
    throw conflict(
      `体检任务 ${campaignId} 已结束，填报不再审核或解锁`,
      `Campaign ${campaignId} is closed; its fillings are no longer reviewed or unlocked`,
      { state: filling.state },
    )
  }
  return filling
}

const positionOf = (f: FillingView): ReviewPosition => ({
  state: f.state,
  round: f.round,
  locked: f.lockedAt !== null,
})

/** The value rows of a filling's tasks, as a condition on `indicator_values v`. */
const valuesOf = (fillingId: number): SQL =>
  sql`exists (select 1 from filling_tasks t where t.filling_id = ${fillingId} and t.campaign_id = v.campaign_id
    and t.indicator_id = v.indicator_id and t.unit_type = v.unit_type and t.unit_key = v.unit_key)`

/**
 * A check is under review (`reviewing`) once every filling of it has been submitted, and back to `collecting`
 * when one is returned or unlocked; a planned or closed check keeps its status.
 */
async function followFillings(tx: SqlExecutor, campaignId: number): Promise<void> {
  await tx.execute(sql`update campaigns c set status = case when exists (select 1 from fillings f
      where f.campaign_id = c.id and f.state in ('draft', 'returned')) then 'collecting' else 'reviewing' end
    where c.id = ${campaignId} and c.status in ('collecting', 'reviewing')`)
}

/** Writes the step: the filling's new position, its review row and its audit event, in the caller's transaction. */
async function recordStep(
  tx: SqlExecutor,
  context: GraphQLContext,
  filling: FillingView,
  step: ReviewStep,
  record: {
    decision: 'submit' | 'approve' | 'return' | 'unlock'
    comment: string | null
    valueComments: ValueComment[]
  },
): Promise<FillingView> {
  const actor = context.identity?.subject ?? 'unknown'
  const submitted = record.decision === 'submit'
  await tx.execute(sql`update fillings set state = ${step.state}, round = ${step.round},
      locked_at = ${step.locked ? sql`now()` : sql`null`},
      submitted_by = ${submitted ? sql`${actor}` : sql`submitted_by`},
      submitted_at = ${submitted ? sql`now()` : sql`submitted_at`}, updated_at = now()
    where id = ${filling.id}`)
  await followFillings(tx, filling.campaignId)
  await tx.execute(sql`insert into filling_reviews (filling_id, round, decision, comment, value_comments, actor, role)
    values (${filling.id}, ${step.reviewedRound}, ${record.decision}, ${record.comment},
      ${JSON.stringify(record.valueComments)}::jsonb, ${actor}, ${context.identity?.role ?? null})`)
  await recordAudit(tx, context, {
    entity: 'filling',
    entityId: filling.id,
    action: record.decision,
    regionCode: filling.regionCode,
    before: { state: filling.state, round: filling.round, locked: filling.lockedAt !== null },
    after: {
      state: step.state,
      round: step.round,
      locked: step.locked,
      reviewedRound: step.reviewedRound,
      comment: record.comment,
      valueComments: record.valueComments,
    },
  })
  const [after] = await rowsOf<FillingView>(
    tx,
    sql`select ${FILLING_COLUMNS} from ${FILLING_FROM} where f.id = ${filling.id}`,
  )
  return after as FillingView
}

/** 提交: a draft or returned filling goes to the first round; its values are submitted with it. */
function submitFilling(
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
): Promise<FillingView> {
  authorize(context.identity, context.scope, 'filling.submit')
  return context.database.db.transaction(async (tx) => {
    const filling = await fillingForStep(tx, context, campaignId, regionCode, 'filling.submit')
    const step = stepOrRefuse(() => {
      checkRounds(filling.reviewRounds)
      return submitStep(positionOf(filling))
    }, filling.state)
    await tx.execute(sql`update indicator_values v set review_state = 'submitted', updated_at = now()
      where ${valuesOf(filling.id)}`)
    return recordStep(tx, context, filling, step, { decision: 'submit', comment: null, valueComments: [] })
  })
}

/** The round a caller's role reviews in; roles that review in none are refused before anything is read. */
function reviewerRound(context: GraphQLContext): ReviewRound {
  const role = context.identity?.role
  if (role && PERMISSIONS['filling.reviewCity'][role]) return 'city'
  if (role && PERMISSIONS['filling.reviewProvince'][role]) return 'province'
  if (!context.identity) authorize(null, context.scope, 'filling.reviewCity')
  throw forbidden(
    '只有市级（初审）和省级（复审）可以审核填报',
    `A ${role ?? 'caller'} may not review a filling; only city (first round) and province (second round) may`,
  )
}

interface ReviewInput {
  campaignId: number
  regionCode: string
  decision: 'approve' | 'return'
  comment: string | null
  valueComments: ValueComment[]
}

/**
 * 初审 / 复审: approves or returns a filling in the round under way. The last approval locks the filling and
 * approves every value; a return marks the values commented on as returned with their comments and puts the rest
 * back to draft, so the filler sees at once which values the reviewer questioned.
 */
function reviewFilling(context: GraphQLContext, input: ReviewInput): Promise<FillingView> {
  const round = reviewerRound(context)
  return context.database.db.transaction(async (tx) => {
    const filling = await fillingForStep(
      tx,
      context,
      input.campaignId,
      input.regionCode,
      ROUND_OPERATIONS[round],
    )
    const step = stepOrRefuse(
      () => reviewStep(positionOf(filling), checkRounds(filling.reviewRounds), input.decision, round),
      filling.state,
    )
    const actor = context.identity?.subject ?? 'unknown'
    await checkValueComments(tx, filling.id, input.valueComments)
    if (input.decision === 'return') {
      await returnValues(tx, filling.id, input, actor)
    } else if (step.locked) {
      await tx.execute(sql`update indicator_values v set review_state = 'approved', reviewer = ${actor},
          updated_at = now() where ${valuesOf(filling.id)}`)
    }
    return recordStep(tx, context, filling, step, {
      decision: input.decision,
      comment: input.comment,
      valueComments: input.valueComments,
    })
  })
}

/** Value comments must name tasks of the filling: a comment on nothing would be lost on the reviewer. */
async function checkValueComments(
  tx: SqlExecutor,
  fillingId: number,
  comments: ValueComment[],
): Promise<void> {
  if (comments.length === 0) return
  const unknown = await rowsOf<{ indicatorCode: string; unitKey: string }>(
    tx,
    sql`select c."indicatorCode", c."unitKey" from json_to_recordset(${JSON.stringify(comments)}::json)
        as c("indicatorCode" text, "unitKey" text)
      where not exists (select 1 from filling_tasks t join indicators i on i.id = t.indicator_id
        where t.filling_id = ${fillingId} and i.code = c."indicatorCode" and t.unit_key = c."unitKey")`,
  )
  if (unknown.length > 0) {
    const named = unknown.map((u) => `${u.indicatorCode}@${u.unitKey}`).join(', ')
    throw badUserInput(
      `逐值意见指向的填报任务不存在：${named}`,
      `Value comments name no task of this filling: ${named}`,
    )
  }
}

async function returnValues(
  tx: SqlExecutor,
  fillingId: number,
  input: ReviewInput,
  actor: string,
): Promise<void> {
  if (!input.comment && input.valueComments.length === 0) {
    throw badUserInput(
      '退回需要说明意见（总体或逐值）',
      'A return needs a comment, on the filling or on values',
    )
  }
  const comments = JSON.stringify(input.valueComments)
  await tx.execute(sql`update indicator_values v set review_state = 'draft', updated_at = now()
    where ${valuesOf(fillingId)}`)
  await tx.execute(sql`update indicator_values v set review_state = 'returned', review_comment = c.comment,
      reviewer = ${actor}, updated_at = now()
    from json_to_recordset(${comments}::json) as c("indicatorCode" text, "unitKey" text, comment text),
      filling_tasks t, indicators i
    where t.filling_id = ${fillingId} and i.id = t.indicator_id and i.code = c."indicatorCode"
      and t.unit_key = c."unitKey" and v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key`)
}

/**
 * 解锁: a province reopens an approved filling with a reason. It comes back returned at round 0 — editable, and
 * owing every round again — and its values are no longer approved (returned, the reason on the review row).
 */
function unlockFilling(
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
  reason: string | null,
): Promise<FillingView> {
  authorize(context.identity, context.scope, 'filling.unlock')
  return context.database.db.transaction(async (tx) => {
    const filling = await fillingForStep(tx, context, campaignId, regionCode, 'filling.unlock')
    const step = stepOrRefuse(() => unlockStep(positionOf(filling), reason), filling.state)
    await tx.execute(sql`update indicator_values v set review_state = 'returned', updated_at = now()
      where ${valuesOf(filling.id)}`)
    return recordStep(tx, context, filling, step, {
      decision: 'unlock',
      comment: reason?.trim() ?? null,
      valueComments: [],
    })
  })
}

const FillingRef = builder.inputType('FillingRefInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
    regionCode: t.string({ required: true, description: '填报单位（区，或市）/ the filling region' }),
  }),
})

const ReviewDecisionEnum = builder.enumType('ReviewDecision', {
  description: '审核结论：通过 / 退回 / Approve or return',
  values: { APPROVE: { value: 'approve' }, RETURN: { value: 'return' } } as const,
})

const ValueCommentInput = builder.inputType('ValueCommentInput', {
  fields: (t) => ({
    indicatorCode: t.string({ required: true }),
    unitKey: t.string({ required: true }),
    comment: t.string({ required: true }),
  }),
})

const ReviewFillingInput = builder.inputType('ReviewFillingInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
    regionCode: t.string({ required: true }),
    decision: t.field({ type: ReviewDecisionEnum, required: true }),
    comment: t.string({
      description: '总体意见；退回时与逐值意见至少其一 / required for a return without value comments',
    }),
    valueComments: t.field({
      type: [ValueCommentInput],
      description: '逐值意见 / comments on single values',
    }),
  }),
})

const UnlockFillingInput = builder.inputType('UnlockFillingInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
    regionCode: t.string({ required: true }),
    reason: t.string({ required: true, description: '解锁原因（必填）/ why, required' }),
  }),
})

const text = (value: string | null | undefined, max: number): string | null => {
  const trimmed = value?.trim()
  return trimmed ? trimmed.slice(0, max) : null
}

builder.mutationField('submitFilling', (t) =>
  t.field({
    type: Filling,
    description:
      '提交填报（市级、区县）：进入第一轮审核，之后不能修改，直到退回 / Submits a filling into the first review round',
    args: { input: t.arg({ type: FillingRef, required: true }) },
    resolve: (_root, { input }, context) =>
      submitFilling(context, databaseKey(input.campaignId, 'Campaign'), checkRegionCode(input.regionCode)),
  }),
)

builder.mutationField('reviewFilling', (t) =>
  t.field({
    type: Filling,
    description:
      '审核填报：市级初审、省级复审（按指标体系的轮次），通过或退回；末轮通过即锁定 / Approves or returns a filling in the round under way; the last approval locks it',
    args: { input: t.arg({ type: ReviewFillingInput, required: true }) },
    resolve: (_root, { input }, context) =>
      reviewFilling(context, {
        campaignId: databaseKey(input.campaignId, 'Campaign'),
        regionCode: checkRegionCode(input.regionCode),
        decision: input.decision,
        comment: text(input.comment, 2000),
        valueComments: (input.valueComments ?? []).map((c) => ({
          indicatorCode: c.indicatorCode,
          unitKey: c.unitKey,
          comment: text(c.comment, 2000) ?? '',
        })),
      }),
  }),
)

builder.mutationField('unlockFilling', (t) =>
  t.field({
    type: Filling,
    description:
      '解锁已审定的填报（省级，须说明原因）：退回状态，可修改后重新提交、重新审核 / Unlocks an approved filling with a reason; it comes back returned',
    args: { input: t.arg({ type: UnlockFillingInput, required: true }) },
    resolve: (_root, { input }, context) =>
      unlockFilling(
        context,
        databaseKey(input.campaignId, 'Campaign'),
        checkRegionCode(input.regionCode),
        text(input.reason, 2000),
      ),
  }),
)
