/**
 * Problem-loop KPIs (issue 13, item 7) against a hand-computed fixture: problems, transitions, deadlines and
 * appeals with known dates in the first half of 2024 in 黄浦区, the figures worked out below by hand, and
 * GraphQL and the Excel export both checked against them.
 */
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

let api: Api
let cityToken: string
let districtToken: string

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON answers field by field
type Json = any

const HUANGPU = '310101'
const PUDONG = '310115'
const PERIOD = { from: '2024-01-01', to: '2024-06-30' }

interface FixtureProblem {
  key: string
  region: string
  created: string
  deadline: string | null
  department: string | null
  state: string
  /** [from, to, at] */
  transitions?: [string, string, string][]
  mergedInto?: string
}

/**
 * Times are Shanghai time. Days to close: P1 10 Jan 10:00 → 1 Feb 10:00 = 22 days; P2 1 Feb 09:00 → 2 Mar 09:00
 * = 30 days (2024 is a leap year: 29 days to 1 Mar, one more); P3 1 Mar → 11 Mar = 10 days; P4 1 Apr 00:00 →
 * 16 Apr 00:00 = 15 days; P6 20 Dec 2023 12:00 → 5 Jan 12:00 = 16 days.
 */
const PROBLEMS: FixtureProblem[] = [
  // Closed 1 Feb, deadline 10 Feb: on time.
  {
    key: 'P1',
    region: '310101002',
    created: '2024-01-10T10:00:00+08:00',
    deadline: '2024-02-10T23:59:59+08:00',
    department: '市容局',
    state: 'closed',
    transitions: [['re_inspected', 'closed', '2024-02-01T10:00:00+08:00']],
  },
  // Closed 2 Mar, deadline 20 Feb: late.
  {
    key: 'P2',
    region: HUANGPU,
    created: '2024-02-01T09:00:00+08:00',
    deadline: '2024-02-20T23:59:59+08:00',
    department: '市容局',
    state: 'closed',
    transitions: [['re_inspected', 'closed', '2024-03-02T09:00:00+08:00']],
  },
  // Closed without a deadline: counts as closed, not in the on-time rate.
  {
    key: 'P3',
    region: HUANGPU,
    created: '2024-03-01T08:00:00+08:00',
    deadline: null,
    department: '水务局',
    state: 'closed',
    transitions: [['re_inspected', 'closed', '2024-03-11T08:00:00+08:00']],
  },
  // Closed on time 16 Apr, reopened 1 May, open since with its deadline (1 May) past: overdue now.
  {
    key: 'P4',
    region: HUANGPU,
    created: '2024-04-01T00:00:00+08:00',
    deadline: '2024-05-01T23:59:59+08:00',
    department: '水务局',
    state: 'identified',
    transitions: [
      ['re_inspected', 'closed', '2024-04-16T00:00:00+08:00'],
      ['closed', 'identified', '2024-05-01T10:00:00+08:00'],
    ],
  },
  // Open, deadline far ahead: received, not overdue.
  {
    key: 'P5',
    region: HUANGPU,
    created: '2024-05-10T15:00:00+08:00',
    deadline: '2099-01-01T23:59:59+08:00',
    department: '市容局',
    state: 'in_progress',
  },
  // Found before the period, closed in it (on time): closed, not received.
  {
    key: 'P6',
    region: HUANGPU,
    created: '2023-12-20T12:00:00+08:00',
    deadline: '2024-01-31T23:59:59+08:00',
    department: '市容局',
    state: 'closed',
    transitions: [['re_inspected', 'closed', '2024-01-05T12:00:00+08:00']],
  },
  // Found after the period, open and past its deadline: overdue now, not received.
  {
    key: 'P7',
    region: HUANGPU,
    created: '2024-07-15T09:00:00+08:00',
    deadline: '2024-08-01T23:59:59+08:00',
    department: null,
    state: 'assigned',
  },
  // Merged into P5: counted in P5 only, so neither received nor closed.
  {
    key: 'P8',
    region: HUANGPU,
    created: '2024-03-05T09:00:00+08:00',
    deadline: null,
    department: '市容局',
    state: 'closed',
    transitions: [['identified', 'closed', '2024-03-06T09:00:00+08:00']],
    mergedInto: 'P5',
  },
  // 浦东新区, routed to 市容局: in Pudong's row only, never in Huangpu's or its departments.
  {
    key: 'P9',
    region: PUDONG,
    created: '2024-02-02T09:00:00+08:00',
    deadline: null,
    department: '市容局',
    state: 'identified',
  },
]

