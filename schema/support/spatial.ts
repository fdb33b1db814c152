import { type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { lookupRegion } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import { CGCS2000, metricSridFor, WGS84 } from '../../server/domain/crs.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder, type GeometryInput } from '../builder.ts'
import type { OrderKey } from './pagination.ts'
import { checkCoordinateRanges, sridFromName } from './scalars.ts'

/** Largest radius of a distance filter: beyond a city's reach the question belongs in an aggregate. */
export const MAX_RADIUS_M = 50_000

export interface BBoxShape {
  west: number
  south: number
  east: number
  north: number
}

export const BBoxInput = builder.inputType('BBoxInput', {
  description:
    '矩形范围（坐标系由 SpatialFilter.crs 指定，默认 EPSG:4326 经纬度）/ A bounding box in the filter CRS',
  fields: (t) => ({
    west: t.float({ required: true }),
    south: t.float({ required: true }),
    east: t.float({ required: true }),
    north: t.float({ required: true }),
  }),
  validate: z
    .object({ west: z.number(), south: z.number(), east: z.number(), north: z.number() })
    .refine((b) => b.west < b.east && b.south < b.north, {
      message: '矩形范围需满足 west < east 且 south < north / a bbox needs west < east and south < north',
    }),
})

export const NearInput = builder.inputType('NearInput', {
  description: '距某点一定距离（米）以内 / Within a distance (metres) of a point',
  fields: (t) => ({
    point: t.floatList({
      required: true,
      description: '[x, y]：经度、纬度，或投影坐标 / [x, y] in the filter CRS',
      validate: z.array(z.number()).length(2, { message: '点坐标应为 [x, y] / point must be [x, y]' }),
    }),
    radiusM: t.float({
      required: true,
      description: `半径（米），不超过 ${MAX_RADIUS_M} / Radius in metres, at most ${MAX_RADIUS_M}`,
      validate: z
        .number()
        .positive({ message: '半径必须大于 0 / radiusM must be positive' })
        .max(MAX_RADIUS_M, {
          message: `半径不能超过 ${MAX_RADIUS_M} 米（${MAX_RADIUS_M / 1000} 公里） / radiusM must be at most ${MAX_RADIUS_M} m`,
        }),
    }),
  }),
})

export const SpatialFilter = builder.inputType('SpatialFilter', {
  description:
    '空间筛选：各条件同时满足 / Spatial filter; all given conditions apply. Geometry inputs are in `crs` ' +
    '(EPSG:4326 by default; EPSG:4490 and the CGCS2000 Gauss-Krüger zones EPSG:4491–4554 are transformed).',
  fields: (t) => ({
    bbox: t.field({ type: BBoxInput, description: '与矩形相交 / Intersects the box' }),
    intersects: t.field({ type: 'GeoJSON', description: '与几何相交 / Intersects the geometry' }),
    near: t.field({
      type: NearInput,
      description: '距点一定距离以内，并按距离排序 / Within a distance of a point',
    }),
    region: t.string({ description: '位于该行政区划内（按区划代码）/ Inside the region with this code' }),
    crs: t.string({ description: '输入坐标系，如 EPSG:4549 / CRS of the geometry inputs, e.g. EPSG:4549' }),
  }),
})

export interface SpatialFilterShape {
  bbox?: BBoxShape | null
  intersects?: GeometryInput | null
  near?: { point: number[]; radiusM: number } | null
  region?: string | null
  crs?: string | null
}

/** The columns a filter applies to. */
export interface SpatialTarget {
  geom: SQL
  regionCode: SQL
}

/** A filter translated to SQL for one request. */
export interface SpatialSelection {
  conditions(target: SpatialTarget): SQL[]
  /** The metric distance to the `near` point, when one was given. */
  distance: ((geom: SQL) => SQL) | null
  /** A lon/lat inside the filtered area, to choose a metric CRS. */
  anchor: [number, number] | null
}

const EMPTY: SpatialSelection = { conditions: () => [], distance: null, anchor: null }

const geographic = (srid: number) => srid === WGS84 || srid === CGCS2000

/** Input geometry → SQL geometry in the storage CRS. Polygons are repaired so GEOS never sees a bow tie. */
function inputGeometrySql(geometry: Geometry, srid: number): SQL {
  const raw = sql`ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text)`
  const stored = geographic(srid)
    ? sql`ST_SetSRID(${raw}, ${sql.raw(String(WGS84))})`
    : sql`ST_Transform(ST_SetSRID(${raw}, ${sql.raw(String(srid))}), ${sql.raw(String(WGS84))})`
  return geometry.type === 'Point' || geometry.type === 'MultiPoint' ? stored : sql`ST_MakeValid(${stored})`
}

function envelopeSql(b: BBoxShape, srid: number): SQL {
  const env = sql`ST_MakeEnvelope(${b.west}::float8, ${b.south}::float8, ${b.east}::float8, ${b.north}::float8, ${sql.raw(String(geographic(srid) ? WGS84 : srid))})`
  return geographic(srid) ? env : sql`ST_Transform(${env}, ${sql.raw(String(WGS84))})`
}

function pointSql(point: number[], srid: number): SQL {
  const p = sql`ST_SetSRID(ST_MakePoint(${point[0]}::float8, ${point[1]}::float8), ${sql.raw(String(geographic(srid) ? WGS84 : srid))})`
  return geographic(srid) ? p : sql`ST_Transform(${p}, ${sql.raw(String(WGS84))})`
}

/** Degrees that surely cover `radiusM` around latitude `lat` (the index pre-filter before the metric test). */
function degreesCovering(radiusM: number, lat: number): number {
  const reachLat = Math.min(89, Math.abs(lat) + radiusM / 110_000)
  return (radiusM / (110_000 * Math.cos((reachLat * Math.PI) / 180))) * 1.01
}

/**
 * A projected point's approximate lon/lat: enough to choose the metric zone and the degree pre-filter (the
 * exact transform happens in SQL).
 */
function approximateLonLat(x: number, y: number, srid: number): [number, number] {
  if (geographic(srid)) return [x, y]
  let cm: number
  let falseEasting = 500_000
  if (srid <= 4501) {
    const zone = srid - 4478
    cm = 6 * zone - 3
    falseEasting += zone * 1e6
  } else if (srid <= 4512) {
    cm = 6 * (srid - 4489) - 3
  } else if (srid <= 4533) {
    const zone = srid - 4488
    cm = 3 * zone
    falseEasting += zone * 1e6
  } else {
    cm = 75 + 3 * (srid - 4534)
  }
  const lat = y / 110_900
  return [cm + (x - falseEasting) / (111_320 * Math.cos((lat * Math.PI) / 180)), lat]
}

/** Validates a spatial filter and turns it into SQL conditions. */
export async function resolveSpatialFilter(
  context: GraphQLContext,
  filter: SpatialFilterShape | null | undefined,
): Promise<SpatialSelection> {
  if (!filter) return EMPTY
  const srid = filter.crs ? sridFromName(filter.crs) : WGS84
  const parts: ((target: SpatialTarget) => SQL)[] = []
  let distance: SpatialSelection['distance'] = null
  let anchor: [number, number] | null = null

  if (filter.bbox) {
    const b = filter.bbox
    const box: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [b.west, b.south],
          [b.east, b.north],
        ],
      ],
    }
    checkCoordinateRanges(box, srid)
    const env = envelopeSql(b, srid)
    parts.push((t) => sql`ST_Intersects(${t.geom}, ${env})`)
    anchor = approximateLonLat((b.west + b.east) / 2, (b.south + b.north) / 2, srid)
  }

  if (filter.intersects) {
    const { geometry, srid: own } = filter.intersects
    if (own !== null && filter.crs && own !== srid) {
      throw badUserInput(
        `几何的 crs（EPSG:${own}）与筛选条件的 crs（EPSG:${srid}）不一致`,
        `The geometry's crs (EPSG:${own}) differs from the filter's crs (EPSG:${srid})`,
      )
    }
    const geometrySrid = own ?? srid
    checkCoordinateRanges(geometry, geometrySrid)
    const g = inputGeometrySql(geometry, geometrySrid)
    parts.push((t) => sql`ST_Intersects(${t.geom}, ${g})`)
    const first = firstPosition(geometry)
    if (!anchor && first) anchor = approximateLonLat(first[0], first[1], geometrySrid)
  }

  if (filter.near) {
    const { point, radiusM } = filter.near
    checkCoordinateRanges({ type: 'Point', coordinates: point }, srid)
    const [lon, lat] = approximateLonLat(point[0] as number, point[1] as number, srid)
    const metric = metricSridFor(lon, lat)
    const p = pointSql(point, srid)
    const pMetric = sql`ST_Transform(${p}, ${sql.raw(String(metric))})`
    const degrees = degreesCovering(radiusM, lat)
    parts.push(
      (t) =>
        sql`ST_DWithin(${t.geom}, ${p}, ${degrees}::float8) and ST_DWithin(ST_Transform(${t.geom}, ${sql.raw(String(metric))}), ${pMetric}, ${radiusM}::float8)`,
    )
    distance = (geom) => sql`ST_Distance(ST_Transform(${geom}, ${sql.raw(String(metric))}), ${pMetric})`
    anchor = [lon, lat]
  }

  if (filter.region) {
    const region = await lookupRegion(context.database, filter.region)
    if (!region) {
      throw badUserInput(`行政区划 ${filter.region} 不存在`, `Region ${filter.region} does not exist`, {
        region: filter.region,
      })
    }
    const pattern = sql.raw(`'${region.prefix}%'`)
    parts.push((t) => sql`${t.regionCode} like ${pattern}`)
  }

  return { conditions: (target) => parts.map((part) => part(target)), distance, anchor }
}

