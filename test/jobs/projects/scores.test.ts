import { describe, expect, it } from 'vitest'
import { feasibility, ownershipTerm, urgency } from '../../../jobs/projects/scores.ts'

describe('project scores', () => {
  it('weighs land, ownership, size and verification, and says how', () => {
    const verified = feasibility(
      { kind: 'idle_land', areaM2: 900, ownership: '国有', verificationState: 'verified' },
      'kindergarten',
    )
    expect(verified.terms).toEqual({ land: 1, ownership: 1, size: 0.5, verification: 1 })
    expect(verified.value).toBeCloseTo(0.3 + 0.25 + 0.2 * 0.5 + 0.25, 4)
    expect(verified.formula).toMatch(/0\.3 × land/)
    const reported = feasibility(
      { kind: 'underused_building', areaM2: null, ownership: null, verificationState: 'reported' },
      'elderly_care',
    )
    expect(reported.terms).toEqual({ land: 0.6, ownership: 0.5, size: 0.5, verification: 0.5 })
    expect(reported.value).toBeLessThan(verified.value)
    expect([ownershipTerm('村集体'), ownershipTerm('private company'), ownershipTerm('其他')]).toEqual([
      0.7, 0.4, 0.5,
    ])
  })

  it('rates urgency by the worst severity, the longest open and the appeals, capped', () => {
    expect(urgency([]).value).toBe(0)
    const u = urgency([
      { severity: 2, yearsOpen: 1, appeals: 3 },
      { severity: 3, yearsOpen: 0, appeals: 4 },
    ])
    expect(u.terms).toMatchObject({ severity: 1, persistence: 0.3333, appeals: 0.7, problems: 2 })
    expect(u.value).toBeCloseTo(0.5 + 0.1 + 0.14, 3)
    const capped = urgency([{ severity: 3, yearsOpen: 9, appeals: 40 }])
    expect(capped.value).toBe(1)
  })
})
