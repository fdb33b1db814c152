import { OBJECT_TYPES, REPORTING_LEVELS, REVIEW_ROUNDS } from '../../server/db/indicators.ts'
import type { Direction } from '../../server/domain/grading.ts'
import { badUserInput } from '../../server/graphql/errors.ts'

/** A field's name as a user reads it in a message. */
export interface FieldName {
  zh: string
  en: string
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** A code of letters, digits, `_`, `.` and `-`, as the catalogue writes them (`H01`, `310100-annual`). */
export function checkCode(value: string, field: FieldName, maxLength: number): string {
  const code = value.trim()
  if (!CODE.test(code) || code.length > maxLength) {
    throw badUserInput(
      `${field.zh}“${value.slice(0, 40)}”无效：只能用字母、数字、_ . -，且不超过 ${maxLength} 个字符`,
      `Invalid ${field.en} '${value.slice(0, 40)}': letters, digits, _ . - only, at most ${maxLength} characters`,
    )
  }
  return code
}

/** Non-blank text of at most `maxLength` characters, trimmed. */
export function checkText(value: string, field: FieldName, maxLength = 200): string {
  const text = value.trim()
  if (text.length === 0 || text.length > maxLength) {
    throw badUserInput(
      `${field.zh}不能为空，且不超过 ${maxLength} 个字符`,
      `The ${field.en} must be non-empty and at most ${maxLength} characters`,
    )
  }
  return text
}

/** One of the allowed values, or BAD_USER_INPUT listing them. */
export function checkOneOf<T extends string>(value: string, allowed: readonly T[], field: FieldName): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw badUserInput(
      `未知的${field.zh}“${value.slice(0, 40)}”，可选：${allowed.join(' | ')}`,
      `Unknown ${field.en} '${value.slice(0, 40)}'; use one of ${allowed.join(' | ')}`,
    )
  }
  return value as T
}

export const UNIT_TYPE: FieldName = { zh: '填报对象类型', en: 'unit type' }
export const REPORTING_LEVEL: FieldName = { zh: '填报层级', en: 'reporting level' }
export const DIRECTIONS = ['higher', 'lower', 'target', 'none'] as const

/** The object types a special check examines: known, each once, at least one. */
export function checkObjectTypes(values: readonly string[]): (typeof OBJECT_TYPES)[number][] {
  const types = values.map((v) => checkOneOf(v, OBJECT_TYPES, { zh: '体检对象类型', en: 'object type' }))
  if (types.length === 0 || new Set(types).size !== types.length) {
    throw badUserInput('体检对象类型至少一个，且不能重复', 'Name at least one object type, each once')
  }
  return types
}

/** Review rounds in the order they run: 初审 (city) before 复审 (province), each at most once, at least one. */
export function checkReviewRounds(values: readonly string[]): (typeof REVIEW_ROUNDS)[number][] {
  const rounds = values.map((v) => checkOneOf(v, REVIEW_ROUNDS, { zh: '审核轮次', en: 'review round' }))
  const ordered = REVIEW_ROUNDS.filter((r) => rounds.includes(r))
  if (rounds.length === 0 || rounds.length !== ordered.length || rounds.some((r, n) => r !== ordered[n])) {
    throw badUserInput(
      '审核轮次至少一轮，各轮只出现一次，且市级初审（city）在省级复审（province）之前',
      'Name at least one review round, each once, the city round before the province round',
    )
  }
  return rounds
}

export function checkIntRange(value: number, field: FieldName, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(
      `${field.zh}应为 ${min}–${max} 之间的整数，实际为 ${value}`,
      `The ${field.en} must be a whole number from ${min} to ${max}, got ${value}`,
    )
  }
  return value
}

export function checkWeight(value: number | null): number | null {
  if (value !== null && !(Number.isFinite(value) && value >= 0)) {
    throw badUserInput(`权重应为非负数，实际为 ${value}`, `A weight must be zero or more, got ${value}`)
  }
  return value
}

export function checkReportingLevel(value: string): (typeof REPORTING_LEVELS)[number] {
  return checkOneOf(value, REPORTING_LEVELS, REPORTING_LEVEL)
}

