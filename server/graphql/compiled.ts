import type http from 'node:http'
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql/index.js'
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit'
import type { GraphQLContext } from './context.ts'
import type { GraphQLOutcome } from './observe.ts'
import { stringifyResult } from './raw-json.ts'

/**
 * How many distinct (operation name, document) pairs keep their compiled form. Clients send a bounded set of
 * documents with variables; past the bound the oldest is forgotten and compiled again when it returns.
 * @defaultValue 500
 */
export const COMPILED_DOCUMENT_LIMIT = 500

/** A request the compiled path may answer: a JSON POST of a query document, its variables and name. */
export interface CompiledRequest {
  query: string
  variables: Record<string, unknown>
  operationName: string | null
}

interface Plan {
  compiled: CompiledQuery<unknown, Record<string, unknown>>
  operationName: string | null
}

/** Documents the compiled path leaves to Apollo: they do not parse or validate, or are no query. */
const APOLLO = 'apollo' as const

export interface CompiledAnswer {
  /** The response body. */
  body: string
  operationName: string | null
}

/**
 * Compiled execution (ADR 0003, "Speed"): a query document is parsed, validated (the same rules as Apollo's,
 * query limits included) and compiled by graphql-jit once, then each request runs the compiled resolvers. Only clean answers are served from here: a document that fails to parse or
 * validate, a mutation or subscription, or an execution that produced any error is handed back (`null`), and
 * Apollo answers it, so every error keeps one shape, one status policy and one log line.
 */
export function createCompiledExecutor(
  schema: GraphQLSchema,
  options: { validationRules: readonly ValidationRule[]; introspection: boolean; limit?: number },
) {
  const plans = new Map<string, Plan | typeof APOLLO>()
  const limit = options.limit ?? COMPILED_DOCUMENT_LIMIT
  const rules = [
    ...specifiedRules,
    ...options.validationRules,
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ]

  function plan(request: CompiledRequest): Plan | typeof APOLLO {
    const key = `${request.operationName ?? ''}\n${request.query}`
    const known = plans.get(key)
    if (known) {
      // Most recently used last, so the bound forgets the coldest document.
      plans.delete(key)
      plans.set(key, known)
      return known
    }
    const made = compile(schema, rules, request)
    if (plans.size >= limit) plans.delete(plans.keys().next().value as string)
    plans.set(key, made)
    return made
  }

  return {
    /** The answer to a request, or null when Apollo should answer it. */
    async execute(request: CompiledRequest, context: GraphQLContext): Promise<CompiledAnswer | null> {
      const found = plan(request)
      if (found === APOLLO) return null
      const result = (await found.compiled.query(undefined, context, request.variables)) as ExecutionResult
      if (result.errors?.length) return null
      return { body: stringifyResult(result), operationName: found.operationName }
    },
    /** Whether the compiled path would answer this document (before any execution). */
    accepts(request: CompiledRequest): boolean {
      return plan(request) !== APOLLO
    },
  }
}

export type CompiledExecutor = ReturnType<typeof createCompiledExecutor>

function compile(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  request: CompiledRequest,
): Plan | typeof APOLLO {
  let document: DocumentNode
  try {
    document = parse(request.query)
  } catch {
    return APOLLO
  }
  if (validate(schema, document, rules).length > 0) return APOLLO
  const operation = getOperationAST(document, request.operationName ?? undefined)
  if (operation?.operation !== 'query') return APOLLO
  // The compiled JSON serialiser (fast-json-stringify) has no schema for custom scalars such as GeoJSON;
  // stringifyResult writes stored JSON text as it is instead.
  const compiled = compileQuery(schema, document, request.operationName ?? undefined, {
    customJSONSerializer: false,
  })
  if (!isCompiledQuery(compiled)) return APOLLO
  return {
    compiled: compiled as CompiledQuery<unknown, Record<string, unknown>>,
    operationName: operation.name?.value ?? null,
  }
}

/**
 * The request when the compiled path may take it: a JSON object with a string `query`, object or absent
 * `variables`, string or absent `operationName`, and no `extensions` (persisted queries stay Apollo's).
 */
export function compiledRequestOf(body: unknown): CompiledRequest | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null
  const { query, variables, operationName, extensions } = body as Record<string, unknown>
  if (typeof query !== 'string' || extensions !== undefined) return null
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  )
    return null
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? {},
    operationName: (operationName as string | null | undefined) ?? null,
  }
}

/**
 * The media type Apollo would answer with, for the Accept headers the compiled path serves: the GraphQL response
 * type when the client lists it first, JSON when it lists JSON first, accepts anything or says nothing. Any other
 * Accept is left to Apollo's negotiation (null).
 */
export function responseMediaType(accept: string | undefined): string | null {
  // Quality factors need Apollo's negotiation; plain lists are read by their first entry, as it would.
  if ((accept ?? '').includes(';')) return null
  const first = (accept ?? '').split(',')[0]?.trim().toLowerCase() ?? ''
  if (first === 'application/graphql-response+json') return 'application/graphql-response+json; charset=utf-8'
  if (first === '' || first === '*/*' || first === 'application/json')
    return 'application/json; charset=utf-8'
  return null
}

/**
 * Answers a clean query from its compiled form; false when Apollo should answer instead (not a JSON POST of a
 * query, an Accept header that needs negotiating, a context that fails, an answer with errors).
 */
export async function answerCompiled(
  compiled: CompiledExecutor,
  request: {
    req: http.IncomingMessage
    res: http.ServerResponse
    body: unknown
    contextOf: () => Promise<GraphQLContext>
    outcome: GraphQLOutcome
  },
): Promise<boolean> {
  const { req, res, outcome } = request
  const wanted = req.method === 'POST' ? compiledRequestOf(request.body) : null
  const mediaType = wanted ? responseMediaType(req.headers.accept) : null
  if (!wanted || !mediaType || !compiled.accepts(wanted)) return false
  const answer = await request
    .contextOf()
    .then((context) => compiled.execute(wanted, context))
    .catch(() => null)
  if (!answer) return false
  outcome.operation = answer.operationName
  res.writeHead(200, { 'content-type': mediaType, 'content-length': Buffer.byteLength(answer.body) })
  res.end(answer.body)
  return true
}
