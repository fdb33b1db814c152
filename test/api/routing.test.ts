import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadHolidays } from '../../server/db/problem-routing.ts'
import { addWorkingDays } from '../../server/domain/working-days.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'
import { globalId } from './helpers/writes.ts'

let api: Api
let city: string
let huangpu: string
let pudong: string

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

const ROUTE = `mutation ($input: RouteProblemInput!) { routeProblem(input: $input) {
  state responsibleUnit responsibleDepartment deadline transitions { fromState toState actor reason } } }`
const UPSERT = `mutation ($input: UpsertRoutingRuleInput!) { upsertRoutingRule(input: $input) {
  id problemType regionCode unitLevel department deadlineDays { severity1 severity2 severity3 } updatedBy } }`

async function gql(query: string, variables: Record<string, unknown>, token?: string): Promise<Json> {
  return api.request<Json>(query, variables, { token: token ?? null })
}

async function problem(type: string, region: string, severity = 3, state = 'identified'): Promise<number> {
  const [row] = await api.database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found, state)
    values (${region}, ${type}, '测试问题', ${severity}, 'inspection', 2026, ${state}) returning id`)
  return row?.id ?? 0
}

async function auditCount(entity: string, id: number | string, action: string): Promise<number> {
  const [row] = await api.database.rows<{ n: number }>(sql`select count(*)::int as n from audit_events
    where entity = ${entity} and entity_id = ${String(id)} and action = ${action}`)
  return row?.n ?? 0
}

/** The deadline `days` working days on, counted from a moment between `before` and now (the call's moment). */
async function expectDeadline(deadline: string, before: Date, days: number): Promise<void> {
  const holidays = await loadHolidays(api.database.db)
  const candidates = [before, new Date()].map((d) => addWorkingDays(d, days, holidays).toISOString())
  expect(candidates).toContain(new Date(deadline).toISOString())
}

beforeAll(async () => {
  api = await startApi()
  city = await tokenFor('city', '310100')
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')
})
afterAll(() => api?.close())

describe('routeProblem', () => {
  it('applies the seeded rule of the type and moves the problem from identified to assigned', async () => {
    const id = await problem('road_damage', '310101013')
    const before = new Date()
    const r = await gql(ROUTE, { input: { problemId: globalId('Problem', id) } }, huangpu)
    expect(r.body.errors).toBeUndefined()
    const routed = r.body.data.routeProblem
    expect(routed).toMatchObject({
      state: 'assigned',
      responsibleUnit: '310101',
      responsibleDepartment: '交通委',
      transitions: [
        {
          fromState: 'identified',
          toState: 'assigned',
          actor: 'test-district-310101',
          reason: '交办 310101 交通委',
        },
      ],
    })
    await expectDeadline(routed.deadline, before, 7)
    expect(await auditCount('problem', id, 'route')).toBe(1)
  })

  it('takes the caller’s unit, department, deadline and note over the rule', async () => {
    const id = await problem('road_damage', '310101013', 2)
    const deadline = '2099-06-30T18:00:00.000Z'
    const r = await gql(
      ROUTE,
      {
        input: {
          problemId: globalId('Problem', id),
          responsibleUnit: '310101013',
          department: '外滩街道城建中心',
          deadline,
          note: '请街道当周处理',
        },
      },
      city,
    )
    expect(r.body.errors).toBeUndefined()
    expect(r.body.data.routeProblem).toMatchObject({
      state: 'assigned',
      responsibleUnit: '310101013',
      responsibleDepartment: '外滩街道城建中心',
      deadline,
      transitions: [{ toState: 'assigned', reason: '请街道当周处理' }],
    })
  })

  it('re-routes an assigned problem where it stands, without a transition', async () => {
    const id = await problem('noise', '310101013', 1, 'in_progress')
    const r = await gql(
      ROUTE,
      { input: { problemId: globalId('Problem', id), department: '城管局' } },
      huangpu,
    )
    expect(r.body.data.routeProblem).toMatchObject({
      state: 'in_progress',
      responsibleDepartment: '城管局',
      transitions: [],
    })
    expect(await auditCount('problem', id, 'route')).toBe(1)
  })

  it('refuses roles that may not route, problems out of reach and unusable choices, changing nothing', async () => {
    const id = await problem('road_damage', '310101013')
    const input = (extra: Record<string, unknown> = {}) => ({
      input: { problemId: globalId('Problem', id), ...extra },
    })
    expect(errorCodes(await gql(ROUTE, input(), await tokenFor('street', '310101013')))).toEqual([
      'FORBIDDEN',
    ])
    const department = await tokenFor('department', '310101', { department: '交通委' })
    expect(errorCodes(await gql(ROUTE, input(), department))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await gql(ROUTE, input(), await tokenFor('expert', '310101')))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await gql(ROUTE, input()))).toEqual(['UNAUTHENTICATED'])
    expect(errorCodes(await gql(ROUTE, input(), pudong))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await gql(ROUTE, input({ responsibleUnit: '310115' }), huangpu))).toEqual([
      'BAD_USER_INPUT',
    ])
    expect(errorCodes(await gql(ROUTE, input({ responsibleUnit: '999999' }), city))).toEqual([
      'BAD_USER_INPUT',
    ])
    const past = { deadline: '2020-01-01T00:00:00+08:00' }
    expect(errorCodes(await gql(ROUTE, input(past), huangpu))).toEqual(['BAD_USER_INPUT'])
    const rectified = await problem('road_damage', '310101013', 3, 'rectified')
    const late = await gql(ROUTE, { input: { problemId: globalId('Problem', rectified) } }, huangpu)
    expect(errorCodes(late)).toEqual(['CONFLICT'])
    const [row] = await api.database.rows<{ state: string; unit: string | null }>(
      sql`select state, responsible_unit as unit from problems where id = ${id}`,
    )
    expect(row).toEqual({ state: 'identified', unit: null })
    expect(await auditCount('problem', id, 'route')).toBe(0)
  })
})

describe('routing rules', () => {
  let ruleId: number

  it('creates a rule for a region, and routing prefers it as the more specific', async () => {
    const r = await gql(
      UPSERT,
      {
        input: {
          problemType: 'road_damage',
          regionCode: '310101',
          unitLevel: 'street',
          department: '黄浦区建管委',
          deadlineDays: { severity1: 20, severity2: 10, severity3: 2 },
        },
      },
      city,
    )
    expect(r.body.errors).toBeUndefined()
    ruleId = r.body.data.upsertRoutingRule.id
    expect(r.body.data.upsertRoutingRule).toMatchObject({
      problemType: 'road_damage',
      regionCode: '310101',
      unitLevel: 'street',
      department: '黄浦区建管委',
      deadlineDays: { severity1: 20, severity2: 10, severity3: 2 },
      updatedBy: 'test-city-310100',
    })
    expect(await auditCount('routing_rule', ruleId, 'create')).toBe(1)
    const id = await problem('road_damage', '310101013')
    const before = new Date()
    const routed = await gql(ROUTE, { input: { problemId: globalId('Problem', id) } }, huangpu)
    expect(routed.body.data.routeProblem).toMatchObject({
      responsibleUnit: '310101013',
      responsibleDepartment: '黄浦区建管委',
    })
    await expectDeadline(routed.body.data.routeProblem.deadline, before, 2)
    // 浦东 keeps the seeded rule.
    const other = await problem('road_damage', '310115')
    const there = await gql(ROUTE, { input: { problemId: globalId('Problem', other) } }, city)
    expect(there.body.data.routeProblem).toMatchObject({
      responsibleUnit: '310115',
      responsibleDepartment: '交通委',
    })
  })

  it('changes a rule of the caller’s region and lists the rules that apply there', async () => {
    const r = await gql(
      UPSERT,
      {
        input: {
          id: ruleId,
          problemType: 'road_damage',
          regionCode: '310101',
          unitLevel: 'district',
          deadlineDays: { severity3: 3 },
        },
      },
      city,
    )
    expect(r.body.data.upsertRoutingRule).toMatchObject({
      id: ruleId,
      unitLevel: 'district',
      department: null,
      deadlineDays: { severity1: null, severity2: null, severity3: 3 },
    })
    expect(await auditCount('routing_rule', ruleId, 'update')).toBe(1)
    const list = await gql(
      '{ routingRules(problemType: "road_damage") { id regionCode department } }',
      {},
      huangpu,
    )
    expect(list.body.data.routingRules).toEqual([
      { id: expect.any(Number), regionCode: null, department: '交通委' },
      { id: ruleId, regionCode: '310101', department: null },
    ])
    const pudongList = await gql('{ routingRules(problemType: "road_damage") { regionCode } }', {}, pudong)
    expect(pudongList.body.data.routingRules).toEqual([{ regionCode: null }])
    expect(errorCodes(await gql('{ routingRules { id } }', {}))).toEqual(['UNAUTHENTICATED'])
  })

  it('refuses other roles, regions out of scope, national defaults, unknown types and bad deadlines', async () => {
    const input = (extra: Record<string, unknown> = {}) => ({
      input: { regionCode: '310101', unitLevel: 'district', deadlineDays: { severity1: 5 }, ...extra },
    })
    expect(errorCodes(await gql(UPSERT, input(), huangpu))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await gql(UPSERT, input({ regionCode: '320100' }), city))).toEqual(['NOT_FOUND'])
    const [seeded] = await api.database.rows<{ id: number }>(
      sql`select id from routing_rules where region_code is null limit 1`,
    )
    expect(errorCodes(await gql(UPSERT, input({ id: seeded?.id }), city))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await gql(UPSERT, input({ problemType: 'no_such_type' }), city))).toEqual([
      'BAD_USER_INPUT',
    ])
    expect(errorCodes(await gql(UPSERT, input({ regionCode: '310199' }), city))).toEqual(['BAD_USER_INPUT'])
    const bad = input({ deadlineDays: { severity1: -1 } })
    expect(errorCodes(await gql(UPSERT, bad, city))).toEqual(['BAD_USER_INPUT'])
    const del = 'mutation ($id: Int!) { deleteRoutingRule(id: $id) }'
    expect(errorCodes(await gql(del, { id: seeded?.id }, city))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await gql(del, { id: ruleId }, huangpu))).toEqual(['FORBIDDEN'])
  })

  it('deletes a rule of the caller’s region, audited', async () => {
    const r = await gql('mutation ($id: Int!) { deleteRoutingRule(id: $id) }', { id: ruleId }, city)
    expect(r.body.data.deleteRoutingRule).toBe(ruleId)
    const [gone] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from routing_rules where id = ${ruleId}`,
    )
    expect(gone?.n).toBe(0)
    expect(await auditCount('routing_rule', ruleId, 'delete')).toBe(1)
  })

  it('lists the problem types, the reportable ones for Open311', async () => {
    const r = await gql('{ problemTypes(reportable: true) { code name reportable attributes } }', {})
    const codes = (r.body.data.problemTypes as { code: string }[]).map((t) => t.code)
    expect(codes).toContain('illegal_construction')
    expect(codes).not.toContain('service_gap')
  })
})
