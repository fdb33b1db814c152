/**
 * The base map (docs/adr/0019) as plain drawing data: the city's own water, green, land use, roads by class and
 * district boundaries from `/basemap/<region>.json`, each with its colour, width and draw order. No Cesium here.
 */
import type { Lang, MessageKey } from './i18n.ts'

export type BaseMapLayer = 'landuse' | 'green' | 'water' | 'road' | 'district'

type Position = [number, number]
/** A polygon: outer ring first, then holes; closed `[lon, lat]` rings. */
export type PolygonRings = Position[][]

export interface BaseMapArea {
  layer: 'landuse' | 'green' | 'water'
  kind: string
  colour: string
  polygon: PolygonRings
}

export interface BaseMapLine {
  layer: 'road' | 'district'
  kind: string
  colour: string
  widthPx: number
  dashed: boolean
  positions: Position[]
}

export interface BaseMapLabel {
  position: Position
  text: Record<Lang, string>
}

export interface BaseMap {
  areas: BaseMapArea[]
  lines: BaseMapLine[]
  labels: BaseMapLabel[]
}

export const EMPTY_BASE_MAP: BaseMap = { areas: [], lines: [], labels: [] }

/** Fills, dark enough for the buildings' theme colours to stand out on them. */
const AREA_COLOURS: Record<BaseMapArea['layer'], string> = {
  landuse: '#2b323b',
  green: '#2d5a3a',
  water: '#2a5f93',
}
/** Land use a planner tells apart: commerce and public services a shade warmer than housing. */
const LANDUSE_COLOURS: Record<string, string> = {
  residential: '#2e3640',
  commercial: '#3d3440',
  retail: '#3d3440',
  school: '#3a3a2c',
  university: '#3a3a2c',
  hospital: '#40302f',
  pedestrian: '#383d44',
}

/** Road classes, widest first: colour, width in pixels, dashed. */
export const ROAD_CLASSES: readonly {
  kind: string
  colour: string
  widthPx: number
  dashed: boolean
  label: MessageKey
}[] = [
  { kind: 'highway', colour: '#e0b050', widthPx: 4, dashed: false, label: 'road.major' },
  { kind: 'major_road', colour: '#d9a84e', widthPx: 3, dashed: false, label: 'road.major' },
  { kind: 'minor_road', colour: '#9aa7b4', widthPx: 2, dashed: false, label: 'road.minor' },
  { kind: 'path', colour: '#6b7887', widthPx: 1, dashed: false, label: 'road.path' },
  { kind: 'rail', colour: '#b08fd0', widthPx: 2, dashed: true, label: 'road.rail' },
  { kind: 'ferry', colour: '#7fb8e8', widthPx: 1.5, dashed: true, label: 'road.ferry' },
]
const OTHER_ROAD = { colour: '#6b7887', widthPx: 1, dashed: false }

export const DISTRICT_LINE = { colour: '#f2f5f8', widthPx: 2.5, dashed: true }

/** The legend of the base map: areas, then road classes (once per label). */
export const BASE_MAP_LEGEND: readonly { label: MessageKey; colour: string; line: boolean }[] = [
  { label: 'base.water', colour: AREA_COLOURS.water, line: false },
  { label: 'base.green', colour: AREA_COLOURS.green, line: false },
  { label: 'base.landuse', colour: LANDUSE_COLOURS.commercial!, line: false },
  ...ROAD_CLASSES.filter((c, i, all) => all.findIndex((o) => o.label === c.label) === i).map((c) => ({
    label: c.label,
    colour: c.colour,
    line: true,
  })),
  { label: 'base.district', colour: DISTRICT_LINE.colour, line: true },
]

interface Feature {
  properties: {
    layer: string
    kind: string
    name: string | null
    nameEn?: string | null
    label?: Position
  }
  geometry: { type: string; coordinates?: unknown } | null
}

const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number'
const toLine = (v: unknown): Position[] =>
  Array.isArray(v) ? v.filter(isPosition).map(([x, y]) => [x, y] as Position) : []

function polygonsOf(geometry: Feature['geometry']): PolygonRings[] {
  if (!geometry) return []
  const polygon = (p: unknown): PolygonRings => (Array.isArray(p) ? p.map(toLine) : [])
  if (geometry.type === 'Polygon') return [polygon(geometry.coordinates)]
  if (geometry.type === 'MultiPolygon' && Array.isArray(geometry.coordinates))
    return geometry.coordinates.map(polygon)
  return []
}

function linesOf(geometry: Feature['geometry']): Position[][] {
  if (!geometry) return []
  if (geometry.type === 'LineString') return [toLine(geometry.coordinates)]
  if (geometry.type === 'MultiLineString' && Array.isArray(geometry.coordinates))
    return geometry.coordinates.map(toLine)
  return []
}

/** The drawing data of a `/basemap/` answer; features of unknown layers and degenerate parts are left out. */
export function baseMapOf(collection: { features: readonly Feature[] }): BaseMap {
  const out: BaseMap = { areas: [], lines: [], labels: [] }
  for (const f of collection.features) {
    const { layer, kind } = f.properties
    if (layer === 'water' || layer === 'green' || layer === 'landuse') {
      const colour =
        layer === 'landuse' ? (LANDUSE_COLOURS[kind] ?? AREA_COLOURS.landuse) : AREA_COLOURS[layer]
      for (const polygon of polygonsOf(f.geometry)) {
        if ((polygon[0]?.length ?? 0) >= 4) out.areas.push({ layer, kind, colour, polygon })
      }
    } else if (layer === 'road' || layer === 'district') {
      const style =
        layer === 'district' ? DISTRICT_LINE : (ROAD_CLASSES.find((c) => c.kind === kind) ?? OTHER_ROAD)
      for (const positions of linesOf(f.geometry)) {
        if (positions.length >= 2) out.lines.push({ layer, kind, ...pick(style), positions })
      }
      if (layer === 'district' && f.properties.label && f.properties.name) {
        const zh = f.properties.name
        out.labels.push({
          position: f.properties.label,
          text: { 'zh-CN': zh, en: f.properties.nameEn ?? zh },
        })
      }
    }
  }
  // Drawn in this order, so water lies over the land use it crosses and green over both where they overlap.
  const order: BaseMapArea['layer'][] = ['landuse', 'green', 'water']
  out.areas.sort((a, b) => order.indexOf(a.layer) - order.indexOf(b.layer))
  return out
}

function pick(style: { colour: string; widthPx: number; dashed: boolean }) {
  return { colour: style.colour, widthPx: style.widthPx, dashed: style.dashed }
}

/** Fetches a region's base map (public open data: no token needed). */
export async function fetchBaseMap(regionCode: string): Promise<BaseMap> {
  const response = await fetch(`/basemap/${encodeURIComponent(regionCode)}.json`)
  if (!response.ok) throw new Error(`base map HTTP ${response.status}`)
  return baseMapOf((await response.json()) as { features: Feature[] })
}
