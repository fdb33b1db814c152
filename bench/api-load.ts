/**
 * Load for the API benchmark: clients posting back to back over keep-alive connections, and the figures of a
 * run. The client is undici's connection pool rather than node:http: on two cores the load generator shares the
 * CPU with both servers and PostgreSQL, and the lighter it is, the more of the machine measures the servers.
 */

import { Pool } from 'undici'

export interface Poster {
  post(body: string): Promise<{ status: number; text: string }>
  close(): Promise<void>
}

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
}

/** `connections` keep-alive connections to the GraphQL endpoint at `url`. */
export function posterFor(url: URL, connections: number): Poster {
  const pool = new Pool(url.origin, { connections, pipelining: 1 })
  return {
    async post(body) {
      const response = await pool.request({ path: url.pathname, method: 'POST', headers: HEADERS, body })
      return { status: response.statusCode, text: await response.body.text() }
    },
    close: () => pool.close(),
  }
}

export interface LoadResult {
  requests: number
  failures: number
  seconds: number
  latenciesMs: number[]
}

/** `concurrency` workers posting back to back for a fixed time, each walking the bodies in turn. */
export async function load(
  url: URL,
  bodies: string[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const poster = posterFor(url, concurrency)
  const latenciesMs: number[] = []
  let failures = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let i = worker
      while (performance.now() < end) {
        const body = bodies[i++ % bodies.length] as string
        const t0 = performance.now()
        const response = await poster.post(body)
        latenciesMs.push(performance.now() - t0)
        if (response.status !== 200 || response.text.includes('"errors"')) failures += 1
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  await poster.close()
  return { requests: latenciesMs.length, failures, seconds: elapsed, latenciesMs }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

export const summary = (runs: LoadResult[]) => {
  const requests = runs.reduce((n, r) => n + r.requests, 0)
  const seconds = runs.reduce((n, r) => n + r.seconds, 0)
  return {
    rps: Math.round((requests / seconds) * 10) / 10,
    p95Ms:
      Math.round(
        percentile(
          runs.flatMap((r) => r.latenciesMs),
          95,
        ) * 100,
      ) / 100,
    failures: runs.reduce((n, r) => n + r.failures, 0),
  }
}
