import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { createJobObserver } from '../../jobs/runs/observe.ts'
import { signToken } from '../../server/auth/token.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import {
  askRegion,
  capturingLogger,
  closedPort,
  SERVER_JWT_SECRET,
  serverConfig,
  tokenOf,
} from '../helpers/servers.ts'

let database: Database
const servers: RunningServer[] = []
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  for (const server of servers) await server.close()
  await database?.close()
})

async function start(...args: Parameters<typeof startHttpServer>): Promise<RunningServer> {
  const server = await startHttpServer(...args)
  servers.push(server)
  return server
}

describe('rate limits (in memory)', () => {
  let url: string
  beforeAll(async () => {
    url = (await start({ config: serverConfig({ rateLimitPerMinute: 5 }), database })).url
  })

  it('answers the sixth request of a minute from one token with 429, Retry-After and a bilingual RATE_LIMITED error', async () => {
    const token = await tokenOf(`rate-${randomUUID()}`)
    for (let i = 0; i < 5; i++) expect((await askRegion(url, { token })).status).toBe(200)
    const refused = await askRegion(url, { token })
    expect(refused.status).toBe(429)
    const retryAfterS = Number(refused.headers.get('retry-after'))
    expect(retryAfterS).toBeGreaterThanOrEqual(1)
    expect(retryAfterS).toBeLessThanOrEqual(60)
    const body = (await refused.json()) as {
      errors: { message: string; extensions: Record<string, unknown> }[]
    }
    expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED')
    expect(body.errors[0]?.message).toContain('请求过于频繁')
    expect(body.errors[0]?.message).toContain('Too many requests')
  })

  it('keeps another token, and callers without one, on budgets of their own', async () => {
    const spent = await tokenOf(`rate-${randomUUID()}`)
    for (let i = 0; i < 6; i++) await askRegion(url, { token: spent })
    expect((await askRegion(url, { token: spent })).status).toBe(429)
    expect((await askRegion(url, { token: await tokenOf(`rate-${randomUUID()}`) })).status).toBe(200)
    expect((await askRegion(url)).status).toBe(200)
  })

  it('charges a made-up token to the caller’s address, so forged subjects open no fresh budgets', async () => {
    const own = (await start({ config: serverConfig({ rateLimitPerMinute: 2 }), database })).url
    for (let i = 0; i < 2; i++) expect((await askRegion(own)).status).toBe(200)
    const forged = await signToken({ sub: randomUUID(), role: 'public' }, 'not-the-server-key')
    expect((await askRegion(own, { token: forged })).status).toBe(429)
  })
})

