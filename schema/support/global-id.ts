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
