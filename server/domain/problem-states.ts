import type { ProblemState } from '../db/problems.ts'

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

export class ProblemTransitionError extends Error {
  override name = 'ProblemTransitionError'
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
