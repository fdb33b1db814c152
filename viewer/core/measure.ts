/**
 * Measurements on the city, geodesic on the WGS84 ellipsoid (GeographicLib, Karney's algorithms): the length of
 * a path, the area of a polygon and the height between two points, with their units. No Cesium, no DOM.
 */
import { Geodesic } from 'geographiclib-geodesic'
import type { Lang } from './i18n.ts'

export type MeasureMode = 'distance' | 'area' | 'height'
export const MEASURE_MODES: readonly MeasureMode[] = ['distance', 'area', 'height']

/** A picked point: degrees and metres above the ellipsoid. */
export interface MeasurePoint {
  lonDeg: number
  latDeg: number
  heightM: number
}

export interface Measurement {
  mode: MeasureMode
  points: MeasurePoint[]
  /** Metres (distance, height) or square metres (area); null until there are enough points. */
  value: number | null
  /** The value with its unit, in the page's language. */
  text: string
}

const WGS84 = Geodesic.WGS84

/** Geodesic length of the path through the points, in metres. */
export function pathLengthM(points: readonly MeasurePoint[]): number {
  let sum = 0
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!
    const b = points[i]!
    sum += WGS84.Inverse(a.latDeg, a.lonDeg, b.latDeg, b.lonDeg).s12 ?? 0
  }
  return sum
}

/** Geodesic area of the polygon the points enclose, in square metres (whatever their order). */
export function polygonAreaM2(points: readonly MeasurePoint[]): number {
  if (points.length < 3) return 0
  const polygon = WGS84.Polygon(false)
  for (const p of points) polygon.AddPoint(p.latDeg, p.lonDeg)
  return Math.abs(polygon.Compute(false, true).area ?? 0)
}

/** The measurement of `points` in `mode`: distance needs 2 points, area 3, height 2 (the first two). */
export function measure(mode: MeasureMode, points: readonly MeasurePoint[], lang: Lang): Measurement {
  let value: number | null = null
  if (mode === 'distance' && points.length >= 2) value = pathLengthM(points)
  if (mode === 'area' && points.length >= 3) value = polygonAreaM2(points)
  if (mode === 'height' && points.length >= 2) value = Math.abs(points[1]!.heightM - points[0]!.heightM)
  const text = value === null ? '' : mode === 'area' ? formatArea(value, lang) : formatLength(value, lang)
  return { mode, points: [...points], value, text }
}

const number = (value: number, lang: Lang, digits: number) =>
  value.toLocaleString(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Metres below 1 km (one decimal under 100 m), kilometres above. */
export function formatLength(m: number, lang: Lang): string {
  if (m >= 1000) return `${number(m / 1000, lang, 3)} ${lang === 'en' ? 'km' : '千米'}`
  return `${number(m, lang, m < 100 ? 2 : 1)} ${lang === 'en' ? 'm' : '米'}`
}

/** Square metres below a hectare, hectares below a square kilometre, then square kilometres. */
export function formatArea(m2: number, lang: Lang): string {
  if (m2 >= 1e6) return `${number(m2 / 1e6, lang, 3)} ${lang === 'en' ? 'km²' : '平方千米'}`
  if (m2 >= 1e4) return `${number(m2 / 1e4, lang, 2)} ${lang === 'en' ? 'ha' : '公顷'}`
  return `${number(m2, lang, 0)} ${lang === 'en' ? 'm²' : '平方米'}`
}
