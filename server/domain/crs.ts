/**
 * Coordinate reference systems CityCheck accepts. Storage is EPSG:4326; CGCS2000 geographic (EPSG:4490) differs
 * from WGS84 by centimetres and is taken as equal; the CGCS2000 Gauss-Krüger zones are transformed by PostGIS.
 */

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
      `不支持的坐标系 EPSG:${srid}，请使用 EPSG:4326、EPSG:4490 或 CGCS2000 高斯-克吕格投影 (EPSG:4491–4554) / ` +
        `EPSG:${srid} is not supported: use EPSG:4326, EPSG:4490 or a CGCS2000 Gauss-Krüger zone (EPSG:4491–4554)`,
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
