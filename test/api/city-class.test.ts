import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { regradeValues } from '../../schema/indicator-values/regrade.ts'
import { codesOf, startWriteApi, tokenOf, type WriteApi } from './helpers/writes.ts'

/**
 * 城市分类: one reported value of U01 (higher is better) in Shanghai's campaign, graded under two city classes
 * whose standards differ, and regraded in the transaction that sets the class.
 */

let api: WriteApi
let province: string
let campaignId: number
let nanjingCampaignId: number
let indicatorId: number

const SET = `mutation ($regionCode: String!, $cityClass: String) {
  setCityClass(input: { regionCode: $regionCode, cityClass: $cityClass }) {
    region { code cityClass } previousCityClass checkedValues changedValues
    campaigns { campaignId regionCode cityClass changed } } }`

// Defaults grade 75 % good; a 超大城市 is held to more (poor, red); a 中等城市 to less (good).
const STANDARDS = {
  poor: 60,
  fair: 70,
  good: 80,
  yellow: 70,
  byCityClass: { 超大城市: { poor: 80, fair: 90, good: 95, red: 80 }, 中等城市: { fair: 60, good: 70 } },
}

async function grades(): Promise<
  { unit_key: string; source: string; grade: string | null; warning: string | null }[]
> {
  return api.database.rows(sql`select unit_key, source, grade, warning from indicator_values
    where campaign_id = ${campaignId} order by unit_key`)
}

beforeAll(async () => {
  api = await startWriteApi()
  province = (await tokenOf({ name: 'province', role: 'province', region: '310000' }))!
  const db = api.database
  const [system] = await db.rows<{ id: number }>(
    sql`select id from indicator_systems where level = 'national' order by year desc, id desc limit 1`,
  )
  const [indicator] = await db.rows<{ id: number }>(sql`update indicators
    set standard_values = ${JSON.stringify(STANDARDS)}::jsonb
    where system_id = ${system!.id} and code = 'U01' returning id`)
  indicatorId = indicator!.id
  const campaigns = await db.rows<{
    id: number
  }>(sql`insert into campaigns (kind, year, name, region_code, system_id)
    values ('annual', 2025, '上海市 2025 年度体检', '310100', ${system!.id}),
      ('annual', 2025, '南京市 2025 年度体检', '320100', ${system!.id}) returning id`)
  campaignId = campaigns[0]!.id
  nanjingCampaignId = campaigns[1]!.id
  // A reported value, a computed one and one reported empty, with the grades stored before the class mattered.
  await db.rows(sql`insert into indicator_values
      (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, warning, source) values
    (${campaignId}, ${indicatorId}, 'region', '310101', '310101', 75, 'fair', null, 'reported'),
    (${campaignId}, ${indicatorId}, 'region', '310109', '310109', 85, 'excellent', null, 'computed'),
    (${campaignId}, ${indicatorId}, 'region', '310115', '310115', null, null, null, 'reported'),
    (${nanjingCampaignId}, ${indicatorId}, 'region', '320102', '320102', 75, 'fair', null, 'reported')`)
})

afterAll(async () => {
  await api?.close()
})

