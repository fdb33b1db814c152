/**
 * Open311 service requests. A request is a problem (`service_request_id` = the problem id): POST files an appeal
 * through the same intake as GraphQL's `fileAppeal`, GET reads problems residents may follow — those raised by
 * appeals and those marked public — with public-safe fields only (never who filed).
 */
import { type SQL, sql } from 'drizzle-orm'
import { type AppealInput, OPINION_KINDS, type OpinionKind } from '../../schema/problems/intake.ts'
import type { Database } from '../db/client.ts'
import { Open311Error, shanghaiIso, type Value } from './format.ts'
import { checkAttributes, serviceAttributes } from './services.ts'

/** The spec's default window when a GET names no dates, and its largest page. */
const DEFAULT_WINDOW_DAYS = 90
const DEFAULT_PAGE_SIZE = 100
const MAX_PAGE_SIZE = 1000

/** A POST's fields as read from a form or JSON body: strings, and attributes by code. */
export interface PostFields {
  get(name: string): string | undefined
  attributes: Record<string, unknown>
}

/** Turns a POST into an appeal, answering 400 for what the spec's client must fix. */
export async function appealOfPost(
  database: Database,
  fields: PostFields,
  subject: string,
): Promise<AppealInput> {
  const serviceCode = fields.get('service_code')?.trim()
  if (!serviceCode) throw new Open311Error(400, '缺少 service_code / service_code is required')
  const latText = fields.get('lat')?.trim()
  const longText = fields.get('long')?.trim()
  if (!latText || !longText) {
    throw new Open311Error(
      400,
      '需要位置：lat 与 long（仅凭地址无法定位）/ A location is required: lat and long (an address alone cannot be placed)',
    )
  }
  const lat = Number(latText)
  const long = Number(longText)
  if (!Number.isFinite(lat) || !Number.isFinite(long) || Math.abs(lat) > 90 || Math.abs(long) > 180) {
    throw new Open311Error(400, `位置无效 / Invalid location: lat ${latText}, long ${longText}`)
  }
  const definition = await serviceAttributes(database, serviceCode)
  if (!definition)
    throw new Open311Error(400, `没有问题类型 ${serviceCode} / There is no service ${serviceCode}`)
  checkAttributes(definition, fields.attributes)
  const address = fields.get('address_string')?.trim() || null
  const description = fields.get('description')?.trim() || address || ''
  if (!description) throw new Open311Error(400, '需要 description / description is required')
  const kind = fields.get('kind') ?? 'online'
  if (!(OPINION_KINDS as readonly string[]).includes(kind)) {
    throw new Open311Error(
      400,
      `kind 应为 ${OPINION_KINDS.join('|')} / kind must be one of ${OPINION_KINDS.join(', ')}`,
    )
  }
  const name = [fields.get('first_name'), fields.get('last_name')].filter(Boolean).join(' ')
  const contact = [name, fields.get('email'), fields.get('phone')].filter(Boolean).join(', ')
  return {
    serviceCode,
    lat,
    long,
    address,
    description,
    mediaUrl: fields.get('media_url')?.trim() || null,
    attributes: fields.attributes,
    kind: kind as OpinionKind,
    submittedBy: contact || subject,
  }
}

interface RequestRow {
  id: number
  state: string
  statusNotes: string | null
  serviceName: string | null
  type: string
  description: string | null
  unitName: string | null
  department: string | null
  reportCount: number
  createdAt: string
  updatedAt: string
  deadline: string | null
  address: string | null
  lat: number | null
  long: number | null
  mediaUrl: string | null
}

/**
 * The columns of a request: status notes from the latest transition with a reason, else the latest task
 * feedback; address and media from the appeals (the first address, the latest photo).
 */
const REQUEST_COLUMNS = sql`p.id, p.state, coalesce(
    (select t.reason from problem_transitions t where t.problem_id = p.id and t.reason is not null
      order by t.id desc limit 1),
    (select k.feedback from tasks k where k.problem_id = p.id and k.feedback is not null
      order by coalesce(k.completed_at, k.created_at) desc, k.id desc limit 1)) as "statusNotes",
  pt.name as "serviceName", p.type, p.description, u.name as "unitName", p.responsible_department as department,
  p.report_count as "reportCount", p.created_at as "createdAt", p.updated_at as "updatedAt", p.deadline,
  (select o.address from opinions o where o.problem_id = p.id and o.address is not null order by o.id limit 1)
    as address,
  ST_Y(ST_PointOnSurface(p.geom)) as lat, ST_X(ST_PointOnSurface(p.geom)) as long,
  (select o.media_url from opinions o where o.problem_id = p.id and o.media_url is not null
    order by o.id desc limit 1) as "mediaUrl"`

