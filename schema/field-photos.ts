import { sql } from 'drizzle-orm'
import { authorize } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import { FIELD_PHOTO_KINDS, type FieldPhotoKind } from '../server/db/field-photos.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { parseInputCrs, UnsupportedCrsError, WGS84, webMapToWgs84 } from '../server/domain/crs.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput } from '../server/graphql/errors.ts'
import { recordAudit } from './audit.ts'
import { builder } from './builder.ts'
import { Building, type BuildingRow, loadBuildings } from './buildings/buildings.ts'
import { loadProblems, Problem, type ProblemRow } from './problems/problem.ts'
import { encodeGlobalId } from './support/global-id.ts'

// 街景与现场照片: points with a heading and a time, linked to what is in view when read (ADR 0020).

interface FieldPhotoRow {
  id: number
  kind: FieldPhotoKind
  regionCode: string
  location: Geometry
  headingDeg: number | null
  takenAt: Date
  url: string
  caption: string | null
}

const PHOTO_COLUMNS = sql`f.id, f.kind, f.region_code as "regionCode", ST_AsGeoJSON(f.geom)::json as location,
  f.heading_deg as "headingDeg", f.taken_at as "takenAt", f.url, f.caption`

/** Half the angle of view a heading stands for: a street-view frame sees about 120°. */
const HALF_VIEW_DEG = 60
const DEFAULT_RADIUS_M = 30
const MAX_RADIUS_M = 200

const FieldPhotoKindEnum = builder.enumType('FieldPhotoKind', {
  description: '街景或现场照片 / street view or field photo',
  values: FIELD_PHOTO_KINDS,
})

/**
 * What lies within `radiusM` of each photo (in Web Mercator, whose angles are true, its lengths scaled by
 * 1/cos(latitude)) and, for a photo with a heading, inside its view; one statement for a page of photos.
 */
function inView(table: 'buildings' | 'problems', radiusM: number) {
  const [alias, point] = table === 'buildings' ? [sql`b`, sql`b.centroid`] : [sql`b`, sql`b.geom`]
  return async (ids: readonly number[], context: GraphQLContext): Promise<number[][]> => {
    const rows = await context.database.rows<{ photoId: number; id: number }>(sql`
      select f.id as "photoId", ${alias}.id from field_photos f
      join ${sql.raw(table)} ${alias} on ${point} && ST_Expand(f.geom, ${radiusM} / (111320 * cos(radians(ST_Y(f.geom)))))
        and ST_DWithin(ST_Transform(${point}, 3857), ST_Transform(f.geom, 3857), ${radiusM} / cos(radians(ST_Y(f.geom))))
        and (f.heading_deg is null or abs(mod((degrees(ST_Azimuth(ST_Transform(f.geom, 3857),
          ST_Transform(${point}, 3857))) - f.heading_deg + 540)::numeric, 360) - 180) <= ${HALF_VIEW_DEG})
      where f.id = any(${sql.param([...ids])}::int[])
      order by f.id, ST_Distance(${point}, f.geom), ${alias}.id`)
    return ids.map((id) => rows.filter((r) => r.photoId === id).map((r) => r.id))
  }
}

const loaders = new Map<string, ReturnType<typeof inView>>()
const inViewOf = (table: 'buildings' | 'problems', radiusM: number) => {
  const key = `${table}:${radiusM}`
  const known = loaders.get(key)
  if (known) return known
  const load = inView(table, radiusM)
  loaders.set(key, load)
  return load
}

const radiusOf = (radiusM: number | null | undefined) =>
  Math.min(Math.max(radiusM ?? DEFAULT_RADIUS_M, 1), MAX_RADIUS_M)

async function linked<T>(
  ids: number[],
  load: (ids: readonly number[], c: GraphQLContext) => Promise<(T | null)[]>,
  context: GraphQLContext,
) {
  const rows = ids.length === 0 ? [] : await load(ids, context)
  return rows.filter((r): r is NonNullable<typeof r> => r !== null)
}

const FieldPhoto = builder.objectRef<FieldPhotoRow>('FieldPhoto').implement({
  description: '街景或现场照片：位置、朝向、时间 / A street-view or field photo: where, which way, when',
  fields: (t) => ({
    id: t.id({ resolve: (p) => encodeGlobalId('FieldPhoto', p.id) }),
    kind: t.field({ type: FieldPhotoKindEnum, resolve: (p) => p.kind }),
    location: t.field({ type: 'GeoJSON', resolve: (p) => p.location }),
    headingDeg: t.exposeFloat('headingDeg', {
      nullable: true,
      description: '拍摄方向，正北顺时针度数 / heading, degrees clockwise from north',
    }),
    takenAt: t.field({ type: 'DateTime', resolve: (p) => p.takenAt }),
    url: t.exposeString('url'),
    caption: t.exposeString('caption', { nullable: true }),
    regionCode: t.exposeString('regionCode'),
    buildings: t.field({
      type: [Building],
      description: '视野内的建筑（由近及远）/ buildings in view, nearest first',
      args: {
        radiusM: t.arg.float({ description: `默认 ${DEFAULT_RADIUS_M} 米，至多 ${MAX_RADIUS_M} / metres` }),
      },
      resolve: async (p, args, context) => {
        const ids = (await context.loader(inViewOf('buildings', radiusOf(args.radiusM))).load(p.id)) ?? []
        return linked<BuildingRow>(ids, loadBuildings, context)
      },
    }),
    problems: t.field({
      type: [Problem],
      description: '视野内的问题 / problems in view',
      args: { radiusM: t.arg.float() },
      resolve: async (p, args, context) => {
        const ids = (await context.loader(inViewOf('problems', radiusOf(args.radiusM))).load(p.id)) ?? []
        return linked<ProblemRow>(ids, loadProblems, context)
      },
    }),
  }),
})

