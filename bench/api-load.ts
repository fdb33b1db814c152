/** Load for the API benchmark: clients posting back to back over keep-alive HTTP, and the figures of a run. */

import http from 'node:http'

export const agentFor = (concurrency: number) => new http.Agent({ keepAlive: true, maxSockets: concurrency })

export function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

export interface LoadResult {
  requests: number
  failures: number
  seconds: number
  latenciesMs: number[]
}

/** `concurrency` workers posting back to back for a fixed time, each walking the viewports in turn. */
export async function load(
  url: URL,
  bodies: string[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const agent = agentFor(concurrency)
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
        const response = await post(agent, url, body)
        latenciesMs.push(performance.now() - t0)
        if (response.status !== 200 || response.text.includes('"errors"')) failures += 1
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
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
