import { type GraphQLError, Kind, type ValueNode, valueFromASTUntyped } from 'graphql'
import type { Geometry, Position } from '../../server/db/geometry.ts'
import { isGaussKrueger, parseCrs, UnsupportedCrsError, WGS84 } from '../../server/domain/crs.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder, type GeometryInput } from '../builder.ts'

/** Most vertices one input geometry may have: larger shapes belong in an import, not in a query. */
export const MAX_INPUT_VERTICES = 10_000

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
])

function invalid(zh: string, en: string, path: string): GraphQLError {
  return badUserInput(`GeoJSON 几何无效（${path}）：${zh}`, `Invalid GeoJSON geometry at ${path}: ${en}`, {
    geometryPath: path,
  })
}

class GeometryChecker {
  vertices = 0

  geometry(value: unknown, path: string, nested: boolean): Geometry {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid('应为 GeoJSON 几何对象', 'expected a GeoJSON geometry object', path)
    }
    const object = value as Record<string, unknown>
    const type = object.type
    if (typeof type !== 'string' || !GEOMETRY_TYPES.has(type)) {
      throw invalid(
        `type 必须是 ${[...GEOMETRY_TYPES].join(' / ')} 之一（Feature 请只传其 geometry）`,
        `type must be one of ${[...GEOMETRY_TYPES].join(', ')} (pass a Feature's geometry, not the Feature)`,
        `${path}.type`,
      )
    }
    if (type === 'GeometryCollection') {
      if (nested)
        throw invalid('不支持嵌套的 GeometryCollection', 'nested GeometryCollections are not supported', path)
      const geometries = object.geometries
      if (!Array.isArray(geometries))
        throw invalid('缺少 geometries 数组', 'geometries must be an array', path)
      return {
        type,
        geometries: geometries.map((g, i) => this.geometry(g, `${path}.geometries[${i}]`, true)),
      }
    }
    const c = object.coordinates
    const at = `${path}.coordinates`
    switch (type) {
      case 'Point':
        return { type, coordinates: this.position(c, at) }
      case 'MultiPoint':
        return { type, coordinates: this.array(c, at, 1).map((p, i) => this.position(p, `${at}[${i}]`)) }
      case 'LineString':
        return { type, coordinates: this.line(c, at) }
      case 'MultiLineString':
        return { type, coordinates: this.array(c, at, 1).map((l, i) => this.line(l, `${at}[${i}]`)) }
      case 'Polygon':
        return { type, coordinates: this.polygon(c, at) }
      default:
        return {
          type: 'MultiPolygon',
          coordinates: this.array(c, at, 1).map((p, i) => this.polygon(p, `${at}[${i}]`)),
        }
    }
  }

  private array(value: unknown, path: string, min: number): unknown[] {
    if (!Array.isArray(value)) throw invalid('应为数组', 'expected an array', path)
    if (value.length < min) {
      throw invalid(`至少需要 ${min} 个元素`, `needs at least ${min} element${min > 1 ? 's' : ''}`, path)
    }
    return value
  }

  private position(value: unknown, path: string): Position {
    if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
      throw invalid('坐标应为 [x, y] 或 [x, y, z]', 'a position must be [x, y] or [x, y, z]', path)
    }
    for (const n of value) {
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        throw invalid('坐标必须是有限数值', 'coordinates must be finite numbers', path)
      }
    }
    this.vertices += 1
    if (this.vertices > MAX_INPUT_VERTICES) {
      throw invalid(
        `顶点数超过上限 ${MAX_INPUT_VERTICES}，请简化图形`,
        `more than ${MAX_INPUT_VERTICES} vertices: simplify the geometry`,
        path,
      )
    }
    return value as Position
  }

  private line(value: unknown, path: string): Position[] {
    return this.array(value, path, 2).map((p, i) => this.position(p, `${path}[${i}]`))
  }

  private polygon(value: unknown, path: string): Position[][] {
    return this.array(value, path, 1).map((ring, r) => {
      const at = `${path}[${r}]`
      const positions = this.array(ring, at, 4).map((p, i) => this.position(p, `${at}[${i}]`))
      const first = positions[0] as Position
      const last = positions[positions.length - 1] as Position
      if (first[0] !== last[0] || first[1] !== last[1]) {
        throw invalid(
          '多边形的环未闭合（首尾坐标必须相同）',
          'polygon ring is not closed (first and last positions differ)',
          at,
        )
      }
      return positions
    })
  }
}

