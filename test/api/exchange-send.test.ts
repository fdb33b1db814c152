/**
 * 上报 as a run: sendExchangePackage on a city's install exports its campaign and posts it to the province's (a
 * second server in the same test), retried with the runner's backoff through a failing gateway, failed at once on
 * a refusal; exchangeSends and the run's outputs record the upstream's receipt.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { type Config, loadConfig, type UpstreamConfig } from '../../server/config.ts'
import { type Database, migrateDatabase } from '../../server/db/client.ts'
import { createPackageSender } from '../../server/exchange/send.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { seedDatabase } from '../../server/seed/demo.ts'
import { openEmptyTestDatabase, openTestDatabase } from '../helpers/database.ts'
import { type Api, postGraphql, startApi, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

/** The city's install: the Bund demo with a small check of its own (values on regions and blocks, problems). */
let city: Database
/** The city's API, whose runs send upstream; its runner retries after 10 ms, 20 ms… instead of seconds. */
let cityServer: RunningServer
let runner: InProcessRunner
let config: Config
/** The upstream the city's API and processor read; each test points it somewhere. */
const upstream: UpstreamConfig = { url: '', token: '' }
/** The province's install, receiving: a second server on its own empty database. */
let province: Api
let cityToken: string
let campaignId: number

async function seedCityCheck(database: Database): Promise<void> {
  await database.rows(sql`with k as (insert into campaigns (kind, year, name, region_code, system_id, status)
      select 'annual', 2025, '上海市 2025 年城市体检', '310100', id, 'collecting' from indicator_systems
        where level = 'national' order by id limit 1 returning id, system_id)
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, source, review_state)
    select k.id, i.id, 'block', b.id::text, b.region_code, 10 + b.id % 7, 'fair', 'reported', 'submitted'
      from k join indicators i on i.system_id = k.system_id and i.code = (select min(code) from indicators
        where system_id = k.system_id)
      cross join lateral (select id, region_code from blocks order by id limit 5) b`)
  await database.rows(sql`insert into problems (region_code, campaign_id, type, title, severity, source, year_found,
      state, geom, unit_type, unit_key)
    select b.region_code, (select max(id) from campaigns), 'safety', '街区问题 ' || b.id, 2, 'inspection', 2025,
      'identified', ST_PointOnSurface(b.geom), 'block', b.id::text
    from (select id, region_code, geom from blocks order by id limit 3) b`)
}

async function counted(database: Database) {
  const [row] = await database.rows<{ values: number; problems: number; imports: number }>(sql`select
    (select count(*)::int from indicator_values) as values, (select count(*)::int from problems) as problems,
    (select count(*)::int from exchange_imports) as imports`)
  return row
}

/** A gateway that answers 503 to the first `failures` requests, then passes them on to the province. */
async function flakyGateway(
  failures: number,
): Promise<{ url: string; seen: () => number; close: () => void }> {
  let seen = 0
  const server = http.createServer(async (req, res) => {
    seen += 1
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (seen <= failures) {
      res.writeHead(503).end('{"message":"维护中 / down for maintenance"}')
      return
    }
    const answer = await fetch(`${province.url}${req.url}`, {
      method: 'POST',
      headers: { authorization: String(req.headers.authorization), 'content-type': 'application/zip' },
      body: Buffer.concat(chunks),
    })
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, seen: () => seen, close: () => server.close() }
}

beforeAll(async () => {
  city = await openTestDatabase()
  await seedCityCheck(city)
  const empty = await openEmptyTestDatabase()
  await migrateDatabase(empty)
  await seedDatabase(empty, { demo: false })
  province = await startApi({ database: empty })
  runner = new InProcessRunner(city, createProcessors({ exchange: createPackageSender(upstream) }), {
    backoffMs: 10,
    onError: () => {},
  })
  config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, upstream }
  cityServer = await startHttpServer({ config, database: city, jobs: runner })
  cityToken = await tokenFor('city', '310100')
  const [campaign] = await city.rows<{ id: number }>(sql`select max(id) as id from campaigns`)
  campaignId = campaign?.id ?? 0
})

afterAll(async () => {
  await cityServer?.close()
  await runner?.close()
  await province?.close()
  await province?.database.close()
  await city?.close()
})

const SEND = `mutation ($input: SendExchangePackageInput!) {
  sendExchangePackage(input: $input) { created run { databaseId kind state regionCode campaignId } }
}`
const RUN = `query { diagnosticRuns(limit: 1) { databaseId kind state attempts error outputs } }`
const SENDS = `query ($campaignId: Int!) {
  exchangeSends(campaignId: $campaignId) {
    runId state attempts packageSha256 packageBytes lastError receipt upstreamUrl acknowledgedAt
  }
}`

