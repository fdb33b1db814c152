import type { FACILITY_TYPES } from '../db/facilities.ts'
import type { CoverageRow, CoverageSection, GapShape, GeoJSON } from './types.ts'

/** The report's Chinese names of the facility types (the API answers enum codes). */
export const FACILITY_LABELS: Record<(typeof FACILITY_TYPES)[number], string> = {
  elderly_care: '养老服务设施',
  infant_care: '婴幼儿照护设施',
  kindergarten: '幼儿园',
  primary_school: '小学',
  middle_school: '中学',
  clinic: '社区卫生服务站',
  hospital: '医院',
  market: '菜市场',
  supermarket: '超市',
  culture_center: '文化活动中心',
  sports_ground: '体育场地',
  park: '公园绿地',
  fire_station: '消防站',
  police: '派出所',
  parking: '停车场',
  ev_charging: '充电设施',
  bus_stop: '公交站',
  subway_entrance: '地铁站出入口',
  shelter: '应急避难场所',
}

export const AGE_GROUPS = [
  { key: 'children', label: '儿童（0–14 岁）' },
  { key: 'working', label: '劳动年龄人口' },
  { key: 'elderly', label: '老年人（60 岁以上）' },
] as const
export type AgeGroup = (typeof AGE_GROUPS)[number]['key']

interface RunData {
  databaseId: number
  state: string
  finishedAt: string | null
  parameters: unknown
  gaps: {
    facilityType: string
    distanceModel: string
    kind: string
    cells: number
    uncoveredChildren: number
    uncoveredWorking: number
    uncoveredElderly: number
    geom: GeoJSON | null
  }[]
}

/** The latest coverage run's blind spots in the model the run prefers (walking when it has it). */
export function gapsOf(run: RunData | null): { model: string; gaps: RunData['gaps'] } | null {
  if (!run) return null
  const models = (run.parameters as { distanceModels?: string[] } | null)?.distanceModels ?? []
  const model = models.includes('network') ? 'network' : 'euclidean'
  return { model, gaps: run.gaps.filter((g) => g.kind === 'blind_spot' && g.distanceModel === model) }
}

/** Sums the blind spots per facility type and age group, largest uncovered population first. */
export function summariseCoverage(run: RunData | null): CoverageSection | null {
  const picked = gapsOf(run)
  if (!run || !picked) return null
  const rows = new Map<string, CoverageRow>()
  const shapes: GapShape[] = []
  for (const gap of picked.gaps) {
    const row = rows.get(gap.facilityType) ?? {
      facilityType: gap.facilityType,
      label: FACILITY_LABELS[gap.facilityType as keyof typeof FACILITY_LABELS] ?? gap.facilityType,
      spots: 0,
      cells: 0,
      children: 0,
      working: 0,
      elderly: 0,
    }
    row.spots += 1
    row.cells += gap.cells
    row.children += gap.uncoveredChildren
    row.working += gap.uncoveredWorking
    row.elderly += gap.uncoveredElderly
    rows.set(gap.facilityType, row)
    if (gap.geom) {
      shapes.push({
        facilityType: gap.facilityType,
        children: gap.uncoveredChildren,
        working: gap.uncoveredWorking,
        elderly: gap.uncoveredElderly,
        geom: gap.geom,
      })
    }
  }
  return {
    runId: run.databaseId,
    distanceModel: picked.model,
    finishedAt: run.finishedAt,
    rows: [...rows.values()].sort(
      (a, b) => b.children + b.working + b.elderly - (a.children + a.working + a.elderly),
    ),
    gaps: shapes,
  }
}
