import { describe, expect, it } from 'vitest'
import { PROBLEM_EVENTS_CHANNEL } from '../../schema/problems/problem.ts'
import { PROBLEM_STATES } from '../../server/db/problems.ts'
import {
  allowedTransitions,
  checkCloseNotFixed,
  checkRectification,
  checkReInspectionNote,
  checkReInspector,
  checkSignOff,
  checkTransition,
  PROBLEM_EVENTS_CHANNEL as DOMAIN_CHANNEL,
  isOpen,
  outcomeAfter,
  ProblemTransitionError,
  reInspectionTarget,
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

describe('the problem events channel', () => {
  it('is the one the API announces on, so the deadline job reaches problemChanged subscribers', () => {
    expect(DOMAIN_CHANNEL).toBe(PROBLEM_EVENTS_CHANNEL)
  })
})

describe('evidence and sign-off rules', () => {
  it('rectifies only with a before and an after photo, naming what is missing', () => {
    expect(() => checkRectification({ before: 1, after: 2 })).not.toThrow()
    expect(() => checkRectification({ before: 0, after: 1 })).toThrow(/missing a 'before' photo$/)
    expect(() => checkRectification({ before: 1, after: 0 })).toThrow(/missing an 'after' photo$/)
    expect(() => checkRectification({ before: 0, after: 0 })).toThrow(
      /整改前照片和整改后照片.*missing a 'before' photo and an 'after' photo/,
    )
  })

  it('keeps the rectifier from re-inspecting, with a FORBIDDEN refusal', () => {
    expect(() => checkReInspector('inspector', ['worker'])).not.toThrow()
    expect(() => checkReInspector('worker', ['worker', 'other'])).toThrow(/someone other than the rectifier/)
    try {
      checkReInspector('worker', ['worker'])
    } catch (error) {
      expect((error as ProblemTransitionError).code).toBe('FORBIDDEN')
    }
  })

  it('moves a re-inspected problem by its result and asks why a failure failed', () => {
    expect(reInspectionTarget(true)).toBe('re_inspected')
    expect(reInspectionTarget(false)).toBe('in_progress')
    expect(() => checkReInspectionNote(false, ' ')).toThrow(/needs a note/)
    expect(() => checkReInspectionNote(false, '外机支架仍在')).not.toThrow()
    expect(() => checkReInspectionNote(true, null)).not.toThrow()
  })

  it('signs off only after a passed re-inspection', () => {
    expect(() => checkSignOff({ passed: true })).not.toThrow()
    expect(() => checkSignOff({ passed: false })).toThrow(/latest re-inspection failed/)
    expect(() => checkSignOff(null)).toThrow(/needs a passed re-inspection/)
  })

  it('closes as not fixed any open problem, with a reason', () => {
    expect(() => checkCloseNotFixed('assigned', '不具备整改条件')).not.toThrow()
    expect(() => checkCloseNotFixed('assigned', '')).toThrow(/needs a reason/)
    expect(() => checkCloseNotFixed('closed', '重复')).toThrow(/already closed/)
  })

  it('writes outcome fixed on closing through the workflow and clears it on reopening', () => {
    expect(outcomeAfter('closed', null)).toBe('fixed')
    expect(outcomeAfter('identified', 'not_fixed')).toBeNull()
    expect(outcomeAfter('in_progress', null)).toBeNull()
  })
})
