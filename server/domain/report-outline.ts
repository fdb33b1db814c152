import type { ReportSection } from '../db/annual-reports.ts'

// The check report's outline (体检报告提纲). The default follows the national outline of the annual check report:
// overview, findings, the four dimensions, blind spots, problems, suggestions and projects, then the appendices.

/** Built-in sections a template may place, with their default headings. */
export const SECTION_HEADINGS = {
  cover: { zh: '封面', en: 'Cover' },
  summary: { zh: '体检工作概况与主要结论', en: 'Overview and main findings' },
  'dimension.housing': { zh: '住房', en: 'Housing' },
  'dimension.compound': { zh: '小区（社区）', en: 'Compounds (communities)' },
  'dimension.block': { zh: '街区', en: 'Blocks' },
  'dimension.city': { zh: '城区（城市）', en: 'City' },
  coverage: { zh: '公共服务设施覆盖盲区', en: 'Service coverage blind spots' },
  problems: { zh: '问题清单及整改情况', en: 'Problem lists and their state' },
  suggestions: { zh: '城市更新建议', en: 'Renewal suggestions' },
  pipeline: { zh: '城市更新项目清单', en: 'Renewal project pipeline' },
  'appendix.indicators': { zh: '指标定义与标准', en: 'Appendix: indicator definitions' },
  'appendix.sources': { zh: '数据来源与方法', en: 'Appendix: data sources and methods' },
  'appendix.estimates': { zh: '推算与估计说明', en: 'Appendix: what was estimated' },
} as const

export type BuiltInSection = keyof typeof SECTION_HEADINGS
export const BUILT_IN_SECTIONS = Object.keys(SECTION_HEADINGS) as BuiltInSection[]
/** A section kind: a built-in one or the owner's own text. */
export type SectionKind = BuiltInSection | 'text'

/** The national outline: every built-in section in order; a province's template replaces it. */
export const NATIONAL_OUTLINE: readonly ReportSection[] = BUILT_IN_SECTIONS.map((kind) => ({ kind }))

export const DIMENSIONS = ['housing', 'compound', 'block', 'city'] as const
export type Dimension = (typeof DIMENSIONS)[number]

export const MAX_SECTIONS = 60
export const MAX_TEXT_LENGTH = 20_000

/**
 * The reasons a template's sections cannot be used, in both languages (empty when they can): kinds must be
 * known, a built-in section appears once, the cover comes first, text blocks carry a title and a body.
 */
export function outlineProblems(sections: readonly ReportSection[]): { zh: string; en: string }[] {
  const problems: { zh: string; en: string }[] = []
  if (sections.length === 0 || sections.length > MAX_SECTIONS) {
    problems.push({
      zh: `提纲应有 1 到 ${MAX_SECTIONS} 节`,
      en: `An outline has 1 to ${MAX_SECTIONS} sections`,
    })
  }
  const seen = new Set<string>()
  sections.forEach((section, i) => {
    const at = { zh: `第 ${i + 1} 节`, en: `section ${i + 1}` }
    if (section.kind !== 'text' && !(BUILT_IN_SECTIONS as string[]).includes(section.kind)) {
      problems.push({
        zh: `${at.zh}：未知的类型 ${section.kind}`,
        en: `${at.en}: unknown kind ${section.kind}`,
      })
    } else if (section.kind !== 'text' && seen.has(section.kind)) {
      problems.push({ zh: `${at.zh}：${section.kind} 重复`, en: `${at.en}: ${section.kind} appears twice` })
    }
    seen.add(section.kind)
    if (section.kind === 'cover' && i !== 0) {
      problems.push({ zh: `${at.zh}：封面须在第一节`, en: `${at.en}: the cover must come first` })
    }
    if (section.kind === 'text' && (!section.title?.trim() || !section.body?.trim())) {
      problems.push({
        zh: `${at.zh}：文字段须有标题和正文`,
        en: `${at.en}: a text block needs a title and a body`,
      })
    }
    const length = (section.title?.length ?? 0) + (section.body?.length ?? 0)
    if (length > MAX_TEXT_LENGTH) {
      problems.push({
        zh: `${at.zh}：文字超过 ${MAX_TEXT_LENGTH} 字`,
        en: `${at.en}: more than ${MAX_TEXT_LENGTH} characters`,
      })
    }
  })
  return problems
}
