import { describe, expect, it } from 'vitest'
import { phaseCounts, problemPhase, type TimelineProblem, timelineSpan } from '../../viewer/core/timeline.ts'

const problem = (foundYear: number, closedYear: number | null): TimelineProblem => ({
  id: foundYear,
  lonDeg: 121.49,
  latDeg: 31.24,
  foundYear,
  closedYear,
})

describe('the timeline rules', () => {
  it('shows a problem from the year it was found, open until the year it was closed', () => {
    const p = problem(2020, 2022)
    expect([2019, 2020, 2021, 2022, 2030].map((y) => problemPhase(p, y))).toEqual([
      'hidden',
      'open',
      'open',
      'closed',
      'closed',
    ])
    expect(problemPhase(problem(2024, null), 2030)).toBe('open')
    expect(phaseCounts([p, problem(2024, null)], 2023)).toEqual({ open: 0, closed: 1, hidden: 1 })
  })

  it('spans the oldest building to the latest problem date, at least to this year', () => {
    expect(timelineSpan({ earliest: 1907, latest: 2015 }, [problem(2020, 2031)], 2026)).toEqual({
      fromYear: 1907,
      toYear: 2031,
    })
    // Without dated buildings the span is the problems' (and this year).
    expect(timelineSpan({ earliest: null, latest: null }, [problem(2021, null)], 2026)).toEqual({
      fromYear: 2021,
      toYear: 2026,
    })
  })
})
