/**
 * 结转 (issue 13, item 6): closing a check carries its region's open problems, found that year or before, into
 * the next year's ledger with their age, once; the ledger's year then lists them beside the year's own.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shanghaiDate } from '../../server/domain/working-days.ts'
import {
  globalId,
  insertLoopProblem,
  type LoopFixture,
  personToken,
  startLoopFixture,
} from './helpers/problem-loop.ts'

let fixture: LoopFixture
let campaignId: number
const p: Record<string, number> = {}
const t: Record<string, string> = {}

const CLOSE = `mutation ($id: ID!) { closeCampaign(input: { campaignId: $id }) {
  toYear carried campaign { status } } }`

beforeAll(async () => {
  fixture = await startLoopFixture()
  const [campaign] = await fixture.database.rows<{ id: number }>(sql`insert into campaigns
      (kind, year, name, region_code, system_id, status)
    select 'annual', 2025, '黄浦区 2025 年城市体检', '310101', id, 'reviewing' from indicator_systems
    order by id limit 1 returning id`)
  campaignId = campaign!.id
  const found = (yearFound: number, state = 'in_progress', regionCode = '310101002') =>
    insertLoopProblem(fixture.database, {
      yearFound,
      state: state as never,
      regionCode,
      createdAt: `${yearFound}-03-01T10:00:00+08:00`,
    })
  p.open2025 = await found(2025)
  p.open2024 = await found(2024, 'identified')
  p.closed2025 = await found(2025, 'closed')
  p.found2026 = await found(2026)
  p.xuhui = await found(2025, 'in_progress', '310104')
  t.city = await personToken('city-planner', 'city', '310100')
  t.district = await personToken('huangpu-planner', 'district', '310101')
  t.nanjing = await personToken('nanjing-planner', 'city', '320100')
})
afterAll(async () => {
  await fixture?.close()
})

const daysSince = (day: string) =>
  Math.round((Date.parse(shanghaiDate(new Date())) - Date.parse(day)) / 86_400_000)
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code)

describe('carry-over at a check’s close', () => {
  it('is refused to a district (even for its own check) and unseen outside the scope', async () => {
    expect(codes(await fixture.gql(CLOSE, { id: globalId('Campaign', campaignId) }, t.district))).toEqual([
      'FORBIDDEN',
    ])
    expect(codes(await fixture.gql(CLOSE, { id: globalId('Campaign', campaignId) }, t.nanjing))).toEqual([
      'NOT_FOUND',
    ])
  })

  it('closes the check and carries its region’s open problems of that year and before, with their age', async () => {
    const before = [daysSince('2025-03-01'), daysSince('2024-03-01')]
    const closed = await fixture.gql(CLOSE, { id: globalId('Campaign', campaignId) }, t.city)
    const after = [daysSince('2025-03-01'), daysSince('2024-03-01')]
    expect(closed.errors).toBeUndefined()
    expect(closed.data.closeCampaign).toEqual({ toYear: 2026, carried: 2, campaign: { status: 'closed' } })
    const rows = await fixture.database.rows<{ problemId: number; toYear: number; ageDays: number }>(sql`
      select problem_id as "problemId", to_year as "toYear", age_days as "ageDays" from problem_carryovers
      where from_campaign_id = ${campaignId} order by problem_id`)
    expect(rows.map((r) => [r.problemId, r.toYear])).toEqual([
      [p.open2025, 2026],
      [p.open2024, 2026],
    ])
    // Ages are counted in Shanghai calendar days; the call may straddle a midnight.
    expect([before[0], after[0]]).toContain(rows[0]!.ageDays)
    expect([before[1], after[1]]).toContain(rows[1]!.ageDays)

    const [audit] = await fixture.database.rows<{ action: string; after: unknown }>(sql`select action, after
      from audit_events where entity = 'campaign' and entity_id = ${String(campaignId)}`)
    expect(audit).toEqual({ action: 'close', after: { status: 'closed', carriedInto: 2026, carried: 2 } })
  })

  it('carries once: closing again carries nothing and records nothing, a new open problem is carried then', async () => {
    const again = await fixture.gql(CLOSE, { id: globalId('Campaign', campaignId) }, t.city)
    expect(again.data.closeCampaign).toMatchObject({ carried: 0 })
    const [{ n } = { n: -1 }] = await fixture.database.rows<{ n: number }>(sql`select count(*)::int as n
      from audit_events where entity = 'campaign' and entity_id = ${String(campaignId)}`)
    expect(n).toBe(1)
    const late = await insertLoopProblem(fixture.database, { yearFound: 2025 })
    const third = await fixture.gql(CLOSE, { id: globalId('Campaign', campaignId) }, t.city)
    expect(third.data.closeCampaign).toMatchObject({ carried: 1 })
    const [row] = await fixture.database.rows<{ ageDays: number }>(
      sql`select age_days as "ageDays" from problem_carryovers where problem_id = ${late}`,
    )
    expect(row?.ageDays).toBe(0)
  })

  it('shows the carry-over on the problem and in the next year’s ledger', async () => {
    const read = await fixture.gql(
      `query ($id: ID!) { node(id: $id) { ... on Problem { yearFound carriedInto ageDays } } }`,
      { id: globalId('Problem', p.open2024!) },
      t.city,
    )
    expect(read.errors).toBeUndefined()
    expect(read.data.node).toMatchObject({ yearFound: 2024, carriedInto: [2026] })
    expect(read.data.node.ageDays).toBeGreaterThan(365)

    const ledger = async (year: number) => {
      const r = await fixture.gql(
        `query ($year: Int) { problems(year: $year, regionCode: "310101", first: 50) { nodes { databaseId } } }`,
        { year },
        t.city,
      )
      expect(r.errors).toBeUndefined()
      return r.data.problems.nodes.map((n: { databaseId: number }) => n.databaseId)
    }
    const in2026 = await ledger(2026)
    expect(in2026).toEqual(expect.arrayContaining([p.open2025, p.open2024, p.found2026]))
    expect(in2026).not.toContain(p.closed2025)
    // The year it was found keeps it too: the ledger is queryable by year and across years.
    expect(await ledger(2024)).toContain(p.open2024)
  })
})
