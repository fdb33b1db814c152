/** Chinese names for synthetic streets, compounds and facilities, so that screens read like a real city. */

import type { FacilityType } from '../../server/db/facilities.ts'

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']

/** 1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五 (0–999; grid line numbers stay well below). */
export function chineseNumeral(value: number): string {
  const n = Math.floor(Math.abs(value))
  if (n < 10) return DIGITS[n] as string
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`
  if (n < 1000) {
    const rest = n % 100
    const tail =
      rest === 0
        ? ''
        : rest < 10
          ? `零${DIGITS[rest]}`
          : rest < 20
            ? `一${chineseNumeral(rest)}`
            : chineseNumeral(rest)
    return `${DIGITS[Math.floor(n / 100)]}百${tail}`
  }
  return String(n)
}

export type LineClass = 'trunk' | 'primary' | 'secondary' | 'branch'

const LINE_SUFFIX: Record<LineClass, string> = {
  trunk: '快速路',
  primary: '大道',
  secondary: '路',
  branch: '街',
}

/**
 * A grid street's name in the style of planned Chinese districts (经一路, 纬三路): north–south lines are 经,
 * east–west lines are 纬, with 东/西 and 北/南 for the side of the centre.
 */
export function streetName(axis: 'x' | 'y', line: number, lineClass: LineClass): string {
  const positive = line > 0
  const number = chineseNumeral(positive ? line : 1 - line)
  const prefix = axis === 'x' ? (positive ? '东经' : '西经') : positive ? '北纬' : '南纬'
  return `${prefix}${number}${LINE_SUFFIX[lineClass]}`
}

export const COMPOUND_WORDS = [
  '锦绣',
  '阳光',
  '幸福',
  '和平',
  '东湖',
  '滨江',
  '翠园',
  '金桥',
  '紫荆',
  '银河',
  '春晓',
  '丽景',
  '明珠',
  '书香',
  '梧桐',
  '桂花',
  '兰亭',
  '景华',
  '金色',
  '长青',
  '晴川',
  '黄鹤',
  '楚天',
  '江南',
  '碧水',
  '新华',
  '建设',
  '友谊',
  '红旗',
  '光明',
] as const

/** Suffixes by era: 新村 and 宿舍 for planned-economy housing, 花园 and 府 for commodity housing after 1998. */
export const COMPOUND_SUFFIX_OLD = ['新村', '小区', '宿舍', '里'] as const
export const COMPOUND_SUFFIX_NEW = ['花园', '家园', '苑', '华府', '公馆', '城'] as const

export const FACILITY_NAME_ZH: Record<FacilityType, string> = {
  elderly_care: '养老服务中心',
  infant_care: '托育园',
  kindergarten: '幼儿园',
  primary_school: '小学',
  middle_school: '中学',
  clinic: '社区卫生服务站',
  hospital: '医院',
  market: '菜市场',
  supermarket: '超市',
  culture_center: '文化活动中心',
  sports_ground: '体育场',
  park: '公园',
  fire_station: '消防站',
  police: '派出所',
  parking: '停车场',
  ev_charging: '充电站',
  bus_stop: '公交站',
  subway_entrance: '地铁站出入口',
  shelter: '应急避难场所',
}
