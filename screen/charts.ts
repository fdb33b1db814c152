/**
 * The panels' charts as ECharts options, from the figures the API answered (plain data in, options out: no DOM).
 * ECharts is bundled (tree-shaken from `echarts/core`), text is drawn in the system's CJK fonts: no CDN, no
 * remote font.
 */
import type { EChartsCoreOption } from 'echarts/core'
import type { ScreenFiguresQuery } from './generated/graphql.ts'

type Figures = NonNullable<ScreenFiguresQuery['screen']>
type Label = (key: string) => string

export const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif'
const TEXT = '#d6e4f0'
const MUTED = '#7f97ad'
const SPLIT = 'rgba(127, 151, 173, 0.18)'
const GRADE_COLOURS = { poor: '#e5484d', fair: '#f5a524', good: '#7cc46e', excellent: '#2fb37a' }
const GROUP_COLOURS = ['#5ab0ff', '#8b7bff', '#ff9f6b']

const base = (): EChartsCoreOption => ({
  backgroundColor: 'transparent',
  textStyle: { fontFamily: FONT, color: TEXT },
  animationDuration: 600,
  tooltip: { trigger: 'axis', textStyle: { fontFamily: FONT } },
})

/** A centred note where a chart has nothing to draw. */
const empty = (text: string): EChartsCoreOption => ({
  ...base(),
  title: {
    text,
    left: 'center',
    top: 'middle',
    textStyle: { color: MUTED, fontSize: 16, fontWeight: 'normal' },
  },
  series: [],
})

const categoryAxis = (data: string[]) => ({
  type: 'category',
  data,
  axisLabel: { color: TEXT, fontSize: 13 },
  axisLine: { lineStyle: { color: MUTED } },
})
const valueAxis = (extra: Record<string, unknown> = {}) => ({
  type: 'value',
  axisLabel: { color: MUTED },
  splitLine: { lineStyle: { color: SPLIT } },
  ...extra,
})
const legend = { top: 0, textStyle: { color: TEXT, fontSize: 13 }, itemWidth: 14, itemHeight: 10 }

/** Graded values per dimension, stacked by grade. */
export function gradesChart(f: Figures, t: Label): EChartsCoreOption {
  if (f.gradesByDimension.length === 0) return empty(t('noCampaign'))
  const grades = ['poor', 'fair', 'good', 'excellent'] as const
  return {
    ...base(),
    legend,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    // The first dimension (housing) on top.
    yAxis: { ...categoryAxis(f.gradesByDimension.map((d) => t(`dimension.${d.dimension}`))), inverse: true },
    xAxis: valueAxis(),
    series: grades.map((g) => ({
      type: 'bar',
      name: t(`grade.${g}`),
      stack: 'grades',
      barWidth: 18,
      itemStyle: { color: GRADE_COLOURS[g] },
      data: f.gradesByDimension.map((d) => d[g]),
    })),
  }
}

/** Red and yellow warnings as a ring with the totals. */
export function warningsChart(f: Figures, t: Label): EChartsCoreOption {
  const { red, yellow } = f.warnings
  if (red + yellow === 0) return empty(t('noWarnings'))
  return {
    ...base(),
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'pie',
        radius: ['48%', '78%'],
        label: { color: TEXT, fontSize: 14, formatter: '{b}\n{c}' },
        data: [
          { name: t('warning.red'), value: red, itemStyle: { color: '#e5484d' } },
          { name: t('warning.yellow'), value: yellow, itemStyle: { color: '#f5c524' } },
        ],
      },
    ],
  }
}

/** Found → assigned → rectifying → re-inspected → closed, in that order whatever the counts. */
export function funnelChart(f: Figures, t: Label): EChartsCoreOption {
  if (f.problemFunnel.every((s) => s.problems === 0)) return empty(t('noData'))
  const max = Math.max(...f.problemFunnel.map((s) => s.problems), 1)
  return {
    ...base(),
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '8%',
        width: '84%',
        top: 8,
        bottom: 8,
        min: 0,
        max,
        minSize: '12%',
        gap: 3,
        label: { position: 'inside', color: '#fff', fontSize: 14, formatter: '{b}  {c}' },
        data: f.problemFunnel.map((s, i) => ({
          name: t(`stage.${s.stage}`),
          value: s.problems,
          itemStyle: { color: ['#4f7cff', '#4a9dff', '#f5a524', '#8b7bff', '#2fb37a'][i] },
        })),
      },
    ],
  }
}

