import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

let database: Database
let server: RunningServer
let runner: InProcessRunner
let token: string
const ids: Record<'closed' | 'open', number> = { closed: 0, open: 0 }

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  server = await startHttpServer({ config, database, jobs: runner })
  token = await tokenFor('district', '310101')
  // Found in March 2023, rectified, closed in June 2024 (closed twice: the latest closing counts).
  const [closed] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found, state, created_at)
    values ('310101', 'facade_safety', '外立面脱落隐患', 2, 'inspection', 2023, 'closed', '2023-03-01T02:00:00Z')
    returning id`)
  const [open] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found, state, created_at)
    values ('310101', 'facade_safety', '外墙空鼓', 1, 'inspection', 2025, 'in_progress', '2025-01-10T02:00:00Z')
    returning id`)
  ids.closed = closed!.id
  ids.open = open!.id
  await database.rows(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, at) values
    (${ids.closed}, 'identified', 'rectified', 't', '2023-09-01T00:00:00Z'),
    (${ids.closed}, 'rectified', 'closed', 't', '2024-01-05T00:00:00Z'),
    (${ids.closed}, 're_inspected', 'closed', 't', '2024-06-01T00:00:00Z'),
    (${ids.open}, 'identified', 'closed', 't', '2025-02-01T00:00:00Z'),
    (${ids.open}, 'closed', 'in_progress', 't', '2025-03-01T00:00:00Z')`)
})
afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
})

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

async function gql(
  query: string,
  variables: Record<string, unknown>,
  bearer: string | null = token,
): Promise<Json> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  return response.json()
}

async function datesOf(id: number): Promise<{ foundAt: string; closedAt: string | null }> {
  const body = await gql(`query ($id: ID!) { node(id: $id) { ... on Problem { foundAt closedAt } } }`, {
    id: Buffer.from(`Problem:${id}`).toString('base64'),
  })
  expect(body.errors).toBeUndefined()
  return body.data.node
}

describe('when a problem was found and closed', () => {
  it('reads the found time from the ledger entry and the closed time from the latest closing transition', async () => {
    const closed = await datesOf(ids.closed)
    expect(new Date(closed.foundAt).toISOString()).toBe('2023-03-01T02:00:00.000Z')
    expect(new Date(closed.closedAt!).toISOString()).toBe('2024-06-01T00:00:00.000Z')
  })

  it('has no closed time for a problem open now, even one closed once and reopened', async () => {
    const open = await datesOf(ids.open)
    expect(new Date(open.foundAt).toISOString()).toBe('2025-01-10T02:00:00.000Z')
    expect(open.closedAt).toBeNull()
  })
})

describe('the span of construction years', () => {
  const SPAN = `query ($code: String) { buildingYearSpan(regionCode: $code) { earliest latest withYear buildings } }`
  const expected = async (prefix: string) => {
    const [row] = await database.rows<{ earliest: number; latest: number; with_year: number; n: number }>(
      sql`select min(year_built)::int as earliest, max(year_built)::int as latest,
          count(year_built)::int as with_year, count(*)::int as n
        from buildings where region_code like ${`${prefix}%`}`,
    )
    return { earliest: row!.earliest, latest: row!.latest, withYear: row!.with_year, buildings: row!.n }
  }

  it('spans the years of the buildings in the region, and counts those with a year', async () => {
    const body = await gql(SPAN, { code: '310101' })
    expect(body.errors).toBeUndefined()
    const span = body.data.buildingYearSpan
    expect(span).toEqual(await expected('310101'))
    // The demo's landmarks have their reference years: the Customs House (1927) is in the span.
    expect(span.earliest).toBeLessThanOrEqual(1927)
    expect(span.withYear).toBeGreaterThan(0)
    expect(span.withYear).toBeLessThan(span.buildings)
  })

  it('refuses a malformed region code with BAD_USER_INPUT in both languages', async () => {
    const body = await gql(SPAN, { code: 'x' })
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT')
    expect(body.errors[0].message).toMatch(/无效的行政区划代码.*Invalid region code/s)
  })
})
