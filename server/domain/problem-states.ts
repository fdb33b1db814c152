import type { ProblemState } from '../db/problems.ts'

/**
 * Channel announcing every problem change as JSON `{ id, buildingId, regionCode, state, overdue? }`. It lives in
 * the base so that the deadline job (which may not import the schema) announces on the same channel as the API.
 */
export const PROBLEM_EVENTS_CHANNEL = 'problems'

/**
 * 问题台账 workflow: identified → assigned → in progress → rectified → re-inspected → closed (销号).
 * Work can be sent back one step (a failed re-inspection returns to in progress); a closed problem may be
 * reopened, which starts it again as identified. Every transition is recorded with who, when and why.
 */
const NEXT: Record<ProblemState, readonly ProblemState[]> = {
  identified: ['assigned'],
  assigned: ['in_progress', 'identified'],
  in_progress: ['rectified', 'assigned'],
  rectified: ['re_inspected', 'in_progress'],
  re_inspected: ['closed', 'in_progress'],
  closed: ['identified'],
}

/** A step the rules refuse. `code` is the API's answer: bad input, or a caller who may not do it (FORBIDDEN). */
export class ProblemTransitionError extends Error {
  override name = 'ProblemTransitionError'
  constructor(
    message: string,
    readonly code: 'BAD_USER_INPUT' | 'FORBIDDEN' = 'BAD_USER_INPUT',
  ) {
    super(message)
  }
}

export function allowedTransitions(from: ProblemState): readonly ProblemState[] {
  return NEXT[from]
}

/** Throws unless `from → to` is a step of the workflow; going back and reopening need a reason. */
export function checkTransition(
  from: ProblemState,
  to: ProblemState,
  reason: string | null | undefined,
): void {
  if (!NEXT[from].includes(to)) {
    throw new ProblemTransitionError(
      `问题状态不能从「${from}」变为「${to}」，允许：${NEXT[from].join('、')} / ` +
        `a problem cannot go from ${from} to ${to}; allowed: ${NEXT[from].join(', ')}`,
    )
  }
  const forward = ['identified', 'assigned', 'in_progress', 'rectified', 're_inspected', 'closed']
  const backwards = forward.indexOf(to) < forward.indexOf(from)
  if (backwards && !reason?.trim()) {
    throw new ProblemTransitionError(
      `退回或重新打开问题需要说明原因 / sending a problem back or reopening it needs a reason`,
    )
  }
}

/** Open problems are everything not signed off; they carry into the next year's ledger. */
export function isOpen(state: ProblemState): boolean {
  return state !== 'closed'
}

/** How many photos of each kind a problem has. */
export interface PhotoCounts {
  before: number
  after: number
}

/**
 * 整改 is reported with evidence: moving to rectified needs at least one photo from before the work and one
 * from after it, so that the re-inspector compares the two. The message names what is missing.
 */
export function checkRectification(photos: PhotoCounts): void {
  const missing = [
    ...(photos.before > 0 ? [] : [{ zh: '整改前照片', en: "a 'before' photo" }]),
    ...(photos.after > 0 ? [] : [{ zh: '整改后照片', en: "an 'after' photo" }]),
  ]
  if (missing.length === 0) return
  throw new ProblemTransitionError(
    `标记为已整改前需要上传${missing.map((m) => m.zh).join('和')} / ` +
      `a problem is rectified only with photos: missing ${missing.map((m) => m.en).join(' and ')}`,
  )
}

/**
 * 复查 is independent: whoever reported the rectification (the actor of the step to rectified, or a task's
 * rectifier) may not re-inspect it.
 */
export function checkReInspector(inspector: string, rectifiers: readonly string[]): void {
  if (!rectifiers.includes(inspector)) return
  throw new ProblemTransitionError(
    `复查须由整改人以外的人员进行：${inspector} 是本问题的整改人 / ` +
      `a re-inspection must be done by someone other than the rectifier: ${inspector} rectified this problem`,
    'FORBIDDEN',
  )
}

/** Where a re-inspection leaves a rectified problem: re-inspected when it passed, back in progress when not. */
export function reInspectionTarget(passed: boolean): ProblemState {
  return passed ? 're_inspected' : 'in_progress'
}

/** A failed re-inspection sends the work back, which needs a reason like every step back. */
export function checkReInspectionNote(passed: boolean, note: string | null | undefined): void {
  if (passed || note?.trim()) return
  throw new ProblemTransitionError(
    `复查未通过时需要说明原因 / a failed re-inspection needs a note saying why`,
  )
}

/** The latest re-inspection since the problem was last reported rectified, if any. */
export interface LatestReInspection {
  passed: boolean
}

/** 销号 (re-inspected → closed) needs a passed re-inspection of the latest rectification. */
export function checkSignOff(latest: LatestReInspection | null): void {
  if (latest?.passed) return
  throw new ProblemTransitionError(
    latest
      ? `最近一次复查未通过，不能销号 / the latest re-inspection failed: the problem cannot be signed off`
      : `销号前需要一次通过的复查 / signing off needs a passed re-inspection`,
  )
}

/**
 * "Closed, not fixed" (not feasible, out of remit, duplicate outside the ledger): any open problem may end so,
 * and the reason is the record of why.
 */
export function checkCloseNotFixed(from: ProblemState, reason: string | null | undefined): void {
  if (!isOpen(from)) {
    throw new ProblemTransitionError(`问题已销号 / the problem is already closed`)
  }
  if (!reason?.trim()) {
    throw new ProblemTransitionError(
      `未整改即关闭需要说明原因 / closing a problem as not fixed needs a reason`,
    )
  }
}

/** The outcome a step writes: closing through the workflow is fixed; reopening clears it (history keeps it). */
export function outcomeAfter(
  to: ProblemState,
  current: 'fixed' | 'not_fixed' | null,
): 'fixed' | 'not_fixed' | null {
  if (to === 'closed') return 'fixed'
  if (to === 'identified') return null
  return current
}