/** Starts a send through the city's API, waits for its run to finish, and reads the run and the sends. */
async function sendThroughApi() {
  const started = await postGraphql(
    cityServer.url,
    SEND,
    { input: { campaignId, regionCode: '310100' } },
    cityToken,
  )
  expect(started.errors).toBeUndefined()
  expect(started.data.sendExchangePackage).toMatchObject({
    created: true,
    run: { kind: 'exchange_send', state: 'queued', regionCode: '310100', campaignId },
  })
  await runner.idle()
  const run = (await postGraphql(cityServer.url, RUN, {}, cityToken)).data.diagnosticRuns[0]
  expect(run.databaseId).toBe(started.data.sendExchangePackage.run.databaseId)
  const sends = (await postGraphql(cityServer.url, SENDS, { campaignId }, cityToken)).data.exchangeSends
  return { run, send: sends[0], sends }
}

describe('sending a package upstream as a run', () => {
  it('is refused with BAD_USER_INPUT while no upstream is configured, and is not for a district', async () => {
    config.upstream = null
    try {
      const refused = await postGraphql(
        cityServer.url,
        SEND,
        { input: { campaignId, regionCode: '310100' } },
        cityToken,
      )
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
      expect(refused.errors?.[0]?.message).toMatch(/未配置上级平台/)
      expect(JSON.stringify(refused.errors?.[0]?.extensions)).toContain('No upstream is configured')
    } finally {
      config.upstream = upstream
    }
    const district = await postGraphql(
      cityServer.url,
      SEND,
      { input: { campaignId, regionCode: '310100' } },
      await tokenFor('district', '310101'),
    )
    expect(district.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const [runs] = await city.rows<{ n: number }>(
      sql`select count(*)::int as n from diagnostic_runs where kind = 'exchange_send'`,
    )
    expect(runs?.n).toBe(0)
  })

  it("fails at once, without retrying, when the province refuses the token's region; nothing is written there", async () => {
    const before = await counted(province.database)
    Object.assign(upstream, { url: province.url, token: await tokenFor('city', '320100') })
    const { run, send } = await sendThroughApi()
    expect(run).toMatchObject({ kind: 'exchange_send', state: 'failed', attempts: 1 })
    expect(run.error).toContain('UpstreamRefusedError')
    expect(run.error).toContain('HTTP 403')
    expect(send).toMatchObject({ runId: run.databaseId, state: 'failed', attempts: 1, receipt: null })
    expect(send.lastError).toContain('HTTP 403')
    expect(await counted(province.database)).toEqual(before)
  })

  it('retries with backoff through a failing gateway, then records the receipt once in the run and the send', async () => {
    const gateway = await flakyGateway(2)
    Object.assign(upstream, { url: gateway.url, token: await tokenFor('province', '310000') })
    try {
      const { run, send } = await sendThroughApi()
      expect(run).toMatchObject({ state: 'succeeded', attempts: 3, error: null })
      expect(gateway.seen()).toBe(3)
      expect(send).toMatchObject({
        runId: run.databaseId,
        state: 'acknowledged',
        attempts: 3,
        lastError: null,
      })
      expect(send.upstreamUrl).toBe(`${gateway.url}/api/exchange/packages`)
      expect(send.acknowledgedAt).not.toBeNull()
      expect(send.receipt.packageSha256).toBe(send.packageSha256)
      expect(run.outputs).toEqual({
        sendId: expect.any(Number),
        attempts: 3,
        packageSha256: send.packageSha256,
        receipt: send.receipt,
      })
      const [sentValues] = await city.rows<{ n: number }>(
        sql`select count(*)::int as n from indicator_values`,
      )
      const received = await counted(province.database)
      expect(received?.values).toBe(sentValues?.n)
      expect(received?.problems).toBe(3)
      const [audit] = await city.rows<{ action: string; actor: string }>(sql`select action, actor
        from audit_events where entity = 'diagnostic_run' and entity_id = ${String(run.databaseId)}`)
      expect(audit).toEqual({ action: 'start', actor: 'test-city-310100' })
    } finally {
      gateway.close()
    }
  })

  it('sent again later, the province updates the rows in place and adds none', async () => {
    const before = await counted(province.database)
    Object.assign(upstream, { url: province.url, token: await tokenFor('province', '310000') })
    const { run, sends } = await sendThroughApi()
    expect(run).toMatchObject({ state: 'succeeded', attempts: 1 })
    // A new package (a new export time), same rows: updated in place.
    expect(await counted(province.database)).toEqual({ ...before, imports: (before?.imports ?? 0) + 1 })
    expect(sends.map((s: { state: string }) => s.state)).toEqual(['acknowledged', 'acknowledged', 'failed'])
  })
})

describe('the upstream in the configuration', () => {
  it('is both variables or none; one alone, or a URL that is not one, stops the start', () => {
    expect(loadConfig({}).upstream).toBeNull()
    expect(
      loadConfig({ CITYCHECK_UPSTREAM_URL: 'https://province.example', CITYCHECK_UPSTREAM_TOKEN: 't' })
        .upstream,
    ).toEqual({ url: 'https://province.example', token: 't' })
    expect(() => loadConfig({ CITYCHECK_UPSTREAM_URL: 'https://province.example' })).toThrow(
      /set together or not at all/,
    )
    expect(() => loadConfig({ CITYCHECK_UPSTREAM_URL: 'province', CITYCHECK_UPSTREAM_TOKEN: 't' })).toThrow(
      /must be a URL/,
    )
  })
})
