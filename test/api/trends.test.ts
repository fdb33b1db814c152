import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codesOf, startWriteApi, tokenOf, type WriteApi } from './helpers/writes.ts'

/**
 * Trends and persistent weaknesses over Shanghai's annual checks 2022–2025, each with an edition of its own
 * (matched by indicator code), plus an area check in 2025. Weak = poor, or any warning.
 *
 *   U01 310101: poor 2022, 2023, 2024, 2025            → 4 consecutive
 *   U01 310109: poor 2022, good 2023, poor 2024, yellow 2025 → 2
 *   U05 310115: poor 2023, (no value 2024), poor 2025  → 1
 *   U05 310101: poor 2023, 2024, good 2025             → none (not up to the latest)
 */

let api: WriteApi
let city: string
const campaigns: Record<string, number> = {}

const TREND = `query ($code: String!, $unitKey: String!, $regionCode: String, $annualOnly: Boolean) {
  indicatorTrend(indicatorCode: $code, unitKey: $unitKey, regionCode: $regionCode, annualOnly: $annualOnly) {
    year campaignId campaignKind indicatorName value grade warning source derivation } }`
const WEAK = `query ($regionCode: String, $campaignId: Int, $year: Int, $checks: Int, $indicatorCode: String,
    $unitType: IndicatorValueUnitType) {
  persistentWeaknesses(regionCode: $regionCode, campaignId: $campaignId, year: $year, checks: $checks,
    indicatorCode: $indicatorCode, unitType: $unitType) {
    campaignId year checks
    weaknesses { indicatorCode unitType unitKey consecutiveChecks years latestValue latestGrade latestWarning } } }`

type Weak = [code: string, unit: string, value: number, grade: string | null, warning: string | null]
const VALUES: Record<string, Weak[]> = {
  2022: [
    ['U01', '310101', 40, 'poor', 'red'],
    ['U01', '310109', 41, 'poor', null],
  ],
  2023: [
    ['U01', '310101', 42, 'poor', null],
    ['U01', '310109', 90, 'good', null],
    ['U05', '310115', 2, 'poor', null],
    ['U05', '310101', 3, 'poor', null],
  ],
  2024: [
    ['U01', '310101', 43, 'poor', null],
    ['U01', '310109', 44, 'poor', null],
    ['U05', '310101', 3.5, 'poor', null],
  ],
  2025: [
    ['U01', '310101', 45, 'poor', 'yellow'],
    ['U01', '310109', 75, 'fair', 'yellow'],
    ['U05', '310115', 2.2, 'poor', null],
    ['U05', '310101', 9, 'good', null],
  ],
}

async function insertValues(campaignId: number, rows: Weak[], derivation: string | null): Promise<void> {
  for (const [code, unit, value, grade, warning] of rows) {
    await api.database.rows(sql`insert into indicator_values
        (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, warning, source, derivation)
      select ${campaignId}, i.id, 'region', ${unit}, ${unit}, ${value}, ${grade}, ${warning}, 'reported', ${derivation}
      from campaigns k join indicators i on i.system_id = k.system_id and i.code = ${code} where k.id = ${campaignId}`)
  }
}

beforeAll(async () => {
  api = await startWriteApi()
  city = (await tokenOf({ name: 'city', role: 'city', region: '310100' }))!
  const db = api.database
  const [national] = await db.rows<{ id: number }>(
    sql`select id from indicator_systems where level = 'national' and year = 2025`,
  )
  for (const year of [2022, 2023, 2024, 2025]) {
    let systemId = national!.id
    if (year !== 2025) {
      // An edition per year, its indicators copied by code (new ids, the same codes).
      const [system] = await db.rows<{
        id: number
      }>(sql`insert into indicator_systems (code, name, year, level, status)
        values ('national-basic', ${`国家 ${year}`}, ${year}, 'national', 'locked') returning id`)
      systemId = system!.id
      await db.rows(sql`insert into indicators (system_id, code, name, dimension, unit, direction, level,
          method_kind, method)
        select ${systemId}, code, name, dimension, unit, direction, level, method_kind, method
        from indicators where system_id = ${national!.id} and code in ('U01', 'U05')`)
    }
    const [campaign] = await db.rows<{ id: number }>(sql`insert into campaigns
        (kind, year, name, region_code, system_id, status)
      values ('annual', ${year}, ${`上海市 ${year} 年城市体检`}, '310100', ${systemId}, 'closed') returning id`)
    campaigns[year] = campaign!.id
    await insertValues(campaign!.id, VALUES[year]!, year === 2025 ? null : `test: ${year}`)
  }
  const [area] = await db.rows<{
    id: number
  }>(sql`insert into campaigns (kind, year, name, region_code, system_id)
    values ('area', 2025, '外滩片区体检', '310101', ${national!.id}) returning id`)
  campaigns.area = area!.id
  await insertValues(area!.id, [['U01', '310101', 50, 'fair', null]], null)
})