/** Overdue rate (of open problems) and on-time rate (of those closed this year) per district or street. */
export function areasChart(f: Figures, onTime: Map<string, number | null>, lang: string, t: Label) {
  if (f.areas.length === 0) return empty(t('noData'))
  const pct = (x: number | null | undefined) => (x == null ? null : Math.round(x * 1000) / 10)
  return {
    ...base(),
    legend,
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    xAxis: {
      ...categoryAxis(f.areas.map((a) => (lang === 'en' ? (a.nameEn ?? a.name) : a.name))),
      axisLabel: { color: TEXT, fontSize: 12, interval: 0, rotate: f.areas.length > 6 ? 30 : 0 },
    },
    yAxis: valueAxis({ max: 100, axisLabel: { color: MUTED, formatter: '{value}%' } }),
    series: [
      {
        type: 'bar',
        name: t('overdueRate'),
        barMaxWidth: 22,
        itemStyle: { color: '#e5484d' },
        data: f.areas.map((a) => (a.open === 0 ? 0 : pct(a.overdue / a.open))),
      },
      {
        type: 'bar',
        name: t('onTimeRate'),
        barMaxWidth: 22,
        itemStyle: { color: '#2fb37a' },
        data: f.areas.map((a) => pct(onTime.get(a.code))),
      },
    ],
  }
}

/** Uncovered residents per facility type by age group, in one distance model (network walking when run). */
export function blindSpotsChart(f: Figures, t: Label): EChartsCoreOption {
  const model = f.blindSpots.some((b) => b.distanceModel === 'network') ? 'network' : 'euclidean'
  const rows = f.blindSpots.filter((b) => b.distanceModel === model)
  if (rows.length === 0) return empty(t('noBlindSpots'))
  const groups = ['children', 'working', 'elderly'] as const
  return {
    ...base(),
    legend,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    yAxis: { ...categoryAxis(rows.map((r) => t(`facility.${r.facilityType}`))), inverse: true },
    xAxis: valueAxis(),
    series: groups.map((g, i) => ({
      type: 'bar',
      name: t(`group.${g}`),
      stack: 'people',
      barWidth: 14,
      itemStyle: { color: GROUP_COLOURS[i] },
      data: rows.map((r) => Math.round(r[g])),
    })),
  }
}

/** Projects per state, with their budgets. */
export function pipelineChart(f: Figures, t: Label): EChartsCoreOption {
  if (f.projectPipeline.length === 0) return empty(t('noProjects'))
  return {
    ...base(),
    legend,
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    xAxis: categoryAxis(f.projectPipeline.map((p) => t(`project.${p.state}`))),
    yAxis: [valueAxis({ minInterval: 1 }), valueAxis({ splitLine: { show: false } })],
    series: [
      {
        type: 'bar',
        name: t('projectsCount'),
        barMaxWidth: 26,
        itemStyle: { color: '#4a9dff' },
        data: f.projectPipeline.map((p) => p.projects),
      },
      {
        type: 'line',
        name: t('budget'),
        yAxisIndex: 1,
        itemStyle: { color: '#f5a524' },
        data: f.projectPipeline.map((p) => Math.round(p.budget)),
      },
    ],
  }
}

/** Funding by source as a ring. */
export function fundingChart(f: Figures, t: Label): EChartsCoreOption {
  if (f.projectFunding.length === 0) return empty(t('noProjects'))
  return {
    ...base(),
    tooltip: { trigger: 'item' },
    legend: {
      ...legend,
      top: undefined,
      bottom: 0,
      type: 'scroll',
      textStyle: { color: TEXT, fontSize: 12 },
    },
    series: [
      {
        type: 'pie',
        radius: ['32%', '58%'],
        center: ['50%', '42%'],
        // The sources' names in the legend below: beside a narrow ring they would be cut off.
        label: { color: TEXT, fontSize: 12, formatter: '{d}%' },
        labelLine: { length: 4, length2: 4 },
        data: f.projectFunding.map((s) => ({ name: s.source, value: Math.round(s.amount) })),
      },
    ],
  }
}
