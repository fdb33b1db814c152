import type { Database } from '../../server/db/client.ts'

/** What the upstream answered; `status` is null when no answer came (a network error, a timeout). */
export interface UpstreamAnswer {
  ok: boolean
  status: number | null
  /** The upstream's JSON: its receipt (import id, counts) when `ok`, its refusal otherwise. */
  body: Record<string, unknown> | null
  /** `HTTP <status>: <the upstream's message>`, or the network error. */
  error: string
}

/** A campaign's package as built for one attempt. */
export interface BuiltPackage {
  campaignId: number
  sha256: string
  bytes: Buffer
}

/**
 * What the `exchange_send` processor is given by the composition root (server/exchange/send.ts makes it from the
 * configured upstream): jobs/ may not reach into the API's exchange code, which builds and posts packages.
 */
export interface PackageSender {
  /** Where packages are posted on the upstream install. */
  readonly url: string
  build(database: Database, campaignId: number, exportedBy: string): Promise<BuiltPackage>
  /** Posts the package once; never throws, a failure is an answer that is not `ok`. */
  post(bytes: Buffer): Promise<UpstreamAnswer>
}
