import type http from 'node:http'
import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server'
import { unwrapResolverError } from '@apollo/server/errors'
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled'
import type { GraphQLFormattedError } from 'graphql'
import type { JobRunner } from '../../jobs/api.ts'
import { schema } from '../../schema/index.ts'
import type { Identity } from '../auth/identity.ts'
import { scopeFor } from '../auth/scope.ts'
import { createTokenVerifier, type TokenVerifier } from '../auth/verifier.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'
import { fallbackLogger, type Logger } from '../observability/logger.ts'
import { type RateLimiter, rateLimitKey } from '../rate-limit.ts'
import { answerCompiled, type CompiledExecutor, createCompiledExecutor } from './compiled.ts'
import { createContext, type GraphQLContext, languageOf } from './context.ts'
import { EXPOSED_ERROR_CODES, isDatabaseUnavailable, serviceUnavailable, unauthenticated } from './errors.ts'
import { serveExplorer } from './explorer.ts'
import { apolloQueryLimits, queryLimitMessage, tokenLimitMessage } from './limits.ts'
import { attachOutcome, type GraphQLOutcome, isDeliberate, observationPlugin } from './observe.ts'
import { withPreparedStatements } from './prepared.ts'

export type { GraphQLOutcome } from './observe.ts'

/** Largest request body accepted: a 10,000-vertex polygon is about 0.4 MB; this leaves room, not abuse. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024

export interface GraphQLHandler {
  /** Answers one request; `requestId` reaches the resolvers' context and every log line of the request. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<GraphQLOutcome>
  stop(): Promise<void>
}

export interface GraphQLHandlerOptions {
  config: Pick<Config, 'jwtSecret' | 'oidc' | 'introspection' | 'explorer' | 'trustProxy' | 'upstream'>
  database: Database
  /** Shared with the subscriptions; without it the handler makes (and closes) its own. */
  verifier?: TokenVerifier | undefined
  /** The background-job runner mutations hand work to. */
  jobs?: JobRunner | undefined
  /** Where internal errors (with the request id) and started runs are logged. @defaultValue warnings and errors on stderr */
  logger?: Logger | undefined
  /** Per-token request budgets; none when absent. */
  rateLimiter?: RateLimiter | null | undefined
}

/** Whether an error, or one it wraps, was raised on purpose as BAD_USER_INPUT. */
function raisedAsBadInput(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth += 1) {
    // Read by shape, not instanceof: the error may come from another copy of graphql-js.
    if ((current as { extensions?: { code?: unknown } }).extensions?.code === 'BAD_USER_INPUT') return true
    current = (current as { originalError?: unknown }).originalError
  }
  return false
}

/**
 * Lets through the failures a client can act on and masks the rest. A GeoJSON literal rejected by its scalar
 * surfaces from graphql-js as a validation error; its own BAD_USER_INPUT code is restored so clients see one
 * code for bad input however it was sent.
 */
export function makeFormatError(logError: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code
    const limit = queryLimitMessage(formatted.message)
    if (limit) {
      const extensions = { code: 'BAD_USER_INPUT', localized: { 'zh-CN': limit.zh, en: limit.en } }
      return { message: `${limit.zh} / ${limit.en}`, extensions }
    }
    if (typeof code === 'string' && EXPOSED_ERROR_CODES.has(code)) {
      if (code === 'GRAPHQL_VALIDATION_FAILED' && raisedAsBadInput(error)) {
        return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } }
      }
      return formatted
    }
    const cause = unwrapResolverError(error)
    // A database that is restarting is no bug of ours: the client gets a code that says retry, nothing is logged
    // as an internal error.
    const unavailable = isDatabaseUnavailable(cause) ? serviceUnavailable() : null
    if (!unavailable) logError(cause)
    const masked: GraphQLFormattedError = unavailable
      ? { message: unavailable.message, extensions: unavailable.extensions }
      : { message: 'Unexpected error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }
    return {
      ...masked,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    }
  }
}

class PayloadTooLarge extends Error {
  override name = 'PayloadTooLarge'
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new PayloadTooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new PayloadTooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  zh: string,
  en: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  const extensions = { code, localized: { 'zh-CN': zh, en } }
  res.end(JSON.stringify({ errors: [{ message: `${zh} / ${en}`, extensions }] }))
}