const FROM = sql`problems p left join problem_types pt on pt.code = p.type
  left join regions u on u.code = p.responsible_unit`

/** What a resident may follow: problems raised by appeals, and those the city has made public. */
const FOLLOWABLE = sql`(p.source = 'appeal' or p.is_public)`

function requestOf(r: RequestRow): Value {
  const agency = [r.unitName, r.department].filter(Boolean).join('，')
  return {
    service_request_id: String(r.id),
    status: r.state === 'closed' ? 'closed' : 'open',
    status_notes: r.statusNotes,
    service_name: r.serviceName ?? r.type,
    service_code: r.type,
    description: r.description,
    agency_responsible: agency || null,
    service_notice:
      r.reportCount > 1 ? `已收到 ${r.reportCount} 次诉求 / Reported ${r.reportCount} times` : null,
    address_id: null,
    requested_datetime: shanghaiIso(r.createdAt),
    updated_datetime: shanghaiIso(r.updatedAt),
    expected_datetime: shanghaiIso(r.deadline),
    address: r.address,
    zipcode: null,
    lat: r.lat,
    long: r.long,
    media_url: r.mediaUrl,
  }
}

/** `GET requests/{id}`: one request, 404 when it is none a resident may follow. */
export async function getRequest(database: Database, idText: string): Promise<Value[]> {
  const id = /^\d{1,9}$/.test(idText) ? Number(idText) : null
  const rows =
    id === null
      ? []
      : await database.rows<RequestRow>(
          sql`select ${REQUEST_COLUMNS} from ${FROM} where p.id = ${id} and ${FOLLOWABLE}`,
        )
  if (!rows[0]) throw new Open311Error(404, `没有诉求 ${idText} / There is no service request ${idText}`)
  return [requestOf(rows[0])]
}

/**
 * `GET requests` with the spec's filters: `service_request_id` (a comma list, which overrides the others),
 * `service_code`, `start_date`, `end_date` (90 days by default), `status`; and `page`/`page_size`.
 */
export async function listRequests(database: Database, params: URLSearchParams): Promise<Value[]> {
  const where: SQL[] = [FOLLOWABLE]
  const ids = listParam(params, 'service_request_id')
  if (ids.length) {
    if (ids.some((id) => !/^\d{1,9}$/.test(id)))
      throw new Open311Error(400, 'service_request_id 无效 / invalid service_request_id')
    where.push(sql`p.id = any(${sql.param(ids.map(Number))}::int[])`)
  } else {
    const codes = listParam(params, 'service_code')
    if (codes.length) where.push(sql`p.type = any(${sql.param(codes)}::text[])`)
    const end = dateParam(params, 'end_date') ?? new Date()
    const start =
      dateParam(params, 'start_date') ?? new Date(end.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000)
    where.push(
      sql`p.created_at >= ${start.toISOString()}::timestamptz and p.created_at <= ${end.toISOString()}::timestamptz`,
    )
    const statuses = listParam(params, 'status')
    if (statuses.some((s) => s !== 'open' && s !== 'closed'))
      throw new Open311Error(400, 'status 应为 open 或 closed / status must be open or closed')
    if (statuses.length === 1)
      where.push(statuses[0] === 'closed' ? sql`p.state = 'closed'` : sql`p.state <> 'closed'`)
  }
  const pageSize = intParam(params, 'page_size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
  const page = intParam(params, 'page', 1, 1_000_000)
  const rows = await database.rows<RequestRow>(
    sql`select ${REQUEST_COLUMNS} from ${FROM} where ${sql.join(where, sql` and `)}
      order by p.created_at desc, p.id desc limit ${pageSize} offset ${(page - 1) * pageSize}`,
  )
  return rows.map(requestOf)
}

function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function dateParam(params: URLSearchParams, name: string): Date | null {
  // A `+08:00` left unencoded in a query string arrives as a space.
  const text = params.get(name)?.replace(/ (\d{2}:?\d{2})$/, '+$1')
  if (!text) return null
  const date = new Date(text)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new Open311Error(400, `${name} 应为 ISO 8601 时间 / ${name} must be an ISO 8601 date-time`)
  }
  return date
}

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = params.get(name)
  if (text === null || text === '') return fallback
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new Open311Error(
      400,
      `${name} 应为 1 到 ${max} 的整数 / ${name} must be a whole number from 1 to ${max}`,
    )
  }
  return Number(text)
}
