/**
 * 上报 (ADR 0017): building and posting a package to the upstream install (the province's) with the token the
 * upstream issued, for the `exchange_send` job (jobs/exchange/), which posts once per attempt, leaves retrying
 * with backoff to the job runner and records what was sent and acknowledged in `exchange_sends`.
 */
import type { PackageSender, UpstreamAnswer } from '../../jobs/api.ts'
import type { UpstreamConfig } from '../config.ts'
import { EXCHANGE_PACKAGES_PATH } from './api.ts'
import { exportCampaign } from './export.ts'

/**
 * The sender the `exchange_send` processor uses: it builds the package with {@link exportCampaign} and posts it to
 * the configured upstream with its token; null when none is configured (such runs then fail, saying so). The
 * upstream is read at each use, not copied.
 */
export function createPackageSender(upstream: UpstreamConfig | null): PackageSender | null {
  if (!upstream) return null
  return {
    get url() {
      return packagesUrl(upstream.url)
    },
    build: (database, campaignId, exportedBy) =>
      exportCampaign(database, { campaign: campaignId, exportedBy }),
    post: (bytes) => postPackage(packagesUrl(upstream.url), upstream.token, bytes),
  }
}

/** Where packages are posted on an install whose base URL is `baseUrl`. */
function packagesUrl(baseUrl: string): string {
  return new URL(EXCHANGE_PACKAGES_PATH, baseUrl).toString()
}

/** Posts the package once. Never throws: a failure comes back as an answer that is not `ok`. */
async function postPackage(url: string, token: string, bytes: Buffer): Promise<UpstreamAnswer> {
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
    // fetch says only "fetch failed"; the cause names what failed (ECONNREFUSED, a certificate, a timeout).
    const cause = (error as Error).cause
    const detail = cause instanceof Error ? ` (${cause.message})` : ''
    return { ok: false, status: null, body: null, error: `${(error as Error).message}${detail}` }
  }
}
