/**
 * WGS84 geodesy for tile generation: geodetic ↔ ECEF and local East-North-Up frames.
 * Angles are radians unless a name says `Deg`; lengths are metres.
 */

/** WGS84 semi-major axis. */
export const WGS84_A_M = 6378137
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563
/** WGS84 first eccentricity squared. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F)
/** WGS84 semi-minor axis. */
export const WGS84_B_M = WGS84_A_M * (1 - WGS84_F)

export const DEG_TO_RAD = Math.PI / 180

export type Vec3 = [number, number, number]

export interface Cartographic {
  lonRad: number
  latRad: number
  heightM: number
}

/** Geodetic (lon, lat, ellipsoidal height) → Earth-centred Earth-fixed. */
export function geodeticToEcef(lonRad: number, latRad: number, heightM: number): Vec3 {
  const sinLat = Math.sin(latRad)
  const cosLat = Math.cos(latRad)
  const primeVerticalM = WGS84_A_M / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat)
  const r = (primeVerticalM + heightM) * cosLat
  return [r * Math.cos(lonRad), r * Math.sin(lonRad), (primeVerticalM * (1 - WGS84_E2) + heightM) * sinLat]
}

/**
 * ECEF → geodetic. Bowring's start value plus Newton-style refinement converges to well below a
 * millimetre for points near the surface, which is all the tile checks need.
 */
export function ecefToGeodetic(x: number, y: number, z: number): Cartographic {
  const p = Math.hypot(x, y)
  const lonRad = Math.atan2(y, x)
  if (p < 1e-9) {
    const latRad = z >= 0 ? Math.PI / 2 : -Math.PI / 2
    return { lonRad, latRad, heightM: Math.abs(z) - WGS84_B_M }
  }
  let latRad = Math.atan2(z, p * (1 - WGS84_E2))
  let heightM = 0
  for (let i = 0; i < 6; i++) {
    const sinLat = Math.sin(latRad)
    const primeVerticalM = WGS84_A_M / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat)
    heightM = p / Math.cos(latRad) - primeVerticalM
    latRad = Math.atan2(z, p * (1 - (WGS84_E2 * primeVerticalM) / (primeVerticalM + heightM)))
  }
  return { lonRad, latRad, heightM }
}

/** Outward ellipsoid normal (geodetic up) at a point, in ECEF. */
export function geodeticUp(lonRad: number, latRad: number): Vec3 {
  const cosLat = Math.cos(latRad)
  return [cosLat * Math.cos(lonRad), cosLat * Math.sin(lonRad), Math.sin(latRad)]
}

/**
 * A local East-North-Up frame: origin in ECEF plus the three unit axes in ECEF.
 * `toLocal` maps ECEF to ENU; `matrix` is the column-major 4x4 ENU→ECEF transform as
 * 3D Tiles `transform` expects it.
 */
export interface EnuFrame {
  origin: Vec3
  east: Vec3
  north: Vec3
  up: Vec3
}

export function enuFrame(lonRad: number, latRad: number, heightM: number): EnuFrame {
  const sinLon = Math.sin(lonRad)
  const cosLon = Math.cos(lonRad)
  const sinLat = Math.sin(latRad)
  const cosLat = Math.cos(latRad)
  return {
    origin: geodeticToEcef(lonRad, latRad, heightM),
    east: [-sinLon, cosLon, 0],
    north: [-sinLat * cosLon, -sinLat * sinLon, cosLat],
    up: [cosLat * cosLon, cosLat * sinLon, sinLat],
  }
}

/** Column-major ENU→ECEF matrix of a frame (the 3D Tiles `tile.transform` layout). */
export function enuToEcefMatrix(frame: EnuFrame): number[] {
  const { origin: o, east: e, north: n, up: u } = frame
  return [e[0], e[1], e[2], 0, n[0], n[1], n[2], 0, u[0], u[1], u[2], 0, o[0], o[1], o[2], 1]
}

/** ECEF point → ENU coordinates of a frame. */
export function ecefToEnu(frame: EnuFrame, x: number, y: number, z: number): Vec3 {
  const dx = x - frame.origin[0]
  const dy = y - frame.origin[1]
  const dz = z - frame.origin[2]
  const { east: e, north: n, up: u } = frame
  return [
    e[0] * dx + e[1] * dy + e[2] * dz,
    n[0] * dx + n[1] * dy + n[2] * dz,
    u[0] * dx + u[1] * dy + u[2] * dz,
  ]
}

/** ECEF direction → ENU direction (rotation only). */
export function ecefDirToEnu(frame: EnuFrame, v: Vec3): Vec3 {
  const { east: e, north: n, up: u } = frame
  return [
    e[0] * v[0] + e[1] * v[1] + e[2] * v[2],
    n[0] * v[0] + n[1] * v[1] + n[2] * v[2],
    u[0] * v[0] + u[1] * v[1] + u[2] * v[2],
  ]
}

/** Applies a column-major 4x4 affine matrix to a point. */
export function transformPoint(m: readonly number[], x: number, y: number, z: number): Vec3 {
  return [
    m[0]! * x + m[4]! * y + m[8]! * z + m[12]!,
    m[1]! * x + m[5]! * y + m[9]! * z + m[13]!,
    m[2]! * x + m[6]! * y + m[10]! * z + m[14]!,
  ]
}

/** Multiplies two column-major 4x4 matrices (a·b). */
export function multiplyMatrices(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(16).fill(0)
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let sum = 0
      for (let k = 0; k < 4; k++) sum += a[k * 4 + row]! * b[col * 4 + k]!
      out[col * 4 + row] = sum
    }
  }
  return out
}

/** Inverse of a column-major rigid transform (rotation and translation): Rᵀ and −Rᵀ·t. */
export function invertRigid(m: readonly number[]): number[] {
  const t = [m[12]!, m[13]!, m[14]!]
  const out = [m[0]!, m[4]!, m[8]!, 0, m[1]!, m[5]!, m[9]!, 0, m[2]!, m[6]!, m[10]!, 0, 0, 0, 0, 1]
  for (let row = 0; row < 3; row++) {
    out[12 + row] = -(out[row]! * t[0]! + out[4 + row]! * t[1]! + out[8 + row]! * t[2]!)
  }
  return out
}

/**
 * glTF is y-up while 3D Tiles is z-up; runtimes insert this rotation between glTF content
 * and `tile.transform`, mapping glTF (x, y, z) to tile-local (x, -z, y).
 */
export const Y_UP_TO_Z_UP: readonly number[] = [1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1]
