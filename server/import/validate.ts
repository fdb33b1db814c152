import type { Geometry, Position } from '../db/geometry.ts'
import { isGaussKrueger, WEB_MERCATOR, WEB_MERCATOR_HALF_WORLD_M } from '../domain/crs.ts'

/** Why a geometry cannot be imported; the message is shown to the user per rejected feature. */
export class GeometryError extends Error {
  override name = 'GeometryError'
}

export interface GeometryLimits {
  /** @defaultValue 100000 */
  maxVertices: number
}

const DEFAULT_LIMITS: GeometryLimits = { maxVertices: 100_000 }

/**
 * Checks a GeoJSON geometry's structure and coordinate ranges for its SRID and returns its vertex count.
 * Structural faults (unclosed rings, too few positions, non-finite numbers, out-of-range coordinates) are
 * rejected; topological faults such as self-intersection are left to PostGIS (`ST_IsValid`).
 */
export function validateGeometry(
  geometry: unknown,
  srid: number,
  limits: GeometryLimits = DEFAULT_LIMITS,
): number {
  if (geometry === null || geometry === undefined) throw new GeometryError('缺少几何 / missing geometry')
  if (typeof geometry !== 'object') throw new GeometryError('几何不是对象 / geometry is not an object')
  const g = geometry as { type?: unknown; coordinates?: unknown }
  const check = new GeometryCheck(srid, limits)
  switch (g.type) {
    case 'Point':
      check.position(g.coordinates, 'Point')
      break
    case 'MultiPoint':
      check.each(g.coordinates, 'MultiPoint', (p, where) => check.position(p, where))
      break
    case 'LineString':
      check.line(g.coordinates, 'LineString', 2)
      break
    case 'MultiLineString':
      check.each(g.coordinates, 'MultiLineString', (l, where) => check.line(l, where, 2))
      break
    case 'Polygon':
      check.polygon(g.coordinates, 'Polygon')
      break
    case 'MultiPolygon':
      check.each(g.coordinates, 'MultiPolygon', (p, where) => check.polygon(p, where))
      break
    default:
      throw new GeometryError(`不支持的几何类型 / unsupported geometry type ${JSON.stringify(g.type)}`)
  }
  return check.vertices
}

/** Walks a geometry's coordinates; `where` names the position in the geometry for the message. */
class GeometryCheck {
  vertices = 0

  constructor(
    private readonly srid: number,
    private readonly limits: GeometryLimits,
  ) {}

  position(p: unknown, where: string): void {
    if (!Array.isArray(p) || p.length < 2 || p.length > 4) {
      throw new GeometryError(`坐标格式错误 / ${where}: a position must be [x, y] or [x, y, z]`)
    }
    for (const n of p) {
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        throw new GeometryError(
          `坐标不是有限数 / ${where}: coordinate ${JSON.stringify(n)} is not a finite number`,
        )
      }
    }
    checkRange(p[0] as number, p[1] as number, this.srid, where)
    this.vertices++
    if (this.vertices > this.limits.maxVertices) {
      throw new GeometryError(`顶点过多 / more than ${this.limits.maxVertices} vertices`)
    }
  }

  line(l: unknown, where: string, min: number): Position[] {
    if (!Array.isArray(l)) throw new GeometryError(`${where}: expected an array of positions`)
    if (l.length < min)
      throw new GeometryError(`点数不足 / ${where}: needs at least ${min} positions, has ${l.length}`)
    l.forEach((p, i) => {
      this.position(p, `${where}[${i}]`)
    })
    return l as Position[]
  }

  polygon(rings: unknown, where: string): void {
    if (!Array.isArray(rings) || rings.length === 0)
      throw new GeometryError(`${where}: a polygon needs rings`)
    rings.forEach((r, i) => {
      this.ring(r, `${where}[${i}]`)
    })
  }

  /** Checks each member of a Multi* geometry's non-empty coordinate array. */
  each(v: unknown, where: string, member: (m: unknown, where: string) => void): void {
    if (!Array.isArray(v) || v.length === 0) throw new GeometryError(`${where}: expected a non-empty array`)
    v.forEach((m, i) => {
      member(m, `${where}[${i}]`)
    })
  }

  private ring(r: unknown, where: string): void {
    const positions = this.line(r, where, 4)
    const first = positions[0] as Position
    const last = positions[positions.length - 1] as Position
    if (first[0] !== last[0] || first[1] !== last[1]) {
      throw new GeometryError(`环未闭合 / ${where}: ring is not closed (first and last positions differ)`)
    }
  }
}

function checkRange(x: number, y: number, srid: number, where: string): void {
  if (srid === WEB_MERCATOR) {
    if (Math.abs(x) > WEB_MERCATOR_HALF_WORLD_M || Math.abs(y) > WEB_MERCATOR_HALF_WORLD_M) {
      throw new GeometryError(`坐标超出投影范围 / ${where}: (${x}, ${y}) is outside EPSG:3857`)
    }
    return
  }
  if (isGaussKrueger(srid)) {
    // Northings of China lie between about 1,800 km and 6,000 km; eastings carry the zone prefix or not.
    if (y < 0 || y > 10_000_000 || x < 0 || x > 100_000_000) {
      throw new GeometryError(`坐标超出投影范围 / ${where}: (${x}, ${y}) is outside EPSG:${srid}`)
    }
    return
  }
  if (x < -180 || x > 180 || y < -90 || y > 90) {
    throw new GeometryError(
      `经纬度超出范围 / ${where}: (${x}, ${y}) is not a longitude/latitude in EPSG:${srid} — ` +
        'projected coordinates need their CRS declared (e.g. --crs EPSG:4549)',
    )
  }
}

/** Polygon or MultiPolygon → list of polygons; other types → empty. */
export function polygonsOf(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates]
  if (geometry.type === 'MultiPolygon') return geometry.coordinates
  return []
}
