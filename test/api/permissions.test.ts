import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPERATIONS, PERMISSIONS } from '../../server/auth/permissions.ts'
import type { ProblemState } from '../../server/db/problems.ts'
import { seedPhotos } from './helpers/problem-loop.ts'
import {
  auditOf,
  CALLERS,
  type Caller,
  codesOf,
  globalId,
  INSIDE,
  insertProblem,
  insertRun,
  OUTSIDE,
  startWriteApi,
  tokenOf,
  type WriteApi,
} from './helpers/writes.ts'

// The permission matrix of ADR 0012, written out again here so that a change to the code's matrix must be
// made twice to pass: which callers (by name) may do what, inside their region.
const MOVERS = ['province', 'city', 'district', 'street', 'department 住建委', 'department without one']
const ALLOWED: Record<string, readonly string[]> = {
  transition: ['province', 'city', 'district', 'street', 'department 住建委 on its own'],
  signOff: ['province', 'city'],
  reopen: ['province', 'city'],
  start: ['province', 'city', 'district'],
  cancel: ['province', 'city', 'district'],
}

type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNAUTHENTICATED'

/** What a caller gets: sign in first; a role that may never do it is told so; outside its scope nothing exists. */
function expected(op: string, caller: Caller, where: 'inside' | 'outside', routedToOwn = false): Outcome {
  if (!caller.role) return 'UNAUTHENTICATED'
  const problemOp = op === 'transition' || op === 'signOff' || op === 'reopen'
  // A problem is read in scope before the step is checked, by every role that may move some problem.
  const mayTry = problemOp ? MOVERS.includes(caller.name) : ALLOWED[op]?.includes(caller.name)
  if (!mayTry) return 'FORBIDDEN'
  if (where === 'outside') return 'NOT_FOUND'
  const allowed = ALLOWED[op] ?? []
  if (allowed.includes(caller.name)) return 'ok'
  return routedToOwn && allowed.includes(`${caller.name} on its own`) ? 'ok' : 'FORBIDDEN'
}

let api: WriteApi
const tokens = new Map<string, string | null>()

beforeAll(async () => {
  api = await startWriteApi()
  for (const caller of CALLERS) tokens.set(caller.name, await tokenOf(caller))
})
afterAll(async () => {
  await api?.close()
})

const TRANSITION = `mutation ($id: ID!, $to: ProblemState!, $reason: String) {
  transitionProblem(input: { id: $id, to: $to, reason: $reason }) { state } }`

const STEPS: { op: string; from: ProblemState; to: ProblemState; reason?: string }[] = [
  { op: 'transition', from: 'identified', to: 'assigned' },
  { op: 'transition', from: 'in_progress', to: 'rectified' },
  { op: 'signOff', from: 'rectified', to: 're_inspected' },
  { op: 'signOff', from: 're_inspected', to: 'closed' },
  { op: 'reopen', from: 'closed', to: 'identified', reason: '群众再次反映' },
]
const ROUTINGS: { name: string; department: string | null; own: boolean }[] = [
  { name: 'routed to 住建委', department: '住建委', own: true },
  { name: 'routed to 城管局', department: '城管局', own: false },
  { name: 'routed to no department', department: null, own: false },
]

async function seedPassedReInspection(database: WriteApi['database'], id: number): Promise<void> {
  await database.rows(
    sql`insert into re_inspections (problem_id, inspector, passed) values (${id}, 'seed', true)`,
  )
}

const problemCases = STEPS.flatMap((step) =>
  CALLERS.flatMap((caller) => [
    ...ROUTINGS.map((routing) => ({ step, caller, where: 'inside' as const, routing })),
    { step, caller, where: 'outside' as const, routing: ROUTINGS[0]! },
  ]),
)

describe('problem transitions by role, region and department', () => {
  it.each(problemCases)(
    '$step.op $step.from → $step.to by $caller.name, $where, $routing.name',
    async ({ step, caller, where, routing }) => {
      const outcome = expected(step.op, caller, where, routing.own && caller.department === '住建委')
      const id = await insertProblem(api.database, {
        regionCode: where === 'inside' ? INSIDE : OUTSIDE,
        state: step.from,
        department: routing.department,
      })
      // The evidence each step asks for (issue 13): photos to rectify, a passed re-inspection to sign off.
      if (step.to === 'rectified') await seedPhotos(api.database, id)
      if (step.from === 're_inspected') await seedPassedReInspection(api.database, id)
      const requestId = `perm-${randomUUID()}`
      const r = await api.gql(
        TRANSITION,
        { id: globalId('Problem', id), to: step.to, reason: step.reason ?? null },
        { token: tokens.get(caller.name) ?? null, requestId },
      )
      const [after] = await api.database.rows<{ state: string; moves: number }>(sql`
        select state, (select count(*)::int from problem_transitions where problem_id = ${id}) as moves
        from problems where id = ${id}`)
      const audit = await auditOf(api.database, 'problem', id)
      if (outcome !== 'ok') {
        expect(codesOf(r)).toEqual([outcome])
        expect(after).toEqual({ state: step.from, moves: 0 })
        expect(audit).toEqual([])
        return
      }
      expect(r.errors).toBeUndefined()
      expect(r.data.transitionProblem.state).toBe(step.to)
      expect(after).toEqual({ state: step.to, moves: 1 })
      expect(audit).toEqual([
        {
          actor: `perm-${caller.name}`,
          role: caller.role,
          department: caller.department ?? null,
          regionCode: INSIDE,
          action: 'transition',
          before: { state: step.from },
          after: { state: step.to, reason: step.reason ?? null },
          requestId,
        },
      ])
    },
  )

  it('names the roles that may sign off in the refusal', async () => {
    const id = await insertProblem(api.database, { regionCode: INSIDE, state: 're_inspected' })
    const r = await api.gql(
      TRANSITION,
      { id: globalId('Problem', id), to: 'closed' },
      { token: tokens.get('district') ?? null },
    )
    expect(codesOf(r)).toEqual(['FORBIDDEN'])
    expect(r.errors?.[0].message).toContain('only province, city may')
    expect(r.errors?.[0].extensions.localized['zh-CN']).toContain('仅省级、市级可以')
  })
})

