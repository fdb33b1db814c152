import { describe, expect, it } from 'vitest'
import { classify, conditionProblem, DEFAULT_ZONING_RULES, type Rule } from '../../server/domain/zoning.ts'

const rules: Rule[] = DEFAULT_ZONING_RULES.map((r, i) => ({ ...r, id: i + 1, version: 1 }))

describe('zoning rules', () => {
  it('puts a historic block into the protection zone before anything else, with the figures as reasons', () => {
    const got = classify({ heritage_buildings: 5, heritage_share: 0.4, old_lowrise_residential: 30 }, rules)
    expect(got?.rule.areaClass).toBe('protection')
    expect(got?.reasons).toEqual([
      { metric: 'heritage_buildings', op: '>=', value: 3, actual: 5 },
      { metric: 'heritage_share', op: '>=', value: 0.2, actual: 0.4 },
    ])
  })

  it('needs every condition of an `all` rule and one of an `any` rule', () => {
    const lilong = classify(
      { heritage_buildings: 5, heritage_share: 0.1, old_lowrise_residential: 12 },
      rules,
    )
    expect(lilong?.rule.key).toBe('near-term-old-housing')
    expect(lilong?.reasons).toEqual([{ metric: 'old_lowrise_residential', op: '>=', value: 10, actual: 12 }])
    const gradual = classify({ old_lowrise_residential: 9, open_problems_per_ha: 1.5 }, rules)
    expect(gradual?.rule.areaClass).toBe('gradual')
    expect(classify({ old_lowrise_residential: 9, open_problems_per_ha: 0.5 }, rules)).toBeNull()
  })

  it('never matches on a figure the area lacks', () => {
    const strict: Rule = {
      ...rules[0]!,
      match: 'any',
      conditions: [{ metric: 'poor_values', op: '<', value: 1 }],
    }
    expect(classify({}, [strict])).toBeNull()
    expect(classify({ poor_values: 0 }, [strict])?.rule.key).toBe(strict.key)
  })

  it('evaluates by priority whatever the order given', () => {
    const reversed = [...rules].reverse()
    expect(
      classify({ heritage_buildings: 3, heritage_share: 0.2, old_compounds: 1 }, reversed)?.rule.areaClass,
    ).toBe('protection')
  })

  it('refuses unknown metrics, operators and values in both languages', () => {
    expect(conditionProblem([])?.en).toContain('at least one')
    expect(conditionProblem([{ metric: 'age', op: '>', value: 1 }])?.zh).toContain('age')
    expect(conditionProblem([{ metric: 'buildings', op: '~', value: 1 }])?.en).toContain('op')
    expect(conditionProblem([{ metric: 'buildings', op: '>', value: 'x' }])?.en).toContain('number')
    expect(conditionProblem([{ metric: 'buildings', op: '>', value: 1 }])).toBeNull()
  })
})
