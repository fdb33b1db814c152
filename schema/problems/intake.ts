/**
 * 诉求受理: residents' appeals (12345 hot-line, online, visits, surveys) become opinions linked to the problem
 * they raise (issue 13, items 1 and 5). One module for GraphQL's `fileAppeal` and Open311's `POST requests`, so
 * both validate, place, deduplicate and audit an appeal the same way.
 */
import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import { routeNewProblem } from '../../server/db/problem-routing.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import { PROBLEM_EVENTS_CHANNEL } from '../../server/domain/problem-states.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'

/** FixMyStreet's inspectors treat reports of one type within about 50 m and a month as one problem. */
export const DUPLICATE_RADIUS_M = 50
export const DUPLICATE_WINDOW_DAYS = 30
/** A point outside every boundary of the scope goes to the nearest region, but not from farther than this. */
export const MAX_NEAREST_REGION_M = 2_000

export const OPINION_KINDS = ['survey', 'visit', 'hotline', 'online', 'appeal'] as const
export type OpinionKind = (typeof OPINION_KINDS)[number]

export interface AppealInput {
  serviceCode: string
  lat: number
  long: number
  address?: string | null
  description: string
  mediaUrl?: string | null
  attributes?: Record<string, unknown> | null
  kind: OpinionKind
  /** Who filed it (a resident's name or phone, a hot-line ticket); never shown to the public. */
  submittedBy?: string | null
}

export interface AppealOutcome {
  problemId: number
  opinionId: number
  regionCode: string
  /** The appeal joined an open problem of its type nearby instead of opening a new one. */
  joined: boolean
  reportCount: number
}

export interface ServiceType {
  code: string
  name: string
  nameEn: string | null
  defaultSeverity: number
}

type Tx = SqlExecutor

