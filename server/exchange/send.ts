/**
 * 上报 (ADR 0017): sends a campaign's package to the upstream install (the province's) with the token the upstream
 * issued, retrying with exponential backoff, and records each attempt and the upstream's receipt in exchange_sends.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { EXCHANGE_PACKAGES_PATH } from './api.ts'
import { exportCampaign } from './export.ts'

export interface SendOptions {
  campaign: number | 'latest'
  /** The upstream install's base URL (https:// in production). */
  upstreamUrl: string
  /** A token the upstream issued, scoped to this install's region. */
  token: string
  requestedBy: string
  /** @defaultValue 5 */
  attempts?: number
  /** First wait between attempts; doubled each time, with up to a quarter more at random. @defaultValue 2000 */
  backoffMs?: number
}

export interface SendResult {
  sendId: number
  state: 'acknowledged' | 'failed'
  attempts: number
  receipt: Record<string, unknown> | null
  error: string | null
}

/** The upstream answered with a refusal that sending again would not change (a bad token, a foreign region). */
function isFinal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

export async function sendPackage(database: Database, options: SendOptions): Promise<SendResult> {
  const built = await exportCampaign(database, {
    campaign: options.campaign,
    exportedBy: options.requestedBy,
  })
  const url = new URL(EXCHANGE_PACKAGES_PATH, options.upstreamUrl).toString()
  const [row] = await database.rows<{ id: number; sha: string }>(sql`insert into exchange_sends
      (campaign_id, upstream_url, package_sha256, package_bytes, requested_by)
    values (${built.campaignId}, ${url}, ${built.sha256}, ${built.bytes.length}, ${options.requestedBy})
    returning id`)
  if (!row) throw new Error('exchange_sends returned no row')
  const attempts = options.attempts ?? 5
  const backoffMs = options.backoffMs ?? 2000
  let error = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answer = await post(url, options.token, built.bytes)
    await database.rows(sql`update exchange_sends set attempts = ${attempt}, sent_at = coalesce(sent_at, now())
      where id = ${row.id}`)
    if (answer.ok) {
      await database.rows(sql`update exchange_sends set state = 'acknowledged', acknowledged_at = now(),
          receipt = ${JSON.stringify(answer.body)}::jsonb, last_error = null
        where id = ${row.id}`)
      return { sendId: row.id, state: 'acknowledged', attempts: attempt, receipt: answer.body, error: null }
    }
    error = answer.error
    await database.rows(sql`update exchange_sends set last_error = ${error} where id = ${row.id}`)
    if (answer.status !== null && isFinal(answer.status)) break
    if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1) * (1 + Math.random() / 4))
  }
  const [done] = await database.rows<{ attempts: number }>(
    sql`update exchange_sends set state = 'failed' where id = ${row.id} returning attempts`,
  )
  return { sendId: row.id, state: 'failed', attempts: done?.attempts ?? attempts, receipt: null, error }
}

interface Answer {
  ok: boolean
  status: number | null
  body: Record<string, unknown> | null
  error: string
}

async function post(url: string, token: string, bytes: Buffer): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(300_000),
    })
    const text = await response.text()
    let body: Record<string, unknown> | null = null
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      body = null
    }
    const message = typeof body?.message === 'string' ? body.message : text.slice(0, 500)
    return { ok: response.ok, status: response.status, body, error: `HTTP ${response.status}: ${message}` }
  } catch (error) {
    return { ok: false, status: null, body: null, error: (error as Error).message }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
