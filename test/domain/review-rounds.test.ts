import { describe, expect, it } from 'vitest'
import {
  checkRounds,
  currentRound,
  isEditable,
  type ReviewPosition,
  ReviewStepError,
  reviewStep,
  submitStep,
  unlockStep,
} from '../../server/domain/review-rounds.ts'

const draft: ReviewPosition = { state: 'draft', round: 0, locked: false }

function refusal(step: () => unknown): ReviewStepError {
  try {
    step()
  } catch (error) {
    if (error instanceof ReviewStepError) return error
    throw error
  }
  throw new Error('the step was not refused')
}

describe('review rounds', () => {
  it('walks submit → city → province and locks on the last approval', () => {
    const rounds = checkRounds(['city', 'province'])
    const submitted = submitStep(draft)
    expect(submitted).toMatchObject({ state: 'submitted', round: 0, locked: false })
    expect(currentRound(submitted, rounds)).toBe('city')
    const afterCity = reviewStep(submitted, rounds, 'approve', 'city')
    expect(afterCity).toMatchObject({ state: 'submitted', round: 1, locked: false, reviewedRound: 'city' })
    expect(currentRound(afterCity, rounds)).toBe('province')
    const approved = reviewStep(afterCity, rounds, 'approve', 'province')
    expect(approved).toMatchObject({ state: 'approved', locked: true, reviewedRound: 'province' })
    expect(isEditable(approved)).toBe(false)
  })

  it('locks after the city approval when the edition asks for the city round only', () => {
    const rounds = checkRounds(['city'])
    const approved = reviewStep(submitStep(draft), rounds, 'approve', 'city')
    expect(approved).toMatchObject({ state: 'approved', locked: true })
  })

  it('returns from any round to the filler, who submits again from the first round', () => {
    const rounds = checkRounds(['city', 'province'])
    const inProvince = reviewStep(submitStep(draft), rounds, 'approve', 'city')
    const returned = reviewStep(inProvince, rounds, 'return', 'province')
    expect(returned).toMatchObject({ state: 'returned', round: 0, locked: false })
    expect(isEditable(returned)).toBe(true)
    expect(submitStep(returned)).toMatchObject({ state: 'submitted', round: 0 })
  })

  it('refuses the wrong round as FORBIDDEN, naming the round expected', () => {
    const rounds = checkRounds(['city', 'province'])
    const submitted = submitStep(draft)
    const early = refusal(() => reviewStep(submitted, rounds, 'approve', 'province'))
    expect(early.code).toBe('FORBIDDEN')
    expect(early.en).toMatch(/in the city round/)
    const inProvince = reviewStep(submitted, rounds, 'approve', 'city')
    expect(refusal(() => reviewStep(inProvince, rounds, 'approve', 'city')).en).toMatch(/province round/)
  })

  it('refuses steps from the wrong state as CONFLICT, naming the state expected', () => {
    const rounds = checkRounds(['city'])
    expect(refusal(() => reviewStep(draft, rounds, 'approve', 'city'))).toMatchObject({ code: 'CONFLICT' })
    expect(refusal(() => reviewStep(draft, rounds, 'approve', 'city')).en).toMatch(/only a submitted/)
    const submitted = submitStep(draft)
    expect(refusal(() => submitStep(submitted)).en).toMatch(/only a draft or returned/)
    const approved = reviewStep(submitted, rounds, 'approve', 'city')
    expect(refusal(() => submitStep(approved)).code).toBe('CONFLICT')
    expect(refusal(() => unlockStep(submitted, 'why')).en).toMatch(/only an approved, locked/)
  })

  it('unlocks an approved filling only with a reason, and leaves it returned and editable', () => {
    const approved = reviewStep(submitStep(draft), checkRounds(['city']), 'approve', 'city')
    expect(refusal(() => unlockStep(approved, '  ')).code).toBe('BAD_USER_INPUT')
    const unlocked = unlockStep(approved, '区里发现统计口径错误')
    expect(unlocked).toMatchObject({ state: 'returned', round: 0, locked: false })
    expect(isEditable(unlocked)).toBe(true)
  })

  it('refuses rounds that are empty, unknown or repeated', () => {
    expect(() => checkRounds([])).toThrow(ReviewStepError)
    expect(() => checkRounds(['district'])).toThrow(/invalid/)
    expect(() => checkRounds(['city', 'city'])).toThrow(/invalid/)
    expect(checkRounds(['province'])).toEqual(['province'])
  })
})
