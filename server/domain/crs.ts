/**
 * Coordinate reference systems CityCheck accepts. Storage is EPSG:4326; CGCS2000 geographic (EPSG:4490) differs
 * from WGS84 by centimetres and is taken as equal; the CGCS2000 Gauss-Krüger zones are transformed by PostGIS;
 * the web-map systems (GCJ-02, BD-09, EPSG:3857) are converted in TypeScript with gcoord (ADR 0020).
 */
import gcoord from 'gcoord'

export const WGS84 = 4326
export const CGCS2000 = 4490

export class UnsupportedCrsError extends Error {
  override name = 'UnsupportedCrsError'
}

/** CGCS2000 Gauss-Krüger projections: 6° zones 13–23 (4491–4501) and CM (4502–4512), 3° zones 25–45 (4513–4533) and CM (4534–4554). */
export function isGaussKrueger(srid: number): boolean {
  return srid >= 4491 && srid <= 4554
}

/** Whether input in this SRID can be imported (and so transformed to EPSG:4326). */
export function isAcceptedSrid(srid: number): boolean {
  return srid === WGS84 || srid === CGCS2000 || isGaussKrueger(srid)
}

/** Parses `EPSG:4490`, `urn:ogc:def:crs:EPSG::4549`, `4549`, `CRS84` into an SRID. */
export function parseCrs(name: string | number | undefined | null): number {
  if (name === undefined || name === null || name === '') return WGS84
  if (typeof name === 'number') return checkSrid(name)
  const text = name.trim()
  if (/CRS84$/i.test(text)) return WGS84
  const match = /(?:EPSG[:/]+(?:[\d.]*:)?|^)(\d{4,5})$/i.exec(text)
  if (!match?.[1])
    throw new UnsupportedCrsError(`坐标系 "${name}" 无法识别 / CRS "${name}" is not recognised`)
  return checkSrid(Number(match[1]))
}

function checkSrid(srid: number): number {
  if (!isAcceptedSrid(srid)) {
    throw new UnsupportedCrsError(
      `不支持的坐标系 EPSG:${srid}，请使用 EPSG:4326、EPSG:4490、CGCS2000 高斯-克吕格投影 (EPSG:4491–4554)、` +
        `GCJ-02、BD-09 或 EPSG:3857 / EPSG:${srid} is not supported: use EPSG:4326, EPSG:4490, a CGCS2000 ` +
        'Gauss-Krüger zone (EPSG:4491–4554), GCJ-02, BD-09 or EPSG:3857',
    )
  }
  return srid
}

/**
 * The metric CRS for work near a longitude: the CGCS2000 3° Gauss-Krüger CM zone (EPSG:4534 at 75°E … 4554 at
 * 135°E), the projection Chinese survey data is delivered in. Outside China's longitudes, the WGS84 UTM zone.
 */
export function metricSridFor(lonDeg: number, latDeg = 30): number {
  const zone = Math.round((lonDeg - 75) / 3)
  if (zone >= 0 && zone <= 20 && latDeg > 0) return 4534 + zone
  const utm = Math.min(60, Math.max(1, Math.floor((lonDeg + 180) / 6) + 1))
  return (latDeg >= 0 ? 32600 : 32700) + utm
}

/** The web-map systems PostGIS does not know: AMap/Tencent's GCJ-02, Baidu's BD-09, web tools' EPSG:3857. */
export type WebMapCrs = 'GCJ-02' | 'BD-09' | 'EPSG:3857'

const WEB_MAP_CRS: Record<WebMapCrs, Parameters<typeof gcoord.transform>[1]> = {
  'GCJ-02': gcoord.GCJ02,
  'BD-09': gcoord.BD09,
  'EPSG:3857': gcoord.EPSG3857,
}

/** The CRS an input declares: an SRID PostGIS transforms, or a web-map system converted to WGS84 first. */
export type InputCrs = { kind: 'srid'; srid: number } | { kind: 'web-map'; name: WebMapCrs }

/** Parses what `parseCrs` does, plus `GCJ-02`/`GCJ02`, `BD-09`/`BD09`, `EPSG:3857` (`900913`, `102100`). */
export function parseInputCrs(name: string | number | undefined | null): InputCrs {
  const text = typeof name === 'string' ? name.trim().toUpperCase() : ''
  if (/^GCJ-?02$/.test(text)) return { kind: 'web-map', name: 'GCJ-02' }
  if (/^BD-?09(LL)?$/.test(text)) return { kind: 'web-map', name: 'BD-09' }
  const code = typeof name === 'number' ? name : Number(/(\d{4,6})$/.exec(text)?.[1])
  if (
    [3857, 900913, 102100, 3785].includes(code) &&
    (typeof name === 'number' || /^(EPSG|URN|\d)/.test(text))
  ) {
    return { kind: 'web-map', name: 'EPSG:3857' }
  }
  return { kind: 'srid', srid: parseCrs(name) }
}

/** The SRID whose coordinate ranges an input's coordinates must lie in before any conversion. */
export function validationSridOf(crs: InputCrs): number {
  if (crs.kind === 'srid') return crs.srid
  return crs.name === 'EPSG:3857' ? WEB_MERCATOR : WGS84
}

export const WEB_MERCATOR = 3857
/** Half the spherical Mercator world's width in metres: |x| and |y| of EPSG:3857 stay within it. */
export const WEB_MERCATOR_HALF_WORLD_M = 20_037_508.342789244

/**
 * Converts a GeoJSON geometry from a web-map CRS to WGS84 (taken as CGCS2000, centimetres apart) on a copy.
 * GCJ-02 → WGS84 is an iteration to well under a metre; BD-09 goes through GCJ-02.
 */
export function webMapToWgs84<G extends { type: string }>(geometry: G, from: WebMapCrs): G {
  const copy = structuredClone(geometry) as unknown as Parameters<typeof gcoord.transform>[0]
  return gcoord.transform(copy, WEB_MAP_CRS[from], gcoord.WGS84) as unknown as G
}
