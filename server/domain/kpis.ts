/**
 * 考核指标: the arithmetic of the problem loop's performance figures (issue 13, item 7), apart from the SQL that
 * counts, so that each rule (what a rate of nothing is, how a median of an even count is taken, how far figures
 * are rounded) is stated once and tested by hand.
 */

/** What the SQL counts for one group (a district, a street or a department) in a period. */
export interface KpiCounts {
  /** Problems found (created) in the period. */
  received: number
  /** Problems closed (销号) in the period, each once, by its latest closing in the period. */
  closed: number
  /** Of those, the ones that had a deadline, and the ones closed by it. */
  closedWithDeadline: number
  closedOnTime: number
  /** Days from creation to that closing, per closed problem (fractional days). */
  daysToClose: number[]
  /** Open problems past their deadline (or marked overdue) at the time of asking. */
  overdueNow: number
  /** Problems reopened (closed → open) in the period. */
  reopened: number
  /** Residents' appeals filed in the period, and residents of the group's region; null for departments. */
  appeals: number | null
  residents: number | null
}

export interface KpiFigures {
  received: number
  closed: number
  /** Closed by the deadline ÷ closed with a deadline, 0–1; null when none closed had a deadline. */
  onTimeRate: number | null
  medianDaysToClose: number | null
  overdueNow: number
  /** Reopened ÷ closed; null when nothing was closed. */
  reopenRate: number | null
  /** Appeals per 10,000 residents; null for a department, or a region without population figures. */
  appealsPer10k: number | null
}

const round = (value: number, digits: number) => {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** The median: the middle value, or the mean of the two middle values of an even count; null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** A share of a whole, to four decimals; a share of nothing is null (unknown), not 0 or 100 %. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? round(part / whole, 4) : null
}

/** Appeals per 10,000 residents, to two decimals; null without residents to divide by. */
export function per10k(appeals: number | null, residents: number | null): number | null {
  if (appeals === null || residents === null || !(residents > 0)) return null
  return round((appeals / residents) * 10_000, 2)
}

export function kpiFigures(counts: KpiCounts): KpiFigures {
  const days = median(counts.daysToClose)
  return {
    received: counts.received,
    closed: counts.closed,
    onTimeRate: ratio(counts.closedOnTime, counts.closedWithDeadline),
    medianDaysToClose: days === null ? null : round(days, 1),
    overdueNow: counts.overdueNow,
    reopenRate: ratio(counts.reopened, counts.closed),
    appealsPer10k: per10k(counts.appeals, counts.residents),
  }
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000
/** Longer periods are a mistake (or a scan of the whole ledger); ten years covers every comparison asked for. */
export const MAX_PERIOD_DAYS = 3_660

export class KpiPeriodError extends Error {
  override name = 'KpiPeriodError'
}

/**
 * A period of whole Shanghai calendar days, both named days included: from the first moment of `from`
 * (00:00 +08:00) to the first moment after `to`, as a half-open [start, end) the SQL compares with.
 */
export function kpiPeriod(from: string, to: string): { start: Date; end: Date } {
  const day = (text: string) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00.000Z`) : Number.NaN
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
      throw new KpiPeriodError(`日期应为 YYYY-MM-DD：${text} / A date must be YYYY-MM-DD: ${text}`)
    }
    return ms - SHANGHAI_OFFSET_MS
  }
  const start = day(from)
  const end = day(to) + DAY_MS
  if (end <= start) throw new KpiPeriodError(`起始日期晚于结束日期 / from ${from} is after to ${to}`)
  if (end - start > MAX_PERIOD_DAYS * DAY_MS) {
    throw new KpiPeriodError(
      `统计期不能超过 ${MAX_PERIOD_DAYS} 天 / The period exceeds ${MAX_PERIOD_DAYS} days`,
    )
  }
  return { start: new Date(start), end: new Date(end) }
}
