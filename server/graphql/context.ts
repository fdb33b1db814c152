import { randomUUID } from 'node:crypto'
import DataLoader from 'dataloader'
import type { JobRunner } from '../../jobs/api.ts'
import type { Identity, Scope } from '../auth/identity.ts'
import type { UpstreamConfig } from '../config.ts'
import type { Database } from '../db/client.ts'

/**
 * A batch function: loads many keys in one SQL statement. Results are in key order; `null` for a key that is
 * absent or out of scope.
 */
export type BatchLoad<K, V> = (keys: readonly K[], context: GraphQLContext) => Promise<(V | null)[]>

/** The language data is answered in (a problem's title, description…): Chinese unless the caller prefers English. */
export type Language = 'zh' | 'en'

/** What every resolver receives: the caller, what it may read, the database and per-request loaders. */
export interface GraphQLContext {
  database: Database
  /** The bearer token's identity; null without a token. */
  identity: Identity | null
  scope: Scope
  /** Where mutations that start background work hand it; absent when the server runs without jobs. */
  jobs?: JobRunner | undefined
  /** The request's `x-request-id`, or one generated for it; every audit event of the request carries it. */
  requestId: string
  /** From the request's `Accept-Language`; subscriptions and internal callers answer in Chinese. */
  language: Language
  /** Where this install sends its exchange packages (上报); null when none is configured. */
  upstream: UpstreamConfig | null
  /** The request's DataLoader for a batch function, created on first use. */
  loader<K, V>(load: BatchLoad<K, V>): DataLoader<K, V | null>
}

export function createContext(
  database: Database,
  identity: Identity | null,
  scope: Scope,
  jobs?: JobRunner,
  requestId: string = randomUUID(),
  language: Language = 'zh',
  upstream: UpstreamConfig | null = null,
): GraphQLContext {
  const loaders = new Map<BatchLoad<never, unknown>, DataLoader<unknown, unknown>>()
  const context: GraphQLContext = {
    database,
    identity,
    scope,
    jobs,
    requestId,
    language,
    upstream,
    loader<K, V>(load: BatchLoad<K, V>): DataLoader<K, V | null> {
      let loader = loaders.get(load as BatchLoad<never, unknown>) as DataLoader<K, V | null> | undefined
      if (!loader) {
        loader = new DataLoader<K, V | null>((keys) => load(keys, context), { maxBatchSize: 1000 })
        loaders.set(load as BatchLoad<never, unknown>, loader as DataLoader<unknown, unknown>)
      }
      return loader
    },
  }
  return context
}

/** A client's `x-request-id` when it is a short printable token; otherwise a new one. */
export function requestIdOf(headers: Record<string, string | string[] | undefined>): string {
  const given = headers['x-request-id']
  return typeof given === 'string' && /^[\x21-\x7e]{1,128}$/.test(given) ? given : randomUUID()
}

/**
 * `en` when `Accept-Language` rates English above Chinese (or names English and no Chinese), else `zh`: the
 * product's first language wins ties, wildcards and missing or unreadable headers.
 */
export function languageOf(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '')
  const best = { zh: -1, en: -1 }
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';')
    const primary = range.trim().split('-')[0]
    if (primary !== 'zh' && primary !== 'en') continue
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    const weight = q === undefined ? 1 : Number(q)
    if (Number.isFinite(weight) && weight > best[primary]) best[primary] = weight
  }
  return best.en > 0 && best.en > best.zh ? 'en' : 'zh'
}