describe('request ids and logs', () => {
  let url: string
  let lines: Record<string, unknown>[]
  beforeAll(async () => {
    const captured = capturingLogger()
    lines = captured.lines
    url = (await start({ config: serverConfig(), database, logger: captured.logger })).url
  })

  it('echoes a caller’s x-request-id and logs one line for the request with it', async () => {
    const requestId = `test-${randomUUID()}`
    const response = await askRegion(url, { requestId })
    expect(response.headers.get('x-request-id')).toBe(requestId)
    await vi.waitFor(() =>
      expect(lines.find((line) => line.reqId === requestId)).toMatchObject({
        msg: 'request',
        method: 'POST',
        path: '/graphql',
        status: 200,
        operation: 'RegionName',
        durationMs: expect.any(Number),
      }),
    )
    expect(lines.filter((line) => line.reqId === requestId)).toHaveLength(1)
  })

  it('gives a request without an id a new one', async () => {
    const response = await askRegion(url)
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('replaces an id that could forge log lines', async () => {
    const response = await askRegion(url, { requestId: 'a b\tc' })
    expect(response.headers.get('x-request-id')).not.toBe('a b\tc')
  })

  it('logs an internal error with its request id while the client sees it masked', async () => {
    const captured = capturingLogger()
    let failing = false
    const flaky: Database = {
      ...database,
      pool: undefined,
      rows: (query) => (failing ? Promise.reject(new Error('simulated outage')) : database.rows(query)),
    }
    const own = (await start({ config: serverConfig(), database: flaky, logger: captured.logger })).url
    failing = true
    const requestId = `test-${randomUUID()}`
    const body = (await (await askRegion(own, { requestId })).json()) as { errors?: { extensions: object }[] }
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' })
    const logged = captured.lines.find((line) => line.msg === 'graphql: internal error')
    expect(logged).toMatchObject({ reqId: requestId, level: 50, err: { message: 'simulated outage' } })
  })

  it('logs a run a request starts with the request id, and the run’s attempt with its duration', async () => {
    const captured = capturingLogger()
    const registry = new Registry()
    const jobs = new InProcessRunner(
      database,
      { coverage: async () => {} },
      { observer: createJobObserver(captured.logger, registry) },
    )
    const own = (await start({ config: serverConfig(), database, jobs, logger: captured.logger, registry }))
      .url
    const token = await signToken(
      { sub: 'ops-district', role: 'district', region: '310101' },
      SERVER_JWT_SECRET,
    )
    const requestId = `test-${randomUUID()}`
    const response = await fetch(`${own}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        query: `mutation ($input: StartCoverageDiagnosisInput!) {
          startCoverageDiagnosis(input: $input) { run { databaseId } } }`,
        variables: {
          input: { regionCode: '310101', facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] },
        },
      }),
    })
    const body = (await response.json()) as {
      data?: { startCoverageDiagnosis: { run: { databaseId: number } } }
    }
    const runId = body.data?.startCoverageDiagnosis.run.databaseId
    expect(runId).toEqual(expect.any(Number))
    expect(captured.lines.find((line) => line.msg === 'run queued')).toMatchObject({
      reqId: requestId,
      job: { kind: 'coverage', runId },
    })
    await jobs.idle()
    expect(captured.lines.find((line) => line.msg === 'job finished')).toMatchObject({
      job: { kind: 'coverage', runId, attempt: 1 },
      outcome: 'succeeded',
      durationMs: expect.any(Number),
    })
    const metrics = await (await fetch(`${own}/metrics`)).text()
    expect(metrics).toMatch(/citycheck_job_duration_seconds_count\{kind="coverage",outcome="succeeded"\} 1/)
    expect(metrics).toMatch(/citycheck_job_queue_jobs\{state="waiting"\} 0/)
    await jobs.close()
  })
})

describe('/metrics', () => {
  it('counts requests per operation and errors by code, and shows the pool on PostgreSQL', async () => {
    const { url } = await start({ config: serverConfig({ rateLimitPerMinute: 2 }), database })
    // The third is refused before its body is read, so its operation is not known.
    for (let i = 0; i < 3; i++) await askRegion(url)
    await vi.waitFor(async () => {
      const text = await (await fetch(`${url}/metrics`)).text()
      expect(text).toMatch(/citycheck_graphql_operation_duration_seconds_count\{operation="RegionName"\} 2/)
      expect(text).toMatch(/citycheck_graphql_errors_total\{code="RATE_LIMITED"\} 1/)
      expect(text).toMatch(/citycheck_http_request_duration_seconds_count\{route="graphql",status="429"\} 1/)
      if (database.pool) expect(text).toMatch(/citycheck_db_pool_connections\{state="total"\} \d+/)
    })
  })

  it('asks for METRICS_TOKEN when one is set', async () => {
    const { url } = await start({ config: serverConfig({ metricsToken: 'scrape-me' }), database })
    expect((await fetch(`${url}/metrics`)).status).toBe(403)
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-one' } })).status).toBe(
      403,
    )
    const allowed = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })
    expect(allowed.status).toBe(200)
    expect(await allowed.text()).toContain('citycheck_http_request_duration_seconds')
  })

  it('without a token refuses a request a proxy forwarded, even from loopback', async () => {
    const { url } = await start({ config: serverConfig(), database })
    expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(
      403,
    )
  })
})

describe('/readyz', () => {
  it('answers 200 when the database answers', async () => {
    const { url } = await start({ config: serverConfig(), database })
    const response = await fetch(`${url}/readyz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok' } })
  })

  it('answers 503 naming Redis when Redis does not answer, while queries still run', async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`
    const { url } = await start({ config: serverConfig({ redisUrl, rateLimitPerMinute: 100 }), database })
    const response = await fetch(`${url}/readyz`)
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', redis: 'unavailable' },
    })
    // The rate limiter counts in memory while Redis is away.
    expect((await askRegion(url)).status).toBe(200)
  })
})
