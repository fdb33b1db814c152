import { sql } from 'drizzle-orm'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { signToken } from '../../server/auth/token.ts'
import { TEST_JWT_SECRET } from './helpers/api.ts'
import {
  auditOf,
  CALLERS,
  codesOf,
  globalId,
  INSIDE,
  insertProblem,
  insertRun,
  startWriteApi,
  tokenOf,
  type WriteApi,
} from './helpers/writes.ts'

let api: WriteApi
const tokens = new Map<string, string | null>()
const token = (name: string) => tokens.get(name) ?? null

const EVENTS = `query ($entity: String, $entityId: String, $actor: String, $since: DateTime, $first: Int, $after: String) {
  auditEvents(entity: $entity, entityId: $entityId, actor: $actor, since: $since, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { sequence actor role regionCode entity entityId action before after requestId } } }`

beforeAll(async () => {
  api = await startWriteApi()
  for (const caller of CALLERS) tokens.set(caller.name, await tokenOf(caller))
  tokens.set(
    'city 320100',
    await signToken({ sub: 'nanjing', role: 'city', region: '320100' }, TEST_JWT_SECRET),
  )
  // Events of three regions, as earlier writes left them; one of them an hour old.
  await api.database.rows(sql`
    insert into audit_events (at, actor, role, region_code, entity, entity_id, action, before, after, request_id)
    values (now() - interval '1 hour', 'old-hand', 'city', '310101', 'problem', '9001', 'transition',
        '{"state":"identified"}', '{"state":"assigned"}', 'r-1'),
      (now(), 'zhang', 'district', '310101', 'problem', '9001', 'transition',
        '{"state":"assigned"}', '{"state":"in_progress"}', 'r-2'),
      (now(), 'li', 'district', '310115', 'diagnostic_run', '9002', 'start', null, '{"state":"queued"}', 'r-3'),
      (now(), 'wang', 'city', '320102', 'problem', '9003', 'transition',
        '{"state":"identified"}', '{"state":"assigned"}', 'r-4')`)
})
afterAll(async () => {
  await api?.close()
})

type Node = { entityId: string; regionCode: string; actor: string }
const ids = (nodes: Node[]) => nodes.map((n) => n.entityId).sort()

describe('reading the audit log', () => {
  it.each(CALLERS)('by $name', async (caller) => {
    const r = await api.gql(EVENTS, {}, { token: token(caller.name) })
    if (caller.role === 'province' || caller.role === 'city') {
      expect(r.errors).toBeUndefined()
      const nodes = r.data.auditEvents.nodes as Node[]
      expect(ids(nodes)).toEqual(['9001', '9001', '9002'])
      expect(nodes.every((n) => n.regionCode.startsWith('31'))).toBe(true)
      return
    }
    expect(codesOf(r)).toEqual([caller.role ? 'FORBIDDEN' : 'UNAUTHENTICATED'])
    expect(r.data?.auditEvents ?? null).toBeNull()
  })

  it('a city reads only its own region’s events', async () => {
    const r = await api.gql(EVENTS, {}, { token: token('city 320100') })
    expect(r.errors).toBeUndefined()
    expect(ids(r.data.auditEvents.nodes)).toEqual(['9003'])
  })

  it('filters by entity, entity id, actor and time, newest first', async () => {
    const read = async (variables: Record<string, unknown>) =>
      ((await api.gql(EVENTS, variables, { token: token('city') })).data.auditEvents.nodes as Node[]).map(
        (n) => n.actor,
      )
    expect(await read({ entity: 'diagnostic_run' })).toEqual(['li'])
    expect(await read({ entity: 'problem', entityId: '9001' })).toEqual(['zhang', 'old-hand'])
    expect(await read({ actor: 'old-hand' })).toEqual(['old-hand'])
    const since = new Date(Date.now() - 30 * 60 * 1000).toISOString()
    expect(await read({ entityId: '9001', since })).toEqual(['zhang'])
  })

  it('pages by keyset without repeating or skipping an event', async () => {
    const seen: string[] = []
    let after: string | null = null
    for (let page = 0; page < 5; page += 1) {
      const r = await api.gql(EVENTS, { first: 1, after }, { token: token('province') })
      const connection = r.data.auditEvents
      seen.push(...connection.nodes.map((n: { sequence: string }) => n.sequence))
      if (!connection.pageInfo.hasNextPage) break
      after = connection.pageInfo.endCursor
    }
    expect(seen).toHaveLength(3)
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen)
  })
})

