/**
 * 更新分区: zoning rules evaluated over the figures of one area (a block). Pure: the figures come from SQL
 * (jobs/zoning/metrics.ts), the rules from `zoning_rules`; docs/adr/0021.
 */

/** What a rule may compare: the figures the zoning job computes for every block. */
export const ZONING_METRICS = {
  buildings: { zh: '建筑数', en: 'buildings', unit: '栋' },
  residential_share: { zh: '居住建筑占比', en: 'share of residential buildings', unit: '0–1' },
  old_lowrise_residential: {
    zh: '老旧低层住宅数（1949 年前或年代不详、低于 15 米）',
    en: 'low-rise (< 15 m) residential buildings from before 1949 or of unknown year',
    unit: '栋',
  },
  old_compounds: {
    zh: '老旧小区数（1990 年前或新村、街坊，无高层）',
    en: 'old compounds (before 1990, or named 新村/街坊, no high-rise)',
    unit: '个',
  },
  old_building_share: {
    zh: '1990 年前建成的建筑占比',
    en: 'share of buildings built before 1990',
    unit: '0–1',
  },
  high_rise_share: { zh: '高层建筑（≥24 米）占比', en: 'share of high-rise buildings (≥ 24 m)', unit: '0–1' },
  mean_height_m: { zh: '平均建筑高度', en: 'mean building height', unit: 'm' },
  heritage_buildings: {
    zh: '历史建筑数（有历史名称的建筑）',
    en: 'historic buildings (buildings with an old name)',
    unit: '栋',
  },
  heritage_share: { zh: '历史建筑占比', en: 'share of historic buildings', unit: '0–1' },
  open_problems_per_ha: { zh: '未销号问题密度', en: 'open problems per hectare', unit: '个/公顷' },
  poor_values: { zh: '评价为较差的指标数', en: 'indicator values graded poor', unit: '项' },
  uncovered_residents: {
    zh: '服务盲区未覆盖人口（各类设施合计）',
    en: 'residents in coverage blind spots, summed over facility types',
    unit: '人',
  },
  area_ha: { zh: '面积', en: 'area', unit: '公顷' },
} as const

export type ZoningMetric = keyof typeof ZONING_METRICS
export const METRIC_NAMES = Object.keys(ZONING_METRICS) as ZoningMetric[]

export const COMPARISONS = ['<', '<=', '>', '>=', '=', '!='] as const
export type Comparison = (typeof COMPARISONS)[number]

export interface Condition {
  metric: string
  op: Comparison
  value: number
}

/** A rule as evaluated: the row of `zoning_rules` that is current for its key. */
export interface Rule {
  id: number
  key: string
  version: number
  areaClass: string
  priority: number
  match: 'all' | 'any'
  conditions: Condition[]
}

/** One condition that held, with the area's figure: the reasons an area carries. */
export interface Reason {
  metric: string
  op: Comparison
  value: number
  actual: number
}

export interface Classification {
  rule: Rule
  reasons: Reason[]
}

export type Metrics = Partial<Record<string, number>>

function holds(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value
    case '<=':
      return actual <= value
    case '>':
      return actual > value
    case '>=':
      return actual >= value
    case '=':
      return actual === value
    case '!=':
      return actual !== value
  }
}

/**
 * The class of an area: the first rule by priority (then key) whose conditions hold — all of them, or any for a
 * rule matching `any` — with the conditions that held as reasons; null when no rule matches. A metric the area
 * has no figure for never holds, so a missing input cannot put an area into a class.
 */
export function classify(metrics: Metrics, rules: readonly Rule[]): Classification | null {
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || a.key.localeCompare(b.key))
  for (const rule of ordered) {
    if (rule.conditions.length === 0) continue
    const reasons: Reason[] = []
    for (const c of rule.conditions) {
      const actual = metrics[c.metric]
      if (actual !== undefined && Number.isFinite(actual) && holds(actual, c.op, c.value)) {
        reasons.push({ metric: c.metric, op: c.op, value: c.value, actual })
      }
    }
    const matched = rule.match === 'all' ? reasons.length === rule.conditions.length : reasons.length > 0
    if (matched) return { rule, reasons }
  }
  return null
}