const GRADE_KEYS = ['poor', 'fair', 'good', 'red', 'yellow'] as const
/** Keys a standard value may carry besides the numbers: where the figures come from. */
const NOTE_KEYS = ['source', 'note']

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The numbers of one set of thresholds; anything else under a grade key is refused. */
function thresholdsOf(raw: Record<string, unknown>, where: string): Partial<Record<string, number>> {
  const out: Partial<Record<string, number>> = {}
  for (const [key, value] of Object.entries(raw)) {
    if ((GRADE_KEYS as readonly string[]).includes(key)) {
      if (value === null) continue
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw badUserInput(
          `标准值${where}的 ${key} 应为数字，实际为 ${JSON.stringify(value)?.slice(0, 40)}`,
          `Standard value ${key}${where} must be a number, got ${JSON.stringify(value)?.slice(0, 40)}`,
        )
      }
      out[key] = value
    } else if (!(where === '' && (key === 'byCityClass' || NOTE_KEYS.includes(key)))) {
      throw badUserInput(
        `标准值${where}中有未知项 ${key}；可用：${GRADE_KEYS.join('、')}、byCityClass、source、note`,
        `Unknown standard value key '${key}'${where}; use ${GRADE_KEYS.join(', ')}, byCityClass, source, note`,
      )
    }
  }
  return out
}

/**
 * Grades read poor < fair < good on the better side (ADR on grading: server/domain/grading.ts), so the
 * boundaries must rise with a `higher` direction and fall with a `lower` one, and red lies beyond yellow.
 * Equal boundaries are allowed: "none missing" standards set all three to 0.
 */
function checkMonotonic(values: Partial<Record<string, number>>, direction: Direction, where: string): void {
  if (direction !== 'higher' && direction !== 'lower') return
  const sign = direction === 'higher' ? 1 : -1
  const inOrder = (keys: readonly string[]) => {
    const present = keys.map((k) => values[k]).filter((v): v is number => v !== undefined)
    return present.every((v, n) => n === 0 || sign * v >= sign * (present[n - 1] as number))
  }
  if (!inOrder(['poor', 'fair', 'good']) || !inOrder(['red', 'yellow'])) {
    const rising = direction === 'higher'
    throw badUserInput(
      `标准值${where}不合指标方向（${rising ? '越高越好' : '越低越好'}）：poor、fair、good 应依次${rising ? '递增' : '递减'}，red 应${rising ? '不高于' : '不低于'} yellow`,
      `Standard values${where} do not follow the direction (${direction} is better): poor, fair, good must ${rising ? 'rise' : 'fall'} in turn and red must lie ${rising ? 'at or below' : 'at or above'} yellow`,
    )
  }
}

/**
 * Standard values as an edition may write them: numbers for poor/fair/good/red/yellow, optional `byCityClass`
 * overrides per city class (each checked merged over the defaults, as grading reads them), a `source` or `note`.
 */
export function checkStandardValues(raw: unknown, direction: Direction): Record<string, unknown> | null {
  if (raw === null) return null
  if (!isObject(raw)) {
    throw badUserInput(
      '标准值应为对象，如 {"poor":60,"fair":80,"good":95}',
      'Standard values must be an object such as {"poor":60,"fair":80,"good":95}',
    )
  }
  const base = thresholdsOf(raw, '')
  checkMonotonic(base, direction, '')
  const byClass = raw.byCityClass
  if (byClass !== undefined && byClass !== null) {
    if (!isObject(byClass)) {
      throw badUserInput(
        'byCityClass 应为对象：城市类别 → 标准值',
        'byCityClass must be an object: city class → standard values',
      )
    }
    for (const [cityClass, values] of Object.entries(byClass)) {
      const where = `（城市类别 ${cityClass}）`
      if (!isObject(values)) {
        throw badUserInput(
          `标准值${where}应为对象`,
          `Standard values for city class ${cityClass} must be an object`,
        )
      }
      checkMonotonic({ ...base, ...thresholdsOf(values, where) }, direction, where)
    }
  }
  return raw
}

/** Parameter keys that hold a service radius in metres. */
const RADIUS_KEYS = ['radius', 'radiusM']

/**
 * Applies a parameter change to the current parameters key by key (a null removes a key), so overriding a
 * service radius keeps the facility type the calculator needs. A radius must be a positive number of metres.
 */
export function mergeParameters(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (!isObject(patch)) {
    throw badUserInput(
      '参数应为对象，如 {"radiusM": 800}',
      'Parameters must be an object such as {"radiusM": 800}',
    )
  }
  const merged: Record<string, unknown> = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key]
    else merged[key] = value
  }
  for (const key of RADIUS_KEYS) {
    const radius = merged[key]
    if (radius !== undefined && !(typeof radius === 'number' && Number.isFinite(radius) && radius > 0)) {
      throw badUserInput(
        `服务半径 ${key} 应为正数（米），实际为 ${JSON.stringify(radius)?.slice(0, 40)}`,
        `The service radius ${key} must be a positive number of metres, got ${JSON.stringify(radius)?.slice(0, 40)}`,
      )
    }
  }
  return merged
}