function sendRateLimited(res: http.ServerResponse, retryAfterS: number): void {
  const zh = `请求过于频繁，请 ${retryAfterS} 秒后再试`
  const en = `Too many requests: try again in ${retryAfterS} s`
  sendJson(res, 429, zh, en, 'RATE_LIMITED', { 'retry-after': String(retryAfterS) })
}

/** Codes of an answer that never reached the resolvers (the context failed): read from its body. */
function errorCodesOf(response: HTTPGraphQLResponse): string[] {
  if (response.body.kind !== 'complete') return []
  try {
    const errors = (JSON.parse(response.body.string) as { errors?: { extensions?: { code?: unknown } }[] })
      .errors
    return (errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN'))
  } catch {
    return []
  }
}

/** The job runner as one request sees it: each run it starts is logged with the request's id. */
function jobsFor(jobs: JobRunner | undefined, logger: Logger, requestId: string): JobRunner | undefined {
  if (!jobs) return undefined
  return {
    enqueue: async (kind: Parameters<JobRunner['enqueue']>[0], runId: number) => {
      await jobs.enqueue(kind, runId)
      logger.info({ reqId: requestId, job: { kind, runId } }, 'run queued')
    },
    ...(jobs.enqueueFlow ? { enqueueFlow: jobs.enqueueFlow } : {}),
    close: () => jobs.close(),
  }
}

function wantsExplorer(req: http.IncomingMessage, search: string): boolean {
  if (req.method !== 'GET' || new URLSearchParams(search).has('query')) return false
  const accept = req.headers.accept ?? ''
  return accept.includes('text/html')
}

async function identityOf(req: http.IncomingMessage, verifier: TokenVerifier): Promise<Identity | null> {
  const header = req.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match?.[1]) {
    throw unauthenticated(
      'Authorization 头应为 “Bearer <令牌>”',
      'The Authorization header must be "Bearer <token>"',
      401,
    )
  }
  return verifier.verify(match[1])
}

// GraphQL request errors (the document does not parse or validate, a variable does not coerce).
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT'])

/**
 * The GraphQL-over-HTTP spec asks for 200 on every well-formed request when the client accepts only the legacy
 * `application/json`, as older clients read errors from the body; `application/graphql-response+json`
 * clients keep Apollo's 400.
 */
function isLegacyRequestError(headers: Record<string, string>, body: string): boolean {
  if (!(headers['content-type'] ?? '').startsWith('application/json')) return false
  try {
    const errors = (JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }).errors
    return (
      Boolean(errors?.length) && errors!.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))
    )
  } catch {
    return false
  }
}

/** The GraphQL document of a request: the body's `query`, or the `query` parameter of a GET. */
function documentOf(body: unknown, url: URL): unknown {
  if (body && typeof body === 'object' && 'query' in body) return (body as { query: unknown }).query
  return url.searchParams.get('query')
}

/** Marks a request already answered (with an error) while its body was read. */
const ANSWERED = Symbol('answered')

/** The body of a POST: parsed JSON, or the raw text for other content types; GET has none. */
async function readGraphQLBody(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: HeaderMap,
): Promise<unknown> {
  if (req.method !== 'POST') return undefined
  let text: string
  try {
    text = await readBody(req)
  } catch (error) {
    if (error instanceof PayloadTooLarge) {
      sendJson(res, 413, '请求体过大', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 'BAD_REQUEST')
      return ANSWERED
    }
    throw error
  }
  const type = (headers.get('content-type') ?? '').toLowerCase()
  if (!/^application\/(.+\+)?json\b/.test(type)) return text
  try {
    return JSON.parse(text)
  } catch {
    sendJson(res, 400, '请求体不是有效的 JSON', 'The request body is not valid JSON', 'BAD_REQUEST')
    return ANSWERED
  }
}

async function sendResponse(res: http.ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  const out: Record<string, string> = {}
  for (const [key, value] of response.headers) out[key] = value
  let status = response.status ?? 200
  if (
    status === 400 &&
    response.body.kind === 'complete' &&
    isLegacyRequestError(out, response.body.string)
  ) {
    status = 200
  }
  res.writeHead(status, out)
  if (response.body.kind === 'complete') {
    res.end(response.body.string)
    return
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk)
  res.end()
}

/**
 * Apollo Server with the query limits, the error policy and the observation plugin, and beside it the compiled
 * path for clean query answers, validated by the same rules.
 */