builder.queryField('fieldPhotos', (t) =>
  t.field({
    type: [FieldPhoto],
    description: '街景与现场照片（最新在前）/ street-view and field photos, newest first',
    args: { kind: t.arg({ type: FieldPhotoKindEnum }), first: t.arg.int({ defaultValue: 100 }) },
    resolve: (_root, args, context) => {
      authorize(context.identity, context.scope, 'streetView.read')
      return context.database.rows<FieldPhotoRow>(sql`select ${PHOTO_COLUMNS} from field_photos f
        where ${scopeCondition(context.scope, sql`f.region_code`, 'never')}
          ${args.kind ? sql`and f.kind = ${args.kind}` : sql``}
        order by f.taken_at desc, f.id limit ${Math.min(Math.max(args.first ?? 100, 1), 1000)}`)
    },
  }),
)

const AddFieldPhotoInput = builder.inputType('AddFieldPhotoInput', {
  fields: (t) => ({
    kind: t.field({ type: FieldPhotoKindEnum, required: true }),
    lon: t.float({ required: true }),
    lat: t.float({ required: true }),
    crs: t.string({ description: 'EPSG:4326（默认）、GCJ-02、BD-09 / the coordinates’ CRS' }),
    headingDeg: t.float({ description: '0–360' }),
    takenAt: t.field({ type: 'DateTime', required: true }),
    url: t.string({ required: true }),
    caption: t.string(),
  }),
})

builder.mutationField('addFieldPhoto', (t) =>
  t.field({
    type: FieldPhoto,
    description: '登记一张街景或现场照片 / Records a street-view or field photo',
    args: { input: t.arg({ type: AddFieldPhotoInput, required: true }) },
    resolve: (_root, { input }, context) => addPhoto(context, input),
  }),
)

async function addPhoto(
  context: GraphQLContext,
  input: {
    kind: FieldPhotoKind
    lon: number
    lat: number
    crs?: string | null
    headingDeg?: number | null
    takenAt: Date
    url: string
    caption?: string | null
  },
): Promise<FieldPhotoRow> {
  authorize(context.identity, context.scope, 'streetView.write')
  const [lon, lat] = toWgs84(input.lon, input.lat, input.crs)
  const heading = input.headingDeg ?? null
  if (heading !== null && !(heading >= 0 && heading <= 360)) {
    throw badUserInput('拍摄方向应在 0–360 度之间', 'The heading must lie between 0 and 360 degrees')
  }
  if (input.kind === 'street_view' && heading === null) {
    throw badUserInput('街景照片须有拍摄方向', 'A street-view photo needs its heading')
  }
  if (input.takenAt.getTime() > Date.now() + 60_000) {
    throw badUserInput('拍摄时间不能晚于现在', 'The photo cannot be taken in the future')
  }
  if (!/^(https?:\/\/|\/api\/)/.test(input.url)) {
    throw badUserInput('照片地址须为 http(s) 或 /api/ 路径', 'The URL must be http(s) or an /api/ path')
  }
  return context.database.db.transaction(async (tx) => {
    const point = sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), ${WGS84}::int)`
    const { rows: regions } = (await tx.execute(sql`select code from regions
      where boundary is not null and ST_Intersects(boundary, ${point}) order by length(code) desc, code limit 1`)) as {
      rows: { code: string }[]
    }
    const regionCode = regions[0]?.code
    if (!regionCode) throw badUserInput('该位置不在任何行政区划内', 'The point lies outside every region')
    authorize(context.identity, context.scope, 'streetView.write', { regionCode })
    const { rows } =
      (await tx.execute(sql`insert into field_photos as f (kind, region_code, geom, heading_deg, taken_at,
        url, caption, created_by)
      values (${input.kind}, ${regionCode}, ${point}, ${heading}, ${input.takenAt.toISOString()}, ${input.url},
        ${input.caption ?? null}, ${context.identity?.subject ?? null})
      returning ${PHOTO_COLUMNS}`)) as { rows: FieldPhotoRow[] }
    const photo = rows[0] as FieldPhotoRow
    await recordAudit(tx, context, {
      entity: 'field_photo',
      entityId: photo.id,
      action: 'add',
      regionCode,
      before: null,
      after: { kind: photo.kind, lon, lat, headingDeg: heading, takenAt: input.takenAt, url: input.url },
    })
    return photo
  })
}

function toWgs84(lon: number, lat: number, crs: string | null | undefined): [number, number] {
  let parsed: ReturnType<typeof parseInputCrs>
  try {
    parsed = parseInputCrs(crs)
  } catch (error) {
    if (error instanceof UnsupportedCrsError) throw badUserInput(error.message, error.message)
    throw error
  }
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    throw badUserInput('经纬度超出范围', 'The longitude/latitude is out of range')
  }
  if (parsed.kind === 'web-map' && parsed.name !== 'EPSG:3857') {
    return webMapToWgs84({ type: 'Point', coordinates: [lon, lat] }, parsed.name).coordinates as [
      number,
      number,
    ]
  }
  if (parsed.kind === 'srid' && (parsed.srid === WGS84 || parsed.srid === 4490)) return [lon, lat]
  throw badUserInput(
    '照片坐标须为经纬度（WGS84、CGCS2000、GCJ-02 或 BD-09）',
    'A photo’s point must be lon/lat (WGS84, CGCS2000, GCJ-02 or BD-09)',
  )
}