/** Checks a client geometry's structure; the coordinate ranges are checked once its CRS is known. */
export function parseGeometryInput(value: unknown): GeometryInput {
  const geometry = new GeometryChecker().geometry(value, 'geometry', false)
  let srid: number | null = null
  const crs = (value as { crs?: { properties?: { name?: unknown } } }).crs
  if (crs !== undefined && crs !== null) {
    const name = crs.properties?.name
    if (typeof name !== 'string') {
      throw invalid(
        'crs 应为 {"type":"name","properties":{"name":"EPSG:4549"}}',
        'crs must be a named CRS',
        'geometry.crs',
      )
    }
    srid = sridFromName(name)
  }
  return { geometry, srid }
}

/** Parses a CRS name (`EPSG:4549`, `4549`, `urn:ogc:def:crs:EPSG::4490`) into an accepted SRID. */
export function sridFromName(name: string | number): number {
  try {
    return parseCrs(name)
  } catch (error) {
    if (error instanceof UnsupportedCrsError) {
      const [zh, en] = error.message.split(' / ')
      throw badUserInput(zh ?? error.message, en ?? error.message, { crs: String(name) })
    }
    throw error
  }
}

/** The plausible coordinate window of an accepted CRS: [minX, minY, maxX, maxY]. */
function coordinateWindow(srid: number): [number, number, number, number] {
  if (!isGaussKrueger(srid)) return [-180, -90, 180, 90]
  // Zone-prefixed Gauss-Krüger eastings carry the zone number in the millions (6° 4491–4501: zones 13–23;
  // 3° 4513–4533: zones 25–45); the central-meridian variants (4502–4512, 4534–4554) do not.
  const zone = srid <= 4501 ? srid - 4478 : srid >= 4513 && srid <= 4533 ? srid - 4488 : 0
  return [zone * 1e6, 0, zone * 1e6 + 1e6, 1e7]
}

/** Rejects coordinates that cannot be in the given CRS (e.g. lon/lat passed as a projected CRS). */
export function checkCoordinateRanges(geometry: Geometry, srid: number): void {
  const [minX, minY, maxX, maxY] = coordinateWindow(srid)
  const visit = (positions: unknown): void => {
    if (typeof (positions as unknown[])[0] === 'number') {
      const [x, y] = positions as number[]
      if ((x as number) < minX || (x as number) > maxX || (y as number) < minY || (y as number) > maxY) {
        const label = srid === WGS84 ? 'EPSG:4326' : `EPSG:${srid}`
        throw badUserInput(
          `坐标 [${x}, ${y}] 超出 ${label} 的有效范围 x ${minX}…${maxX}, y ${minY}…${maxY}（坐标系是否写错？）`,
          `Coordinate [${x}, ${y}] is outside ${label}'s valid range x ${minX}…${maxX}, y ${minY}…${maxY} (wrong CRS?)`,
        )
      }
      return
    }
    for (const p of positions as unknown[]) visit(p)
  }
  if (geometry.type === 'GeometryCollection') {
    for (const g of geometry.geometries) checkCoordinateRanges(g, srid)
  } else {
    visit(geometry.coordinates)
  }
}

builder.scalarType('GeoJSON', {
  description:
    'GeoJSON 几何对象（RFC 7946；输出为 EPSG:4326 经纬度）。输入可为 EPSG:4326、EPSG:4490 或 CGCS2000 ' +
    `高斯-克吕格投影（由参数 crs 或几何的 crs 成员指定），最多 ${MAX_INPUT_VERTICES} 个顶点，环必须闭合。 / ` +
    'A GeoJSON geometry (EPSG:4326 lon/lat on output); input may be in EPSG:4326, 4490 or a CGCS2000 ' +
    `Gauss-Krüger zone, at most ${MAX_INPUT_VERTICES} vertices, rings closed.`,
  serialize: (value) => value,
  parseValue: (value) => parseGeometryInput(value),
  parseLiteral: (ast: ValueNode, variables) => parseGeometryInput(valueFromASTUntyped(ast, variables)),
})

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : null
  if (!date || Number.isNaN(date.getTime())) {
    throw badUserInput(
      '日期时间应为带时区的 ISO 8601 格式，如 2025-06-01T08:00:00+08:00',
      'DateTime must be ISO 8601 with a time zone, e.g. 2025-06-01T08:00:00+08:00',
    )
  }
  return date
}

builder.scalarType('DateTime', {
  description: '带时区的 ISO 8601 日期时间 / An ISO 8601 date-time with time zone',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
})

builder.scalarType('JSON', {
  description: '任意 JSON 值（属性、参数）/ Any JSON value (attributes, parameters)',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
})