function createApollo(
  config: GraphQLHandlerOptions['config'],
  logger: Logger,
): { apollo: ApolloServer<GraphQLContext>; compiled: CompiledExecutor } {
  const armor = apolloQueryLimits({ suggestFields: config.introspection })
  const limits = { plugins: armor.plugins, validationRulesOption: { validationRules: armor.validationRules } }
  const compiled = createCompiledExecutor(schema, {
    validationRules: armor.validationRules,
    introspection: config.introspection,
  })
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    // Credentials travel only in the Authorization header, never in cookies, so a cross-site form post
    // carries none; CSRF prevention would only refuse the spec's plain GET requests.
    csrfPrevention: false,
    introspection: config.introspection,
    ...limits.validationRulesOption,
    includeStacktraceInErrorResponses: false,
    // Internal errors are logged by the observation plugin, which knows the request id.
    formatError: makeFormatError(() => {}),
    // The landing page loads from a CDN (explorer.ts serves an offline one); cache-control hints would wrap
    // every resolver for headers no client of ours reads.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...limits.plugins,
      observationPlugin(logger),
    ],
    logger: {
      debug: () => {},
      info: () => {},
      warn: (message) => logger.warn(`graphql: ${message}`),
      error: (message) => logger.error(`graphql: ${message}`),
    },
  })
  return { apollo, compiled }
}

/** Request headers as Apollo reads them, repeated ones joined. */
function headerMapOf(req: http.IncomingMessage): HeaderMap {
  const headers = new HeaderMap()
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value)
  }
  return headers
}

/** Apollo Server on a plain node:http route, per the GraphQL-over-HTTP spec (GET and POST). */
export async function createGraphQLHandler(options: GraphQLHandlerOptions): Promise<GraphQLHandler> {
  const logger = options.logger ?? fallbackLogger
  const { apollo, compiled } = createApollo(options.config, logger)
  await apollo.start()
  const database = withPreparedStatements(options.database)
  const verifier = options.verifier ?? (await createTokenVerifier(options.config, options.database))

  return {
    async handle(req, res, requestId) {
      const outcome: GraphQLOutcome = { requestId, operation: null, errorCodes: [] }
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (options.config.explorer && wantsExplorer(req, url.search)) {
        await serveExplorer(res)
        return outcome
      }
      // Verified once, before the budget is spent: the budget is the token's subject. A bad token's error is
      // raised again in the context below, where Apollo answers it.
      const identity = identityOf(req, verifier)
      const verified = identity.catch(() => null)
      if (options.rateLimiter) {
        const key = rateLimitKey(req, await verified, options.config)
        const retryAfterS = await options.rateLimiter.consume(key)
        if (retryAfterS !== null) {
          sendRateLimited(res, retryAfterS)
          outcome.errorCodes.push('RATE_LIMITED')
          return outcome
        }
      }
      const headers = headerMapOf(req)
      const body = await readGraphQLBody(req, res, headers)
      if (body === ANSWERED) {
        outcome.errorCodes.push('BAD_REQUEST')
        return outcome
      }
      const tooLong = tokenLimitMessage(documentOf(body, url))
      if (tooLong) {
        sendJson(res, 400, tooLong.zh, tooLong.en, 'BAD_USER_INPUT')
        outcome.errorCodes.push('BAD_USER_INPUT')
        return outcome
      }
      const jobs = jobsFor(options.jobs, logger, requestId)
      const contextOf = async () => {
        const scope = await scopeFor(await identity, database)
        const language = languageOf(req.headers['accept-language'])
        return createContext(
          database,
          await identity,
          scope,
          jobs,
          requestId,
          language,
          options.config.upstream,
        )
      }
      if (await answerCompiled(compiled, { req, res, body, contextOf, outcome })) return outcome
      let reached = false
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          try {
            const context = await contextOf()
            attachOutcome(context, outcome)
            reached = true
            return context
          } catch (error) {
            if (isDatabaseUnavailable(error)) throw serviceUnavailable(503)
            if (!isDeliberate(error))
              logger.error({ reqId: requestId, err: error }, 'graphql: context failed')
            throw error
          }
        },
      })
      if (!reached) outcome.errorCodes.push(...errorCodesOf(response))
      await sendResponse(res, response)
      return outcome
    },
    stop: async () => {
      await apollo.stop()
      if (!options.verifier) await verifier.close()
    },
  }
}