/** Appeals: O1–O4 in Huangpu in the period (O4 in its last hour); O5 just after; O6 a survey; O7 in Pudong. */
const OPINIONS: [string, string, string][] = [
  [HUANGPU, 'hotline', '2024-01-10T09:00:00+08:00'],
  ['310101002', 'online', '2024-01-11T09:00:00+08:00'],
  [HUANGPU, 'appeal', '2024-03-01T07:00:00+08:00'],
  [HUANGPU, 'visit', '2024-06-30T23:00:00+08:00'],
  [HUANGPU, 'hotline', '2024-07-01T00:30:00+08:00'],
  [HUANGPU, 'survey', '2024-02-01T10:00:00+08:00'],
  [PUDONG, 'hotline', '2024-02-01T10:00:00+08:00'],
]

/**
 * 黄浦区, 2024-01-01 … 2024-06-30:
 * - received: P1 P2 P3 P4 P5 = 5 (P6 before, P7 after, P8 merged)
 * - closed: P1 P2 P3 P4 P6 = 5
 * - on time: with a deadline P1 P2 P4 P6 = 4, by it P1 P4 P6 = 3 → 3 / 4 = 0.75
 * - median days to close: 10, 15, 16, 22, 30 → 16
 * - overdue now: P4 (reopened, deadline 1 May 2024) and P7 (deadline 1 Aug 2024) = 2
 * - reopen rate: P4 reopened / 5 closed = 0.2
 * - appeals: O1 O2 O3 O4 = 4; residents set to 20,000 → 4 / 20,000 × 10,000 = 2
 */
const HUANGPU_FIGURES = {
  key: HUANGPU,
  name: '黄浦区',
  received: 5,
  closed: 5,
  onTimeRate: 0.75,
  medianDaysToClose: 16,
  overdueNow: 2,
  reopenRate: 0.2,
  appeals: 4,
  residents: 20_000,
  appealsPer10k: 2,
}

/**
 * By department in 黄浦区:
 * - 市容局 (P1 P2 P5 P6): received P1 P2 P5 = 3; closed P1 P2 P6 = 3, all with deadlines, by them P1 P6 →
 *   2 / 3 = 0.6667; days 22, 30, 16 → median 22; none overdue; none reopened → 0 / 3 = 0.
 * - 水务局 (P3 P4): received 2; closed 2; with a deadline P4 only, on time → 1 / 1 = 1; days 10, 15 → 12.5;
 *   overdue P4 = 1; reopened P4 → 1 / 2 = 0.5.
 */
const DEPARTMENT_FIGURES = [
  {
    key: '市容局',
    received: 3,
    closed: 3,
    onTimeRate: 0.6667,
    medianDaysToClose: 22,
    overdueNow: 0,
    reopenRate: 0,
    appealsPer10k: null,
  },
  {
    key: '水务局',
    received: 2,
    closed: 2,
    onTimeRate: 1,
    medianDaysToClose: 12.5,
    overdueNow: 1,
    reopenRate: 0.5,
    appealsPer10k: null,
  },
]

