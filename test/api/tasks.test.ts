import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'
import { globalId } from './helpers/writes.ts'

let api: Api
let huangpu: string
let pudong: string
let transport: string
let greening: string
let problemId: number

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

const SPLIT = `mutation ($input: SplitProblemInput!) { splitProblem(input: $input) {
  databaseId tasks { id title responsibleUnit regionCode department owner deadline state } } }`
const UPDATE = `mutation ($input: UpdateTaskInput!) { updateTask(input: $input) {
  state feedback rectifiedBy completedAt problem { databaseId } } }`
const TASKS = `query ($states: [TaskState!], $overdue: Boolean) { tasks(states: $states, overdue: $overdue, first: 50) {
  totalCount nodes { title department state overdue } } }`

async function gql(query: string, variables: Record<string, unknown>, token?: string): Promise<Json> {
  return api.request<Json>(query, variables, { token: token ?? null })
}

const titlesOf = (r: Json) => (r.body.data.tasks.nodes as { title: string }[]).map((n) => n.title).sort()

async function auditCount(entity: string, id: number | string, action: string): Promise<number> {
  const [row] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from audit_events
    where entity = ${entity} and entity_id = ${String(id)} and action = ${action}`)
  return row?.n ?? 0
}

beforeAll(async () => {
  api = await startApi()
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')
  transport = await tokenFor('department', '310101', { department: '交通委' })
  greening = await tokenFor('department', '310101', { department: '绿化市容局' })
  const [row] = await api.database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found, state, responsible_unit,
      responsible_department, deadline)
    values ('310101013', 'road_damage', '中山东一路路面塌陷', 3, 'inspection', 2026, 'assigned', '310101',
      '交通委', '2099-01-31T23:59:59+08:00') returning id`)
  problemId = row?.id ?? 0
})
afterAll(() => api?.close())

const taskId = (r: Json, title: string) =>
  r.body.data.splitProblem.tasks.find((t: Json) => t.title === title).id

