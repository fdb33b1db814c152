/**
 * Working-day arithmetic for deadlines (时限), in Asia/Shanghai: Saturdays and Sundays are off, the holidays
 * table adds days off (法定节假日) and names weekend days that are worked in exchange (调休), which count.
 *
 * China has kept one offset, UTC+8, without daylight saving since 1991, so a fixed offset is exact for every
 * date a deadline can fall on and avoids asking Intl for a zone per day counted.
 */

/** A day of the holidays table: a day off, or (isWorkday) a weekend day worked in exchange. */
export interface HolidayDay {
  /** `YYYY-MM-DD` in Asia/Shanghai. */
  day: string
  isWorkday: boolean
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000
/** Nobody counts more than ten years of working days; a bigger number is a mistake, not a deadline. */
const MAX_DAYS = 2_600

/** The Asia/Shanghai calendar date of an instant, `YYYY-MM-DD`. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** The last moment of a Shanghai calendar day (23:59:59.999 +08:00): a deadline is met until then. */
export function endOfShanghaiDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS + DAY_MS - 1)
}

function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10)
}

/** Whether a Shanghai calendar day is worked: the holidays table first, then Monday to Friday. */
export function isWorkingDay(day: string, holidays: ReadonlyMap<string, boolean>): boolean {
  const listed = holidays.get(day)
  if (listed !== undefined) return listed
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay()
  return weekday !== 0 && weekday !== 6
}

/** The holidays table as day → worked, the shape `isWorkingDay` looks days up in. */
export function holidayCalendar(holidays: Iterable<HolidayDay>): Map<string, boolean> {
  const calendar = new Map<string, boolean>()
  for (const h of holidays) calendar.set(h.day, h.isWorkday)
  return calendar
}

/**
 * The deadline `days` working days after `start`: the end (23:59:59.999 Asia/Shanghai) of the `days`-th
 * working day after start's own Shanghai date. The start day never counts, as a problem filed at 16:00 has no
 * full day left; `days` 0 is the end of the start day itself.
 */
export function addWorkingDays(
  start: Date,
  days: number,
  holidays: Iterable<HolidayDay> | ReadonlyMap<string, boolean>,
): Date {
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    throw new RangeError(`working days must be a whole number from 0 to ${MAX_DAYS}, not ${days}`)
  }
  if (Number.isNaN(start.getTime())) throw new RangeError('the start of a deadline must be a valid date')
  // A job counting many deadlines passes the calendar once built; a single caller passes the table's rows.
  const calendar = holidays instanceof Map ? holidays : holidayCalendar(holidays as Iterable<HolidayDay>)
  let day = shanghaiDate(start)
  for (let counted = 0; counted < days; ) {
    day = dayAfter(day)
    if (isWorkingDay(day, calendar)) counted += 1
  }
  return endOfShanghaiDay(day)
}
