/**
 * The screen's live link: `problemChanged` and `diagnosticRunUpdated` over graphql-ws on `/graphql`. The client
 * retries for as long as the page is open (a wall runs for days through server restarts and network blips) with
 * a wait capped at a few seconds, and graphql-ws subscribes again on every new connection; a connection after the
 * first reports `resumed`, so the page reads its figures again for whatever it missed while away.
 */
import { type Client, createClient, type ExecutionResult, type Sink } from 'graphql-ws'
import type { ScreenProblemChangedSubscription, TypedDocumentString } from './generated/graphql.ts'
import { graphql } from './generated/index.ts'

export const SCREEN_PROBLEM_CHANGED = graphql(`
  subscription ScreenProblemChanged($regionCode: String) {
    problemChanged(regionCode: $regionCode) {
      databaseId
      titleZh
      titleEn
      state
      severity
      regionCode
    }
  }
`)

export const SCREEN_RUN_UPDATED = graphql(`
  subscription ScreenRunUpdated($regionCode: String) {
    diagnosticRunUpdated(regionCode: $regionCode) {
      databaseId
      kind
      state
    }
  }
`)

export type ProblemEvent = ScreenProblemChangedSubscription['problemChanged']
export type LinkStatus = 'connecting' | 'connected' | 'closed'

/** Longest wait between two attempts to reconnect, in milliseconds. */
const MAX_RETRY_WAIT_MS = 5000

export interface LiveLinkOptions {
  token: string | null
  regionCode: string
  onProblem: (event: ProblemEvent) => void
  /** A run finished (succeeded or failed): its figures may have changed. */
  onRunFinished: () => void
  onStatus: (status: LinkStatus) => void
  /** Connected again after a drop: events may have been missed. */
  onResumed: () => void
}

/**
 * Keeps one subscription open: graphql-ws subscribes again itself after a reconnect, but a subscription the
 * server ended (complete, or an error such as a restart's shutdown) is over for the client, so it is started
 * again here, a moment later, until the page closes it.
 */
function keepSubscribed<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
): () => void {
  let stopped = false
  let unsubscribe = () => {}
  let timer: ReturnType<typeof setTimeout> | undefined
  const again = () => {
    if (!stopped) timer = setTimeout(start, MAX_RETRY_WAIT_MS)
  }
  const sink: Sink<ExecutionResult<TResult>> = {
    next: (result) => {
      if (result.data) onData(result.data)
    },
    error: (error) => {
      console.warn('live subscription:', error)
      again()
    },
    complete: again,
  }
  function start() {
    unsubscribe = client.subscribe<TResult>({ query: String(document), variables }, sink)
  }
  start()
  return () => {
    stopped = true
    clearTimeout(timer)
    unsubscribe()
  }
}

export function openLiveLink(options: LiveLinkOptions): { close(): void } {
  let connectedBefore = false
  let closing = false
  const client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // 0.5, 1, 2, 4, 5, 5 … seconds, with some jitter so that many walls do not come back in step.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(500 * 2 ** retries, MAX_RETRY_WAIT_MS) + Math.random() * 300),
      ),
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
    on: {
      connecting: () => options.onStatus('connecting'),
      connected: () => {
        options.onStatus('connected')
        if (connectedBefore) options.onResumed()
        connectedBefore = true
      },
      closed: () => {
        if (!closing) options.onStatus('closed')
      },
    },
  })
  const variables = { regionCode: options.regionCode }
  const unsubscribes = [
    keepSubscribed(client, SCREEN_PROBLEM_CHANGED, variables, (data) =>
      options.onProblem(data.problemChanged),
    ),
    keepSubscribed(client, SCREEN_RUN_UPDATED, variables, (data) => {
      const state = data.diagnosticRunUpdated.state
      if (state === 'succeeded' || state === 'failed') options.onRunFinished()
    }),
  ]
  return {
    close() {
      closing = true
      for (const unsubscribe of unsubscribes) unsubscribe()
      void client.dispose()
    },
  }
}
