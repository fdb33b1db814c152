import type { FacilityRule, PopulationGroup } from './engine/index.ts'

/**
 * Who each facility type serves and how vulnerable they are, when the indicator edition does not say
 * (`settings.serviceRadii.byFacilityType.<type>` may carry `servedGroups`, `vulnerabilityWeight` and
 * `perCapitaNorm` beside `radiusM`; those win). Capacity norms are defaults to be replaced by the edition's. Children and the elderly cannot walk far or choose another
 * district, so their gaps rank higher at equal headcount.
 */
const DEFAULT_SERVED: Record<
  string,
  { servedGroups: PopulationGroup[]; vulnerabilityWeight: number; perCapitaNorm?: number }
> = {
  // Places per served resident (children 0–14, elderly 60+), derived from national targets: 4.5 infant-care
  // places per 1,000 residents (国务院 2019 目标) over a 0–14 share of about 12 %; kindergarten, primary and
  // middle school places for the 4, 6 and 3 age years they take of the 15; 3 elderly-care beds per 100 elderly.
  infant_care: { servedGroups: ['children'], vulnerabilityWeight: 2, perCapitaNorm: 0.0375 },
  kindergarten: { servedGroups: ['children'], vulnerabilityWeight: 1.5, perCapitaNorm: 0.27 },
  primary_school: { servedGroups: ['children'], vulnerabilityWeight: 1.5, perCapitaNorm: 0.4 },
  middle_school: { servedGroups: ['children'], vulnerabilityWeight: 1.2, perCapitaNorm: 0.2 },
  elderly_care: { servedGroups: ['elderly'], vulnerabilityWeight: 1.5, perCapitaNorm: 0.03 },
}
const ALL_GROUPS: PopulationGroup[] = ['children', 'working', 'elderly']

/** Names for problem titles, in Chinese; a type without one is named by its code. */
export const FACILITY_TYPE_NAMES_ZH: Record<string, string> = {
  elderly_care: '社区养老服务站',
  infant_care: '托育点',
  kindergarten: '幼儿园',
  primary_school: '小学',
  middle_school: '初中',
  clinic: '社区卫生服务中心',
  hospital: '医院',
  market: '菜市场',
  supermarket: '超市',
  culture_center: '文化活动中心',
  sports_ground: '多功能运动场地',
  park: '公园',
  fire_station: '消防站',
  police: '派出所',
  parking: '停车场',
  ev_charging: '充电桩',
  bus_stop: '公交站',
  subway_entrance: '地铁站口',
  shelter: '应急避难场所',
}

/** Names for the English titles beside the Chinese ones. */
export const FACILITY_TYPE_NAMES_EN: Record<string, string> = {
  elderly_care: 'Community elderly-care station',
  infant_care: 'Infant care',
  kindergarten: 'Kindergarten',
  primary_school: 'Primary school',
  middle_school: 'Middle school',
  clinic: 'Community health centre',
  hospital: 'Hospital',
  market: 'Wet market',
  supermarket: 'Supermarket',
  culture_center: 'Cultural activity centre',
  sports_ground: 'Multi-purpose sports ground',
  park: 'Park',
  fire_station: 'Fire station',
  police: 'Police station',
  parking: 'Car park',
  ev_charging: 'EV charging point',
  bus_stop: 'Bus stop',
  subway_entrance: 'Metro entrance',
  shelter: 'Emergency shelter',
}

/** One type's entry in the edition settings; only `radiusM` is required. */
export interface EditionTypeSettings {
  radiusM?: unknown
  servedGroups?: unknown
  vulnerabilityWeight?: unknown
  perCapitaNorm?: unknown
}

/** The rule for one type: the edition's values where present, the defaults above otherwise. */
export function ruleFor(
  type: string,
  radiusM: number,
  edition: EditionTypeSettings | undefined,
): FacilityRule {
  const fallback: { servedGroups: PopulationGroup[]; vulnerabilityWeight: number; perCapitaNorm?: number } =
    DEFAULT_SERVED[type] ?? { servedGroups: ALL_GROUPS, vulnerabilityWeight: 1 }
  const groups = edition?.servedGroups
  const servedGroups =
    Array.isArray(groups) && groups.length > 0 && groups.every((g) => ALL_GROUPS.includes(g))
      ? (groups as PopulationGroup[])
      : fallback.servedGroups
  const weight = edition?.vulnerabilityWeight
  const norm = edition?.perCapitaNorm
  return {
    type,
    radiusM,
    servedGroups,
    vulnerabilityWeight: typeof weight === 'number' && weight >= 0 ? weight : fallback.vulnerabilityWeight,
    ...(typeof norm === 'number' && norm > 0
      ? { perCapitaNorm: norm }
      : fallback.perCapitaNorm
        ? { perCapitaNorm: fallback.perCapitaNorm }
        : {}),
  }
}
