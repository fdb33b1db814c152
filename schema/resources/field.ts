import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import { codeAllocator } from '../../server/db/resource-codes.ts'
import { CGCS2000, WGS84 } from '../../server/domain/crs.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, forbidden, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder, type GeometryInput } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { checkCoordinateRanges } from '../support/scalars.ts'
import { RESOURCE_COLUMNS, ResourceKindEnum, type ResourceRow, StockResource } from './resource.ts'

const MAX_TEXT = 200
const MAX_NOTE = 2000
/** The layer of what streets report from the field, unless the reporter names a department's. */
export const FIELD_LAYER = '街道上报'

async function rowsOf<T>(tx: SqlExecutor, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

const trimmed = (value: string | null | undefined, max: number, field: string): string | null => {
  const text = value?.trim() || null
  if (text && text.length > max) {
    throw badUserInput(`${field} 不能超过 ${max} 个字符`, `${field} may be at most ${max} characters`)
  }
  return text
}

/** The geometry in the storage CRS: a point or a polygon, polygons repaired. */
function geometrySql(input: GeometryInput): SQL {
  const { geometry } = input
  if (!['Point', 'Polygon', 'MultiPolygon'].includes(geometry.type)) {
    throw badUserInput('位置须为点或面', 'The location must be a point or a polygon', { type: geometry.type })
  }
  const srid = input.srid ?? WGS84
  checkCoordinateRanges(geometry, srid)
  const raw = sql`ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text)`
  const stored =
    srid === WGS84 || srid === CGCS2000
      ? sql`ST_SetSRID(${raw}, 4326)`
      : sql`ST_Transform(ST_SetSRID(${raw}, ${srid}::int), 4326)`
  return geometry.type === 'Point' ? stored : sql`ST_CollectionExtract(ST_MakeValid(${stored}), 3)`
}

/**
 * The region of a field report: the one given; else the finest boundary in the caller's scope covering the
 * place; else the caller's own region (a street, whose boundary the city may not hold). A region given or taken
 * from the caller must hold the place within the nearest boundary at or above it.
 */
async function regionOf(tx: SqlExecutor, context: GraphQLContext, given: string | null, geom: SQL) {
  const own = given ?? context.identity?.regionCode ?? null
  const [found] = await rowsOf<{ covering: string | null; ownCovers: boolean | null }>(
    tx,
    sql`select (select r.code from regions r where r.boundary is not null
        and ST_Covers(r.boundary, ST_PointOnSurface(${geom}))
        and ${scopeCondition(context.scope, sql`r.code`, 'never')}
        order by length(r.scope_prefix) desc limit 1) as covering,
      (select ST_Covers(r.boundary, ST_PointOnSurface(${geom})) from regions r, regions o
        where o.code = ${own} and r.boundary is not null and starts_with(o.scope_prefix, r.scope_prefix)
        order by length(r.scope_prefix) desc limit 1) as "ownCovers"`,
  )
  if (given && found?.ownCovers === false) {
    throw badUserInput(`位置不在行政区划 ${given} 内`, `The place lies outside region ${given}`)
  }
  const code = given ?? found?.covering ?? (own && found?.ownCovers !== false ? own : null)
  if (!code)
    throw badUserInput('请给出资源所在的行政区划', 'Give the region the resource lies in (regionCode)')
  const [region] = await rowsOf<{ code: string }>(tx, sql`select code from regions where code = ${code}`)
  if (!region) throw badUserInput(`行政区划 ${code} 不存在`, `Region ${code} does not exist`)
  authorize(context.identity, context.scope, 'resource.report', { regionCode: code })
  return code
}

const ReportResourceInput = builder.inputType('ReportResourceInput', {
  fields: (t) => ({
    kind: t.field({ type: ResourceKindEnum, required: true }),
    geom: t.field({ type: 'GeoJSON', required: true, description: '点或面 / a point or a polygon' }),
    name: t.string(),
    areaM2: t.float(),
    ownership: t.string({ description: '权属' }),
    currentUse: t.string({ description: '现状用途' }),
    address: t.string(),
    regionCode: t.string({ description: '默认为位置所在区划 / the location’s by default' }),
    layer: t.string({ description: `默认“${FIELD_LAYER}” / ${FIELD_LAYER} by default` }),
    note: t.string({ description: '现场情况说明 / what the reporter saw' }),
  }),
})

/** 上报: a resource a street found in the field, waiting for someone else to verify it. */
async function reportResource(
  context: GraphQLContext,
  input: typeof ReportResourceInput.$inferInput,
): Promise<ResourceRow> {
  authorize(context.identity, context.scope, 'resource.report')
  if (input.areaM2 != null && !(input.areaM2 > 0)) {
    throw badUserInput('面积须为正数（平方米）', 'areaM2 must be positive')
  }
  const name = trimmed(input.name, MAX_TEXT, 'name')
  const layer = trimmed(input.layer, 50, 'layer') ?? FIELD_LAYER
  const note = trimmed(input.note, MAX_NOTE, 'note')
  const geom = geometrySql(input.geom)
  return context.database.db.transaction(async (tx) => {
    const regionCode = await regionOf(tx, context, input.regionCode ?? null, geom)
    const nextCode = await codeAllocator(tx, [regionCode])
    const [row] = await rowsOf<ResourceRow>(
      tx,
      sql`insert into stock_resources as s (code, region_code, kind, name, geom, area_m2, ownership, current_use,
          department, layer, address, source, verification_state, reported_by, attributes)
        select ${nextCode(regionCode)}, ${regionCode}, ${input.kind}, ${name}, g, coalesce(${input.areaM2 ?? null}::float8,
            case when GeometryType(g) <> 'POINT' then ST_Area(g::geography) end),
          ${trimmed(input.ownership, MAX_TEXT, 'ownership')}, ${trimmed(input.currentUse, MAX_TEXT, 'currentUse')},
          ${context.identity?.department ?? null}, ${layer}, ${trimmed(input.address, MAX_TEXT, 'address')},
          'field', 'reported', ${context.identity?.subject ?? null},
          ${JSON.stringify(note ? { note } : {})}::jsonb
        from (select ${geom} as g) p
        returning ${RESOURCE_COLUMNS}`,
    )
    const resource = row!
    await recordAudit(tx, context, {
      entity: 'stock_resource',
      entityId: resource.id,
      action: 'report',
      regionCode,
      before: null,
      after: { code: resource.code, kind: resource.kind, layer, name, areaM2: resource.areaM2 },
    })
    return resource
  })
}

builder.mutationField('reportResource', (t) =>
  t.field({
    type: StockResource,
    description:
      '街道等实地上报存量资源（照片见 /api/resources/{id}/photos），待他人核实 / Reports a stock resource from ' +
      'the field; someone other than the reporter verifies it',
    args: { input: t.arg({ type: ReportResourceInput, required: true }) },
    resolve: (_root, { input }, context) => reportResource(context, input),
  }),
)

/** 核实 / 驳回: by a verifier who is not the reporter, once, from `reported`. */
async function decide(
  context: GraphQLContext,
  globalId: { typename: string; id: string },
  state: 'verified' | 'rejected',
  rawNote: string | null | undefined,
): Promise<ResourceRow> {
  authorize(context.identity, context.scope, 'resource.verify')
  const note = trimmed(rawNote, MAX_NOTE, 'note')
  if (state === 'rejected' && !note) {
    throw badUserInput('驳回须说明理由（note）', 'A rejection needs a reason (note)')
  }
  const id = keyOfType(globalId, 'StockResource')
  return context.database.db.transaction(async (tx) => {
    const [before] = await rowsOf<ResourceRow>(
      tx,
      sql`select ${RESOURCE_COLUMNS} from stock_resources s where s.id = ${id} for update`,
    )
    if (!before || context.scope.kind !== 'region' || !before.regionCode.startsWith(context.scope.prefix)) {
      throw notFound(`存量资源 ${globalId.id} 不存在或无权访问`, `Resource ${globalId.id} was not found`)
    }
    authorize(context.identity, context.scope, 'resource.verify', { regionCode: before.regionCode })
    if (before.verificationState !== 'reported') {
      throw conflict(
        `存量资源 ${before.code} 已${before.verificationState === 'verified' ? '核实' : '驳回'}，不能再次处理`,
        `Resource ${before.code} is ${before.verificationState} already`,
        { state: before.verificationState },
      )
    }
    if (before.reportedBy && before.reportedBy === context.identity?.subject) {
      throw forbidden(
        `不能核实或驳回本人上报的资源 ${before.code}，须由他人核实`,
        `You reported resource ${before.code}: someone else must verify or reject it`,
      )
    }
    const [after] = await rowsOf<ResourceRow>(
      tx,
      sql`update stock_resources s set verification_state = ${state},
          verified_by = ${context.identity?.subject ?? null}, verified_at = now(), verification_note = ${note},
          updated_at = now()
        where s.id = ${id} returning ${RESOURCE_COLUMNS}`,
    )
    await recordAudit(tx, context, {
      entity: 'stock_resource',
      entityId: id,
      action: state === 'verified' ? 'verify' : 'reject',
      regionCode: before.regionCode,
      before: { verificationState: before.verificationState },
      after: { verificationState: state, note },
    })
    return after!
  })
}

builder.mutationField('verifyResource', (t) =>
  t.field({
    type: StockResource,
    description:
      '核实存量资源（非上报人；省级、市级、区县）/ Verifies a reported resource (not the reporter)',
    args: { id: t.arg.globalID({ required: true }), note: t.arg.string() },
    resolve: (_root, args, context) => decide(context, args.id, 'verified', args.note),
  }),
)

builder.mutationField('rejectResource', (t) =>
  t.field({
    type: StockResource,
    description:
      '驳回存量资源并说明理由（非上报人）/ Rejects a reported resource with a reason (not the reporter)',
    args: { id: t.arg.globalID({ required: true }), note: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => decide(context, args.id, 'rejected', args.note),
  }),
)