describe('splitting a problem into tasks', () => {
  let split: Json

  it('creates the tasks, filling what is left out from the problem’s routing, with one audit event', async () => {
    split = await gql(
      SPLIT,
      {
        input: {
          problemId: globalId('Problem', problemId),
          tasks: [
            { title: '封闭塌陷路段', owner: '王工' },
            {
              title: '清运渣土',
              responsibleUnit: '310101013',
              department: '绿化市容局',
              owner: '李科长',
              deadline: '2099-01-10T18:00:00+08:00',
            },
          ],
        },
      },
      huangpu,
    )
    expect(split.body.errors).toBeUndefined()
    expect(split.body.data.splitProblem.tasks).toEqual([
      {
        id: expect.any(String),
        title: '封闭塌陷路段',
        responsibleUnit: '310101',
        regionCode: '310101',
        department: '交通委',
        owner: '王工',
        deadline: '2099-01-31T15:59:59.000Z',
        state: 'open',
      },
      {
        id: expect.any(String),
        title: '清运渣土',
        responsibleUnit: '310101013',
        regionCode: '310101013',
        department: '绿化市容局',
        owner: '李科长',
        deadline: '2099-01-10T10:00:00.000Z',
        state: 'open',
      },
    ])
    expect(await auditCount('problem', problemId, 'split')).toBe(1)
  })

  it('refuses roles that may not split, problems out of reach and unusable tasks, writing nothing', async () => {
    const input = (tasks: Json[]) => ({ input: { problemId: globalId('Problem', problemId), tasks } })
    const one = [{ title: '另一项' }]
    expect(errorCodes(await gql(SPLIT, input(one), transport))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await gql(SPLIT, input(one), await tokenFor('street', '310101013')))).toEqual([
      'FORBIDDEN',
    ])
    expect(errorCodes(await gql(SPLIT, input(one), pudong))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await gql(SPLIT, input([]), huangpu))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gql(SPLIT, input([{ title: '  ' }]), huangpu))).toEqual(['BAD_USER_INPUT'])
    const outside = [{ title: '好的一项' }, { title: '浦东的一项', responsibleUnit: '310115' }]
    expect(errorCodes(await gql(SPLIT, input(outside), huangpu))).toEqual(['BAD_USER_INPUT'])
    const late = [{ title: '过期', deadline: '2020-01-01T00:00:00+08:00' }]
    expect(errorCodes(await gql(SPLIT, input(late), huangpu))).toEqual(['BAD_USER_INPUT'])
    const [n] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from tasks where problem_id = ${problemId}`,
    )
    expect(n?.n).toBe(2)
  })

  it('shows a department its own tasks only, on the problem and in the task list', async () => {
    const read = `query ($id: ID!) { node(id: $id) { ... on Problem { tasks { title } } } }`
    const id = globalId('Problem', problemId)
    const mine = await gql(read, { id }, transport)
    expect(mine.body.data.node.tasks).toEqual([{ title: '封闭塌陷路段' }])
    const all = await gql(read, { id }, huangpu)
    expect(all.body.data.node.tasks.map((t: Json) => t.title)).toEqual(['封闭塌陷路段', '清运渣土'])
    expect(titlesOf(await gql(TASKS, {}, transport))).toEqual(['封闭塌陷路段'])
    expect(titlesOf(await gql(TASKS, {}, greening))).toEqual(['清运渣土'])
    expect(titlesOf(await gql(TASKS, {}, huangpu))).toEqual(['封闭塌陷路段', '清运渣土'])
    // The street sees the task given to it, not the district's.
    expect(titlesOf(await gql(TASKS, {}, await tokenFor('street', '310101013')))).toEqual(['清运渣土'])
    expect(titlesOf(await gql(TASKS, {}, pudong))).toEqual([])
    const noDepartment = await tokenFor('department', '310101')
    expect(titlesOf(await gql(TASKS, {}, noDepartment))).toEqual([])
    expect(errorCodes(await gql(TASKS, {}))).toEqual(['UNAUTHENTICATED'])
  })

  it('lets a department finish its own task and no other, audited', async () => {
    const own = taskId(split, '封闭塌陷路段')
    const other = taskId(split, '清运渣土')
    const refused = await gql(
      UPDATE,
      { input: { taskId: other, state: 'done', feedback: '已清运' } },
      transport,
    )
    expect(errorCodes(refused)).toEqual(['NOT_FOUND'])
    const r = await gql(
      UPDATE,
      { input: { taskId: own, state: 'done', feedback: '已封闭并设置警示' } },
      transport,
    )
    expect(r.body.errors).toBeUndefined()
    expect(r.body.data.updateTask).toMatchObject({
      state: 'done',
      feedback: '已封闭并设置警示',
      rectifiedBy: 'test-department-310101',
      completedAt: expect.any(String),
      problem: { databaseId: problemId },
    })
    const again = await gql(UPDATE, { input: { taskId: own, state: 'cancelled', feedback: '重复' } }, huangpu)
    expect(errorCodes(again)).toEqual(['CONFLICT'])
    expect(titlesOf(await gql(TASKS, { states: ['open'] }, huangpu))).toEqual(['清运渣土'])
  })

  it('cancels a task only with a reason, and refuses roles that work no tasks', async () => {
    const other = taskId(split, '清运渣土')
    const noReason = await gql(UPDATE, { input: { taskId: other, state: 'cancelled' } }, huangpu)
    expect(errorCodes(noReason)).toEqual(['BAD_USER_INPUT'])
    const expert = await gql(
      UPDATE,
      { input: { taskId: other, state: 'done' } },
      await tokenFor('expert', '310101'),
    )
    expect(errorCodes(expert)).toEqual(['FORBIDDEN'])
    const r = await gql(
      UPDATE,
      { input: { taskId: other, state: 'cancelled', feedback: '并入道路大修' } },
      huangpu,
    )
    expect(r.body.data.updateTask).toMatchObject({ state: 'cancelled', rectifiedBy: null, completedAt: null })
    const [row] = await api.database.rows<{ id: number }>(
      sql`select id from tasks where problem_id = ${problemId} and title = '清运渣土'`,
    )
    expect(await auditCount('task', row?.id ?? 0, 'cancel')).toBe(1)
  })

  it('says which tasks are overdue', async () => {
    await api.database.rows(sql`insert into tasks (problem_id, title, region_code, responsible_unit, department,
      deadline) values (${problemId}, '逾期的任务', '310101', '310101', '交通委', '2020-01-01T00:00:00+08:00')`)
    const overdue = await gql(TASKS, { overdue: true }, huangpu)
    expect(overdue.body.data.tasks.nodes).toEqual([
      { title: '逾期的任务', department: '交通委', state: 'open', overdue: true },
    ])
    expect(titlesOf(await gql(TASKS, { overdue: false }, huangpu))).toEqual(['封闭塌陷路段', '清运渣土'])
  })
})
