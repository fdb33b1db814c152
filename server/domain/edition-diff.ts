/**
 * What changed between two editions of an indicator system, and what an inherited indicator overrides of its
 * base. Indicators are matched by code: ids differ between editions, codes are what the catalogue names.
 */

/** The fields of an indicator an edition may set or override, in the order they are reported. */
export const DIFF_FIELDS = [
  'name',
  'nameEn',
  'dimension',
  'group',
  'unit',
  'direction',
  'methodKind',
  'method',
  'calculator',
  'parameters',
  'standardValues',
  'renewalTheme',
  'department',
  'requiredEvidence',
  'enabled',
  'weight',
  'unitType',
  'reportingLevel',
] as const
export type DiffField = (typeof DIFF_FIELDS)[number]

/** An indicator as the diff sees it: its code, its name and any of the compared fields. */
export type Comparable = { code: string; name: string } & Partial<Record<DiffField, unknown>>

export interface FieldChange {
  field: DiffField
  before: unknown
  after: unknown
}

export interface IndicatorChange<T extends Comparable> {
  code: string
  before: T
  after: T
  fields: FieldChange[]
}

export interface EditionDiff<T extends Comparable> {
  /** In `to` only, in `to`'s order. */
  added: T[]
  /** In `from` only, in `from`'s order. */
  removed: T[]
  /** In both with at least one field different, in `to`'s order. */
  changed: IndicatorChange<T>[]
}

/**
 * Equality of JSON values regardless of object key order: jsonb hands keys back in its own order, so a standard
 * value written as `{good, poor}` must equal the same one read as `{poor, good}`. `undefined` equals `null`
 * (an absent field and an empty column mean the same).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return a == null && b == null
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, n) => sameJson(item, b[n]))
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = new Set([...Object.keys(left), ...Object.keys(right)])
  for (const key of keys) if (!sameJson(left[key], right[key])) return false
  return true
}

/** The fields in which `after` differs from `before`, each with both values (null for an absent one). */
export function fieldChanges(
  before: Partial<Record<DiffField, unknown>>,
  after: Partial<Record<DiffField, unknown>>,
  fields: readonly DiffField[] = DIFF_FIELDS,
): FieldChange[] {
  return fields
    .filter((field) => !sameJson(before[field], after[field]))
    .map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }))
}

/** Added, removed and changed indicators from edition `from` to edition `to`, matched by code. */
export function diffEditions<T extends Comparable>(from: readonly T[], to: readonly T[]): EditionDiff<T> {
  const before = new Map(from.map((i) => [i.code, i]))
  const after = new Set(to.map((i) => i.code))
  const added: T[] = []
  const changed: IndicatorChange<T>[] = []
  for (const indicator of to) {
    const old = before.get(indicator.code)
    if (!old) {
      added.push(indicator)
      continue
    }
    const fields = fieldChanges(old, indicator)
    if (fields.length > 0) changed.push({ code: indicator.code, before: old, after: indicator, fields })
  }
  const removed = from.filter((i) => !after.has(i.code))
  return { added, removed, changed }
}
