/**
 * How the explorer talks to the API: queries and mutations over HTTP with the headers of the headers editor
 * (`Authorization: Bearer …`), subscriptions over graphql-ws with the same token in `connectionParams`, as the
 * server reads it there (browsers cannot set headers on a WebSocket). One WebSocket per token.
 */
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from '@graphiql/toolkit'
import { type Client, createClient } from 'graphql-ws'

export function explorerFetcher(httpUrl: string, wsUrl: string): Fetcher {
  const http = createGraphiQLFetcher({ url: httpUrl })
  const clients = new Map<string, Client>()
  const clientFor = (authorization: string): Client => {
    let client = clients.get(authorization)
    if (!client) {
      client = createClient({
        url: wsUrl,
        connectionParams: authorization ? { authorization } : {},
        // Retry a dropped socket (a restarted server) instead of failing the open subscription.
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
      })
      clients.set(authorization, client)
    }
    return client
  }
  return (given, opts?: FetcherOpts) => {
    // An edited tab can still carry the name of an operation its text no longer has; the server would refuse it.
    const params =
      given.operationName && !operationNames(given.query).includes(given.operationName)
        ? { ...given, operationName: null }
        : given
    if (!isSubscription(params.query, params.operationName)) return http(params, opts)
    const headers = (opts?.headers ?? {}) as Record<string, unknown>
    const authorization = String(headers.Authorization ?? headers.authorization ?? '')
    // graphql-ws yields the same execution results GraphiQL reads from an async iterable.
    return clientFor(authorization).iterate({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    }) as ReturnType<Fetcher>
  }
}

/** Names of the operations in a document (comments left out). */
export function operationNames(query: string): string[] {
  const withoutComments = query.replace(/#[^\n]*/g, '')
  return [...withoutComments.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map(
    (m) => m[1]!,
  )
}

/** Whether the operation to run is a subscription (the named one, or the only one of the document). */
export function isSubscription(query: string, operationName?: string | null): boolean {
  const withoutComments = query.replace(/#[^\n]*/g, '')
  const operations = [
    ...withoutComments.matchAll(/\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g),
  ]
  const chosen = operationName ? operations.find((m) => m[2] === operationName) : operations[0]
  return chosen?.[1] === 'subscription'
}
