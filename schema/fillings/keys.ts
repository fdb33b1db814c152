import { badUserInput } from '../../server/graphql/errors.ts'
import { decodeGlobalId, keyOfType, numericKey } from '../support/global-id.ts'

/**
 * The database key an `ID` argument names: the check's partners pass the `databaseId` they read from a list
 * (and the workbook URL carries it), Relay clients pass the global ID; both are accepted, a global ID only of
 * the type expected.
 */
export function databaseKey(value: string | number, typename: string): number {
  const text = String(value)
  if (/^\d+$/.test(text)) {
    const key = numericKey(text)
    if (key < 0) throw badUserInput(`${typename} 编号超出范围`, `${typename} id out of range: ${text}`)
    return key
  }
  return keyOfType(decodeGlobalId(text), typename)
}

/** A region code as written by a caller: 6, 9 or 12 digits, else BAD_USER_INPUT before any SQL. */
export function checkRegionCode(code: string): string {
  if (!/^\d{6}(\d{3}){0,2}$/.test(code)) {
    throw badUserInput(`无效的行政区划代码 ${code.slice(0, 20)}`, `Invalid region code ${code.slice(0, 20)}`)
  }
  return code
}
