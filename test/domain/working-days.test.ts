import { describe, expect, it } from 'vitest'
import {
  addWorkingDays,
  endOfShanghaiDay,
  type HolidayDay,
  holidayCalendar,
  isWorkingDay,
  shanghaiDate,
} from '../../server/domain/working-days.ts'

// The 2025 National Day and Mid-Autumn break as the State Council set it: 1–8 October off, Sunday
// 28 September and Saturday 11 October worked (调休).
const NATIONAL_DAY_2025: HolidayDay[] = [
  ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => ({ day: `2025-10-${d}`, isWorkday: false })),
  { day: '2025-09-28', isWorkday: true },
  { day: '2025-10-11', isWorkday: true },
]

/** The Shanghai date a deadline falls on. */
const dueDay = (start: string, days: number, holidays: HolidayDay[] = []) =>
  shanghaiDate(addWorkingDays(new Date(start), days, holidays))

describe('working days in Asia/Shanghai', () => {
  it('ends a deadline at the last moment of its Shanghai day', () => {
    expect(addWorkingDays(new Date('2026-12-07T02:00:00Z'), 1, []).toISOString()).toBe(
      '2026-12-08T15:59:59.999Z',
    )
    expect(endOfShanghaiDay('2026-12-07').toISOString()).toBe('2026-12-07T15:59:59.999Z')
  })

  it('does not count the start day, and 0 days is the end of the start day', () => {
    expect(dueDay('2026-12-07T01:00:00+08:00', 1)).toBe('2026-12-08')
    expect(dueDay('2026-12-07T23:00:00+08:00', 0)).toBe('2026-12-07')
  })

  it('skips Saturdays and Sundays', () => {
    // Friday → Monday; a week of five working days from a Monday is the next Monday.
    expect(dueDay('2026-12-04T10:00:00+08:00', 1)).toBe('2026-12-07')
    expect(dueDay('2026-12-07T10:00:00+08:00', 5)).toBe('2026-12-14')
    // From a Saturday the first working day is Monday.
    expect(dueDay('2026-12-05T10:00:00+08:00', 1)).toBe('2026-12-07')
    // The seeded deadline for severity 3: 7 working days from Monday 7 December is Wednesday 16 December.
    expect(dueDay('2026-12-07T10:00:00+08:00', 7)).toBe('2026-12-16')
  })

  it('reads the start in Shanghai time, not UTC', () => {
    // 17:00 UTC on Sunday is 01:00 on Monday in Shanghai: one working day later is Tuesday, not Monday.
    expect(shanghaiDate(new Date('2026-12-06T17:00:00Z'))).toBe('2026-12-07')
    expect(dueDay('2026-12-06T17:00:00Z', 1)).toBe('2026-12-08')
    // 15:00 UTC on Friday is 23:00 on Friday in Shanghai: still Friday, so Monday.
    expect(dueDay('2026-12-04T15:00:00Z', 1)).toBe('2026-12-07')
  })

  it('skips the holidays of the table', () => {
    // Tuesday 30 September: the next working day is Thursday 9 October.
    expect(dueDay('2025-09-30T09:00:00+08:00', 1, NATIONAL_DAY_2025)).toBe('2025-10-09')
    expect(dueDay('2025-09-30T09:00:00+08:00', 2, NATIONAL_DAY_2025)).toBe('2025-10-10')
  })

  it('counts weekend days worked in exchange (调休)', () => {
    // Friday 26 September: Sunday 28 September is worked, so one working day later is that Sunday.
    expect(dueDay('2025-09-26T09:00:00+08:00', 1, NATIONAL_DAY_2025)).toBe('2025-09-28')
    expect(dueDay('2025-09-26T09:00:00+08:00', 2, NATIONAL_DAY_2025)).toBe('2025-09-29')
    // Thursday 9, Friday 10 and Saturday 11 October (worked).
    expect(dueDay('2025-09-30T09:00:00+08:00', 3, NATIONAL_DAY_2025)).toBe('2025-10-11')
    // Without the table the same count lands on Friday 3 October.
    expect(dueDay('2025-09-30T09:00:00+08:00', 3)).toBe('2025-10-03')
  })

  it('takes a calendar built once as well as the table rows', () => {
    const calendar = holidayCalendar(NATIONAL_DAY_2025)
    expect(isWorkingDay('2025-10-01', calendar)).toBe(false)
    expect(isWorkingDay('2025-10-11', calendar)).toBe(true)
    expect(isWorkingDay('2025-10-12', calendar)).toBe(false)
    expect(isWorkingDay('2025-10-13', calendar)).toBe(true)
    expect(shanghaiDate(addWorkingDays(new Date('2025-09-30T09:00:00+08:00'), 3, calendar))).toBe(
      '2025-10-11',
    )
  })

  it('refuses counts that are no deadline and starts that are no date', () => {
    expect(() => addWorkingDays(new Date(), -1, [])).toThrow(RangeError)
    expect(() => addWorkingDays(new Date(), 1.5, [])).toThrow(RangeError)
    expect(() => addWorkingDays(new Date(), 100_000, [])).toThrow(RangeError)
    expect(() => addWorkingDays(new Date('not a date'), 1, [])).toThrow(RangeError)
  })
})
