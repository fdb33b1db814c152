import { describe, expect, it } from 'vitest'
import { diffEditions, fieldChanges, sameJson } from '../../server/domain/edition-diff.ts'

const indicator = (code: string, fields: Record<string, unknown> = {}) => ({
  code,
  name: `指标 ${code}`,
  unit: '%',
  direction: 'higher',
  enabled: true,
  weight: null,
  parameters: {},
  standardValues: null,
  ...fields,
})

describe('edition diff', () => {
  it('lists an indicator only in the later edition as added and one only in the earlier as removed', () => {
    const diff = diffEditions([indicator('A'), indicator('B')], [indicator('B'), indicator('C')])
    expect(diff.added.map((i) => i.code)).toEqual(['C'])
    expect(diff.removed.map((i) => i.code)).toEqual(['A'])
    expect(diff.changed).toEqual([])
  })

  it('names each changed field with its value before and after', () => {
    const diff = diffEditions(
      [indicator('A', { standardValues: { poor: 50, good: 90 }, weight: 1 })],
      [indicator('A', { standardValues: { poor: 60, good: 90 }, weight: 2, enabled: false })],
    )
    expect(diff.changed).toHaveLength(1)
    expect(diff.changed[0]?.code).toBe('A')
    expect(diff.changed[0]?.fields).toEqual([
      { field: 'standardValues', before: { poor: 50, good: 90 }, after: { poor: 60, good: 90 } },
      { field: 'enabled', before: true, after: false },
      { field: 'weight', before: 1, after: 2 },
    ])
  })

  it('matches by code, so a renamed indicator is changed, not removed and added', () => {
    const diff = diffEditions([indicator('A', { name: '旧名' })], [indicator('A', { name: '新名' })])
    expect(diff.added).toEqual([])
    expect(diff.removed).toEqual([])
    expect(diff.changed[0]?.fields).toEqual([{ field: 'name', before: '旧名', after: '新名' }])
  })

  it('sees no change in JSON written with its keys in another order', () => {
    const diff = diffEditions(
      [indicator('A', { standardValues: { poor: 1, byCityClass: { I: { good: 3, fair: 2 } } } })],
      [indicator('A', { standardValues: { byCityClass: { I: { fair: 2, good: 3 } }, poor: 1 } })],
    )
    expect(diff.changed).toEqual([])
  })

  it('an edition compared with itself has no difference', () => {
    const all = [indicator('A'), indicator('B', { parameters: { facilityType: 'park', radiusM: 500 } })]
    expect(diffEditions(all, all)).toEqual({ added: [], removed: [], changed: [] })
  })
})

describe('field comparison', () => {
  it('takes an absent field and null as the same', () => {
    expect(fieldChanges({ department: null }, {})).toEqual([])
    expect(fieldChanges({ department: '住建委' }, {})).toEqual([
      { field: 'department', before: '住建委', after: null },
    ])
  })

  it('compares arrays in order and nested objects deeply', () => {
    expect(sameJson([1, 2], [1, 2])).toBe(true)
    expect(sameJson([1, 2], [2, 1])).toBe(false)
    expect(sameJson({ a: { b: [1] } }, { a: { b: [1] } })).toBe(true)
    expect(sameJson({ a: { b: [1] } }, { a: { b: [1], c: 0 } })).toBe(false)
    expect(sameJson(0, '0')).toBe(false)
    expect(sameJson({}, [])).toBe(false)
  })
})
