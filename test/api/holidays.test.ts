/** The holiday calendar deadlines count (issue 13, item 3): read by anyone, edited by province and city, audited. */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LoopFixture, personToken, startLoopFixture } from './helpers/problem-loop.ts'

let fixture: LoopFixture
const t: Record<string, string> = {}

beforeAll(async () => {
  fixture = await startLoopFixture()
  t.city = await personToken('city-calendar', 'city', '310100')
  t.district = await personToken('huangpu-officer', 'district', '310101')
})
afterAll(async () => {
  await fixture?.close()
})

const SET = `mutation ($input: SetHolidayInput!) { setHoliday(input: $input) { day name isWorkday } }`
const DELETE = `mutation ($day: String!) { deleteHoliday(day: $day) { day name } }`
const LIST = `query ($from: String, $to: String) { holidays(from: $from, to: $to) { day name isWorkday } }`
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code)
const auditOf = (day: string) =>
  fixture.database.rows<{ action: string; actor: string; before: unknown; after: unknown }>(sql`select action,
    actor, before, after from audit_events where entity = 'holiday' and entity_id = ${day} order by id`)

describe('holidays', () => {
  it('sets days off and 调休 working days, lists them by date, and audits each change', async () => {
    const set = await fixture.gql(SET, { input: { day: '2027-10-01', name: '国庆节' } }, t.city)
    expect(set.data.setHoliday).toEqual({ day: '2027-10-01', name: '国庆节', isWorkday: false })
    await fixture.gql(SET, { input: { day: '2027-10-09', name: '国庆节调休', isWorkday: true } }, t.city)
    const renamed = await fixture.gql(SET, { input: { day: '2027-10-01', name: '国庆节（第一天）' } }, t.city)
    expect(renamed.data.setHoliday.name).toBe('国庆节（第一天）')

    const listed = await fixture.gql(LIST, { from: '2027-10-01', to: '2027-10-31' })
    expect(listed.data.holidays).toEqual([
      { day: '2027-10-01', name: '国庆节（第一天）', isWorkday: false },
      { day: '2027-10-09', name: '国庆节调休', isWorkday: true },
    ])
    expect(await auditOf('2027-10-01')).toEqual([
      {
        action: 'set',
        actor: 'city-calendar',
        before: null,
        after: { day: '2027-10-01', name: '国庆节', isWorkday: false },
      },
      {
        action: 'set',
        actor: 'city-calendar',
        before: { day: '2027-10-01', name: '国庆节', isWorkday: false },
        after: { day: '2027-10-01', name: '国庆节（第一天）', isWorkday: false },
      },
    ])
  })

  it('deletes a day once: a second delete answers null and records nothing', async () => {
    expect((await fixture.gql(DELETE, { day: '2027-10-09' }, t.city)).data.deleteHoliday).toEqual({
      day: '2027-10-09',
      name: '国庆节调休',
    })
    expect((await fixture.gql(DELETE, { day: '2027-10-09' }, t.city)).data.deleteHoliday).toBeNull()
    expect((await auditOf('2027-10-09')).map((a) => a.action)).toEqual(['set', 'delete'])
  })

  it('is edited by province and city only, with real dates and a name', async () => {
    const refused = await fixture.gql(SET, { input: { day: '2027-05-01', name: '劳动节' } }, t.district)
    expect(codes(refused)).toEqual(['FORBIDDEN'])
    expect(codes(await fixture.gql(DELETE, { day: '2027-10-01' }, t.district))).toEqual(['FORBIDDEN'])
    expect(codes(await fixture.gql(SET, { input: { day: '2027-05-01', name: '劳动节' } }))).toEqual([
      'UNAUTHENTICATED',
    ])
    for (const day of ['2027-02-30', '2027-5-1', '明天']) {
      expect(codes(await fixture.gql(SET, { input: { day, name: '假日' } }, t.city))).toEqual([
        'BAD_USER_INPUT',
      ])
    }
    expect(codes(await fixture.gql(SET, { input: { day: '2027-05-01', name: ' ' } }, t.city))).toEqual([
      'BAD_USER_INPUT',
    ])
    expect(codes(await fixture.gql(LIST, { from: '2027-13-01' }))).toEqual(['BAD_USER_INPUT'])
  })
})
