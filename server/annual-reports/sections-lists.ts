import { type Block, formatValue } from './blocks.ts'
import { coverageChart, DIMENSION_LABELS, GRADE_LABELS, problemChart } from './charts.ts'
import {
  DIRECTION_LABELS,
  PHASE_LABELS,
  PROJECT_STATE_LABELS,
  RUN_KIND_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
} from './labels.ts'
import { blindSpotMaps } from './map.ts'
import type { ReportContent } from './types.ts'

/** At most this many open problems are listed one by one; the ledger holds the rest. */
const MAX_PROBLEM_LINES = 60

const round = (x: number) => formatValue(Math.round(x))

export function coverageBlocks(content: ReportContent): Block[] {
  const coverage = content.coverage
  if (!coverage || coverage.rows.length === 0) {
    return [{ kind: 'paragraph', text: '本区域尚无已完成的公共服务设施覆盖诊断。' }]
  }
  const model = coverage.distanceModel === 'network' ? '沿路网步行距离' : '直线距离'
  return [
    {
      kind: 'paragraph',
      text:
        `依据覆盖诊断（运行编号 ${coverage.runId}，${model}），按设施类型统计服务半径以外的人口格网，` +
        '分儿童、劳动年龄人口与老年人三个年龄组列出盲区内的人口。',
    },
    {
      kind: 'table',
      caption: '表　公共服务设施服务盲区（按年龄组）',
      columns: ['设施类型', '盲区个数', '人口格网数', '儿童（人）', '劳动年龄人口（人）', '老年人（人）'],
      rows: coverage.rows.map((r) => [
        r.label,
        String(r.spots),
        String(r.cells),
        round(r.children),
        round(r.working),
        round(r.elderly),
      ]),
    },
    { kind: 'figure', figure: coverageChart(coverage) },
    ...blindSpotMaps(content.mapRegions, coverage, `report-${content.region.code}-${coverage.runId}`).map(
      (figure): Block => ({ kind: 'figure', figure }),
    ),
  ]
}

export function problemBlocks(content: ReportContent): Block[] {
  const p = content.problems
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `${content.campaign.year} 年度问题台账共 ${p.total} 个问题（当年发现及结转），未销号 ${p.open} 个，` +
        `超过整改时限 ${p.overdue} 个。`,
    },
    {
      kind: 'table',
      caption: '表　问题按状态统计',
      columns: ['状态', '问题数'],
      rows: p.byState.map((s) => [STATE_LABELS[s.state] ?? s.state, String(s.count)]),
    },
  ]
  if (p.total > 0) blocks.push({ kind: 'figure', figure: problemChart(p, STATE_LABELS) })
  if (p.byType.length > 0) {
    blocks.push({
      kind: 'table',
      caption: '表　问题按类型统计',
      columns: ['问题类型', '问题数'],
      rows: p.byType.map((t) => [t.name, String(t.count)]),
    })
  }
  if (p.lines.length > 0) {
    const shown = p.lines.slice(0, MAX_PROBLEM_LINES)
    blocks.push({ kind: 'heading', level: 2, text: '未销号问题清单（按严重程度）' })
    blocks.push({
      kind: 'table',
      caption: `表　未销号问题（列出 ${shown.length} 个，共 ${p.open} 个）`,
      columns: ['编号', '问题', '区划', '严重程度', '状态', '责任部门', '超期'],
      rows: shown.map((l) => [
        String(l.id),
        l.title,
        l.regionCode,
        ['', '低', '中', '高'][l.severity] ?? String(l.severity),
        STATE_LABELS[l.state] ?? l.state,
        l.department ?? '未交办',
        l.overdue ? '是' : '否',
      ]),
    })
  }
  return blocks
}

/** 更新建议: from the indicators graded poor or warned, grouped by renewal theme, and the largest blind spots. */
export function suggestionBlocks(content: ReportContent): Block[] {
  const weak = content.indicators.filter((i) => i.grade === 'poor' || i.warning)
  const themes = new Map<string, typeof weak>()
  for (const i of weak) {
    const theme = i.renewalTheme ?? DIMENSION_LABELS[i.dimension] ?? i.dimension
    themes.set(theme, [...(themes.get(theme) ?? []), i])
  }
  const items = [...themes.entries()].map(
    ([theme, list]) =>
      `${theme}：针对${list.map((i) => `“${i.name}”（${formatValue(i.value)}${i.unit ?? ''}，${GRADE_LABELS[i.grade ?? ''] ?? '未评价'}）`).join('、')}，` +
      `建议列入城市更新${list.some((i) => i.warning === 'red') ? '近期' : ''}重点任务` +
      `${list.find((i) => i.department)?.department ? `，由${list.find((i) => i.department)?.department}牵头` : ''}。`,
  )
  for (const row of content.coverage?.rows.slice(0, 3) ?? []) {
    items.push(
      `补齐${row.label}：${row.spots} 处服务盲区覆盖约 ${round(row.children + row.working + row.elderly)} 人，` +
        '建议结合存量资源（闲置用地、闲置房屋）就近配建。',
    )
  }
  if (items.length === 0) return []
  return [
    { kind: 'paragraph', text: '以下建议由评价较差或预警的指标及覆盖盲区逐项生成，供编制城市更新计划参考。' },
    { kind: 'bullets', items },
  ]
}