export async function rowsOf<T>(tx: Tx, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

/**
 * Files one appeal in one transaction: checks the point and the service, places it in a region of the caller's
 * scope, inserts the opinion, and joins it to an open problem of the same type within 50 m and 30 days, or opens
 * (and routes) a new problem. Appeals of one type are filed one at a time, so two reports of one pothole sent
 * together cannot both open a problem.
 */
export async function fileAppeal(context: GraphQLContext, input: AppealInput): Promise<AppealOutcome> {
  authorize(context.identity, context.scope, 'problem.report')
  checkPoint(input.lat, input.long)
  const description = input.description.trim()
  if (!description) throw badUserInput('诉求内容不能为空', 'The description must not be empty')
  const attributes = input.attributes ?? {}
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw badUserInput('attributes 应为对象（属性代码 → 值）', 'attributes must be an object of code → value')
  }
  return context.database.db.transaction(async (tx) => {
    const service = await serviceOf(tx, input.serviceCode)
    const point = pointOf(input.long, input.lat)
    const regionCode = await regionOfPoint(tx, context, input.long, input.lat)
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`appeal:${service.code}`}))`)
    const duplicate = await nearbyOpenProblem(tx, service.code, input.long, input.lat)
    const problemId =
      duplicate?.id ??
      (await openProblem(tx, context, {
        service,
        regionCode,
        point,
        description,
        address: input.address ?? null,
      }))
    const opinionId = await insertOpinion(tx, { ...input, description }, regionCode, problemId)
    if (duplicate) {
      const reportCount = await joinProblem(tx, context, duplicate, opinionId)
      return { problemId, opinionId, regionCode: duplicate.regionCode, joined: true, reportCount }
    }
    return { problemId, opinionId, regionCode, joined: false, reportCount: 1 }
  })
}

/** The opinion (民意) the appeal is, linked to the problem it raises. */
async function insertOpinion(
  tx: Tx,
  input: AppealInput,
  regionCode: string,
  problemId: number,
): Promise<number> {
  const [opinion] = await rowsOf<{ id: number }>(
    tx,
    sql`insert into opinions (region_code, kind, content, geom, problem_id, service_code, address, media_url,
        submitted_by, attributes)
      values (${regionCode}, ${input.kind}, ${input.description}, ${pointOf(input.long, input.lat)}, ${problemId},
        ${input.serviceCode}, ${input.address ?? null}, ${input.mediaUrl ?? null}, ${input.submittedBy ?? null},
        ${JSON.stringify(input.attributes ?? {})}::jsonb)
      returning id`,
  )
  return opinion!.id
}

/** Latitude and longitude must be finite numbers on the globe; anything else is the caller's mistake. */
export function checkPoint(lat: number, long: number): void {
  const ok = (v: number, max: number) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= max
  if (!ok(lat, 90) || !ok(long, 180)) {
    throw badUserInput(
      `位置无效：纬度 ${lat}、经度 ${long}（应为 WGS84 度数）`,
      `Invalid location: lat ${lat}, long ${long} (WGS84 degrees expected)`,
    )
  }
}

export const pointOf = (long: number, lat: number): SQL =>
  sql`ST_SetSRID(ST_MakePoint(${long}::float8, ${lat}::float8), 4326)`

/** A reportable problem type by its code (the Open311 service code); BAD_USER_INPUT for any other. */
export async function serviceOf(tx: Tx, code: string): Promise<ServiceType> {
  const [service] = await rowsOf<ServiceType>(
    tx,
    sql`select code, name, name_en as "nameEn", default_severity as "defaultSeverity"
      from problem_types where code = ${code} and reportable`,
  )
  if (!service) {
    throw badUserInput(`没有可上报的问题类型 ${code}`, `There is no reportable service ${code}`, {
      serviceCode: code,
    })
  }
  return service
}

/**
 * The region an appeal belongs to. A boundary that covers the point decides: the finest such region when it
 * lies in the caller's scope, the caller's own region when that is finer (a street inside the covering
 * district), a refusal when it is someone else's. A point no boundary covers (just off the mapped area) goes to
 * the nearest region of the scope within MAX_NEAREST_REGION_M.
 */
async function regionOfPoint(tx: Tx, context: GraphQLContext, long: number, lat: number): Promise<string> {
  const srid = metricSridFor(long, lat)
  const point = pointOf(long, lat)
  const scope = context.scope
  const [covering] = await rowsOf<{ code: string; prefix: string }>(
    tx,
    sql`select r.code, r.scope_prefix as prefix from regions r
      where r.boundary is not null and ST_Covers(r.boundary, ${point})
      order by length(r.scope_prefix) desc limit 1`,
  )
  if (covering && scope.kind === 'region') {
    if (covering.code.startsWith(scope.prefix)) return covering.code
    if (scope.prefix.startsWith(covering.prefix)) return scope.regionCode
  }
  if (!covering) {
    const [nearest] = await rowsOf<{ code: string; distanceM: number }>(
      tx,
      sql`select r.code, ST_Distance(ST_Transform(r.boundary, ${srid}::int), ST_Transform(${point}, ${srid}::int))
          as "distanceM"
        from regions r where r.boundary is not null
          and (${scopeCondition(scope, sql`r.code`, 'never')} or ${scope.kind === 'region' ? sql`starts_with(${scope.prefix}, r.scope_prefix)` : sql`false`})
        order by r.boundary <-> ${point}, length(r.scope_prefix) desc limit 1`,
    )
    if (nearest && nearest.distanceM <= MAX_NEAREST_REGION_M && scope.kind === 'region') {
      return nearest.code.startsWith(scope.prefix) ? nearest.code : scope.regionCode
    }
  }
  throw badUserInput(
    `位置（纬度 ${lat}、经度 ${long}）不在您负责的行政区划内`,
    `The location (lat ${lat}, long ${long}) lies outside the regions you act for`,
  )
}

interface OpenProblem {
  id: number
  regionCode: string
  reportCount: number
  buildingId: number | null
  state: string
}

/**
 * The nearest open problem of the type within DUPLICATE_RADIUS_M that was found, or last reported, within
 * DUPLICATE_WINDOW_DAYS, whoever's region it lies in: a report across a street boundary is still the same
 * pothole, and a street office filing it should not open a second one. Distances are metres in the local Gauss-Krüger zone (geography is slow on PGlite); the
 * envelope in degrees lets the spatial index pick the candidates first.
 */
async function nearbyOpenProblem(
  tx: Tx,
  type: string,
  long: number,
  lat: number,
): Promise<OpenProblem | null> {
  const srid = metricSridFor(long, lat)
  const point = pointOf(long, lat)
  // 1.5 × the radius in degrees, so the envelope always holds the metric circle.
  const dLat = (DUPLICATE_RADIUS_M * 1.5) / 111_320
  const dLong = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180))
  const [found] = await rowsOf<OpenProblem>(
    tx,
    sql`select p.id, p.region_code as "regionCode", p.report_count as "reportCount",
        p.building_id as "buildingId", p.state
      from problems p
      where p.type = ${type} and p.state <> 'closed' and p.merged_into_id is null and p.geom is not null
        and p.geom && ST_MakeEnvelope(${long - dLong}::float8, ${lat - dLat}::float8, ${long + dLong}::float8,
          ${lat + dLat}::float8, 4326)
        and ST_DWithin(ST_Transform(p.geom, ${srid}::int), ST_Transform(${point}, ${srid}::int), ${DUPLICATE_RADIUS_M})
        and greatest(p.created_at, (select max(o.created_at) from opinions o where o.problem_id = p.id))
          > now() - make_interval(days => ${DUPLICATE_WINDOW_DAYS})
      order by ST_Distance(ST_Transform(p.geom, ${srid}::int), ST_Transform(${point}, ${srid}::int)), p.id
      limit 1 for update of p`,
  )
  return found ?? null
}

async function joinProblem(
  tx: Tx,
  context: GraphQLContext,
  problem: OpenProblem,
  opinionId: number,
): Promise<number> {
  const reportCount = problem.reportCount + 1
  await tx.execute(
    sql`update problems set report_count = ${reportCount}, updated_at = now() where id = ${problem.id}`,
  )
  await recordAudit(tx, context, {
    entity: 'problem',
    entityId: problem.id,
    action: 'appealJoined',
    regionCode: problem.regionCode,
    before: { reportCount: problem.reportCount },
    after: { reportCount, opinionId },
  })
  await announce(tx, {
    id: problem.id,
    buildingId: problem.buildingId,
    regionCode: problem.regionCode,
    state: problem.state,
  })
  return reportCount
}

export interface NewAppealProblem {
  service: ServiceType
  regionCode: string
  point: SQL
  description: string
  address: string | null
  /** Record the opening (false when the caller's own event covers it: a mutation writes one event). */
  audit?: boolean
}

/** Opens and routes a problem for an appeal nobody has raised nearby yet; the caller links the opinion. */
export async function openProblem(tx: Tx, context: GraphQLContext, input: NewAppealProblem): Promise<number> {
  const { service, address } = input
  // The title names the type and, when given, the address; the resident's words stay in the description.
  const title = address ? `${service.name}（${address}）` : service.name
  const titleEn = service.nameEn ? (address ? `${service.nameEn} (${address})` : service.nameEn) : null
  const [problem] = await rowsOf<{ id: number }>(
    tx,
    sql`insert into problems (region_code, type, title, title_en, description, geom, severity, source, year_found,
        state, report_count)
      values (${input.regionCode}, ${service.code}, ${title}, ${titleEn}, ${input.description}, ${input.point},
        ${service.defaultSeverity}, 'appeal',
        extract(year from now() at time zone 'Asia/Shanghai')::int, 'identified', 1)
      returning id`,
  )
  const id = problem!.id
  // 派单: the responsible unit, department and deadline from the routing rules, in this transaction.
  await routeNewProblem(tx, id)
  if (input.audit !== false) {
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: id,
      action: 'appealFiled',
      regionCode: input.regionCode,
      before: null,
      after: { type: service.code, source: 'appeal', title },
    })
  }
  await announce(tx, { id, buildingId: null, regionCode: input.regionCode, state: 'identified' })
  return id
}

/** Live screens and the viewer hear of it on commit, like every other problem change. */
export async function announce(
  tx: Tx,
  notice: { id: number; buildingId: number | null; regionCode: string; state: string },
): Promise<void> {
  await tx.execute(sql`select pg_notify(${PROBLEM_EVENTS_CHANNEL}, ${JSON.stringify(notice)})`)
}
