import { describe, expect, it } from 'vitest'
import { chineseNumber, formatValue } from '../../server/annual-reports/blocks.ts'
import { standardText } from '../../server/annual-reports/sections.ts'
import { BUILT_IN_SECTIONS, NATIONAL_OUTLINE, outlineProblems } from '../../server/domain/report-outline.ts'

describe('a report outline', () => {
  it('by default is the national one: every built-in section once, the cover first', () => {
    expect(NATIONAL_OUTLINE.map((s) => s.kind)).toEqual(BUILT_IN_SECTIONS)
    expect(NATIONAL_OUTLINE[0]?.kind).toBe('cover')
    expect(outlineProblems(NATIONAL_OUTLINE)).toEqual([])
  })

  it('may reorder, leave out and add text blocks, but not repeat, misplace or invent sections', () => {
    expect(
      outlineProblems([
        { kind: 'cover' },
        { kind: 'text', title: '说明', body: '正文' },
        { kind: 'problems' },
      ]),
    ).toEqual([])
    const problems = outlineProblems([
      { kind: 'summary' },
      { kind: 'summary' },
      { kind: 'cover' },
      { kind: 'charts' },
      { kind: 'text', title: '无正文' },
    ])
    expect(problems.map((p) => p.en)).toEqual([
      'section 2: summary appears twice',
      'section 3: the cover must come first',
      'section 4: unknown kind charts',
      'section 5: a text block needs a title and a body',
    ])
    expect(outlineProblems([])[0]?.zh).toContain('提纲应有')
  })
})

describe('the report’s figures', () => {
  it('print at most two decimals with grouped thousands, and a dash for none', () => {
    expect(formatValue(31.06998193680824)).toBe('31.07')
    expect(formatValue(12345.6)).toBe('12,345.6')
    expect(formatValue(0)).toBe('0')
    expect(formatValue(null)).toBe('—')
    expect(formatValue(Number.NaN)).toBe('—')
  })

  it('number chapters in Chinese', () => {
    expect([1, 9, 10, 11, 20, 23].map(chineseNumber)).toEqual(['一', '九', '十', '十一', '二十', '二十三'])
  })

  it('state the standard with the direction of the indicator', () => {
    expect(standardText({ direction: 'higher', standard: { poor: 70, fair: 80, good: 90 } })).toBe(
      '较好≥90；一般≥80',
    )
    expect(standardText({ direction: 'lower', standard: { fair: 2, good: 1 } })).toBe('较好≤1；一般≤2')
    expect(standardText({ direction: 'higher', standard: null })).toBe('—')
  })
})