function firstPosition(geometry: Geometry): [number, number] | null {
  let c: unknown = geometry.type === 'GeometryCollection' ? null : geometry.coordinates
  if (geometry.type === 'GeometryCollection') {
    const g = geometry.geometries[0]
    return g ? firstPosition(g) : null
  }
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0]
  return Array.isArray(c) && c.length >= 2 ? [c[0] as number, c[1] as number] : null
}

export const ListOrder = builder.enumType('ListOrder', {
  description: '列表排序；都以主键收尾，分页稳定 / List order; ties are broken by primary key',
  values: {
    ID: { description: '按主键 / By primary key' },
    DISTANCE: { description: '按到 filter.near 的距离 / By distance to filter.near' },
  },
})

/** Ordering keys common to the spatial lists: by id, or by distance when a point is given. */
export function spatialOrdering(
  order: string | null | undefined,
  spatial: SpatialSelection,
  geom: SQL,
  id: SQL,
  extra: Record<string, OrderKey[]> = {},
): { name: string; keys: OrderKey[] } {
  const chosen = order ?? (spatial.distance ? 'DISTANCE' : 'ID')
  if (chosen === 'DISTANCE') {
    if (!spatial.distance) {
      throw badUserInput('按距离排序需要 filter.near', 'Ordering by DISTANCE needs filter.near')
    }
    return { name: 'distance', keys: [{ expr: spatial.distance(geom) }, { expr: id }] }
  }
  const keys = extra[chosen]
  if (keys) return { name: chosen.toLowerCase(), keys: [...keys, { expr: id }] }
  return { name: 'id', keys: [{ expr: id }] }
}

/** Columns plus the metric distance when the filter has a point. */
export function withDistance(columns: SQL, spatial: SpatialSelection, geom: SQL): SQL {
  return spatial.distance ? sql`${columns}, ${spatial.distance(geom)} as "distanceM"` : columns
}
