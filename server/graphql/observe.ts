import type { ApolloServerPlugin } from '@apollo/server'
import { unwrapResolverError } from '@apollo/server/errors'
import type { Logger } from '../observability/logger.ts'
import type { GraphQLContext } from './context.ts'
import { EXPOSED_ERROR_CODES, isDatabaseUnavailable } from './errors.ts'
import { queryLimitMessage } from './limits.ts'

/** What the HTTP layer logs and counts about one GraphQL request. */
export interface GraphQLOutcome {
  requestId: string
  /** The operation's name; null when anonymous or when the request never got as far as naming one. */
  operation: string | null
  /** `extensions.code` of every error in the answer. */
  errorCodes: string[]
}

// A symbol key rather than a WeakMap by context: Apollo hands plugins a shallow copy of the context, which copies
// the key along.
const OUTCOME = Symbol('graphql outcome')

/** Ties a request's outcome to its context, for {@link observationPlugin}. */
export function attachOutcome(context: GraphQLContext, outcome: GraphQLOutcome): void {
  ;(context as GraphQLContext & { [OUTCOME]?: GraphQLOutcome })[OUTCOME] = outcome
}

/** Whether an error was raised on purpose for the client (a code it can act on, a query limit). */
export function isDeliberate(error: unknown): boolean {
  const { extensions, message } = error as { extensions?: { code?: unknown }; message?: unknown }
  const code = extensions?.code
  if (typeof code === 'string' && EXPOSED_ERROR_CODES.has(code)) return true
  return typeof message === 'string' && queryLimitMessage(message) !== null
}

/**
 * Fills each request's {@link GraphQLOutcome} (attached to its context) and logs internal errors with the request
 * id; the client sees them masked (`makeFormatError`).
 */
export function observationPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart(start) {
      const outcome = (start.contextValue as GraphQLContext & { [OUTCOME]?: GraphQLOutcome })[OUTCOME]
      if (!outcome) return
      outcome.operation = start.request.operationName ?? null
      return {
        async didResolveOperation(request) {
          outcome.operation = request.operationName ?? null
        },
        async didEncounterErrors(request) {
          for (const error of request.errors) {
            if (isDeliberate(error)) continue
            const err = unwrapResolverError(error)
            // The client gets SERVICE_UNAVAILABLE to retry: a warning about the database, not a bug of ours.
            if (isDatabaseUnavailable(err))
              logger.warn({ reqId: outcome.requestId, err }, 'graphql: database unavailable')
            else logger.error({ reqId: outcome.requestId, err }, 'graphql: internal error')
          }
        },
        async willSendResponse(request) {
          const body = request.response.body
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors
          for (const error of errors ?? [])
            outcome.errorCodes.push(String(error.extensions?.code ?? 'UNKNOWN'))
        },
      }
    },
  }
}
