import { type SQL, sql } from 'drizzle-orm'

/**
 * Grades and warnings of a computed value from the indicator's standard values (`indicators.standard_values`).
 * The same rule applies to every unit level, so a compound and its district are judged alike.
 */

export type Grade = 'poor' | 'fair' | 'good' | 'excellent'

/**
 * City classes by urban population (国发〔2014〕51号): 超大城市 ≥ 10 M, 特大城市 5–10 M, 大城市 1–5 M (I型 3–5 M,
 * II型 1–3 M), 中等城市 0.5–1 M, 小城市 < 0.5 M (I型 0.2–0.5 M, II型 below). An edition's `byCityClass` names
 * one of them; both the class and its I型/II型 subclasses are accepted, so an edition may be as fine as it needs.
 */
export const CITY_CLASSES = [
  '超大城市',
  '特大城市',
  '大城市',
  'I型大城市',
  'II型大城市',
  '中等城市',
  '小城市',
  'I型小城市',
  'II型小城市',
] as const
export type Warning = 'red' | 'yellow'

/**
 * The city class a value in a campaign of `regionCode` is graded for, as a scalar subquery: the `city_class` of
 * the nearest region at or above the campaign region that has one (a district's check is its city's, a city
 * without a class takes its province's). One rule for the filling service, the indicator run and regrading.
 */
export function cityClassOf(regionCode: SQL): SQL {
  return sql`(select o.city_class from regions o where starts_with(${regionCode}, o.scope_prefix)
    and o.city_class is not null order by length(o.scope_prefix) desc limit 1)`
}
export type Direction = 'higher' | 'lower' | 'target' | 'none'

/**
 * Standard values as an edition writes them. `poor`, `fair` and `good` are the boundaries above (for
 * direction `higher`) or below (for `lower`) which a value leaves that grade for the next better one; `red` and
 * `yellow` are the warning thresholds on the bad side. Missing numbers mean that grade or warning is not used.
 */
export interface StandardValues {
  poor?: number
  fair?: number
  good?: number
  red?: number
  yellow?: number
}

/**
 * Reads the JSON column leniently: anything that is not a finite number is ignored. Standards may differ by city
 * class (`regions.city_class`, 超大城市 / 特大城市 / 大城市 …): `byCityClass` maps a class to the numbers that
 * replace the defaults for cities of that class, one number at a time.
 */
export function parseStandardValues(raw: unknown, cityClass?: string | null): StandardValues | null {
  const object = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw
  if (!object || typeof object !== 'object') return null
  const base = numbersOf(object)
  const byClass = (object as { byCityClass?: unknown }).byCityClass
  const own =
    cityClass && byClass && typeof byClass === 'object'
      ? numbersOf((byClass as Record<string, unknown>)[cityClass])
      : null
  const out = { ...base, ...own }
  return Object.keys(out).length > 0 ? out : null
}

function numbersOf(object: unknown): StandardValues | null {
  if (!object || typeof object !== 'object') return null
  const out: StandardValues = {}
  for (const key of ['poor', 'fair', 'good', 'red', 'yellow'] as const) {
    const v = (object as Record<string, unknown>)[key]
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v
  }
  return out
}

/**
 * The grade and warning of a value. Higher is better: below `poor` is poor, below `fair` fair, below `good` good,
 * otherwise excellent (a value on a boundary takes the better grade); below `red` warns red, below `yellow`
 * yellow. Lower is better mirrors it. Indicators without a direction, or without standard values, get neither.
 */
export function gradeValue(
  value: number,
  direction: Direction,
  standards: StandardValues | null,
): { grade: Grade | null; warning: Warning | null } {
  if (!standards || (direction !== 'higher' && direction !== 'lower') || !Number.isFinite(value)) {
    return { grade: null, warning: null }
  }
  // Mirror "lower is better" onto "higher is better".
  const sign = direction === 'higher' ? 1 : -1
  const worse = (threshold: number | undefined) => threshold !== undefined && sign * value < sign * threshold
  const bounds = [standards.poor, standards.fair, standards.good]
  let grade: Grade | null = null
  if (bounds.some((b) => b !== undefined)) {
    if (worse(standards.poor)) grade = 'poor'
    else if (worse(standards.fair)) grade = 'fair'
    else if (worse(standards.good)) grade = 'good'
    else grade = 'excellent'
  }
  const warning: Warning | null = worse(standards.red) ? 'red' : worse(standards.yellow) ? 'yellow' : null
  return { grade, warning }
}
