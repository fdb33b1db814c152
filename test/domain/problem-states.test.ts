import { describe, expect, it } from 'vitest'
import { PROBLEM_STATES } from '../../server/db/problems.ts'
import {
  allowedTransitions,
  checkTransition,
  isOpen,
  ProblemTransitionError,
} from '../../server/domain/problem-states.ts'

describe('problem workflow', () => {
  it('walks the whole forward path from identified to closed', () => {
    const path = ['identified', 'assigned', 'in_progress', 'rectified', 're_inspected', 'closed'] as const
    for (let i = 1; i < path.length; i++) {
      expect(() => checkTransition(path[i - 1] as never, path[i] as never, null)).not.toThrow()
    }
  })

  it('refuses skipped steps and names what is allowed', () => {
    expect(() => checkTransition('identified', 'closed', 'done')).toThrow(ProblemTransitionError)
    expect(() => checkTransition('assigned', 're_inspected', null)).toThrow(
      /allowed: in_progress, identified/,
    )
  })

  it('needs a reason to send back or reopen', () => {
    expect(() => checkTransition('re_inspected', 'in_progress', '')).toThrow(/needs a reason/)
    expect(() => checkTransition('re_inspected', 'in_progress', '复查未通过')).not.toThrow()
    expect(() => checkTransition('closed', 'identified', undefined)).toThrow(/needs a reason/)
    expect(() => checkTransition('closed', 'identified', '群众再次反映')).not.toThrow()
  })

  it('gives every state somewhere to go and only closed is not open', () => {
    for (const s of PROBLEM_STATES) expect(allowedTransitions(s).length).toBeGreaterThan(0)
    expect(PROBLEM_STATES.filter((s) => !isOpen(s))).toEqual(['closed'])
  })
})
