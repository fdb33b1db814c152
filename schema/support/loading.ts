import type DataLoader from 'dataloader'
import { numericKey } from './global-id.ts'

/** Rows put back in key order for a DataLoader; `null` where a key has no (visible) row. */
export function inKeyOrder<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>()
  for (const row of rows) byKey.set(keyOf(row), row)
  return keys.map((key) => byKey.get(key) ?? null)
}

/** Rows grouped per key, in key order (for one-to-many relations). */
export function groupedByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>()
  for (const row of rows) {
    const key = keyOf(row)
    let group = groups.get(key)
    if (!group) {
      group = []
      groups.set(key, group)
    }
    group.push(row)
  }
  return keys.map((key) => groups.get(key) ?? [])
}

/** Puts rows a page already read into a loader, so a reference back to them is not read again. */
export function primeLoader<K, R>(
  loader: DataLoader<K, R | null>,
  rows: readonly R[],
  keyOf: (row: R) => K,
): void {
  for (const row of rows) loader.prime(keyOf(row), row)
}

/**
 * Reads a to-one relation that a list selected with its rows as `"prefix.field"` columns: the related object,
 * null when the join found nothing, undefined when the list did not join it (then a loader is asked).
 */
export function joinedReader<T>(
  prefix: string,
  fields: readonly string[],
  key: string,
): (row: object) => T | null | undefined {
  const keyColumn = `${prefix}${key}`
  const columns = fields.map((field) => [`${prefix}${field}`, field] as const)
  return (row) => {
    const value = (row as Record<string, unknown>)[keyColumn]
    if (value === undefined || value === null) return value as null | undefined
    const out: Record<string, unknown> = {}
    for (const [column, field] of columns) out[field] = (row as Record<string, unknown>)[column]
    return out as T
  }
}

/** Numeric primary keys from global-ID parts; anything else can match no row. */
export function numericIds(ids: readonly (string | number)[]): number[] {
  return ids.map((id) => (typeof id === 'number' ? id : numericKey(id)))
}

/** DataLoader.loadMany for the relay plugin's `builder.node` loading: a failed batch fails the field. */
export async function loadNodes<K, V>(
  loader: { loadMany(keys: readonly K[]): Promise<(V | Error)[]> },
  keys: readonly K[],
): Promise<V[]> {
  const results = await loader.loadMany(keys)
  const failure = results.find((r) => r instanceof Error)
  if (failure) throw failure
  return results as V[]
}
