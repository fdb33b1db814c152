/**
 * Live updates. The server brings the tileset up to date whenever tileset.json is requested, so a changed ETag
 * means tiles were rewritten (a problem opened or closed, a building edited). A check is triggered by the
 * GraphQL subscription `problemChanged` (graphql-ws, same path as `/graphql`), debounced so a burst of changes
 * costs one check; a slow poll stays as the fallback for when the WebSocket is down and for changes no
 * subscription reports (building edits). The subscriptions go through codegen like the reads (`core/api.ts`):
 * their variables and payloads are typed from the schema.
 */
import { type Client, createClient, type ExecutionResult, type Sink } from 'graphql-ws'
import type { TypedDocumentString, ViewerProblemChangedSubscription } from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'

export interface TilesetWatch {
  /** Checks for rewritten tiles now (or right after the check under way). */
  check(): void
  stop(): void
}

export function watchTileset(url: string, intervalS: number, onChange: () => Promise<void>): TilesetWatch {
  let etag: string | null = null
  let stopped = false
  let running = false
  let again = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = async () => {
    clearTimeout(timer)
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        try {
          const response = await fetch(url, {
            cache: 'no-cache',
            headers: etag ? { 'if-none-match': etag } : {},
          })
          if (response.status === 200) {
            await response.arrayBuffer()
            const next = response.headers.get('etag')
            const changed = etag !== null && next !== etag
            etag = next
            if (changed) await onChange()
          }
        } catch (error) {
          console.warn('tileset watch:', error)
        }
      } while (again && !stopped)
    } finally {
      running = false
    }
    if (!stopped) timer = setTimeout(tick, intervalS * 1000)
  }
  void tick()
  return {
    check() {
      if (!stopped) void tick()
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}

export const PROBLEM_CHANGED_SUBSCRIPTION = graphql(`
  subscription ViewerProblemChanged($regionCode: String) {
    problemChanged(regionCode: $regionCode) {
      databaseId
      state
      buildingId
      severity
    }
  }
`)

export const RUN_UPDATED_SUBSCRIPTION = graphql(`
  subscription ViewerRunUpdated($regionCode: String) {
    diagnosticRunUpdated(regionCode: $regionCode) {
      databaseId
      kind
      state
    }
  }
`)

/** A problem opened, moved on or closed, as `problemChanged` reports it. */
export type ProblemChange = ViewerProblemChangedSubscription['problemChanged']

/** Subscribes to a codegen-typed document: variables and payload are checked against the schema. */
function subscribe<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  sink: Sink<ExecutionResult<TResult>>,
): () => void {
  return client.subscribe<TResult>({ query: String(document), variables }, sink)
}

export type LiveStatus = 'connecting' | 'connected' | 'closed'

export interface LiveOptions {
  tilesetUrl: string
  /** `ws(s)://host/graphql`. */
  wsUrl: string
  /** Bearer token: without one, only problems marked public are reported. */
  token?: string | null
  /** Only problems inside this region. */
  regionCode?: string | null
  /** Seconds between fallback checks. */
  pollS: number
  /** Quiet time after the last event before checking. @defaultValue 300 */
  debounceMs?: number
  onChange: () => Promise<void>
  onEvent?: (change: ProblemChange) => void
  onStatus?: (status: LiveStatus) => void
  /** Called when a diagnostic run succeeded (needs a token: runs are never public). */
  onRunSucceeded?: (run: { databaseId: number; kind: string }) => void
  /** For tests: the graphql-ws client factory. */
  connect?: typeof createClient
}

/** Subscription-driven tileset checks with the poll as a slow fallback. */
export function watchLive(options: LiveOptions): TilesetWatch {
  const watch = watchTileset(options.tilesetUrl, options.pollS, options.onChange)
  const debounceMs = options.debounceMs ?? 300
  let debounce: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const schedule = () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => watch.check(), debounceMs)
  }
  let client: Client | null = null
  let unsubscribe: (() => void) | null = null
  let unsubscribeRuns: (() => void) | null = null
  let connectedBefore = false
  try {
    client = (options.connect ?? createClient)({
      url: options.wsUrl,
      lazy: false,
      // Keep trying for as long as the page is open; the poll covers the gaps.
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      on: {
        connecting: () => options.onStatus?.('connecting'),
        connected: () => {
          options.onStatus?.('connected')
          // Events may have been missed while disconnected: catch up once.
          if (connectedBefore) schedule()
          connectedBefore = true
        },
        closed: () => {
          if (!stopped) options.onStatus?.('closed')
        },
      },
    })
    unsubscribe = subscribe(
      client,
      PROBLEM_CHANGED_SUBSCRIPTION,
      { regionCode: options.regionCode ?? null },
      {
        next: (result) => {
          if (stopped) return
          const change = result.data?.problemChanged
          if (change) options.onEvent?.(change)
          schedule()
        },
        error: (error) => console.warn('live updates:', error),
        complete: () => {},
      },
    )
    const onRunSucceeded = options.onRunSucceeded
    if (options.token && onRunSucceeded) {
      unsubscribeRuns = subscribe(
        client,
        RUN_UPDATED_SUBSCRIPTION,
        { regionCode: options.regionCode ?? null },
        {
          next: (result) => {
            const run = result.data?.diagnosticRunUpdated
            if (!stopped && run?.state === 'succeeded') onRunSucceeded(run)
          },
          error: (error) => console.warn('run updates:', error),
          complete: () => {},
        },
      )
    }
  } catch (error) {
    console.warn('live updates unavailable, polling only:', error)
    options.onStatus?.('closed')
  }
  return {
    check: () => watch.check(),
    stop() {
      stopped = true
      clearTimeout(debounce)
      watch.stop()
      unsubscribe?.()
      unsubscribeRuns?.()
      void client?.dispose()
    },
  }
}