const START = `mutation ($input: StartCoverageDiagnosisInput!) {
  startCoverageDiagnosis(input: $input) { created run { databaseId state } } }`
const CANCEL = `mutation ($id: ID!) { cancelDiagnosticRun(id: $id) { databaseId state } }`

async function runsOf(requestedBy: string, regionCode: string): Promise<number> {
  const [row] = await api.database.rows<{ n: number }>(
    sql`select count(*)::int as n from diagnostic_runs
      where requested_by = ${requestedBy} and region_code = ${regionCode}`,
  )
  return row?.n ?? 0
}

describe('diagnostic runs by role and region', () => {
  const cases = CALLERS.flatMap((caller) => [
    { caller, where: 'inside' as const },
    { caller, where: 'outside' as const },
  ])

  it.each(cases)('start by $caller.name, $where', async ({ caller, where }) => {
    const outcome = expected('start', caller, where)
    const requestId = `perm-${randomUUID()}`
    // A radius of its own per case: an identical earlier request would be answered with the existing run.
    const radiusM = 200 + cases.findIndex((c) => c.caller === caller && c.where === where)
    const input = {
      regionCode: where === 'inside' ? '310101' : OUTSIDE,
      facilityTypes: ['kindergarten'],
      distanceModels: ['euclidean'],
      radiusOverrides: { kindergarten: radiusM },
    }
    const r = await api.gql(START, { input }, { token: tokens.get(caller.name) ?? null, requestId })
    if (outcome !== 'ok') {
      expect(codesOf(r)).toEqual([outcome])
      expect(await runsOf(`perm-${caller.name}`, input.regionCode)).toBe(0)
      return
    }
    expect(r.errors).toBeUndefined()
    expect(r.data.startCoverageDiagnosis).toMatchObject({ created: true, run: { state: 'queued' } })
    const runId = r.data.startCoverageDiagnosis.run.databaseId as number
    const audit = await auditOf(api.database, 'diagnostic_run', runId)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      actor: `perm-${caller.name}`,
      role: caller.role,
      regionCode: '310101',
      action: 'start',
      before: null,
      after: { kind: 'coverage', state: 'queued', regionCode: '310101' },
      requestId,
    })
    expect(audit[0]?.after.parameters.radiusOverrides).toEqual({ kindergarten: radiusM })
  })

  it.each(cases)('cancel by $caller.name, $where', async ({ caller, where }) => {
    const outcome = expected('cancel', caller, where)
    const runId = await insertRun(api.database, where === 'inside' ? '310101' : OUTSIDE)
    const requestId = `perm-${randomUUID()}`
    const r = await api.gql(
      CANCEL,
      { id: globalId('DiagnosticRun', runId) },
      { token: tokens.get(caller.name) ?? null, requestId },
    )
    const [run] = await api.database.rows<{ state: string }>(
      sql`select state from diagnostic_runs where id = ${runId}`,
    )
    const audit = await auditOf(api.database, 'diagnostic_run', runId)
    if (outcome !== 'ok') {
      expect(codesOf(r)).toEqual([outcome])
      expect(run?.state).toBe('queued')
      expect(audit).toEqual([])
      return
    }
    expect(r.errors).toBeUndefined()
    expect(r.data.cancelDiagnosticRun.state).toBe('cancelled')
    expect(audit).toEqual([
      {
        actor: `perm-${caller.name}`,
        role: caller.role,
        department: null,
        regionCode: '310101',
        action: 'cancel',
        before: { state: 'queued', message: null },
        after: { state: 'cancelled', message: '已取消 / cancelled' },
        requestId,
      },
    ])
  })

  it('records nothing for a cancel that changes nothing', async () => {
    const runId = await insertRun(api.database, '310101')
    await api.database.rows(sql`update diagnostic_runs set state = 'succeeded' where id = ${runId}`)
    const r = await api.gql(
      CANCEL,
      { id: globalId('DiagnosticRun', runId) },
      { token: tokens.get('city') ?? null },
    )
    expect(r.data.cancelDiagnosticRun.state).toBe('succeeded')
    expect(await auditOf(api.database, 'diagnostic_run', runId)).toEqual([])
  })
})

describe('the matrix as documented', () => {
  it('is the table of ADR 0012, row for row', () => {
    const adr = fs.readFileSync(new URL('../../docs/adr/0012-permission-matrix.md', import.meta.url), 'utf8')
    const lines = adr.split('\n').map((l) => l.trim())
    const header = lines.find((l) => l.startsWith('| operation |')) ?? ''
    const roles = header
      .split('|')
      .slice(2, -1)
      .map((c) => c.trim())
    const documented = Object.fromEntries(
      lines
        .filter((l) => /^\| `[a-z][a-zA-Z]*\.[a-zA-Z]+`/.test(l))
        .map((l) => {
          const cells = l
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim())
          const operation = /`([^`]+)`/.exec(cells[0] ?? '')?.[1] ?? ''
          const grants = roles.flatMap((role, i) => (cells[i + 1] ? [[role, cells[i + 1]]] : []))
          return [operation, Object.fromEntries(grants)]
        }),
    )
    expect(roles).toHaveLength(8)
    expect(Object.keys(documented).sort()).toEqual([...OPERATIONS].sort())
    expect(documented).toEqual(PERMISSIONS)
  })
})