async function insertFixture(): Promise<void> {
  const db = api.database
  // The fixture is the whole of Huangpu's ledger and population, so that every figure is worked out by hand.
  await db.rows(sql`delete from opinions where region_code like '310101%'
    or problem_id in (select id from problems where region_code like '310101%')`)
  await db.rows(sql`delete from problems where region_code like '310101%'`)
  await db.rows(sql`update population_cells set total = 0 where region_code like '310101%'`)
  await db.rows(sql`update population_cells set total = 20000
    where id = (select min(id) from population_cells where region_code like '310101%')`)
  const ids = new Map<string, number>()
  for (const p of PROBLEMS) {
    const [row] = await db.rows<{ id: number }>(sql`insert into problems
        (region_code, type, title, severity, source, year_found, state, deadline, responsible_department,
         created_at, updated_at)
      values (${p.region}, 'kpi-fixture', ${p.key}, 1, 'inspection', 2024, ${p.state}, ${p.deadline}::timestamptz,
        ${p.department}, ${p.created}::timestamptz, ${p.created}::timestamptz)
      returning id`)
    ids.set(p.key, row!.id)
    for (const [from, to, at] of p.transitions ?? []) {
      await db.rows(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, at)
        values (${row!.id}, ${from}, ${to}, 'fixture', ${at}::timestamptz)`)
    }
  }
  for (const p of PROBLEMS.filter((x) => x.mergedInto)) {
    await db.rows(
      sql`update problems set merged_into_id = ${ids.get(p.mergedInto!)!} where id = ${ids.get(p.key)!}`,
    )
  }
  for (const [region, kind, at] of OPINIONS) {
    await db.rows(sql`insert into opinions (region_code, kind, content, created_at)
      values (${region}, ${kind}, 'fixture', ${at}::timestamptz)`)
  }
}

const KPI_QUERY = `query ($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {
  problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {
    key name received closed onTimeRate medianDaysToClose overdueNow reopenRate appeals residents appealsPer10k } }`

async function kpis(regionCode: string, groupBy: string, token = cityToken) {
  return api.request<Json>(KPI_QUERY, { regionCode, groupBy, ...PERIOD }, { token })
}

async function workbook(query: string, token: string | null = cityToken): Promise<Response> {
  return fetch(`${api.url}/api/kpis.xlsx?${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
}

beforeAll(async () => {
  api = await startApi()
  cityToken = await tokenFor('city', '310100')
  districtToken = await tokenFor('district', HUANGPU)
  await insertFixture()
})

afterAll(async () => {
  await api?.close()
})

describe('problem KPIs', () => {
  it('per district: 黄浦区 matches the hand-computed figures; 浦东新区 holds only its own problem', async () => {
    const answer = await kpis('310100', 'district')
    expect(answer.body.errors).toBeUndefined()
    const rows = answer.body.data.problemKpis
    expect(rows.find((r: Json) => r.key === HUANGPU)).toEqual(HUANGPU_FIGURES)
    expect(rows.find((r: Json) => r.key === PUDONG)).toMatchObject({
      received: 1,
      closed: 0,
      onTimeRate: null,
      medianDaysToClose: null,
      reopenRate: null,
      appeals: 1,
    })
    // Every district of the city is a row, with figures or none.
    expect(rows.length).toBe(16)
  })

  it('per department inside 黄浦区, for the district itself', async () => {
    const answer = await kpis(HUANGPU, 'department', districtToken)
    expect(answer.body.errors).toBeUndefined()
    expect(answer.body.data.problemKpis).toEqual(
      DEPARTMENT_FIGURES.map((d) => ({ ...d, name: d.key, appeals: null, residents: null })),
    )
  })

  it('per street: P1 and O2 are 南京东路街道’s, without population figures of its own', async () => {
    const answer = await kpis(HUANGPU, 'street', districtToken)
    const street = answer.body.data.problemKpis.find((r: Json) => r.key === '310101002')
    // P1: received, closed on time after 22 days; O2 its one appeal; its cells are counted at district level.
    expect(street).toMatchObject({ received: 1, closed: 1, onTimeRate: 1, medianDaysToClose: 22, appeals: 1 })
    expect(street.appealsPer10k).toBeNull()
  })

  it('is refused outside the scope, to roles without kpi.read, and for a bad period', async () => {
    expect(errorCodes(await kpis(PUDONG, 'district', districtToken))).toEqual(['NOT_FOUND'])
    expect(errorCodes(await kpis(HUANGPU, 'district', await tokenFor('expert', HUANGPU)))).toEqual([
      'FORBIDDEN',
    ])
    const backwards = await api.request(
      KPI_QUERY,
      { regionCode: HUANGPU, groupBy: 'district', from: '2024-06-30', to: '2024-01-01' },
      { token: cityToken },
    )
    expect(errorCodes(backwards)).toEqual(['BAD_USER_INPUT'])
  })

  it('the Excel export holds the same figures under a Chinese header', async () => {
    const response = await workbook(`regionCode=310100&from=${PERIOD.from}&to=${PERIOD.to}&groupBy=district`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/spreadsheetml\.sheet/)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(Buffer.from(await response.arrayBuffer()) as never)
    const sheet = book.getWorksheet('考核指标')!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    expect(header).toEqual([
      '区代码',
      '区',
      '发现问题数',
      '销号数',
      '按期销号率',
      '销号用时中位数（天）',
      '当前超期数',
      '重新打开率',
      '诉求数',
      '常住人口',
      '每万人诉求数',
    ])
    let huangpu: unknown[] | null = null
    sheet.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1)
      if (values[0] === HUANGPU) huangpu = values
    })
    const f = HUANGPU_FIGURES
    expect(huangpu).toEqual([
      HUANGPU,
      '黄浦区',
      f.received,
      f.closed,
      f.onTimeRate,
      f.medianDaysToClose,
      f.overdueNow,
      f.reopenRate,
      f.appeals,
      f.residents,
      f.appealsPer10k,
    ])
  })

  it('the export needs a token and names its mistakes', async () => {
    const query = `regionCode=310101&from=${PERIOD.from}&to=${PERIOD.to}&groupBy=district`
    expect((await workbook(query, null)).status).toBe(401)
    expect((await workbook(query.replace('310101', '310115'), districtToken)).status).toBe(404)
    expect((await workbook(query.replace('groupBy=district', 'groupBy=team'))).status).toBe(400)
    expect((await workbook(query.replace('2024-01-01', '2024-13-01'))).status).toBe(400)
  })
})
