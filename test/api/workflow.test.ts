import { sql } from 'drizzle-orm'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { errorCodes, TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

let database: Database
let server: RunningServer
let runner: InProcessRunner
let huangpu: string
let pudong: string
let problemId: number

async function gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
  type Json = any
  return { status: response.status, body: (await response.json()) as { data?: Json; errors?: Json[] } }
}
const codes = (r: Awaited<ReturnType<typeof gql>>) =>
  errorCodes({ status: r.status, contentType: '', body: r.body })

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  server = await startHttpServer({ config, database, jobs: runner })
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')
  const [row] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, geom, building_id, severity, source, year_found)
    select region_code, 'facade_safety', '外立面脱落隐患', centroid, id, 3, 'inspection', 2025
    from buildings where region_code = '310101' order by id limit 1 returning id`)
  problemId = row?.id ?? 0
})
afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
})

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64')
const TRANSITION = `mutation ($id: ID!, $to: ProblemState!, $reason: String) {
  transitionProblem(input: { id: $id, to: $to, reason: $reason }) {
    state allowedTransitions transitions { fromState toState actor reason } } }`

describe('problem workflow through GraphQL', () => {
  it('moves a problem forward and records who, when and why', async () => {
    const id = globalId('Problem', problemId)
    const r = await gql(TRANSITION, { id, to: 'assigned', reason: '交外滩街道办理' }, huangpu)
    expect(r.body.errors).toBeUndefined()
    expect(r.body.data.transitionProblem.state).toBe('assigned')
    expect(r.body.data.transitionProblem.allowedTransitions).toEqual(['in_progress', 'identified'])
    expect(r.body.data.transitionProblem.transitions).toEqual([
      {
        fromState: 'identified',
        toState: 'assigned',
        actor: 'test-district-310101',
        reason: '交外滩街道办理',
      },
    ])
    const audit = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_events where entity = 'problem' and entity_id = ${String(problemId)}`,
    )
    expect(audit[0]?.n).toBe(1)
  })

  it('refuses a skipped step with BAD_USER_INPUT and changes nothing', async () => {
    const r = await gql(TRANSITION, { id: globalId('Problem', problemId), to: 'closed' }, huangpu)
    expect(codes(r)).toEqual(['BAD_USER_INPUT'])
    expect(r.body.errors?.[0].message).toContain('allowed: in_progress, identified')
    const [p] = await database.rows<{ state: string }>(
      sql`select state from problems where id = ${problemId}`,
    )
    expect(p?.state).toBe('assigned')
  })

  it('hides another district’s problem and asks for a token', async () => {
    expect(
      codes(await gql(TRANSITION, { id: globalId('Problem', problemId), to: 'in_progress' }, pudong)),
    ).toEqual(['NOT_FOUND'])
    expect(codes(await gql(TRANSITION, { id: globalId('Problem', problemId), to: 'in_progress' }))).toEqual([
      'UNAUTHENTICATED',
    ])
  })

  it('announces the change to subscribers in scope', async () => {
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${huangpu}` },
      lazy: false,
    })
    const received = new Promise<{ databaseId: number; state: string; buildingId: number }>(
      (resolve, reject) => {
        client.subscribe(
          { query: 'subscription { problemChanged(regionCode: "310101") { databaseId state buildingId } }' },
          {
            next: (msg) => resolve((msg.data as { problemChanged: never }).problemChanged),
            error: reject,
            complete: () => {},
          },
        )
      },
    )
    await new Promise((r) => setTimeout(r, 500))
    const r = await gql(TRANSITION, { id: globalId('Problem', problemId), to: 'in_progress' }, huangpu)
    expect(r.body.errors).toBeUndefined()
    const event = await received
    await client.dispose()
    expect(event).toMatchObject({ databaseId: problemId, state: 'in_progress' })
    const r2 = await gql(
      TRANSITION,
      { id: globalId('Problem', problemId), to: 'assigned', reason: '退回重办' },
      huangpu,
    )
    expect(r2.body.data.transitionProblem.state).toBe('assigned')
  })

  it('lists the ledger by state within scope', async () => {
    const q = `{ problems(openOnly: true, first: 10) { totalCount nodes { databaseId state } } }`
    const mine = await gql(q, {}, huangpu)
    expect(mine.body.data.problems.nodes).toContainEqual({ databaseId: problemId, state: 'assigned' })
    const theirs = await gql(q, {}, pudong)
    expect(theirs.body.data.problems.nodes.map((n: { databaseId: number }) => n.databaseId)).not.toContain(
      problemId,
    )
  })
})

describe('coverage diagnosis through GraphQL', () => {
  const START = `mutation ($input: StartCoverageDiagnosisInput!) {
    startCoverageDiagnosis(input: $input) { created run { id databaseId state regionCode } } }`

  it('starts a run, streams its progress over graphql-ws and writes problems', async () => {
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${huangpu}` },
      lazy: false,
    })
    const states: string[] = []
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription { diagnosticRunUpdated(regionCode: "310101") { state progress } }' },
        {
          next: (msg) => {
            const update = (msg.data as { diagnosticRunUpdated: { state: string } }).diagnosticRunUpdated
            states.push(update.state)
            if (update.state === 'succeeded' || update.state === 'failed') resolve()
          },
          error: reject,
          complete: () => resolve(),
        },
      )
    })
    // Give the subscription time to LISTEN before the run starts.
    await new Promise((r) => setTimeout(r, 500))
    const r = await gql(
      START,
      {
        input: {
          regionCode: '310101',
          facilityTypes: ['kindergarten', 'primary_school'],
          distanceModels: ['euclidean'],
        },
      },
      huangpu,
    )
    expect(r.body.errors).toBeUndefined()
    expect(r.body.data.startCoverageDiagnosis.created).toBe(true)
    await done
    await client.dispose()
    expect(states).toContain('running')
    expect(states.at(-1)).toBe('succeeded')
    const runId = r.body.data.startCoverageDiagnosis.run.databaseId
    const runs = await gql(
      `{ diagnosticRuns(regionCode: "310101") { databaseId state outputs } }`,
      {},
      huangpu,
    )
    const run = runs.body.data.diagnosticRuns.find((x: { databaseId: number }) => x.databaseId === runId)
    expect(run.state).toBe('succeeded')
    const [problems] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from problems where run_id = ${runId} and source = 'diagnosis'`,
    )
    expect(problems?.n).toBeGreaterThan(0)
    // The same request again returns the same run instead of computing twice.
    const again = await gql(
      START,
      {
        input: {
          regionCode: '310101',
          facilityTypes: ['kindergarten', 'primary_school'],
          distanceModels: ['euclidean'],
        },
      },
      huangpu,
    )
    expect(again.body.data.startCoverageDiagnosis).toMatchObject({
      created: false,
      run: { databaseId: runId },
    })
  })

  it('rejects bad parameters with BAD_USER_INPUT and other regions with NOT_FOUND', async () => {
    const unknownType = await gql(
      START,
      { input: { regionCode: '310101', facilityTypes: ['casino'] } },
      huangpu,
    )
    expect(codes(unknownType)).toEqual(['BAD_USER_INPUT'])
    const negative = await gql(
      START,
      {
        input: {
          regionCode: '310101',
          facilityTypes: ['kindergarten'],
          radiusOverrides: { kindergarten: -5 },
        },
      },
      huangpu,
    )
    expect(codes(negative)).toEqual(['BAD_USER_INPUT'])
    const empty = await gql(
      START,
      { input: { regionCode: '310101001', facilityTypes: ['kindergarten'] } },
      huangpu,
    )
    expect(codes(empty)).toEqual(['BAD_USER_INPUT'])
    const other = await gql(
      START,
      { input: { regionCode: '310115', facilityTypes: ['kindergarten'] } },
      huangpu,
    )
    expect(codes(other)).toEqual(['NOT_FOUND'])
  })
})
