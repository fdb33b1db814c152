/**
 * Default standard values (评价标准) of the computable indicators of the national basic edition, used when the
 * catalogue gives none. The catalogue file carries no thresholds, and without them computed values get no
 * grade or warning. Each entry names the national figure it anchors on (the "good" boundary where there is one);
 * the boundaries between the other grades are CityCheck defaults. An edition's own `standardValues` (or staff
 * editing `indicators.standard_values`) replace them.
 *
 * Reading (see jobs/indicators/grading.ts): for "higher is better" a value below `poor` is poor,
 * below `fair` fair, below `good` good, otherwise excellent, and below `red`/`yellow` it warns; "lower is better"
 * mirrors this (above the thresholds).
 */
export interface DefaultStandard {
  poor?: number
  fair?: number
  good?: number
  red?: number
  yellow?: number
  source: string
}

/** Counts of facilities missing where they should be: none is the standard, any is poor. */
const NONE_MISSING: DefaultStandard = {
  poor: 0,
  fair: 0,
  good: 0,
  yellow: 0,
  source: '完整居住社区建设标准（试行）：每个社区应配建 / every community should have one',
}

export const DEFAULT_STANDARD_VALUES: Readonly<Record<string, DefaultStandard>> = {
  C01: NONE_MISSING,
  C02: NONE_MISSING,
  C03: NONE_MISSING,
  B02: NONE_MISSING,
  B03: NONE_MISSING,
  B01: {
    poor: 60,
    fair: 80,
    good: 95,
    red: 60,
    yellow: 80,
    source: '城市居住区规划设计标准 GB 50180-2018：中学服务半径 1000 m，应全覆盖 / full coverage expected',
  },
  B04: {
    poor: 70,
    fair: 80,
    good: 90,
    red: 70,
    yellow: 80,
    source: '国家园林城市评选标准：公园绿化活动场地服务半径覆盖率 ≥ 80 %（优 ≥ 90 %）',
  },
  U10: {
    poor: 60,
    fair: 80,
    good: 95,
    red: 60,
    yellow: 80,
    source: '城市消防站建设标准 建标152：接警 5 分钟内到达辖区边缘，应全覆盖 / full coverage expected',
  },
  U05: {
    poor: 5,
    fair: 6.5,
    good: 8,
    red: 5,
    yellow: 6.5,
    source: '中共中央 国务院 2016 年若干意见：建成区平均路网密度提高到 8 km/km²',
  },
  U06: {
    poor: 6,
    fair: 9,
    good: 12,
    red: 6,
    yellow: 9,
    source: '国家园林城市评选标准：人均公园绿地面积 ≥ 9 m²（优 ≥ 12 m²）',
  },
  U03: {
    poor: 1.5,
    fair: 2,
    good: 2.6,
    red: 1.5,
    yellow: 2,
    source: '全民健身计划（2021—2025 年）：人均体育场地面积 2.6 m²',
  },
  U15: {
    poor: 1,
    fair: 1.5,
    good: 2,
    red: 1,
    yellow: 1.5,
    source: '防灾避难场所设计规范 GB 51143-2015：人均有效避难面积 1–2 m²（固定避难场所 ≥ 2 m²）',
  },
  U17: {
    poor: 10,
    fair: 5,
    good: 2,
    red: 10,
    yellow: 5,
    source: 'CityCheck 默认值（无国家数值标准）/ a CityCheck default: no national figure',
  },
}