describe('the audit log cannot be edited', () => {
  it('has no mutation that writes it: the only mutations are the audited writes', async () => {
    const r = await api.gql(
      '{ __schema { mutationType { fields { name type { name ofType { name } } } } } }',
      {},
    )
    const fields = r.data.__schema.mutationType.fields as { name: string; type: { name: string | null } }[]
    expect(fields.map((f) => f.name).sort()).toEqual([
      'addFieldPhoto',
      'addIndicator',
      'cancelDiagnosticRun',
      'closeCampaign',
      'closeProblemNotFixed',
      'confirmAddressMatch',
      'copyIndicatorSystemToYear',
      'createCampaign',
      'createIndicatorSystem',
      'deleteHoliday',
      'deleteRoutingRule',
      'evaluateProjects',
      'fileAppeal',
      'fillIndicatorValues',
      'generateProjects',
      'generateReport',
      'lockIndicatorSystem',
      'mergeProblems',
      'planProject',
      'publishIndicatorSystem',
      'reInspectProblem',
      'rejectResource',
      'reportProblem',
      'reportResource',
      'reviewFilling',
      'routeProblem',
      'saveReportTemplate',
      'saveZoningRule',
      'sendExchangePackage',
      'setCityClass',
      'setHoliday',
      'splitAppeal',
      'splitProblem',
      'startCoverageDiagnosis',
      'startZoning',
      'submitFilling',
      'transitionProblem',
      'transitionProject',
      'unlockFilling',
      'updateIndicator',
      'updateTask',
      'upsertRoutingRule',
      'verifyResource',
    ])
    expect(JSON.stringify(fields)).not.toMatch(/audit/i)
  })

  it('is append-only in the database: updates, deletes and truncation are refused', async () => {
    for (const statement of [
      sql`update audit_events set actor = 'someone else'`,
      sql`delete from audit_events`,
      sql`truncate audit_events`,
    ]) {
      const refusal = await api.database.rows(statement).then(
        () => 'done',
        (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
      )
      expect(refusal).toMatch(/append-only/)
    }
    const [row] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_events where actor = 'old-hand'`,
    )
    expect(row?.n).toBe(1)
  })
})

describe('a write and its audit event commit together', () => {
  // A check at commit, after the audit event was written, that fails for marked rows: the whole write must go.
  beforeAll(async () => {
    await api.database.rows(sql`create function fail_at_commit() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$`)
    await api.database.rows(sql`create constraint trigger problems_fail_at_commit after update on problems
      deferrable initially deferred for each row when (new.title = 'rollback') execute function fail_at_commit()`)
    await api.database.rows(sql`create constraint trigger runs_fail_at_commit after insert on diagnostic_runs
      deferrable initially deferred for each row when (new.requested_by = 'perm-rollback')
      execute function fail_at_commit()`)
    await api.database.rows(sql`create constraint trigger cancels_fail_at_commit after update on diagnostic_runs
      deferrable initially deferred for each row when (new.requested_by = 'perm-rollback-cancel')
      execute function fail_at_commit()`)
    tokens.set(
      'rollback',
      await signToken({ sub: 'perm-rollback', role: 'city', region: '310100' }, TEST_JWT_SECRET),
    )
  })

  it('a transition rolled back leaves no event', async () => {
    const id = await insertProblem(api.database, {
      regionCode: INSIDE,
      state: 'identified',
      title: 'rollback',
    })
    const r = await api.gql(
      'mutation ($id: ID!) { transitionProblem(input: { id: $id, to: assigned }) { state } }',
      { id: globalId('Problem', id) },
      { token: token('city') },
    )
    expect(codesOf(r)).toEqual(['INTERNAL_SERVER_ERROR'])
    const [p] = await api.database.rows<{ state: string }>(sql`select state from problems where id = ${id}`)
    expect(p?.state).toBe('identified')
    expect(await auditOf(api.database, 'problem', id)).toEqual([])
  })

  it('a run start rolled back leaves neither run nor event', async () => {
    const [before] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from audit_events`)
    const r = await api.gql(
      `mutation ($input: StartCoverageDiagnosisInput!) { startCoverageDiagnosis(input: $input) { created } }`,
      { input: { regionCode: '310101', facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] } },
      { token: token('rollback') },
    )
    expect(codesOf(r)).toEqual(['INTERNAL_SERVER_ERROR'])
    const [after] = await api.database.rows<{ n: number; runs: number }>(sql`
      select count(*)::int as n,
        (select count(*)::int from diagnostic_runs where requested_by = 'perm-rollback') as runs
      from audit_events`)
    expect(after).toEqual({ n: before?.n, runs: 0 })
  })

  it('a cancel rolled back leaves the run queued and no event', async () => {
    const runId = await insertRun(api.database, '310101', 'perm-rollback-cancel')
    const r = await api.gql(
      'mutation ($id: ID!) { cancelDiagnosticRun(id: $id) { state } }',
      { id: globalId('DiagnosticRun', runId) },
      { token: token('city') },
    )
    expect(codesOf(r)).toEqual(['INTERNAL_SERVER_ERROR'])
    const [run] = await api.database.rows<{ state: string }>(
      sql`select state from diagnostic_runs where id = ${runId}`,
    )
    expect(run?.state).toBe('queued')
    expect(await auditOf(api.database, 'diagnostic_run', runId)).toEqual([])
  })

  it('a request without x-request-id gets one of its own', async () => {
    const id = await insertProblem(api.database, { regionCode: INSIDE, state: 'identified' })
    const r = await api.gql(
      'mutation ($id: ID!) { transitionProblem(input: { id: $id, to: assigned }) { state } }',
      { id: globalId('Problem', id) },
      { token: token('district') },
    )
    expect(r.errors).toBeUndefined()
    const [event] = await auditOf(api.database, 'problem', id)
    expect(event?.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })
})