/** Why a rule's conditions cannot be used, in both languages; null when they can. */
export function conditionProblem(conditions: readonly unknown[]): { zh: string; en: string } | null {
  if (conditions.length === 0)
    return { zh: '规则至少需要一个条件', en: 'A rule needs at least one condition' }
  if (conditions.length > 20) return { zh: '规则最多 20 个条件', en: 'A rule has at most 20 conditions' }
  for (const [i, raw] of conditions.entries()) {
    const c = raw as Partial<Condition>
    if (!METRIC_NAMES.includes(c.metric as ZoningMetric)) {
      return {
        zh: `第 ${i + 1} 个条件的指标 ${String(c.metric)} 不存在；可用：${METRIC_NAMES.join('、')}`,
        en: `Condition ${i + 1}: unknown metric ${String(c.metric)}; use one of ${METRIC_NAMES.join(', ')}`,
      }
    }
    if (!COMPARISONS.includes(c.op as Comparison)) {
      return {
        zh: `第 ${i + 1} 个条件的比较符 ${String(c.op)} 无效`,
        en: `Condition ${i + 1}: op must be one of ${COMPARISONS.join(' ')}`,
      }
    }
    if (typeof c.value !== 'number' || !Number.isFinite(c.value)) {
      return { zh: `第 ${i + 1} 个条件的值须为数字`, en: `Condition ${i + 1}: value must be a number` }
    }
  }
  return null
}

/** A rule as seeded: what a city starts with until it edits its own. */
export interface DefaultRule {
  key: string
  areaClass: string
  label: { zh: string; en: string }
  priority: number
  match: 'all' | 'any'
  conditions: Condition[]
}

/**
 * The default rules. 保护区 first, so a historic block is never put up for renewal; 近期改造区 is the demo's
 * fixed renewal-area rule (server/seed/renewal-areas.ts) as data — old lilong clusters (≥ 10 low-rise pre-1949
 * homes) or old workers' villages; 渐进更新区 takes what the check found wanting (poor values, dense open
 * problems, residents in blind spots) where the stock itself is not old.
 */
export const DEFAULT_ZONING_RULES: readonly DefaultRule[] = [
  {
    key: 'protection-heritage',
    areaClass: 'protection',
    label: { zh: '保护区：历史建筑集中', en: 'Protection zone: historic buildings' },
    priority: 10,
    match: 'all',
    conditions: [
      { metric: 'heritage_buildings', op: '>=', value: 3 },
      { metric: 'heritage_share', op: '>=', value: 0.2 },
    ],
  },
  {
    key: 'near-term-old-housing',
    areaClass: 'near_term',
    label: { zh: '近期改造区：旧里与老旧小区', en: 'Near-term renewal: old lilong and old compounds' },
    priority: 20,
    match: 'any',
    conditions: [
      { metric: 'old_lowrise_residential', op: '>=', value: 10 },
      { metric: 'old_compounds', op: '>=', value: 1 },
    ],
  },
  {
    key: 'gradual-check-findings',
    areaClass: 'gradual',
    label: { zh: '渐进更新区：体检短板', en: 'Gradual renewal: shortfalls the check found' },
    priority: 30,
    match: 'any',
    conditions: [
      { metric: 'poor_values', op: '>=', value: 2 },
      { metric: 'open_problems_per_ha', op: '>=', value: 1 },
      { metric: 'uncovered_residents', op: '>=', value: 200 },
    ],
  },
]

/** Chinese names of the national classes; a city's own classes carry their name in the rule's label. */
export const ZONING_CLASS_NAMES: Record<string, { zh: string; en: string }> = {
  near_term: { zh: '近期改造区', en: 'near-term renewal zone' },
  gradual: { zh: '渐进更新区', en: 'gradual renewal zone' },
  protection: { zh: '保护区', en: 'protection zone' },
}
