/**
 * 整改—复查—销号 (issue 13, item 4) through the API: rectification needs before and after photos, the
 * re-inspection is someone else's, sign-off needs a passed one, "closed, not fixed" takes a reason, reopening
 * keeps the history. The first test walks one problem through the whole loop, the deadline sweep included.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepDeadlines } from '../../jobs/deadlines/sweep.ts'
import {
  globalId,
  insertLoopProblem,
  type LoopFixture,
  personToken,
  seedPhotos,
  startLoopFixture,
} from './helpers/problem-loop.ts'

let fixture: LoopFixture
const t: Record<string, string> = {}

beforeAll(async () => {
  fixture = await startLoopFixture()
  t.dispatcher = await personToken('huangpu-dispatcher', 'district', '310101')
  t.worker = await personToken('waitan-worker', 'street', '310101002')
  t.inspector = await personToken('city-inspector', 'city', '310100')
  t.cityWorker = await personToken('city-worker', 'city', '310100')
  t.nanjing = await personToken('nanjing-inspector', 'city', '320100')
})
afterAll(async () => {
  await fixture?.close()
})

const TRANSITION = `mutation ($id: ID!, $to: ProblemState!, $reason: String) {
  transitionProblem(input: { id: $id, to: $to, reason: $reason }) { state } }`
const RE_INSPECT = `mutation ($input: ReInspectProblemInput!) { reInspectProblem(input: $input) { state } }`
const NOT_FIXED = `mutation ($input: CloseProblemNotFixedInput!) {
  closeProblemNotFixed(input: $input) { state outcome } }`

const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code)

async function move(id: number, to: string, token: string, reason?: string) {
  return fixture.gql(TRANSITION, { id: globalId('Problem', id), to, reason: reason ?? null }, token)
}
async function moveOk(id: number, to: string, token: string, reason?: string) {
  const r = await move(id, to, token, reason)
  expect(r.errors, `→ ${to}`).toBeUndefined()
  expect(r.data.transitionProblem.state).toBe(to)
}
const reInspect = (id: number, passed: boolean, token: string, note?: string) =>
  fixture.gql(
    RE_INSPECT,
    { input: { problemId: globalId('Problem', id), passed, note: note ?? null } },
    token,
  )

describe('the problem loop', () => {
  it('routes, splits into two tasks, goes overdue, is rectified with photos, re-inspected by another, signed off and reopened', async () => {
    const id = await insertLoopProblem(fixture.database)
    // Routed (责任单位 外滩街道, 住建委) and split into two tasks: one due in 5 days, one in 60.
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
    const routed = await fixture.gql(
      `mutation ($input: RouteProblemInput!) { routeProblem(input: $input) { state responsibleUnit } }`,
      {
        input: {
          problemId: globalId('Problem', id),
          responsibleUnit: '310101002',
          department: '住建委',
          deadline: inDays(30),
        },
      },
      t.dispatcher,
    )
    expect(routed.errors).toBeUndefined()
    expect(routed.data.routeProblem).toEqual({ state: 'assigned', responsibleUnit: '310101002' })
    const split = await fixture.gql(
      `mutation ($input: SplitProblemInput!) { splitProblem(input: $input) { databaseId } }`,
      {
        input: {
          problemId: globalId('Problem', id),
          tasks: [
            { title: '外立面加固', deadline: inDays(5) },
            { title: '清理外挂空调支架', department: '城管局', deadline: inDays(60) },
          ],
        },
      },
      t.dispatcher,
    )
    expect(split.errors).toBeUndefined()
    const [late, onTime] = await fixture.database.rows<{ id: number }>(
      sql`select id from tasks where problem_id = ${id} order by id`,
    )
    await moveOk(id, 'in_progress', t.worker!)

    // The scheduled sweep, ten days on: the first task is overdue, the second and the problem are not yet.
    const swept = await sweepDeadlines(fixture.database, {
      now: new Date(Date.now() + 10 * 86_400_000),
      graceWorkingDays: 3,
    })
    expect(swept.overdueTasks).toEqual([late!.id])
    expect(swept.overdueTasks).not.toContain(onTime!.id)
    expect(swept.overdueProblems).toEqual([])
    const tasks = () =>
      fixture.database.rows<{ state: string; rectifiedBy: string | null }>(
        sql`select state, rectified_by as "rectifiedBy" from tasks where problem_id = ${id} order by id`,
      )
    expect((await tasks()).map((x) => x.state)).toEqual(['overdue', 'open'])

    const bare = await move(id, 'rectified', t.worker!)
    expect(codes(bare)).toEqual(['BAD_USER_INPUT'])
    expect(bare.errors?.[0].message).toContain("missing a 'before' photo and an 'after' photo")
    expect((await fixture.upload(id, 'before', t.worker!, { taskId: late!.id })).status).toBe(201)
    const half = await move(id, 'rectified', t.worker!)
    expect(half.errors?.[0].message).toMatch(/missing an 'after' photo$/)
    expect((await fixture.upload(id, 'after', t.worker!, { taskId: late!.id })).status).toBe(201)
    await moveOk(id, 'rectified', t.worker!)
    expect(await tasks()).toEqual([
      { state: 'done', rectifiedBy: 'waitan-worker' },
      { state: 'done', rectifiedBy: 'waitan-worker' },
    ])

    // 复查 by the city: the first finds the work unfinished and sends it back, the second passes it.
    expect((await fixture.upload(id, 'inspection', t.inspector!)).status).toBe(201)
    const failed = await reInspect(id, false, t.inspector!, '支架未拆除')
    expect(failed.data.reInspectProblem.state).toBe('in_progress')
    // The redo is reported with a new 'after' photo: the one that did not convince the inspector does not count.
    expect((await move(id, 'rectified', t.worker!)).errors?.[0].message).toMatch(/missing an 'after' photo$/)
    expect((await fixture.upload(id, 'after', t.worker!, { name: '返工后.png' })).status).toBe(201)
    await moveOk(id, 'rectified', t.worker!)
    const passed = await reInspect(id, true, t.inspector!, '已整改到位')
    expect(passed.errors).toBeUndefined()
    expect(passed.data.reInspectProblem.state).toBe('re_inspected')
    await moveOk(id, 'closed', t.inspector!)

    const reopenBare = await move(id, 'identified', t.inspector!)
    expect(codes(reopenBare)).toEqual(['BAD_USER_INPUT'])
    await moveOk(id, 'identified', t.inspector!, '群众再次反映外立面松动')

    const read = await fixture.gql(
      `query ($id: ID!) { node(id: $id) { ... on Problem { state outcome rectifiedBy
        reInspections { inspector passed note } photos { kind }
        transitions { fromState toState actor reason } } } }`,
      { id: globalId('Problem', id) },
      t.inspector,
    )
    expect(read.errors).toBeUndefined()
    const problem = read.data.node
    expect(problem).toMatchObject({ state: 'identified', outcome: null, rectifiedBy: 'waitan-worker' })
    expect(problem.reInspections).toEqual([
      { inspector: 'city-inspector', passed: false, note: '支架未拆除' },
      { inspector: 'city-inspector', passed: true, note: '已整改到位' },
    ])
    expect(problem.photos.map((p: { kind: string }) => p.kind)).toEqual([
      'before',
      'after',
      'inspection',
      'after',
    ])
    expect(
      problem.transitions.map((s: { toState: string; actor: string }) => `${s.toState} ${s.actor}`),
    ).toEqual([
      'assigned huangpu-dispatcher',
      'in_progress waitan-worker',
      'rectified waitan-worker',
      'in_progress city-inspector',
      'rectified waitan-worker',
      're_inspected city-inspector',
      'closed city-inspector',
      'identified city-inspector',
    ])
    expect(problem.transitions.at(-1).reason).toBe('群众再次反映外立面松动')
    const outcomes = await fixture.database.rows<{ after: { state: string } }>(
      sql`select after from audit_events where entity = 'problem' and entity_id = ${String(id)}
        and action in ('transition', 're_inspect') order by id`,
    )
    expect(outcomes.map((o) => o.after.state)).toContain('closed')
  })

  it('records outcome fixed when signed off', async () => {
    const id = await insertLoopProblem(fixture.database, { state: 'rectified' })
    expect((await reInspect(id, true, t.inspector!)).errors).toBeUndefined()
    const closed = await fixture.gql(
      `mutation ($id: ID!) { transitionProblem(input: { id: $id, to: closed }) { state outcome } }`,
      { id: globalId('Problem', id) },
      t.inspector,
    )
    expect(closed.data.transitionProblem).toEqual({ state: 'closed', outcome: 'fixed' })
  })
})

describe('re-inspection', () => {
  it('is refused to the rectifier, by reInspectProblem and by a transition alike', async () => {
    const id = await insertLoopProblem(fixture.database, { state: 'in_progress' })
    await seedPhotos(fixture.database, id)
    await moveOk(id, 'rectified', t.cityWorker!)
    const own = await reInspect(id, true, t.cityWorker!)
    expect(codes(own)).toEqual(['FORBIDDEN'])
    expect(own.errors?.[0].message).toContain('someone other than the rectifier: city-worker rectified')
    expect(codes(await move(id, 're_inspected', t.cityWorker!))).toEqual(['FORBIDDEN'])
    const [row] = await fixture.database.rows<{ state: string; n: number }>(sql`select state,
        (select count(*)::int from re_inspections where problem_id = ${id}) as n from problems where id = ${id}`)
    expect(row).toEqual({ state: 'rectified', n: 0 })
    expect((await reInspect(id, true, t.inspector!)).data.reInspectProblem.state).toBe('re_inspected')
  })

  it('needs a rectified problem, a note when it fails, a verifier, and the problem in scope', async () => {
    const id = await insertLoopProblem(fixture.database, { state: 'in_progress' })
    const early = await reInspect(id, true, t.inspector!)
    expect(codes(early)).toEqual(['BAD_USER_INPUT'])
    expect(early.errors?.[0].message).toContain('Only a rectified problem can be re-inspected')
    const rectified = await insertLoopProblem(fixture.database, { state: 'rectified' })
    expect(codes(await reInspect(rectified, false, t.inspector!))).toEqual(['BAD_USER_INPUT'])
    expect(codes(await reInspect(rectified, true, t.dispatcher!))).toEqual(['FORBIDDEN'])
    expect(codes(await reInspect(rectified, true, t.nanjing!))).toEqual(['NOT_FOUND'])
    expect(codes(await reInspect(rectified, true, ''))).toEqual(['UNAUTHENTICATED'])
  })

  it('signs off only after a passed re-inspection of the latest rectification', async () => {
    const id = await insertLoopProblem(fixture.database, { state: 're_inspected' })
    const refused = await move(id, 'closed', t.inspector!)
    expect(codes(refused)).toEqual(['BAD_USER_INPUT'])
    expect(refused.errors?.[0].message).toContain('signing off needs a passed re-inspection')
  })
})

describe('closed, not fixed', () => {
  it('closes an open problem with its reason, cancels its open tasks and audits it', async () => {
    const id = await insertLoopProblem(fixture.database, { state: 'assigned' })
    await fixture.database.rows(sql`insert into tasks (problem_id, responsible_unit, state)
      values (${id}, '310101002', 'open'), (${id}, '310101002', 'done')`)
    const input = (reason: string) => ({ input: { problemId: globalId('Problem', id), reason } })
    expect(codes(await fixture.gql(NOT_FIXED, input('  '), t.inspector))).toEqual(['BAD_USER_INPUT'])
    expect(codes(await fixture.gql(NOT_FIXED, input('产权不清'), t.dispatcher))).toEqual(['FORBIDDEN'])
    const closed = await fixture.gql(NOT_FIXED, input('产权不清，不具备整改条件'), t.inspector)
    expect(closed.data.closeProblemNotFixed).toEqual({ state: 'closed', outcome: 'not_fixed' })
    const tasks = await fixture.database.rows<{ state: string }>(
      sql`select state from tasks where problem_id = ${id} order by id`,
    )
    expect(tasks.map((x) => x.state)).toEqual(['cancelled', 'done'])
    const [audit] = await fixture.database.rows<{ actor: string; after: unknown }>(sql`select actor, after
      from audit_events where entity = 'problem' and entity_id = ${String(id)} and action = 'close_not_fixed'`)
    expect(audit).toEqual({
      actor: 'city-inspector',
      after: { state: 'closed', outcome: 'not_fixed', reason: '产权不清，不具备整改条件' },
    })
    expect(codes(await fixture.gql(NOT_FIXED, input('再次关闭'), t.inspector))).toEqual(['BAD_USER_INPUT'])
  })
})
