/**
 * Live updates. A tileset.json request makes the server compare the database with the tileset and, when they
 * differ, queue a tiles run and answer with the header `x-citycheck-tiles: refreshing`; the run rewrites the
 * tiles, and the changed ETag of a later check reloads them. A check is triggered by the GraphQL subscription
 * `problemChanged` (graphql-ws, same path as `/graphql`), debounced so a burst of changes costs one check, and
 * repeated about a second later while a refresh is pending; a slow poll stays as the fallback for when the
 * WebSocket is down and for changes no subscription reports (building edits). The subscriptions go through
 * codegen like the reads (`core/api.ts`): their variables and payloads are typed from the schema.
 */
import { type Client, createClient, type ExecutionResult, type Sink } from 'graphql-ws'
import type { TypedDocumentString, ViewerProblemChangedSubscription } from '../generated/graphql.ts'
import { graphql } from '../generated/index.ts'

/** The header with which the server says whether tileset.json is current (server/static/tiles.ts). */
const TILES_STATE_HEADER = 'x-citycheck-tiles'
/** While a refresh is pending: seconds to the next check, and how many such quick checks in a row at most. */
const PENDING_RECHECK_S = 1
const MAX_PENDING_RECHECKS = 60

export interface TilesetWatch {
  /** Checks for rewritten tiles now (or right after the check under way). */
  check(): void
  stop(): void
}

/** Watches tileset.json at `url`, asking with `headers` (the Authorization of a region's tileset). */
export function watchTileset(
  url: string,
  intervalS: number,
  onChange: () => Promise<void>,
  headers: Record<string, string> = {},
): TilesetWatch {
  let etag: string | null = null
  let stopped = false
  let running = false
  let again = false
  let pendingChecks = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Fetches tileset.json once: whether the server said a refresh is pending. */
  const fetchOnce = async (): Promise<boolean> => {
    const response = await fetch(url, {
      cache: 'no-cache',
      headers: { ...headers, ...(etag ? { 'if-none-match': etag } : {}) },
    })
    const pending = response.status === 503 || response.headers.get(TILES_STATE_HEADER) === 'refreshing'
    if (response.status !== 200) return pending
    await response.arrayBuffer()
    const next = response.headers.get('etag')
    const changed = etag !== null && next !== etag
    etag = next
    if (changed) await onChange()
    return pending
  }
  const tick = async () => {
    clearTimeout(timer)
    if (running) {
      again = true
      return
    }
    running = true
    let pending = false
    try {
      do {
        again = false
        pending = await fetchOnce().catch((error: unknown) => {
          console.warn('tileset watch:', error)
          return false
        })
      } while (again && !stopped)
    } finally {
      running = false
    }
    pendingChecks = pending ? pendingChecks + 1 : 0
    const soon = pending && pendingChecks <= MAX_PENDING_RECHECKS
    if (!stopped) timer = setTimeout(tick, (soon ? PENDING_RECHECK_S : intervalS) * 1000)
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
  /** The tileset the viewer loaded, and the headers it was loaded with (a region's needs the Authorization). */
  tilesetUrl: string
  tilesetHeaders?: Record<string, string>
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
  const watch = watchTileset(options.tilesetUrl, options.pollS, options.onChange, options.tilesetHeaders)
  const debounceMs = options.debounceMs ?? 300
  let debounce: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const schedule = () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => watch.check(), debounceMs)
  }
  const live = subscribeLive(options, schedule, () => stopped)
  return {
    check: () => watch.check(),
    stop() {
      stopped = true
      clearTimeout(debounce)
      watch.stop()
      live.close()
    },
  }
}

/** Opens the WebSocket and the subscriptions; each event schedules a check. Never throws: the poll remains. */
function subscribeLive(
  options: LiveOptions,
  schedule: () => void,
  stopped: () => boolean,
): { close(): void } {
  try {
    const client = connectLive(options, schedule, stopped)
    const variables = { regionCode: options.regionCode ?? null }
    const unsubscribes = [
      subscribe(client, PROBLEM_CHANGED_SUBSCRIPTION, variables, {
        next: (result) => {
          if (stopped()) return
          const change = result.data?.problemChanged
          if (change) options.onEvent?.(change)
          schedule()
        },
        error: (error) => console.warn('live updates:', error),
        complete: () => {},
      }),
    ]
    const onRunSucceeded = options.onRunSucceeded
    if (options.token && onRunSucceeded) {
      unsubscribes.push(
        subscribe(client, RUN_UPDATED_SUBSCRIPTION, variables, {
          next: (result) => {
            const run = result.data?.diagnosticRunUpdated
            if (!stopped() && run?.state === 'succeeded') onRunSucceeded(run)
          },
          error: (error) => console.warn('run updates:', error),
          complete: () => {},
        }),
      )
    }
    return {
      close() {
        for (const unsubscribe of unsubscribes) unsubscribe()
        void client.dispose()
      },
    }
  } catch (error) {
    console.warn('live updates unavailable, polling only:', error)
    options.onStatus?.('closed')
    return { close() {} }
  }
}

/** The graphql-ws client, retrying for as long as the page is open; the poll covers the gaps. */
function connectLive(options: LiveOptions, schedule: () => void, stopped: () => boolean): Client {
  let connectedBefore = false
  return (options.connect ?? createClient)({
    url: options.wsUrl,
    lazy: false,
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
        if (!stopped()) options.onStatus?.('closed')
      },
    },
  })
}