/** 项目清单: only when the project library holds projects for the region; otherwise the section is left out. */
export function pipelineBlocks(content: ReportContent): Block[] {
  if (content.projects.length === 0) return []
  return [
    {
      kind: 'table',
      caption: '表　城市更新项目清单',
      columns: ['编号', '项目', '类型', '阶段', '状态', '年度', '投资（万元）'],
      rows: content.projects.map((p) => [
        p.code ?? '—',
        p.name,
        p.kind,
        PHASE_LABELS[p.phase] ?? p.phase,
        PROJECT_STATE_LABELS[p.state] ?? p.state,
        p.year === null ? '—' : String(p.year),
        formatValue(p.budget),
      ]),
    },
  ]
}

export function appendixBlocks(
  content: ReportContent,
  which: 'indicators' | 'sources' | 'estimates',
): Block[] {
  if (which === 'indicators') {
    return [
      {
        kind: 'table',
        caption: '表　指标定义',
        columns: ['代码', '指标', '维度', '单位', '方向', '方法', '标准值依据'],
        rows: content.indicators.map((i) => [
          i.code,
          i.name,
          DIMENSION_LABELS[i.dimension] ?? i.dimension,
          i.unit ?? '',
          DIRECTION_LABELS[i.direction] ?? i.direction,
          i.methodKind === 'computed' ? `计算（${i.calculator ?? i.method}）` : '填报',
          i.standard?.source ?? '—',
        ]),
      },
    ]
  }
  if (which === 'sources') return sourceBlocks(content)
  return estimateBlocks(content)
}

function sourceBlocks(content: ReportContent): Block[] {
  const bySource = new Map<string, number>()
  for (const i of content.indicators) if (i.source) bySource.set(i.source, (bySource.get(i.source) ?? 0) + 1)
  return [
    {
      kind: 'paragraph',
      text:
        '本报告的全部数值取自平台接口：指标值、评价与预警取自体检任务的指标值（填报、计算或导入），' +
        '趋势取自历次年度体检，盲区取自最近一次覆盖诊断，问题取自问题台账。' +
        `本级指标值来源：${[...bySource.entries()].map(([s, n]) => `${SOURCE_LABELS[s] ?? s} ${n} 项`).join('，') || '无'}。`,
    },
    {
      kind: 'table',
      caption: '表　诊断与计算运行',
      columns: ['运行编号', '类型', '状态', '完成时间', '输入数据版本'],
      rows: content.runs.map((r) => [
        String(r.id),
        RUN_KIND_LABELS[r.kind] ?? r.kind,
        r.state,
        r.finishedAt ? r.finishedAt.slice(0, 16).replace('T', ' ') : '—',
        versionsText(r.inputVersions),
      ]),
    },
  ]
}

/** The fingerprints of a run's inputs, e.g. `buildings 1321 行`. */
function versionsText(versions: unknown): string {
  if (!versions || typeof versions !== 'object') return '—'
  return Object.entries(versions as Record<string, { count?: number } | number>)
    .map(([table, v]) => `${table} ${typeof v === 'number' ? v : (v?.count ?? '?')}`)
    .join('；')
}

function estimateBlocks(content: ReportContent): Block[] {
  const rows = content.indicators.flatMap((i) =>
    i.trend
      .filter((p) => p.derivation || p.source === 'computed')
      .map((p) => [
        `${i.code} ${i.name}`,
        String(p.year),
        formatValue(p.value),
        p.derivation ?? `由指标计算运行按“${i.calculator ?? i.method}”方法计算`,
      ]),
  )
  if (rows.length === 0) return [{ kind: 'paragraph', text: '本报告的本级数值均为填报值，无推算或估计。' }]
  return [
    {
      kind: 'paragraph',
      text: '下列数值不是填报所得：或由平台按指标方法计算，或按记载的规则推算，均可依运行记录复核。',
    },
    { kind: 'table', caption: '表　计算与推算的数值', columns: ['指标', '年度', '数值', '说明'], rows },
  ]
}