afterAll(async () => {
  await api?.close()
})

describe('indicatorTrend', () => {
  it('gives a unit’s series across annual checks by year, editions matched by code', async () => {
    const r = await api.gql(TREND, { code: 'U01', unitKey: '310101' }, { token: city })
    expect(r.errors).toBeUndefined()
    const points = r.data.indicatorTrend
    expect(points.map((p: { year: number }) => p.year)).toEqual([2022, 2023, 2024, 2025])
    expect(points.map((p: { campaignId: number }) => p.campaignId)).toEqual([
      campaigns[2022],
      campaigns[2023],
      campaigns[2024],
      campaigns[2025],
    ])
    expect(points[0]).toMatchObject({
      value: 40,
      grade: 'poor',
      warning: 'red',
      source: 'reported',
      derivation: 'test: 2022',
      campaignKind: 'annual',
    })
    expect(points[3]).toMatchObject({ value: 45, derivation: null })
  })

  it('adds area and special checks when asked, and keeps to the region asked about', async () => {
    const all = await api.gql(TREND, { code: 'U01', unitKey: '310101', annualOnly: false }, { token: city })
    expect(all.data.indicatorTrend.map((p: { campaignKind: string }) => p.campaignKind)).toEqual([
      'annual',
      'annual',
      'annual',
      'annual',
      'area',
    ])
    // Pudong's campaigns (there are none) and those above it: the area check in Huangpu is not among them.
    const pudong = await api.gql(
      TREND,
      { code: 'U01', unitKey: '310101', regionCode: '310115', annualOnly: false },
      { token: city },
    )
    expect(pudong.data.indicatorTrend).toHaveLength(4)
  })

  it('reads values in scope only and refuses an unknown code, a hidden region and no token', async () => {
    const pudong = await tokenOf({ name: 'pudong', role: 'district', region: '310115' })
    expect(
      (await api.gql(TREND, { code: 'U01', unitKey: '310101' }, { token: pudong })).data.indicatorTrend,
    ).toEqual([])
    const own = await api.gql(TREND, { code: 'U05', unitKey: '310115' }, { token: pudong })
    expect(own.data.indicatorTrend.map((p: { year: number }) => p.year)).toEqual([2023, 2025])
    expect(codesOf(await api.gql(TREND, { code: 'X99', unitKey: '310101' }, { token: city }))).toEqual([
      'NOT_FOUND',
    ])
    expect(
      codesOf(
        await api.gql(TREND, { code: 'U01', unitKey: '310101', regionCode: '320100' }, { token: city }),
      ),
    ).toEqual(['NOT_FOUND'])
    expect(codesOf(await api.gql(TREND, { code: 'U01', unitKey: '310101' }))).toEqual(['UNAUTHENTICATED'])
  })
})

