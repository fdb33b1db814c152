import { describe, expect, it } from 'vitest'
import {
  DEG_TO_RAD,
  ecefToEnu,
  ecefToGeodetic,
  enuFrame,
  enuToEcefMatrix,
  geodeticToEcef,
  transformPoint,
  WGS84_A_M,
  WGS84_B_M,
  Y_UP_TO_Z_UP,
} from '../../../jobs/tiles/geodesy.ts'

describe('geodesy', () => {
  it('places the equator/prime meridian and the pole on the WGS84 axes', () => {
    expect(geodeticToEcef(0, 0, 0)).toEqual([WGS84_A_M, 0, 0])
    const pole = geodeticToEcef(0, Math.PI / 2, 100)
    expect(pole[0]).toBeCloseTo(0, 6)
    expect(pole[2]).toBeCloseTo(WGS84_B_M + 100, 6)
  })

  it('round-trips geodetic → ECEF → geodetic to sub-millimetre', () => {
    for (const [lonDeg, latDeg, h] of [
      [121.49, 31.24, 0],
      [121.49, 31.24, 632],
      [-70, -45, -30],
      [179.9, 89.5, 10],
    ] as const) {
      const [x, y, z] = geodeticToEcef(lonDeg * DEG_TO_RAD, latDeg * DEG_TO_RAD, h)
      const c = ecefToGeodetic(x, y, z)
      expect(c.lonRad / DEG_TO_RAD).toBeCloseTo(lonDeg, 10)
      expect(c.latRad / DEG_TO_RAD).toBeCloseTo(latDeg, 10)
      expect(c.heightM).toBeCloseTo(h, 4)
    }
  })

  it('builds an orthonormal ENU frame whose matrix inverts ecefToEnu', () => {
    const f = enuFrame(121.49 * DEG_TO_RAD, 31.24 * DEG_TO_RAD, 0)
    const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!
    expect(dot(f.east, f.north)).toBeCloseTo(0, 12)
    expect(dot(f.east, f.up)).toBeCloseTo(0, 12)
    expect(dot(f.north, f.up)).toBeCloseTo(0, 12)
    const p = geodeticToEcef(121.5 * DEG_TO_RAD, 31.25 * DEG_TO_RAD, 50)
    const enu = ecefToEnu(f, ...p)
    // A point north-east of the origin has positive east and north components.
    expect(enu[0]).toBeGreaterThan(0)
    expect(enu[1]).toBeGreaterThan(0)
    const back = transformPoint(enuToEcefMatrix(f), ...enu)
    for (let k = 0; k < 3; k++) expect(back[k]).toBeCloseTo(p[k]!, 6)
  })

  it('maps glTF y-up to 3D Tiles z-up as (x, y, z) → (x, -z, y)', () => {
    expect(transformPoint(Y_UP_TO_Z_UP, 1, 2, 3)).toEqual([1, -3, 2])
  })
})
