import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'

/** Announced on every new revocation, so each API process (replicas included) reloads its list at once. */
export const REVOCATIONS_CHANNEL = 'token_revocations'

/** How often the list is read again anyway, in case a notification was lost with a dropped connection. */
const RELOAD_INTERVAL_MS = 30_000

export interface RevocationRequest {
  /** One token, by its `jti` claim. */
  jti?: string | undefined
  /** Every token of this subject issued until now. */
  subject?: string | undefined
  reason?: string | undefined
  revokedBy: string
}

/** Writes a revocation and tells every listening process. */
export async function revokeTokens(database: Database, request: RevocationRequest): Promise<void> {
  if (!request.jti && !request.subject) throw new Error('a revocation names a jti or a subject')
  await database.rows(sql`
    with r as (
      insert into revoked_tokens (jti, subject, reason, revoked_by)
      values (${request.jti ?? null}, ${request.subject ?? null}, ${request.reason ?? null}, ${request.revokedBy})
      returning id)
    select pg_notify(${REVOCATIONS_CHANNEL}, r.id::text) from r`)
}

/**
 * The revocation list held in memory: checked on every request and every subscription without a query, kept
 * fresh by LISTEN/NOTIFY and a periodic reload.
 */
export class RevocationList {
  private jtis = new Set<string>()
  /** Subject → the latest revocation time (ms): tokens issued at or before it are refused. */
  private subjects = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | undefined
  private unlisten: (() => Promise<void>) | undefined

  private constructor(private readonly database: Database) {}

  static async open(database: Database): Promise<RevocationList> {
    const list = new RevocationList(database)
    await list.reload()
    const reload = () => {
      list.reload().catch((error: unknown) => console.error('revocations: reload failed', error))
    }
    // A revocation announced while the listening session was down would be missed: read the list again then.
    list.unlisten = await database.listen(REVOCATIONS_CHANNEL, reload, { onReconnect: reload })
    list.timer = setInterval(() => {
      list.reload().catch((error: unknown) => console.error('revocations: reload failed', error))
    }, RELOAD_INTERVAL_MS)
    list.timer.unref()
    return list
  }

  async reload(): Promise<void> {
    const rows = await this.database.rows<{
      jti: string | null
      subject: string | null
      revoked_at_ms: number
    }>(
      sql`select jti, subject, (extract(epoch from revoked_at) * 1000)::float8 as revoked_at_ms from revoked_tokens`,
    )
    const jtis = new Set<string>()
    const subjects = new Map<string, number>()
    for (const row of rows) {
      if (row.jti) jtis.add(row.jti)
      if (row.subject)
        subjects.set(row.subject, Math.max(subjects.get(row.subject) ?? 0, Number(row.revoked_at_ms)))
    }
    this.jtis = jtis
    this.subjects = subjects
  }

  /** True when the token is revoked: by its id, or by its subject with an issue time not after the revocation. */
  isRevoked(token: { jti?: string | undefined; subject: string; issuedAtMs?: number | undefined }): boolean {
    if (token.jti && this.jtis.has(token.jti)) return true
    const revokedAtMs = this.subjects.get(token.subject)
    // JWT times are whole seconds: a token issued in the same second as the revocation counts as revoked.
    return revokedAtMs !== undefined && (token.issuedAtMs ?? 0) <= Math.ceil(revokedAtMs / 1000) * 1000
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.unlisten?.()
  }
}
