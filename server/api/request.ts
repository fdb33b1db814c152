/**
 * What the `/api/` endpoints (filling workbooks and evidence, problem photos, the KPI workbook; Open311 for its
 * caller and bodies) share: the caller from the bearer token as the GraphQL handler reads it, the GraphQL errors
 * translated into HTTP statuses, allowed methods, bounded bodies and bilingual JSON answers.
 */
import type http from 'node:http'
import { GraphQLError } from 'graphql'
import type { AppContext } from '../app-context.ts'
import { lookupRegion, scopeFor } from '../auth/scope.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { createContext, type GraphQLContext } from '../graphql/context.ts'
import { isDatabaseUnavailable, RETRY_AFTER_S } from '../graphql/errors.ts'

/** An answer other than success: its status and message in both languages. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly status: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
  }
}

const STATUS_OF_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BAD_USER_INPUT: 400,
  SERVICE_UNAVAILABLE: 503,
}

/**
 * The HTTP answer for an error raised by the auth or write services (which speak GraphQL codes), or null for
 * a bug. `notFound` overrides the status of NOT_FOUND where a route's contract says otherwise.
 */
export function httpErrorOf(error: unknown, notFound = 404): HttpError | null {
  if (error instanceof HttpError) return error
  if (isDatabaseUnavailable(error)) {
    return new HttpError(
      503,
      '数据库暂时不可用，请稍后重试',
      'The database is unavailable for a moment: retry shortly',
    )
  }
  if (!(error instanceof GraphQLError)) return null
  const code = String(error.extensions.code ?? '')
  const status = code === 'NOT_FOUND' ? notFound : STATUS_OF_CODE[code]
  if (!status) return null
  const localized = error.extensions.localized as { 'zh-CN': string; en: string } | undefined
  return new HttpError(status, localized?.['zh-CN'] ?? error.message, localized?.en ?? error.message)
}

/** The type of the workbooks the endpoints send and take. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The request's method when the endpoint takes it; 405 with `Allow` otherwise. */
export function allowMethods(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  methods: readonly string[],
): string {
  const method = req.method ?? 'GET'
  if (methods.includes(method)) return method
  res.setHeader('allow', methods.join(', '))
  throw new HttpError(405, `此接口不支持 ${method}`, `${method} is not allowed here`)
}

/**
 * Runs an endpoint, answering what it refuses as bilingual JSON with its status; a refusal after the answer
 * started cuts the connection. Anything else is a bug and goes on to the server's error handling.
 */
export async function answeringRefusals(res: http.ServerResponse, serve: () => Promise<void>): Promise<void> {
  try {
    await serve()
  } catch (error) {
    const known = httpErrorOf(error)
    if (!known) throw error
    if (res.headersSent) {
      res.destroy()
      return
    }
    sendError(res, known)
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  })
  res.end(JSON.stringify(body))
}

/** Answers an error as `{ message, localized }`, the shape of the tiles' refusals. */
export function sendError(res: http.ServerResponse, error: HttpError): void {
  const headers: Record<string, string> = {}
  if (error.status === 401) headers['www-authenticate'] = 'Bearer'
  if (error.status === 503) headers['retry-after'] = String(RETRY_AFTER_S)
  // A refused upload may leave most of its body unread; closing the connection keeps it from being parsed as
  // the next request.
  if (error.status === 413) headers.connection = 'close'
  sendJson(
    res,
    error.status,
    { message: error.message, localized: { 'zh-CN': error.zh, en: error.en } },
    headers,
  )
}

/**
 * The caller as a GraphQL context, so the write services (fillValues, recordAudit) see the same identity, scope
 * and request id as from GraphQL. Unlike GraphQL, where a request without a token reads public rows, every
 * filling endpoint needs a token: 401 without one.
 */
export async function requestContext(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  requestId: string,
): Promise<GraphQLContext> {
  const header = req.headers.authorization
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
  if (!token) {
    throw new HttpError(
      401,
      '需要登录凭证（Authorization: Bearer <令牌>）',
      'A bearer token is needed (Authorization: Bearer <token>)',
    )
  }
  if (!verifier)
    throw new HttpError(503, '此服务器不能验证登录凭证', 'This server cannot verify bearer tokens')
  try {
    const identity = await verifier.verify(token)
    const scope = await scopeFor(identity, app.database)
    return createContext(app.database, identity, scope, app.jobs, requestId)
  } catch (error) {
    const known = httpErrorOf(error)
    // Whatever the verifier refuses is a token problem: 401, unless the database or provider is unavailable.
    if (known) throw known.status === 503 ? known : new HttpError(401, known.zh, known.en)
    throw error
  }
}

/**
 * Checks that the caller's scope holds the whole region: 403 outside it (the route's contract), 404 for a code
 * that names no region. Codes are digits; anything else (a traversal, a name) is 404 before any lookup.
 */
export async function assertRegionInScope(context: GraphQLContext, regionCode: string): Promise<void> {
  const region = /^\d{2,12}$/.test(regionCode) ? await lookupRegion(context.database, regionCode) : null
  if (!region) throw new HttpError(404, `没有行政区划 ${regionCode}`, `There is no region ${regionCode}`)
  if (context.scope.kind !== 'region' || !region.prefix.startsWith(context.scope.prefix)) {
    throw new HttpError(
      403,
      `登录凭证的范围不包括区域 ${regionCode}`,
      `The bearer token's scope does not cover region ${regionCode}`,
    )
  }
}

/** Reads a request body of at most `limit` bytes; 413 beyond it, whether declared up front or found streaming. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(
      413,
      `上传内容超过 ${Math.round(limit / 1024 / 1024)} MB`,
      `The body exceeds ${limit} bytes (${Math.round(limit / 1024 / 1024)} MB)`,
    )
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw tooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** RFC 6266 / 5987 Content-Disposition: an ASCII fallback and the UTF-8 name, so Chinese names survive. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
