import { RESOURCE_KINDS } from '../db/resources.ts'

/** Where a resource's place comes from: a GeoJSON geometry, a WKT text, or a longitude and latitude. */
export type DraftGeometry = { geojson: unknown } | { wkt: string } | { lon: number; lat: number }

/** One row of a department's file, read but not yet checked against the database. */
export interface ResourceDraft {
  /** 1-based: the feature's position, the CSV line, the worksheet row. */
  row: number
  sheet: string | null
  sourceKey: string
  kind: string
  name: string | null
  areaM2: number | null
  ownership: string | null
  currentUse: string | null
  address: string | null
  geometry: DraftGeometry
  /** The file's other columns, kept as they came. */
  attributes: Record<string, unknown>
}

/** A row refused, with why in both languages. */
export interface RowRejection {
  row: number
  sheet: string | null
  sourceKey: string | null
  zh: string
  en: string
}

type Field =
  | 'sourceKey'
  | 'kind'
  | 'name'
  | 'area'
  | 'ownership'
  | 'currentUse'
  | 'address'
  | 'lon'
  | 'lat'
  | 'wkt'

/** Column names a department's file may use, Chinese or English, compared without case, spaces or units. */
const ALIASES: Record<Field, string[]> = {
  sourceKey: ['编号', '资源编号', '来源编号', 'id', 'sourcekey', 'source_key', 'key'],
  kind: ['类型', '资源类型', 'kind', 'type'],
  name: ['名称', '资源名称', 'name'],
  area: ['面积', '面积m2', '面积㎡', '面积平方米', 'area', 'aream2', 'area_m2'],
  ownership: ['权属', '产权', 'ownership'],
  currentUse: ['现状用途', '现状', 'currentuse', 'current_use', 'use'],
  address: ['地址', '位置', 'address'],
  lon: ['经度', 'lon', 'lng', 'longitude', 'x'],
  lat: ['纬度', 'lat', 'latitude', 'y'],
  wkt: ['wkt', '几何', 'geometry', 'geom'],
}

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s（）()[\]【】]/g, '')

/** The field a column holds, or null for a column kept among the attributes. */
export function fieldOf(header: string): Field | null {
  const n = normalise(header)
  for (const [field, names] of Object.entries(ALIASES) as [Field, string[]][]) {
    if (names.includes(n)) return field
  }
  return null
}

/** The kinds by their Chinese names, as departments write them. */
const KIND_NAMES: Record<string, (typeof RESOURCE_KINDS)[number]> = {
  闲置土地: 'idle_land',
  闲置用地: 'idle_land',
  低效用地: 'idle_land',
  闲置建筑: 'idle_building',
  闲置楼宇: 'idle_building',
  闲置房屋: 'idle_building',
  低效建筑: 'underused_building',
  低效楼宇: 'underused_building',
  腾退厂房: 'vacated_factory',
  闲置厂房: 'vacated_factory',
  桥下空间: 'under_bridge_space',
  边角地: 'corner_space',
  边角空间: 'corner_space',
  停车: 'parking',
  停车场: 'parking',
  停车设施: 'parking',
}

export function kindOf(raw: string): string | null {
  const text = raw.trim()
  if ((RESOURCE_KINDS as readonly string[]).includes(text)) return text
  return KIND_NAMES[text] ?? null
}

const text = (value: unknown): string | null => {
  if (value === null || value === undefined) return null
  const t = String(value).trim()
  return t === '' ? null : t
}

const number = (value: unknown): number | null => {
  const t = text(value)
  if (t === null) return null
  const n = Number(t.replace(/,/g, ''))
  return Number.isFinite(n) ? n : Number.NaN
}

/**
 * A draft from one row's named values (`values[header]`), or the reason it cannot be one. The geometry is given
 * (GeoJSON) or read from the WKT or longitude/latitude columns.
 */
export function draftOf(
  place: { row: number; sheet: string | null },
  values: Record<string, unknown>,
  geojson?: unknown,
): ResourceDraft | RowRejection {
  const fields: Partial<Record<Field, unknown>> = {}
  const attributes: Record<string, unknown> = {}
  for (const [header, value] of Object.entries(values)) {
    const field = fieldOf(header)
    if (field && fields[field] === undefined) fields[field] = value
    else if (value !== null && value !== undefined && value !== '') attributes[header] = value
  }
  const sourceKey = text(fields.sourceKey)
  const refuse = (zh: string, en: string): RowRejection => ({ ...place, sourceKey, zh, en })
  if (!sourceKey) return refuse('缺少编号（再次导入按编号更新）', 'No id (re-imports update by it)')
  if (sourceKey.length > 100) return refuse('编号超过 100 个字符', 'The id is longer than 100 characters')
  const rawKind = text(fields.kind)
  if (!rawKind) return refuse('缺少类型', 'No kind')
  const kind = kindOf(rawKind)
  if (!kind) {
    return refuse(
      `类型“${rawKind}”无效，可用：${Object.keys(KIND_NAMES).join('、')} 或 ${RESOURCE_KINDS.join('、')}`,
      `Unknown kind “${rawKind}”; use one of ${RESOURCE_KINDS.join(', ')} or their Chinese names`,
    )
  }
  const areaM2 = number(fields.area)
  if (areaM2 !== null && !(areaM2 > 0))
    return refuse('面积须为正数（平方米）', 'The area must be positive (m²)')
  let geometry: DraftGeometry
  if (geojson !== undefined) geometry = { geojson }
  else if (text(fields.wkt)) geometry = { wkt: text(fields.wkt)! }
  else {
    const lon = number(fields.lon)
    const lat = number(fields.lat)
    if (lon === null || lat === null) {
      return refuse('缺少位置：需要经度、纬度两列或 WKT 列', 'No location: give lon and lat, or a WKT column')
    }
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
      return refuse(`经纬度超出范围（${lon}, ${lat}）`, `Longitude/latitude out of range (${lon}, ${lat})`)
    }
    geometry = { lon, lat }
  }
  return {
    ...place,
    sourceKey,
    kind,
    name: text(fields.name),
    areaM2,
    ownership: text(fields.ownership),
    currentUse: text(fields.currentUse),
    address: text(fields.address),
    geometry,
    attributes,
  }
}

export const isRejection = (d: ResourceDraft | RowRejection): d is RowRejection => 'zh' in d