/** The first message of a subscription: its data, or the codes of its errors. */
function firstOf(query: string, bearer: string | null, then?: () => Promise<unknown>): Promise<unknown> {
  const client = createClient({
    url: `${api.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: bearer ? { authorization: `Bearer ${bearer}` } : {},
    retryAttempts: 0,
  })
  const first = new Promise<unknown>((resolve) => {
    client.subscribe(
      { query },
      {
        next: (message) => resolve(message.errors ? codesOf({ errors: [...message.errors] }) : message.data),
        error: (error) => resolve(Array.isArray(error) ? codesOf({ errors: error }) : String(error)),
        complete: () => resolve('complete'),
      },
    )
  })
  void (async () => {
    // The subscription is registered once the server answers on the socket; a short wait lets the LISTEN start.
    await new Promise((r) => setTimeout(r, 500))
    await then?.()
  })()
  return first.finally(() => client.dispose())
}

describe('subscriptions by role', () => {
  const RUNS = 'subscription { diagnosticRunUpdated { databaseId state } }'

  it('refuses run updates to the public role and to a request without a token', async () => {
    expect(await firstOf(RUNS, token('public'))).toEqual(['FORBIDDEN'])
    expect(await firstOf(RUNS, null)).toEqual(['UNAUTHENTICATED'])
  })

  it('streams problems of its region to an expert, who may read but not move them', async () => {
    const id = await insertProblem(api.database, { regionCode: INSIDE, state: 'identified' })
    const event = await firstOf(
      'subscription { problemChanged { databaseId state } }',
      token('expert'),
      async () => {
        const move = (name: string) =>
          api.gql(
            'mutation ($id: ID!) { transitionProblem(input: { id: $id, to: assigned }) { state } }',
            { id: globalId('Problem', id) },
            { token: token(name) },
          )
        expect(codesOf(await move('expert'))).toEqual(['FORBIDDEN'])
        expect((await move('street')).errors).toBeUndefined()
      },
    )
    expect(event).toEqual({ problemChanged: { databaseId: id, state: 'assigned' } })
  })

  it('streams the runs of its region to a partner', async () => {
    const runId = await insertRun(api.database, '310101')
    const event = await firstOf(RUNS, token('partner'), async () => {
      const r = await api.gql(
        'mutation ($id: ID!) { cancelDiagnosticRun(id: $id) { state } }',
        { id: globalId('DiagnosticRun', runId) },
        { token: token('district') },
      )
      expect(r.errors).toBeUndefined()
    })
    expect(event).toEqual({ diagnosticRunUpdated: { databaseId: runId, state: 'cancelled' } })
  })
})
