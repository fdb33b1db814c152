import type { ReportSection } from '../db/annual-reports.ts'
import { type BuiltInSection, type DIMENSIONS, SECTION_HEADINGS } from '../domain/report-outline.ts'
import { type Block, chineseNumber, formatValue } from './blocks.ts'
import { DIMENSION_LABELS, GRADE_LABELS, gradeChart, trendChart } from './charts.ts'
import { WARNING_LABELS } from './labels.ts'
import {
  appendixBlocks,
  coverageBlocks,
  pipelineBlocks,
  problemBlocks,
  suggestionBlocks,
} from './sections-lists.ts'
import type { IndicatorEntry, ReportContent, StandardValues } from './types.ts'

/** A section's body (without its heading); an empty list leaves the section out (nothing to report). */
type SectionBuilder = (content: ReportContent) => Block[]

const BUILDERS: Record<Exclude<BuiltInSection, 'cover'>, SectionBuilder> = {
  summary: summaryBlocks,
  'dimension.housing': (c) => dimensionBlocks(c, 'housing'),
  'dimension.compound': (c) => dimensionBlocks(c, 'compound'),
  'dimension.block': (c) => dimensionBlocks(c, 'block'),
  'dimension.city': (c) => dimensionBlocks(c, 'city'),
  coverage: coverageBlocks,
  problems: problemBlocks,
  suggestions: suggestionBlocks,
  pipeline: pipelineBlocks,
  'appendix.indicators': (c) => appendixBlocks(c, 'indicators'),
  'appendix.sources': (c) => appendixBlocks(c, 'sources'),
  'appendix.estimates': (c) => appendixBlocks(c, 'estimates'),
}

/** The whole report in the template's order: chapters numbered 一、二…, appendices 附录一、附录二…. */
export function buildBlocks(content: ReportContent): Block[] {
  const blocks: Block[] = []
  let chapter = 0
  let appendix = 0
  for (const section of content.outline) {
    if (section.kind === 'cover') {
      blocks.push(...coverBlocks(content))
      continue
    }
    const body =
      section.kind === 'text' ? textBody(section) : BUILDERS[section.kind as keyof typeof BUILDERS](content)
    if (body.length === 0) continue
    const isAppendix = section.kind.startsWith('appendix.')
    const title = section.title?.trim() || SECTION_HEADINGS[section.kind as BuiltInSection]?.zh || ''
    const number = isAppendix ? `附录${chineseNumber(++appendix)}　` : `${chineseNumber(++chapter)}、`
    if (isAppendix && appendix === 1) blocks.push({ kind: 'pageBreak' })
    blocks.push({ kind: 'heading', level: 1, text: `${number}${title}` })
    if (section.kind !== 'text' && section.body?.trim()) blocks.push(...paragraphs(section.body))
    blocks.push(...body)
  }
  return numberFigures(blocks)
}

/** Figures numbered in the order printed, whichever sections the template keeps. */
function numberFigures(blocks: Block[]): Block[] {
  let n = 0
  return blocks.map((b) =>
    b.kind === 'figure'
      ? { ...b, figure: { ...b.figure, caption: `图 ${++n}　${b.figure.caption.replace(/^图 \d+　/, '')}` } }
      : b,
  )
}

const paragraphs = (text: string): Block[] =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => ({ kind: 'paragraph', text: p }))

const textBody = (section: ReportSection): Block[] => paragraphs(section.body ?? '')

