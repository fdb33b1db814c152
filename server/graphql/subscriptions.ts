import type http from 'node:http'
// graphql's CommonJS entry, the copy Pothos builds the schema with (see vitest.config.ts).
import { GraphQLError, specifiedRules, validate } from 'graphql/index.js'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { schema } from '../../schema/index.ts'
import type { Identity } from '../auth/identity.ts'
import { scopeFor } from '../auth/scope.ts'
import { createTokenVerifier, type TokenVerifier } from '../auth/verifier.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'
import { createContext } from './context.ts'
import { UserFacingError, unauthenticated } from './errors.ts'
import { subscriptionQueryLimits } from './limits.ts'
import { makeFormatError } from './server.ts'

/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the same path as HTTP queries. The bearer
 * token travels in `connectionParams.authorization`, as browsers cannot set headers on a WebSocket.
 */
export async function attachSubscriptions(
  server: http.Server,
  options: {
    config: Pick<Config, 'jwtSecret' | 'oidc'>
    database: Database
    path?: string
    /** Shared with the HTTP handler; without it the subscriptions make (and close) their own. */
    verifier?: TokenVerifier | undefined
  },
): Promise<{ close(): Promise<void> }> {
  const verifier = options.verifier ?? (await createTokenVerifier(options.config, options.database))
  const limits = subscriptionQueryLimits()
  const identities = new WeakMap<object, Identity | null>()
  const wss = new WebSocketServer({ server, path: options.path ?? '/graphql' })
  const formatError = makeFormatError((error) => console.error(error))
  const disposable = useServer(
    {
      schema,
      // Every subscribe checks the token again (a revoked one is refused with UNAUTHENTICATED, the socket stays up).
      onSubscribe: async (ctx) => {
        try {
          identities.set(ctx, await identityOf(ctx.connectionParams, verifier))
        } catch (error) {
          // Rebuilt with the graphql copy graphql-ws checks against.
          if (error instanceof UserFacingError)
            return [new GraphQLError(error.message, { extensions: error.extensions })]
          throw error
        }
        return undefined
      },
      context: async (ctx) => {
        const identity = identities.get(ctx) ?? null
        return createContext(options.database, identity, await scopeFor(identity, options.database))
      },
      // graphql-ws validates subscriptions itself: the same shape limits as HTTP queries.
      validate: (schema, document) => validate(schema, document, [...specifiedRules, ...limits]),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e) as never),
    },
    wss,
  )
  return {
    close: async () => {
      await disposable.dispose()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      if (!options.verifier) await verifier.close()
    },
  }
}

/** The identity of `connectionParams.authorization` (browsers cannot set headers on a WebSocket). */
async function identityOf(
  params: Record<string, unknown> | undefined,
  verifier: TokenVerifier,
): Promise<Identity | null> {
  const header = (params?.authorization ?? params?.Authorization) as string | undefined
  if (!header) return null
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
  if (!token) {
    throw unauthenticated('Authorization 应为 “Bearer <令牌>”', 'authorization must be "Bearer <token>"')
  }
  return verifier.verify(token)
}
