/** The real division codes a synthetic city is filed under, so region-scoped queries and screens work on it. */

import { divisionRegions } from '../../server/seed/regions.ts'

export interface SyntheticDistrict {
  code: string
  name: string
  /** Streets / towns (9-digit statistical codes) in code order; empty when the data has none. */
  streets: { code: string; name: string }[]
}

export interface CityRegions {
  /** The city (or district) the generator was given. */
  code: string
  name: string
  /** Province and city names for standard addresses (湖北省武汉市; a municipality once: 上海市). */
  addressPrefix: string
  districts: SyntheticDistrict[]
}

export class UnknownRegionError extends Error {
  override name = 'UnknownRegionError'
}

/**
 * A city code takes the city's first districts in code order — GB/T 2260 numbers the old urban districts first
 * (武汉 420102 江岸 … 420111 洪山) — up to `maxDistricts`; a district code is used alone.
 */
export function resolveCityRegions(regionCode: string, maxDistricts = 7): CityRegions {
  const rows = divisionRegions()
  const byCode = new Map(rows.map((r) => [r.code, r]))
  const region = byCode.get(regionCode)
  if (!region || (region.level !== 'city' && region.level !== 'district')) {
    throw new UnknownRegionError(
      `区划代码 ${regionCode} 不是市或区县 / region code ${regionCode} is not a city or district of the division data`,
    )
  }
  const city = region.level === 'city' ? region : byCode.get(region.parentCode ?? '')
  const province = byCode.get(city?.parentCode ?? '')
  const cityName = city?.name ?? ''
  const provinceName = province?.name ?? ''
  const addressPrefix = provinceName === cityName ? cityName : `${provinceName}${cityName}`
  const districtRows =
    region.level === 'district'
      ? [region]
      : rows
          .filter((r) => r.level === 'district' && r.parentCode === region.code)
          .sort((a, b) => (a.code < b.code ? -1 : 1))
          .slice(0, maxDistricts)
  if (districtRows.length === 0) {
    throw new UnknownRegionError(`区划 ${regionCode} 下没有区县 / region ${regionCode} has no districts`)
  }
  const streetsOf = new Map<string, { code: string; name: string }[]>()
  for (const r of rows) {
    if (r.level !== 'street' || !r.parentCode) continue
    const list = streetsOf.get(r.parentCode) ?? []
    list.push({ code: r.code, name: r.name })
    streetsOf.set(r.parentCode, list)
  }
  return {
    code: region.code,
    name: region.level === 'district' ? `${cityName}${region.name}` : region.name,
    addressPrefix,
    districts: districtRows.map((d) => ({
      code: d.code,
      name: d.name,
      streets: (streetsOf.get(d.code) ?? []).sort((a, b) => (a.code < b.code ? -1 : 1)),
    })),
  }
}