function coverBlocks(content: ReportContent): Block[] {
  const { campaign, region, template } = content
  return [
    {
      kind: 'cover',
      title: `${region.name}${campaign.year}年城市体检报告`,
      subtitle: campaign.name,
      lines: [
        `体检任务：${campaign.name}（编号 ${campaign.id}）`,
        `指标体系：${campaign.editionName}（${campaign.editionYear} 年版）`,
        `报告提纲：${template ? `${template.name}（第 ${template.version} 版）` : '国家体检报告提纲（默认）'}`,
        `生成时间：${content.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      ],
    },
    { kind: 'toc' },
    { kind: 'pageBreak' },
  ]
}

function summaryBlocks(content: ReportContent): Block[] {
  const { indicators, campaign, region, coverage, problems } = content
  const valued = indicators.filter((i) => i.value !== null)
  const poor = indicators.filter((i) => i.grade === 'poor')
  const red = indicators.filter((i) => i.warning === 'red')
  const yellow = indicators.filter((i) => i.warning === 'yellow')
  const worstGap = coverage?.rows[0]
  const lines = [
    `${campaign.name}以${campaign.editionName}为依据，对${region.name}的住房、小区（社区）、街区、城区（城市）四个维度共 ` +
      `${indicators.length} 项指标进行体检，其中 ${valued.length} 项已有本级数值。`,
    `评价为“较差”的指标 ${poor.length} 项；红色预警 ${red.length} 项，黄色预警 ${yellow.length} 项。`,
  ]
  if (worstGap) {
    lines.push(
      `公共服务设施覆盖诊断显示，${worstGap.label}服务盲区内的人口最多：儿童 ${formatValue(Math.round(worstGap.children))} 人、` +
        `劳动年龄人口 ${formatValue(Math.round(worstGap.working))} 人、老年人 ${formatValue(Math.round(worstGap.elderly))} 人。`,
    )
  }
  lines.push(
    `本年度问题清单共 ${problems.total} 个问题，未销号 ${problems.open} 个，其中超期 ${problems.overdue} 个。`,
  )
  const blocks: Block[] = lines.map((text) => ({ kind: 'paragraph', text }))
  const warned = indicators.filter((i) => i.warning)
  if (warned.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: '主要预警指标' })
    blocks.push({
      kind: 'table',
      caption: '表　主要预警指标',
      columns: ['维度', '指标', '本级数值', '单位', '评价', '预警'],
      rows: warned.map((i) => [
        DIMENSION_LABELS[i.dimension] ?? i.dimension,
        `${i.code} ${i.name}`,
        formatValue(i.value),
        i.unit ?? '',
        gradeOf(i.grade),
        WARNING_LABELS[i.warning ?? ''] ?? '',
      ]),
    })
  }
  blocks.push({ kind: 'figure', figure: gradeChart(indicators) })
  const trend = trendChart(indicators)
  if (trend) blocks.push({ kind: 'figure', figure: trend })
  return blocks
}

const gradeOf = (grade: string | null) => (grade ? (GRADE_LABELS[grade] ?? grade) : '—')

/** 标准值: the thresholds of the grades, as the edition states them. */
export function standardText(i: Pick<IndicatorEntry, 'standard' | 'direction'>): string {
  const s: StandardValues | null = i.standard
  if (!s || (s.good === undefined && s.fair === undefined)) return '—'
  const op = i.direction === 'lower' ? '≤' : '≥'
  const parts = [
    s.good !== undefined ? `较好${op}${formatValue(s.good)}` : null,
    s.fair !== undefined ? `一般${op}${formatValue(s.fair)}` : null,
  ]
  return parts.filter(Boolean).join('；')
}

const trendText = (i: IndicatorEntry) =>
  i.trend.length === 0 ? '—' : i.trend.map((p) => `${p.year}：${formatValue(p.value)}`).join('；')

function dimensionBlocks(content: ReportContent, dimension: (typeof DIMENSIONS)[number]): Block[] {
  const list = content.indicators.filter((i) => i.dimension === dimension)
  if (list.length === 0) return []
  const poor = list.filter((i) => i.grade === 'poor').length
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `本维度共 ${list.length} 项指标，${list.filter((i) => i.value !== null).length} 项已有本级数值，` +
        `${poor} 项评价为“较差”。“趋势”为历次年度体检的本级数值。`,
    },
    {
      kind: 'table',
      caption: `表　${DIMENSION_LABELS[dimension]}指标体检结果`,
      columns: ['指标', '本级数值', '单位', '标准值', '评价', '预警', '趋势'],
      rows: list.map((i) => [
        `${i.code} ${i.name}`,
        formatValue(i.value),
        i.unit ?? '',
        standardText(i),
        gradeOf(i.grade),
        WARNING_LABELS[i.warning ?? ''] ?? '—',
        trendText(i),
      ]),
    },
  ]
  const units = list.filter((i) => i.units.length > 0)
  if (units.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: '各填报单元的数值' })
    blocks.push({
      kind: 'table',
      caption: `表　${DIMENSION_LABELS[dimension]}指标的单元数值`,
      columns: ['指标', '单元', '数值', '单位', '评价', '预警'],
      rows: units.flatMap((i) =>
        i.units.map((u) => [
          `${i.code} ${i.name}`,
          u.name,
          formatValue(u.value),
          i.unit ?? '',
          gradeOf(u.grade),
          WARNING_LABELS[u.warning ?? ''] ?? '—',
        ]),
      ),
    })
  }
  return blocks
}
