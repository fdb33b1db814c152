import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { raiseIndicatorProblems } from '../../server/db/indicator-problems.ts'
import { openTestDatabase } from '../helpers/database.ts'

let database: Database
let campaignId: number
const values = new Map<string, number>()

interface ProblemView {
  title: string
  titleEn: string
  description: string
  descriptionEn: string
  severity: number
  source: string
  type: string
  yearFound: number
  state: string
  department: string | null
  hasGeom: boolean
  details: Record<string, unknown>
}

async function problemOf(code: string, unitKey: string): Promise<ProblemView | undefined> {
  const [row] = await database.rows<ProblemView>(sql`
    select title, title_en as "titleEn", description, description_en as "descriptionEn", severity, source, type,
      year_found as "yearFound", state, responsible_department as department, geom is not null as "hasGeom", details
    from problems where dedupe_key = ${`indicator:${campaignId}:${code}:region:${unitKey}`}`)
  return row
}

async function setValue(
  code: string,
  unitKey: string,
  value: number,
  grade: string | null,
  warning: string | null,
) {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, warning,
      source)
    select ${campaignId}, i.id, 'region', ${unitKey}, ${unitKey}, ${value}, ${grade}, ${warning}, 'reported'
    from indicators i where i.code = ${code} and i.system_id = (select system_id from campaigns where id = ${campaignId})
    on conflict (campaign_id, indicator_id, unit_type, unit_key) do update set value = excluded.value,
      grade = excluded.grade, warning = excluded.warning
    returning id`)
  values.set(`${code}:${unitKey}`, row?.id ?? 0)
  return row?.id ?? 0
}

const indicatorProblems = async () =>
  (
    await database.rows<{ n: number }>(
      sql`select count(*)::int as n from problems where campaign_id = ${campaignId} and source = 'indicator'`,
    )
  )[0]?.n

beforeAll(async () => {
  database = await openTestDatabase()
  const [campaign] = await database.rows<{ id: number }>(sql`
    insert into campaigns (kind, year, name, region_code, system_id, status)
    select 'annual', 2026, '问题测试体检', '310100', min(id), 'collecting' from indicator_systems returning id`)
  campaignId = campaign?.id ?? 0
  await setValue('H01', '310101', 12, 'poor', null)
  await setValue('H02', '310101', 30, 'fair', 'red')
  await setValue('H03', '310101', 2, 'good', null)
  await setValue('H01', '310115', 5, null, 'yellow')
})
afterAll(async () => {
  await database?.close()
})

describe('problems raised from indicator values', () => {
  it('opens one problem per poor or warned value, in both languages, routed', async () => {
    expect(await raiseIndicatorProblems(database.db, { campaignId })).toEqual({ opened: 3, updated: 0 })
    expect(await problemOf('H01', '310101')).toEqual({
      title: '存在结构安全隐患的住宅数量评价较差',
      titleEn: 'Residential buildings with structural safety hazards graded poor',
      description: '黄浦区的存在结构安全隐患的住宅数量为 12栋',
      descriptionEn: 'Residential buildings with structural safety hazards of 黄浦区 is 12 栋',
      severity: 2,
      source: 'indicator',
      type: 'indicator',
      yearFound: 2026,
      state: 'identified',
      department: '住建委',
      hasGeom: expect.any(Boolean),
      details: expect.objectContaining({
        indicatorCode: 'H01',
        value: 12,
        grade: 'poor',
        warning: null,
        valueId: values.get('H01:310101'),
      }),
    })
    expect(await problemOf('H02', '310101')).toMatchObject({
      title: '存在燃气安全隐患的住宅数量（红色预警）',
      titleEn: 'Residential buildings with gas-safety hazards (red warning)',
      severity: 3,
    })
    expect(await problemOf('H01', '310115')).toMatchObject({
      title: '存在结构安全隐患的住宅数量（黄色预警）',
    })
    // A good value raises nothing.
    expect(await problemOf('H03', '310101')).toBeUndefined()
  })

  it('updates instead of duplicating when the values are written again', async () => {
    await setValue('H01', '310101', 14, 'poor', 'red')
    expect(await raiseIndicatorProblems(database.db, { campaignId })).toEqual({ opened: 0, updated: 3 })
    expect(await indicatorProblems()).toBe(3)
    expect(await problemOf('H01', '310101')).toMatchObject({
      title: '存在结构安全隐患的住宅数量评价较差（红色预警）',
      severity: 3,
      details: expect.objectContaining({ value: 14, grade: 'poor', warning: 'red' }),
    })
  })

  it('keeps the problem of a value that is poor no more, saying its latest grade', async () => {
    await database.rows(sql`update problems set state = 'assigned'
      where dedupe_key = ${`indicator:${campaignId}:H02:region:310101`}`)
    await setValue('H02', '310101', 1, 'good', null)
    expect(await raiseIndicatorProblems(database.db, { campaignId })).toEqual({ opened: 0, updated: 3 })
    expect(await problemOf('H02', '310101')).toMatchObject({
      state: 'assigned',
      title: '存在燃气安全隐患的住宅数量（红色预警）',
      details: expect.objectContaining({ value: 1, grade: 'good', warning: null }),
    })
  })

  it('looks only at the values it is given', async () => {
    const fresh = await setValue('H04', '310101', 9, 'poor', null)
    await setValue('H05', '310101', 9, 'poor', null)
    expect(await raiseIndicatorProblems(database.db, { campaignId, valueIds: [fresh] })).toEqual({
      opened: 1,
      updated: 0,
    })
    expect(await problemOf('H04', '310101')).toBeDefined()
    expect(await problemOf('H05', '310101')).toBeUndefined()
  })
})
