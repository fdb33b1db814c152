import type { FillingState } from '../db/fillings.ts'
import type { ReviewRound } from '../db/indicators.ts'

/**
 * 审核: a filling's review as a state machine over the edition's rounds (ADR 0014). A draft or returned filling
 * is submitted and enters round 0; each approval moves it to the next round and the last one approves and locks
 * it; a return sends it back to the filler, who edits and submits again from round 0; a province unlocks an
 * approved filling with a reason, which leaves it returned: editable, and owing every round again, because
 * what was approved is about to change.
 */
export interface ReviewPosition {
  state: FillingState
  /** Index into the edition's rounds of the review under way (or next). */
  round: number
  locked: boolean
}

export type ReviewDecision = 'approve' | 'return'

/** What a step changes: the new position and the round it was taken in (null for submit and unlock). */
export interface ReviewStep extends ReviewPosition {
  reviewedRound: ReviewRound | null
}

const STATE_NAMES: Record<FillingState, string> = {
  draft: '草稿',
  submitted: '审核中',
  returned: '已退回',
  approved: '已审定',
}

const ROUND_NAMES: Record<ReviewRound, string> = { city: '市级初审', province: '省级复审' }

/** Why a step is refused; `code` says whether the caller's role or the filling's state is at fault. */
export class ReviewStepError extends Error {
  override name = 'ReviewStepError'
  constructor(
    readonly code: 'CONFLICT' | 'FORBIDDEN' | 'BAD_USER_INPUT',
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
  }
}

/** The edition's rounds as stored, checked: at least one, each known and only once. */
export function checkRounds(rounds: readonly string[]): ReviewRound[] {
  const known: readonly string[] = ['city', 'province']
  const valid =
    rounds.length > 0 && rounds.every((r) => known.includes(r)) && new Set(rounds).size === rounds.length
  if (!valid) {
    throw new ReviewStepError(
      'CONFLICT',
      `指标体系的审核轮次配置无效：${JSON.stringify(rounds)}`,
      `The edition's review rounds are invalid: ${JSON.stringify(rounds)}`,
    )
  }
  return rounds as ReviewRound[]
}

/** The round a submitted filling is in, by name. */
export function currentRound(position: ReviewPosition, rounds: readonly ReviewRound[]): ReviewRound | null {
  return position.state === 'submitted' ? (rounds[position.round] ?? null) : null
}

/** Submitting: from draft or returned (not locked) into the first round. */
export function submitStep(position: ReviewPosition): ReviewStep {
  if (position.locked || position.state === 'approved') {
    throw new ReviewStepError(
      'CONFLICT',
      '填报已审定锁定，不能再次提交；需省级解锁',
      'The filling is approved and locked; it cannot be submitted again until a province unlocks it',
    )
  }
  if (position.state === 'submitted') {
    throw new ReviewStepError(
      'CONFLICT',
      '填报已提交，正在审核中；应为草稿或已退回状态才能提交',
      'The filling is already submitted and under review; only a draft or returned filling can be submitted',
    )
  }
  return { state: 'submitted', round: 0, locked: false, reviewedRound: null }
}

/**
 * Reviewing in the round under way. `role` is the round the caller reviews in (the one its role holds): a
 * caller of the other round is FORBIDDEN, naming the round expected; a filling not under review is CONFLICT.
 */
export function reviewStep(
  position: ReviewPosition,
  rounds: readonly ReviewRound[],
  decision: ReviewDecision,
  role: ReviewRound | null,
): ReviewStep {
  const round = currentRound(position, rounds)
  if (!round) {
    throw new ReviewStepError(
      'CONFLICT',
      `填报当前为「${STATE_NAMES[position.state]}」，应为「审核中」才能审核`,
      `The filling is ${position.state}; only a submitted filling can be reviewed`,
    )
  }
  if (role !== round) {
    throw new ReviewStepError(
      'FORBIDDEN',
      `填报正处于${ROUND_NAMES[round]}，应由${round === 'city' ? '市级' : '省级'}审核`,
      `The filling is in the ${round} round; it is reviewed by ${round} staff`,
    )
  }
  if (decision === 'return') return { state: 'returned', round: 0, locked: false, reviewedRound: round }
  const last = position.round >= rounds.length - 1
  if (last) return { state: 'approved', round: position.round, locked: true, reviewedRound: round }
  return { state: 'submitted', round: position.round + 1, locked: false, reviewedRound: round }
}

/** Unlocking: only an approved, locked filling, and only with a reason; it comes back returned at round 0. */
export function unlockStep(position: ReviewPosition, reason: string | null | undefined): ReviewStep {
  if (!reason?.trim()) {
    throw new ReviewStepError('BAD_USER_INPUT', '解锁需要说明原因', 'Unlocking a filling needs a reason')
  }
  if (!position.locked || position.state !== 'approved') {
    throw new ReviewStepError(
      'CONFLICT',
      `填报当前为「${STATE_NAMES[position.state]}」，应为「已审定」才能解锁`,
      `The filling is ${position.state}; only an approved, locked filling can be unlocked`,
    )
  }
  return { state: 'returned', round: 0, locked: false, reviewedRound: null }
}

/** Whether values of a filling in this position may be written. */
export function isEditable(position: ReviewPosition): boolean {
  return !position.locked && (position.state === 'draft' || position.state === 'returned')
}
