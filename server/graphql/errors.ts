import { GraphQLError } from 'graphql'

/**
 * The error codes a client may act on. Everything else that reaches the response is masked as
 * `Unexpected error` / INTERNAL_SERVER_ERROR (see `formatError` in ./server.ts).
 */
export const EXPOSED_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  // Produced by Apollo Server itself for malformed requests; their messages name the client's mistake.
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
])

export type ExposedCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'SERVICE_UNAVAILABLE'

/**
 * An expected failure: the message carries Chinese first and English after a slash, the way the rest of the
 * product speaks; `extensions.localized` holds both separately for clients that pick one.
 */
export class UserFacingError extends GraphQLError {
  constructor(code: ExposedCode, zh: string, en: string, details?: Record<string, unknown>) {
    super(`${zh} / ${en}`, { extensions: { code, localized: { 'zh-CN': zh, en }, ...details } })
    this.name = 'UserFacingError'
  }
}

export const badUserInput = (zh: string, en: string, details?: Record<string, unknown>) =>
  new UserFacingError('BAD_USER_INPUT', zh, en, details)

/** A request whose credentials are unusable; `httpStatus` 401 is for failures before execution starts. */
export const unauthenticated = (zh: string, en: string, httpStatus?: number) =>
  new UserFacingError('UNAUTHENTICATED', zh, en, httpStatus ? { http: { status: httpStatus } } : undefined)

export const forbidden = (zh: string, en: string) => new UserFacingError('FORBIDDEN', zh, en)

export const notFound = (zh: string, en: string, details?: Record<string, unknown>) =>
  new UserFacingError('NOT_FOUND', zh, en, details)

/** The target's state forbids the change (a locked filling, a filling under review); HTTP answers 409. */
export const conflict = (zh: string, en: string, details?: Record<string, unknown>) =>
  new UserFacingError('CONFLICT', zh, en, details)

/** Seconds a client should wait before retrying a request the database could not serve. */
export const RETRY_AFTER_S = 1

/**
 * The database could not be reached (restarting, failing over, the network down): retryable, unlike a bug.
 * `httpStatus` 503 is for failures before execution starts, where the whole request failed.
 */
export const serviceUnavailable = (httpStatus?: number) =>
  new UserFacingError(
    'SERVICE_UNAVAILABLE',
    '数据库暂时不可用，请稍后重试',
    'The database is unavailable for a moment: retry shortly',
    {
      retryAfterS: RETRY_AFTER_S,
      ...(httpStatus
        ? { http: { status: httpStatus, headers: new Map([['retry-after', String(RETRY_AFTER_S)]]) } }
        : {}),
    },
  )

// Node's socket errors and PostgreSQL's connection-exception class (08), shutdown (57P01-03) and too many
// connections (53300): the statement never ran, so trying again later is safe.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
])
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|terminating connection|database system is (shutting down|starting up|in recovery mode)|Client has encountered a connection error/i

/** True when an error (or one it wraps: drizzle wraps the driver's) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 6; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true
    current =
      (current as { cause?: unknown; originalError?: unknown }).cause ??
      (current as { originalError?: unknown }).originalError
  }
  return false
}
