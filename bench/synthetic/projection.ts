/**
 * Transverse Mercator (Krüger series, Karney 2011, to n⁴: sub-millimetre within a 3° zone) for the metric CRSs
 * `metricSridFor` hands out. The generator lays the city out in projected metres and converts every vertex
 * here, since proj4 per vertex would dominate the run time of a 500k-building city.
 */

export interface TransverseMercator {
  srid: number
  /** lon/lat degrees → easting/northing metres. */
  forward(lonDeg: number, latDeg: number): [number, number]
  /** easting/northing metres → lon/lat degrees. */
  inverse(xM: number, yM: number): [number, number]
}

interface TmParameters {
  semiMajorM: number
  flattening: number
  centralMeridianDeg: number
  scale: number
  falseEastingM: number
  falseNorthingM: number
}

/** CGCS2000 (GRS80 flattening) and WGS84 share the semi-major axis. */
const SEMI_MAJOR_M = 6378137
const CGCS2000_FLATTENING = 1 / 298.257222101
const WGS84_FLATTENING = 1 / 298.257223563

export class UnsupportedProjectionError extends Error {
  override name = 'UnsupportedProjectionError'
}

/** The projection of a CGCS2000 3° Gauss-Krüger CM zone (EPSG:4534–4554) or a WGS84 UTM zone (326xx/327xx). */
export function transverseMercatorFor(srid: number): TransverseMercator {
  if (srid >= 4534 && srid <= 4554) {
    return transverseMercator(srid, {
      semiMajorM: SEMI_MAJOR_M,
      flattening: CGCS2000_FLATTENING,
      centralMeridianDeg: 75 + 3 * (srid - 4534),
      scale: 1,
      falseEastingM: 500000,
      falseNorthingM: 0,
    })
  }
  if ((srid >= 32601 && srid <= 32660) || (srid >= 32701 && srid <= 32760)) {
    const zone = srid % 100
    return transverseMercator(srid, {
      semiMajorM: SEMI_MAJOR_M,
      flattening: WGS84_FLATTENING,
      centralMeridianDeg: -183 + 6 * zone,
      scale: 0.9996,
      falseEastingM: 500000,
      falseNorthingM: srid >= 32701 ? 10000000 : 0,
    })
  }
  throw new UnsupportedProjectionError(`EPSG:${srid} is not a Gauss-Krüger CM zone or a UTM zone`)
}

function transverseMercator(srid: number, p: TmParameters): TransverseMercator {
  const n = p.flattening / (2 - p.flattening)
  const n2 = n * n
  const n3 = n2 * n
  const n4 = n3 * n
  const rectifyingRadius = (p.semiMajorM / (1 + n)) * (1 + n2 / 4 + n4 / 64)
  const alpha = [
    n / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180,
    (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440,
    (61 * n3) / 240 - (103 * n4) / 140,
    (49561 * n4) / 161280,
  ]
  const beta = [
    n / 2 - (2 * n2) / 3 + (37 * n3) / 96 - n4 / 360,
    n2 / 48 + n3 / 15 - (437 * n4) / 1440,
    (17 * n3) / 480 - (37 * n4) / 840,
    (4397 * n4) / 161280,
  ]
  const delta = [
    2 * n - (2 * n2) / 3 - 2 * n3 + (116 * n4) / 45,
    (7 * n2) / 3 - (8 * n3) / 5 - (227 * n4) / 45,
    (56 * n3) / 15 - (136 * n4) / 35,
    (4279 * n4) / 630,
  ]
  const e = (2 * Math.sqrt(n)) / (1 + n)
  const lambda0 = (p.centralMeridianDeg * Math.PI) / 180
  const k = p.scale * rectifyingRadius

  return {
    srid,
    forward(lonDeg, latDeg) {
      const phi = (latDeg * Math.PI) / 180
      const dLambda = (lonDeg * Math.PI) / 180 - lambda0
      const sinPhi = Math.sin(phi)
      const t = Math.sinh(Math.atanh(sinPhi) - e * Math.atanh(e * sinPhi))
      const xiP = Math.atan2(t, Math.cos(dLambda))
      const etaP = Math.atanh(Math.sin(dLambda) / Math.sqrt(1 + t * t))
      let xi = xiP
      let eta = etaP
      for (let j = 1; j <= 4; j++) {
        const a = alpha[j - 1] as number
        xi += a * Math.sin(2 * j * xiP) * Math.cosh(2 * j * etaP)
        eta += a * Math.cos(2 * j * xiP) * Math.sinh(2 * j * etaP)
      }
      return [p.falseEastingM + k * eta, p.falseNorthingM + k * xi]
    },
    inverse(xM, yM) {
      const xi = (yM - p.falseNorthingM) / k
      const eta = (xM - p.falseEastingM) / k
      let xiP = xi
      let etaP = eta
      for (let j = 1; j <= 4; j++) {
        const b = beta[j - 1] as number
        xiP -= b * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta)
        etaP -= b * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta)
      }
      const chi = Math.asin(Math.sin(xiP) / Math.cosh(etaP))
      let phi = chi
      for (let j = 1; j <= 4; j++) phi += (delta[j - 1] as number) * Math.sin(2 * j * chi)
      const lambda = lambda0 + Math.atan2(Math.sinh(etaP), Math.cos(xiP))
      return [(lambda * 180) / Math.PI, (phi * 180) / Math.PI]
    },
  }
}