describe('persistentWeaknesses', () => {
  it('lists units weak in at least the edition’s N consecutive checks up to the latest', async () => {
    const r = await api.gql(WEAK, { regionCode: '310100' }, { token: city })
    expect(r.errors).toBeUndefined()
    expect(r.data.persistentWeaknesses).toEqual({
      campaignId: campaigns[2025],
      year: 2025,
      checks: 3,
      weaknesses: [
        {
          indicatorCode: 'U01',
          unitType: 'region',
          unitKey: '310101',
          consecutiveChecks: 4,
          years: [2022, 2023, 2024, 2025],
          latestValue: 45,
          latestGrade: 'poor',
          latestWarning: 'yellow',
        },
      ],
    })
  })

  it('takes N from the edition, or from checks, and counts a warning as weak', async () => {
    await api.database.rows(
      sql`update indicator_systems set weakness_checks = 2 where id = (select system_id from campaigns where id = ${campaigns[2025]})`,
    )
    const edition = await api.gql(WEAK, { regionCode: '310100' }, { token: city })
    expect(edition.data.persistentWeaknesses.checks).toBe(2)
    expect(
      edition.data.persistentWeaknesses.weaknesses.map(
        (w: { unitKey: string; consecutiveChecks: number }) => [w.unitKey, w.consecutiveChecks],
      ),
    ).toEqual([
      ['310101', 4],
      ['310109', 2],
    ])
    // A missing value breaks a run: Pudong's U05 is weak in 2023 and 2025 but has no 2024 value.
    const one = await api.gql(WEAK, { regionCode: '310100', checks: 1 }, { token: city })
    expect(one.data.persistentWeaknesses.weaknesses.map((w: { unitKey: string }) => w.unitKey)).toEqual([
      '310101',
      '310109',
      '310115',
    ])
    const u05 = await api.gql(
      WEAK,
      { regionCode: '310100', checks: 1, indicatorCode: 'U05' },
      { token: city },
    )
    expect(u05.data.persistentWeaknesses.weaknesses.map((w: { unitKey: string }) => w.unitKey)).toEqual([
      '310115',
    ])
    const blocks = await api.gql(
      WEAK,
      { regionCode: '310100', checks: 1, unitType: 'block' },
      { token: city },
    )
    expect(blocks.data.persistentWeaknesses.weaknesses).toEqual([])
    await api.database.rows(
      sql`update indicator_systems set weakness_checks = 3 where id = (select system_id from campaigns where id = ${campaigns[2025]})`,
    )
  })

  it('runs up to an earlier check by year or campaign', async () => {
    const byYear = await api.gql(WEAK, { regionCode: '310100', year: 2024, checks: 2 }, { token: city })
    expect(byYear.data.persistentWeaknesses.campaignId).toBe(campaigns[2024])
    expect(
      byYear.data.persistentWeaknesses.weaknesses.map(
        (w: { indicatorCode: string; unitKey: string; years: number[] }) => [
          w.indicatorCode,
          w.unitKey,
          w.years,
        ],
      ),
    ).toEqual([
      ['U01', '310101', [2022, 2023, 2024]],
      ['U05', '310101', [2023, 2024]],
    ])
    const byCampaign = await api.gql(WEAK, { campaignId: campaigns[2023], checks: 2 }, { token: city })
    expect(
      byCampaign.data.persistentWeaknesses.weaknesses.map((w: { unitKey: string }) => w.unitKey),
    ).toEqual(['310101'])
  })

  it('lists units in scope only and refuses what it cannot answer', async () => {
    const huangpu = await tokenOf({ name: 'huangpu', role: 'district', region: '310101' })
    const hongkou = await tokenOf({ name: 'hongkou', role: 'district', region: '310109' })
    const mine = await api.gql(WEAK, { regionCode: '310101', checks: 2 }, { token: huangpu })
    expect(mine.data.persistentWeaknesses.weaknesses.map((w: { unitKey: string }) => w.unitKey)).toEqual([
      '310101',
    ])
    const theirs = await api.gql(WEAK, { regionCode: '310109', checks: 2 }, { token: hongkou })
    expect(theirs.data.persistentWeaknesses.weaknesses.map((w: { unitKey: string }) => w.unitKey)).toEqual([
      '310109',
    ])
    expect(codesOf(await api.gql(WEAK, { regionCode: '310101' }, { token: hongkou }))).toEqual(['NOT_FOUND'])
    expect(codesOf(await api.gql(WEAK, {}, { token: city }))).toEqual(['BAD_USER_INPUT'])
    expect(codesOf(await api.gql(WEAK, { regionCode: '310100', checks: 0 }, { token: city }))).toEqual([
      'BAD_USER_INPUT',
    ])
    expect(codesOf(await api.gql(WEAK, { campaignId: 999_999 }, { token: city }))).toEqual(['NOT_FOUND'])
    expect(codesOf(await api.gql(WEAK, { regionCode: '310100' }))).toEqual(['UNAUTHENTICATED'])
    const nanjing = await api.gql(
      WEAK,
      { regionCode: '320100' },
      {
        token: await tokenOf({ name: 'js', role: 'province', region: '320000' }),
      },
    )
    expect(nanjing.data.persistentWeaknesses).toBeNull()
  })
})
