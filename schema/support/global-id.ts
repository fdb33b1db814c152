import { badUserInput } from '../../server/graphql/errors.ts'

/** Relay global IDs: base64 of `Type:key`, the encoding Pothos's relay plugin uses. */
export function encodeGlobalId(typename: string, key: string | number): string {
  return Buffer.from(`${typename}:${key}`).toString('base64')
}

const GLOBAL_ID = /^([A-Z][A-Za-z]*):(.+)$/

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const match = /^[A-Za-z0-9+/=_-]+$/.test(globalId)
    ? GLOBAL_ID.exec(Buffer.from(globalId, 'base64').toString('utf8'))
    : null
  if (!match?.[1] || !match[2]) {
    throw badUserInput(`无效的全局 ID：${globalId}`, `Invalid global ID: ${globalId}`)
  }
  return { typename: match[1], id: match[2] }
}

/** Numeric primary keys from global IDs; anything else matches no row. */
export function numericKey(key: string): number {
  const n = /^\d{1,10}$/.test(key) ? Number(key) : -1
  return n <= 2_147_483_647 ? n : -1
}

/**
 * The numeric key of a global ID argument that must name a `typename`, checked before any SQL: a key of another
 * type, not a number or beyond int4 is BAD_USER_INPUT rather than a database error.
 */
export function keyOfType(globalId: { typename: string; id: string }, typename: string): number {
  if (globalId.typename !== typename) {
    throw badUserInput(
      `ID 应指向${typename}，实际指向 ${globalId.typename}`,
      `The ID must name a ${typename}, not a ${globalId.typename}`,
    )
  }
  const key = numericKey(globalId.id)
  if (key < 0) {
    throw badUserInput(
      `${typename} 的 ID 应为正整数键，实际为 ${globalId.id.slice(0, 40)}`,
      `A ${typename} ID must carry a positive integer key, got ${globalId.id.slice(0, 40)}`,
    )
  }
  return key
}
