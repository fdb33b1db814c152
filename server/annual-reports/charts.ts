import * as echarts from 'echarts'
import { AGE_GROUPS } from './coverage.ts'
import type { CoverageSection, IndicatorEntry, ProblemSection } from './types.ts'

/** A chart or map drawn on the server, as SVG; both documents embed it (the DOCX with a PNG beside it). */
export interface Figure {
  key: string
  caption: string
  svg: string
  width: number
  height: number
}

// Noto Sans CJK is what the PDF's Chromium and the PNG rasteriser find on Debian (fonts-noto-cjk); Word falls back
// to its own East Asian font for the SVG it is given.
export const CJK_FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'SimHei', sans-serif"
const GRADE_COLOURS = { poor: '#d9534f', fair: '#f0ad4e', good: '#5bc0de', excellent: '#5cb85c' }
export const GRADE_LABELS: Record<string, string> = {
  poor: '较差',
  fair: '一般',
  good: '较好',
  excellent: '很好',
}
export const DIMENSION_LABELS: Record<string, string> = {
  housing: '住房',
  compound: '小区（社区）',
  block: '街区',
  city: '城区（城市）',
}

/** Renders an ECharts option to SVG on the server (no DOM, no canvas): ECharts' own SSR mode. */
export function renderSvg(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: CJK_FONT }, ...option })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** 各维度指标评价等级分布: indicators of each dimension by grade, stacked. */
export function gradeChart(indicators: readonly IndicatorEntry[]): Figure {
  const dims = Object.keys(DIMENSION_LABELS)
  const series = (Object.keys(GRADE_COLOURS) as (keyof typeof GRADE_COLOURS)[]).map((grade) => ({
    name: GRADE_LABELS[grade],
    type: 'bar' as const,
    stack: 'grade',
    itemStyle: { color: GRADE_COLOURS[grade] },
    label: { show: true, formatter: (p: { value: unknown }) => (Number(p.value) > 0 ? String(p.value) : '') },
    data: dims.map((d) => indicators.filter((i) => i.dimension === d && i.grade === grade).length),
  }))
  const ungraded = dims.map((d) => indicators.filter((i) => i.dimension === d && i.grade === null).length)
  const svg = renderSvg(
    {
      title: { text: '各维度指标评价等级分布', left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, top: 45, bottom: 60 },
      xAxis: { type: 'category', data: dims.map((d) => DIMENSION_LABELS[d] ?? d) },
      yAxis: { type: 'value', name: '指标数' },
      series: [
        ...series,
        { name: '无评价', type: 'bar', stack: 'grade', itemStyle: { color: '#cccccc' }, data: ungraded },
      ],
    },
    640,
    340,
  )
  return { key: 'grades', caption: '图 1　各维度指标评价等级分布', svg, width: 640, height: 340 }
}

/** 较差指标数量变化: per dimension, how many indicators were graded poor in each annual check. */
export function trendChart(indicators: readonly IndicatorEntry[]): Figure | null {
  const years = [...new Set(indicators.flatMap((i) => i.trend.map((p) => p.year)))].sort()
  if (years.length < 2) return null
  const series = Object.entries(DIMENSION_LABELS).map(([dim, label]) => ({
    name: label,
    type: 'line' as const,
    symbolSize: 8,
    label: { show: true },
    data: years.map(
      (y) =>
        indicators.filter(
          (i) => i.dimension === dim && i.trend.some((p) => p.year === y && p.grade === 'poor'),
        ).length,
    ),
  }))
  const svg = renderSvg(
    {
      title: { text: '历次体检评价为“较差”的指标数量', left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 0 },
      grid: { left: 50, right: 30, top: 45, bottom: 60 },
      xAxis: { type: 'category', data: years.map((y) => `${y} 年`) },
      yAxis: { type: 'value', name: '指标数', minInterval: 1 },
      series,
    },
    640,
    320,
  )
  return { key: 'trend', caption: '图 2　历次体检评价为“较差”的指标数量', svg, width: 640, height: 320 }
}

/** 盲区未覆盖人口: per facility type, the residents left outside its reach, by age group. */
export function coverageChart(coverage: CoverageSection): Figure {
  const rows = [...coverage.rows].reverse()
  const colours = ['#4e79a7', '#a0cbe8', '#f28e2b']
  const height = Math.max(260, 60 + rows.length * 26)
  const svg = renderSvg(
    {
      title: { text: '各类设施服务盲区内的人口（按年龄组）', left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 0 },
      grid: { left: 110, right: 40, top: 40, bottom: 60 },
      xAxis: { type: 'value', name: '人' },
      yAxis: { type: 'category', data: rows.map((r) => r.label) },
      series: AGE_GROUPS.map((g, i) => ({
        name: g.label,
        type: 'bar' as const,
        stack: 'people',
        itemStyle: { color: colours[i] },
        data: rows.map((r) => Math.round(r[g.key])),
      })),
    },
    640,
    height,
  )
  return { key: 'coverage', caption: '图 3　各类设施服务盲区内的人口', svg, width: 640, height }
}

/** 问题状态分布: the ledger's problems by state. */
export function problemChart(problems: ProblemSection, stateLabels: Record<string, string>): Figure {
  const svg = renderSvg(
    {
      title: { text: '问题清单按状态分布', left: 'center', textStyle: { fontSize: 15 } },
      grid: { left: 50, right: 20, top: 45, bottom: 30 },
      xAxis: { type: 'category', data: problems.byState.map((s) => stateLabels[s.state] ?? s.state) },
      yAxis: { type: 'value', name: '个', minInterval: 1 },
      series: [
        {
          type: 'bar',
          itemStyle: { color: '#8c6bb1' },
          label: { show: true, position: 'top' },
          data: problems.byState.map((s) => s.count),
        },
      ],
    },
    640,
    300,
  )
  return { key: 'problems', caption: '图 7　问题清单按状态分布', svg, width: 640, height: 300 }
}
