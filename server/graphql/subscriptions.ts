import type http from 'node:http'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { schema } from '../../schema/index.ts'
import { scopeFor } from '../auth/scope.ts'
import { createTokenVerifier, type TokenVerifier } from '../auth/verifier.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'
import { createContext } from './context.ts'
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
  const wss = new WebSocketServer({ server, path: options.path ?? '/graphql' })
  const formatError = makeFormatError((error) => console.error(error))
  const disposable = useServer(
    {
      schema,
      context: async (ctx) => {
        const header = (ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) as
          | string
          | undefined
        const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
        const identity = token ? await verifier.verify(token) : null
        return createContext(options.database, identity, await scopeFor(identity, options.database))
      },
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
