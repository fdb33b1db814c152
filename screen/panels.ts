/**
 * The panels around the city: their frames, one ECharts instance per chart (created once, given new options on
 * every refresh, so a long run holds the same canvases), and the warnings list beside its ring.
 */
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { type EChartsCoreOption, type EChartsType, init, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import type { Lang } from '../viewer/core/i18n.ts'
import {
  areasChart,
  blindSpotsChart,
  fundingChart,
  funnelChart,
  gradesChart,
  pipelineChart,
  warningsChart,
} from './charts.ts'
import type { ScreenFiguresQuery } from './generated/graphql.ts'

use([
  BarChart,
  FunnelChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
])

export type Figures = NonNullable<ScreenFiguresQuery['screen']>
export type ChartId = 'grades' | 'warnings' | 'blindSpots' | 'funnel' | 'areas' | 'pipeline' | 'funding'
type Label = (key: string) => string

/** Which column each panel stands in, its title and its charts. */
const LAYOUT: { column: 'left' | 'right'; title: string; charts: ChartId[]; list?: boolean }[] = [
  { column: 'left', title: 'grades', charts: ['grades'] },
  { column: 'left', title: 'warnings', charts: ['warnings'], list: true },
  { column: 'left', title: 'blindSpots', charts: ['blindSpots'] },
  { column: 'right', title: 'funnel', charts: ['funnel'] },
  { column: 'right', title: 'kpis', charts: ['areas'] },
  { column: 'right', title: 'projects', charts: ['pipeline', 'funding'] },
]

export class Panels {
  private readonly charts = new Map<ChartId, EChartsType>()
  private readonly titles: { element: HTMLElement; key: string }[] = []
  private readonly warningList: HTMLUListElement
  /** Charts drawn with data (not the "no data" note) at the last refresh. */
  readonly withData = new Set<ChartId>()

  constructor(columns: Record<'left' | 'right', HTMLElement>) {
    this.warningList = document.createElement('ul')
    this.warningList.className = 'warning-list'
    const pending: { id: ChartId; div: HTMLDivElement }[] = []
    for (const panel of LAYOUT) {
      const section = document.createElement('section')
      section.className = `panel panel-${panel.title}`
      const h2 = document.createElement('h2')
      this.titles.push({ element: h2, key: panel.title })
      const body = document.createElement('div')
      body.className = 'panel-body'
      const frames = panel.charts.map((id) => {
        const div = document.createElement('div')
        div.className = `chart chart-${id}`
        div.dataset.chart = id
        return { id, div }
      })
      body.append(...frames.map((f) => f.div))
      if (panel.list) body.append(this.warningList)
      section.append(h2, body)
      columns[panel.column].append(section)
      pending.push(...frames)
    }
    // ECharts takes the size of its element when created: only once every panel stands in its column (the
    // first panel alone would have the whole column), and again whenever the element's size changes.
    const resized = new ResizeObserver((entries) => {
      for (const entry of entries)
        this.charts.get((entry.target as HTMLElement).dataset.chart as ChartId)?.resize()
    })
    for (const { id, div } of pending) {
      this.charts.set(id, init(div, undefined, { renderer: 'canvas' }))
      resized.observe(div)
    }
  }

  /** Draws every chart from the figures (`onTime`: the on-time rate per area code, from `problemKpis`). */
  draw(
    f: Figures,
    onTime: Map<string, number | null>,
    lang: Lang,
    t: Label,
    regionName: (code: string) => string,
  ): void {
    const kpiTitle = this.titles.find((x) => x.key === 'kpis')
    for (const { element, key } of this.titles) element.textContent = t(key)
    if (kpiTitle && f.areas.some((a) => a.code.length > 6)) kpiTitle.element.textContent = t('kpisStreets')
    const options: Record<ChartId, EChartsCoreOption> = {
      grades: gradesChart(f, t),
      warnings: warningsChart(f, t),
      blindSpots: blindSpotsChart(f, t),
      funnel: funnelChart(f, t),
      areas: areasChart(f, onTime, lang, t),
      pipeline: pipelineChart(f, t),
      funding: fundingChart(f, t),
    }
    this.withData.clear()
    for (const [id, option] of Object.entries(options) as [ChartId, EChartsCoreOption][]) {
      // Replaced whole: a district with fewer series must not keep the city's.
      this.charts.get(id)?.setOption(option, { notMerge: true, lazyUpdate: true })
      if (Array.isArray(option.series) && option.series.length > 0) this.withData.add(id)
    }
    this.drawWarnings(f, lang, t, regionName)
  }

  private drawWarnings(f: Figures, lang: Lang, t: Label, regionName: (code: string) => string): void {
    const items = f.warnings.items.map((w) => {
      const li = document.createElement('li')
      li.className = `warning-${w.warning}`
      const name = document.createElement('span')
      name.textContent = (lang === 'en' ? w.nameEn : null) ?? w.name
      const where = document.createElement('span')
      where.className = 'where'
      where.textContent = `${regionName(w.regionCode)}${w.value == null ? '' : ` · ${Math.round(w.value * 100) / 100}`}`
      li.append(name, where)
      return li
    })
    this.warningList.replaceChildren(...items)
    if (items.length === 0) {
      const li = document.createElement('li')
      li.className = 'empty'
      li.textContent = t('noWarnings')
      this.warningList.append(li)
    }
  }
}
