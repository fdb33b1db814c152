import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, migrateDatabase } from '../../server/db/client.ts'
import { sendPackage } from '../../server/exchange/send.ts'
import { seedDatabase } from '../../server/seed/demo.ts'
import { openEmptyTestDatabase, openTestDatabase } from '../helpers/database.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'

/** The city's install: the Bund demo with a small check of its own (values on regions and blocks, problems). */
let city: Database
/** The province's install, receiving: a second server on its own empty database. */
let province: Api

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
})

afterAll(async () => {
  await province?.close()
  await province?.database.close()
  await city?.close()
})

describe('sending a package upstream', () => {
  it("is refused by the province when the token's region does not hold the city, and nothing is written", async () => {
    const before = await counted(province.database)
    const result = await sendPackage(city, {
      campaign: 'latest',
      upstreamUrl: province.url,
      token: await tokenFor('city', '320100'),
      requestedBy: 'test',
      attempts: 3,
      backoffMs: 10,
    })
    // A refusal is final: no second attempt.
    expect(result).toMatchObject({ state: 'failed', attempts: 1 })
    expect(result.error).toContain('HTTP 403')
    expect(await counted(province.database)).toEqual(before)
  })

  it('retries with backoff through failures, and records what was sent and the receipt acknowledging it', async () => {
    const gateway = await flakyGateway(2)
    try {
      const result = await sendPackage(city, {
        campaign: 'latest',
        upstreamUrl: gateway.url,
        token: await tokenFor('province', '310000'),
        requestedBy: 'test',
        attempts: 4,
        backoffMs: 10,
      })
      expect(result).toMatchObject({ state: 'acknowledged', attempts: 3 })
      expect(gateway.seen()).toBe(3)
      const [sent] = await city.rows<Record<string, unknown>>(sql`select state, attempts, package_sha256,
          receipt->>'packageSha256' as acknowledged_sha, last_error, acknowledged_at is not null as acknowledged
        from exchange_sends where id = ${result.sendId}`)
      expect(sent).toMatchObject({ state: 'acknowledged', attempts: 3, last_error: null, acknowledged: true })
      expect(sent?.acknowledged_sha).toBe(sent?.package_sha256)
      const [sentValues] = await city.rows<{ n: number }>(
        sql`select count(*)::int as n from indicator_values`,
      )
      const received = await counted(province.database)
      expect(received?.values).toBe(sentValues?.n)
      expect(received?.problems).toBe(3)
      const [audit] = await province.database.rows<{ actor: string; entity: string }>(
        sql`select actor, entity from audit_events where entity = 'exchange_package'`,
      )
      expect(audit).toEqual({ actor: 'test-province-310000', entity: 'exchange_package' })
    } finally {
      gateway.close()
    }
  })

  it('sent again later, the province updates the rows in place and adds none', async () => {
    const before = await counted(province.database)
    const result = await sendPackage(city, {
      campaign: 'latest',
      upstreamUrl: province.url,
      token: await tokenFor('province', '310000'),
      requestedBy: 'test',
      backoffMs: 10,
    })
    expect(result.state).toBe('acknowledged')
    // A new package (a new export time), same rows: updated in place.
    expect(await counted(province.database)).toEqual({ ...before, imports: (before?.imports ?? 0) + 1 })
  })
})
