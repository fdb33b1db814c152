import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { askRegion, serverConfig, tokenOf } from '../helpers/servers.ts'

let database: Database
let first: RunningServer
let second: RunningServer
beforeAll(async () => {
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
  database = await openTestDatabase()
  const config = serverConfig({ redisUrl, rateLimitPerMinute: 4 })
  first = await startHttpServer({ config, database })
  second = await startHttpServer({ config, database })
  // Until its connection is up a replica counts in memory; wait for both to reach Redis.
  for (const { url } of [first, second]) {
    await vi.waitFor(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), { timeout: 10_000 })
  }
})
afterAll(async () => {
  await first?.close()
  await second?.close()
  await database?.close()
})

describe('rate limits shared through Redis', () => {
  it('reports Redis ready beside the database', async () => {
    const response = await fetch(`${first.url}/readyz`)
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } })
  })

  it('gives two API replicas one budget per token, and another token its own', async () => {
    const token = await tokenOf(`shared-${randomUUID()}`)
    for (const server of [first, second, first, second]) {
      expect((await askRegion(server.url, { token })).status).toBe(200)
    }
    const refused = await askRegion(second.url, { token })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await askRegion(first.url, { token })).status).toBe(429)
    const other = await tokenOf(`shared-${randomUUID()}`)
    expect((await askRegion(first.url, { token: other })).status).toBe(200)
  })
})
