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
  // Produced by Apollo Server itself for malformed requests; their messages name the client's mistake.
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
])

export type ExposedCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND'

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
