/** Camera presets: the whole city and each district of the demo city. */
import type { ExtentDeg } from './extent.ts'
import type { Lang } from './i18n.ts'

export interface District {
  code: string
  name: Record<Lang, string>
}

/** Districts of the Shanghai Bund demo (GB/T 2260 codes). */
export const DISTRICTS: readonly District[] = [
  { code: '310101', name: { 'zh-CN': '黄浦区', en: 'Huangpu' } },
  { code: '310115', name: { 'zh-CN': '浦东新区', en: 'Pudong' } },
  { code: '310109', name: { 'zh-CN': '虹口区', en: 'Hongkou' } },
]

export const CITY_CODE = '310100'

export interface CameraPreset {
  /** `city` or a district code. */
  key: string
  extent: ExtentDeg
}
