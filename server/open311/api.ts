/**
 * Open311 GeoReport v2 under `/open311/v2/` (issue 13, item 8), so 12345 hot-line systems and city apps can file
 * and follow reports: `discovery`, `services`, `services/{code}`, `requests` (GET, POST), `requests/{id}`, each
 * as `.json` or `.xml`. Reads are public; a POST needs an `api_key`, which is a bearer token of any role that
 * may report problems, checked by the verifier the GraphQL handler uses.
 */
import type http from 'node:http'
import { GraphQLError } from 'graphql'
import { DUPLICATE_RADIUS_M, fileAppeal } from '../../schema/problems/intake.ts'
import { HttpError, readBody } from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import { authorize } from '../auth/permissions.ts'
import { scopeFor } from '../auth/scope.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { createContext, type GraphQLContext } from '../graphql/context.ts'
import { type Format, Open311Error, send, sendErrors, type Value } from './format.ts'
import { appealOfPost, getRequest, listRequests, type PostFields } from './requests.ts'
import { listServices, serviceDefinition } from './services.ts'

export const OPEN311_PREFIX = '/open311/v2/'
const PATH = /^\/open311\/v2\/(discovery|services|requests)(?:\/([^/]{1,64}))?\.(json|xml)$/
/** A report is a few fields; photos travel as `media_url`, never in the body. */
const MAX_BODY_BYTES = 64 * 1024

const STATUS_OF_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
}

export async function serveOpen311(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const match = PATH.exec(url.pathname)
  const format: Format = match?.[3] === 'xml' || url.pathname.endsWith('.xml') ? 'xml' : 'json'
  try {
    if (!match) throw new Open311Error(404, '没有此接口 / No such Open311 endpoint')
    const [, resource, id] = match as unknown as [string, string, string | undefined]
    const method = req.method ?? 'GET'
    const allowed = resource === 'requests' && id === undefined ? ['GET', 'POST'] : ['GET']
    if (!allowed.includes(method)) {
      res.setHeader('allow', allowed.join(', '))
      throw new Open311Error(405, `不支持 ${method} / ${method} is not allowed here`)
    }
    const database = app.database
    if (resource === 'discovery') send(res, format, 200, 'discovery', discovery(req))
    else if (resource === 'services' && id === undefined)
      send(res, format, 200, 'services', await listServices(database))
    else if (resource === 'services')
      send(res, format, 200, 'service_definition', await serviceDefinition(database, decode(id!)))
    else if (id !== undefined) send(res, format, 200, 'service_requests', await getRequest(database, id))
    else if (method === 'GET')
      send(res, format, 200, 'service_requests', await listRequests(database, url.searchParams))
    else await postRequest(app, verifier, req, res, format, requestId)
  } catch (error) {
    const known = open311ErrorOf(error)
    if (!known) throw error
    sendErrors(res, format, known)
  }
}

/** The spec's discovery document: one production endpoint, this server, both formats. */
function discovery(req: http.IncomingMessage): Value {
  const base = `http://${req.headers.host ?? 'localhost'}${OPEN311_PREFIX.slice(0, -1)}`
  return {
    changeset: '2026-12-07T00:00:00+08:00',
    contact: '城市体检平台运维 / CityCheck operations',
    key_service: 'api_key 为平台登录凭证（npm run token）/ api_key is a CityCheck bearer token',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: base,
        changeset: '2026-12-07T00:00:00+08:00',
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  }
}

async function postRequest(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  format: Format,
  requestId: string,
): Promise<void> {
  const fields = await readFields(req)
  const context = await callerOf(app, verifier, fields.get('api_key'), requestId)
  const appeal = await appealOfPost(app.database, fields, context.identity?.subject ?? 'open311')
  const outcome = await fileAppeal(context, appeal)
  const id = String(outcome.problemId)
  const notice = outcome.joined
    ? `该诉求与 ${DUPLICATE_RADIUS_M} 米内的同类诉求 ${id} 重复，已并入（共 ${outcome.reportCount} 次）/ ` +
      `Joined to the existing request ${id} of the same service within ${DUPLICATE_RADIUS_M} m (reported ${outcome.reportCount} times)`
    : `已受理，诉求编号 ${id} / Received as request ${id}`
  send(res, format, 200, 'service_requests', [
    { service_request_id: id, service_notice: notice, account_id: null },
  ])
}

/** The caller of a POST from its `api_key`: 403 without one or with one the verifier refuses. */
async function callerOf(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  apiKey: string | undefined,
  requestId: string,
): Promise<GraphQLContext> {
  if (!apiKey) throw new Open311Error(403, '需要 api_key / An api_key is required')
  if (!verifier) throw new Open311Error(403, '此服务器不能验证 api_key / This server cannot verify api keys')
  try {
    const identity = await verifier.verify(apiKey)
    const scope = await scopeFor(identity, app.database)
    authorize(identity, scope, 'problem.report')
    return createContext(app.database, identity, scope, app.jobs, requestId)
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error
    throw new Open311Error(403, `api_key 无效或无权上报 / ${error.message}`)
  }
}

/** Form-encoded (the spec's) or JSON fields; `attribute[code]` (and `attribute[code][]`) become attributes. */
async function readFields(req: http.IncomingMessage): Promise<PostFields> {
  const body = (
    await readBody(req, MAX_BODY_BYTES).catch((error: unknown) => {
      // Only a body over the limit is the client's fault; the spec's codes have no 413, so it is a 400.
      if (!(error instanceof HttpError)) throw error
      throw new Open311Error(
        400,
        `请求内容超过 ${MAX_BODY_BYTES} 字节 / The body exceeds ${MAX_BODY_BYTES} bytes`,
        true,
      )
    })
  ).toString('utf8')
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  let entries: [string, unknown][]
  if (type === 'application/json') {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      throw new Open311Error(400, '请求内容不是有效的 JSON / The body is not valid JSON')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Open311Error(400, '请求内容应为 JSON 对象 / The body must be a JSON object')
    entries = Object.entries(parsed)
  } else {
    entries = [...new URLSearchParams(body)]
  }
  const plain = new Map<string, string>()
  const attributes: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    const attribute = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(key)
    if (attribute) {
      const code = attribute[1]!
      const previous = attributes[code]
      attributes[code] = attribute[2] ? [...(Array.isArray(previous) ? previous : []), value] : value
    } else if (key === 'attribute' && value && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(attributes, value)
    } else if (value !== null && value !== undefined) {
      plain.set(key, typeof value === 'string' ? value : JSON.stringify(value))
    }
  }
  return { get: (name) => plain.get(name), attributes }
}

function open311ErrorOf(error: unknown): Open311Error | null {
  if (error instanceof Open311Error) return error
  if (!(error instanceof GraphQLError)) return null
  const status = STATUS_OF_CODE[String(error.extensions.code ?? '')]
  return status ? new Open311Error(status, error.message) : null
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