describe('setCityClass', () => {
  it('grades differ for one value under two city classes', async () => {
    const first = await api.gql(SET, { regionCode: '310100', cityClass: '超大城市' }, { token: province })
    expect(first.errors).toBeUndefined()
    expect(first.data.setCityClass).toEqual({
      region: { code: '310100', cityClass: '超大城市' },
      previousCityClass: null,
      checkedValues: 3,
      changedValues: 2,
      campaigns: [{ campaignId, regionCode: '310100', cityClass: '超大城市', changed: 2 }],
    })
    expect(await grades()).toEqual([
      { unit_key: '310101', source: 'reported', grade: 'poor', warning: 'red' },
      { unit_key: '310109', source: 'computed', grade: 'fair', warning: null },
      { unit_key: '310115', source: 'reported', grade: null, warning: null },
    ])
    const second = await api.gql(SET, { regionCode: '310100', cityClass: '中等城市' }, { token: province })
    expect(second.data.setCityClass.previousCityClass).toBe('超大城市')
    expect(await grades()).toEqual([
      { unit_key: '310101', source: 'reported', grade: 'excellent', warning: null },
      { unit_key: '310109', source: 'computed', grade: 'excellent', warning: null },
      { unit_key: '310115', source: 'reported', grade: null, warning: null },
    ])
    // Another city's campaign is not regraded.
    const [nanjing] = await api.database.rows<{ grade: string }>(
      sql`select grade from indicator_values where campaign_id = ${nanjingCampaignId}`,
    )
    expect(nanjing?.grade).toBe('fair')
  })

  it('records each regraded campaign in the audit log', async () => {
    const events = await api.database.rows<{
      action: string
      actor: string
      before: unknown
      after: unknown
    }>(sql`
      select action, actor, before, after from audit_events
      where entity = 'campaign' and entity_id = ${String(campaignId)} order by id`)
    expect(events).toEqual([
      {
        action: 'regrade',
        actor: 'perm-province',
        before: { cityClass: null, classifiedRegion: '310100' },
        after: { cityClass: '超大城市', gradedFor: '超大城市', changedValues: 2 },
      },
      {
        action: 'regrade',
        actor: 'perm-province',
        before: { cityClass: '超大城市', classifiedRegion: '310100' },
        after: { cityClass: '中等城市', gradedFor: '中等城市', changedValues: 2 },
      },
    ])
  })

  it('clears the class with null and goes back to the default standards', async () => {
    const r = await api.gql(SET, { regionCode: '310100', cityClass: null }, { token: province })
    expect(r.data.setCityClass.region.cityClass).toBeNull()
    expect((await grades()).map((g) => g.grade)).toEqual(['good', 'excellent', null])
  })

  it('is the province’s alone, inside its region', async () => {
    const city = await tokenOf({ name: 'city', role: 'city', region: '310100' })
    const district = await tokenOf({ name: 'district', role: 'district', region: '310101' })
    const jiangsu = await tokenOf({ name: 'jiangsu', role: 'province', region: '320000' })
    const variables = { regionCode: '310100', cityClass: '超大城市' }
    expect(codesOf(await api.gql(SET, variables, { token: city }))).toEqual(['FORBIDDEN'])
    expect(codesOf(await api.gql(SET, variables, { token: district }))).toEqual(['FORBIDDEN'])
    expect(codesOf(await api.gql(SET, variables))).toEqual(['UNAUTHENTICATED'])
    expect(codesOf(await api.gql(SET, variables, { token: jiangsu }))).toEqual(['NOT_FOUND'])
    const [region] = await api.database.rows<{ city_class: string | null }>(
      sql`select city_class from regions where code = '310100'`,
    )
    expect(region?.city_class).toBeNull()
  })

  it('refuses an unknown class, a district and a missing region', async () => {
    const bad = await api.gql(SET, { regionCode: '310100', cityClass: '巨型城市' }, { token: province })
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT'])
    expect(bad.errors?.[0].message).toContain('超大城市')
    const district = await api.gql(SET, { regionCode: '310101', cityClass: '大城市' }, { token: province })
    expect(codesOf(district)).toEqual(['BAD_USER_INPUT'])
    const missing = await api.gql(SET, { regionCode: '319999', cityClass: '大城市' }, { token: province })
    expect(codesOf(missing)).toEqual(['NOT_FOUND'])
  })
})

describe('regradeValues', () => {
  it('regrades only the campaign and indicators asked for, after standards change', async () => {
    const stricter = { ...STANDARDS, poor: 90, fair: 95, good: 99 }
    await api.database.rows(sql`update indicators set standard_values = ${JSON.stringify(stricter)}::jsonb
      where id = ${indicatorId}`)
    const none = await api.database.db.transaction((tx) =>
      regradeValues(tx, { campaignId, indicatorIds: [indicatorId + 100_000] }),
    )
    expect(none).toEqual({ checked: 0, changed: 0, byCampaign: [] })
    const some = await api.database.db.transaction((tx) =>
      regradeValues(tx, { campaignId, indicatorIds: [indicatorId] }),
    )
    expect(some.changed).toBe(2)
    expect((await grades()).map((g) => g.grade)).toEqual(['poor', 'poor', null])
    const [nanjing] = await api.database.rows<{ grade: string }>(
      sql`select grade from indicator_values where campaign_id = ${nanjingCampaignId}`,
    )
    expect(nanjing?.grade).toBe('fair')
  })
})
