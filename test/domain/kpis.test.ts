import { describe, expect, it } from 'vitest'
import { KpiPeriodError, kpiFigures, kpiPeriod, median, per10k, ratio } from '../../server/domain/kpis.ts'

describe('KPI arithmetic', () => {
  it('takes the middle value, or the mean of the two middle values, of unsorted figures', () => {
    expect(median([])).toBeNull()
    expect(median([7])).toBe(7)
    expect(median([30, 10, 22])).toBe(22)
    expect(median([15, 10])).toBe(12.5)
  })

  it('a rate of nothing is unknown, not 0 or 100 %; rates keep four decimals', () => {
    expect(ratio(0, 0)).toBeNull()
    expect(ratio(0, 4)).toBe(0)
    expect(ratio(2, 3)).toBe(0.6667)
  })

  it('appeals per 10,000 residents, null without residents', () => {
    // 4 appeals among 20,000 residents: 4 / 20,000 × 10,000 = 2.
    expect(per10k(4, 20_000)).toBe(2)
    expect(per10k(1, 34_197.34)).toBe(0.29)
    expect(per10k(3, 0)).toBeNull()
    expect(per10k(null, 1000)).toBeNull()
  })

  it('turns the counts of a group into its figures', () => {
    expect(
      kpiFigures({
        received: 5,
        closed: 5,
        closedWithDeadline: 4,
        closedOnTime: 3,
        daysToClose: [22, 30, 10, 15.04, 16],
        overdueNow: 2,
        reopened: 1,
        appeals: null,
        residents: null,
      }),
    ).toEqual({
      received: 5,
      closed: 5,
      onTimeRate: 0.75,
      medianDaysToClose: 16,
      overdueNow: 2,
      reopenRate: 0.2,
      appealsPer10k: null,
    })
  })

  it('a period is whole Shanghai days, both named days included', () => {
    const { start, end } = kpiPeriod('2024-01-01', '2024-06-30')
    expect(start.toISOString()).toBe('2023-12-31T16:00:00.000Z')
    expect(end.toISOString()).toBe('2024-06-30T16:00:00.000Z')
    expect(kpiPeriod('2024-02-29', '2024-02-29').end.getTime() - start.getTime()).toBeGreaterThan(0)
    expect(() => kpiPeriod('2024-02-30', '2024-03-01')).toThrow(KpiPeriodError)
    expect(() => kpiPeriod('2024-03-01', '2024-02-01')).toThrow(/after/)
    expect(() => kpiPeriod('2024/01/01', '2024-02-01')).toThrow(/YYYY-MM-DD/)
    expect(() => kpiPeriod('2000-01-01', '2024-02-01')).toThrow(/exceeds/)
  })
})
