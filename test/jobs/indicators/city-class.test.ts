import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCampaignIndicators } from '../../../jobs/indicators/job.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

/**
 * The indicator run grades with the standards of the campaign city's class, and leaves reported values standing
 * with the computed figure beside them. U05 (road density, higher is better) is computed for Huangpu (310101);
 * its standards are set here so that the default numbers and a class's numbers grade Huangpu's density apart.
 */

let database: Database
let campaignId: number
let huangpuDensity: number

interface Row {
  value: number | null
  grade: string | null
  warning: string | null
  source: string
  run_id: number | null
  computed_value: number | null
  details: Record<string, unknown>
}

async function huangpuValue(unitKey: string, code = 'U05'): Promise<Row | undefined> {
  const [row] = await database.rows<Row>(sql`
    select v.value, v.grade, v.warning, v.source, v.run_id, v.computed_value, v.details
    from indicator_values v join indicators i on i.id = v.indicator_id
    where v.campaign_id = ${campaignId} and i.code = ${code} and v.unit_type = 'region' and v.unit_key = ${unitKey}`)
  return row
}

beforeAll(async () => {
  database = await openTestDatabase()
  const [system] = await database.rows<{ id: number }>(
    sql`select id from indicator_systems where level = 'national' order by year desc, id desc limit 1`,
  )
  const [campaign] = await database.rows<{ id: number }>(sql`
    insert into campaigns (kind, year, name, region_code, system_id)
    values ('annual', 2025, '上海市 2025 年度体检', '310100', ${system!.id}) returning id`)
  campaignId = campaign!.id
  await computeCampaignIndicators(database, campaignId)
  huangpuDensity = (await huangpuValue('310101'))!.value!
  // Defaults: Huangpu's density is excellent. 超大城市: it is poor and warns red. 大城市: only the yellow warning
  // changes, so the other numbers come from the defaults.
  const standards = {
    poor: huangpuDensity / 4,
    fair: huangpuDensity / 3,
    good: huangpuDensity / 2,
    byCityClass: {
      超大城市: {
        poor: huangpuDensity * 2,
        fair: huangpuDensity * 3,
        good: huangpuDensity * 4,
        red: huangpuDensity * 2,
      },
      大城市: { yellow: huangpuDensity * 2 },
    },
  }
  await database.rows(sql`update indicators set standard_values = ${JSON.stringify(standards)}::jsonb
    where system_id = ${system!.id} and code = 'U05'`)
}, 120_000)

afterAll(async () => {
  await database?.close()
})

describe('computed values graded per city class', () => {
  it('grades with the default standards while no region above the campaign has a class', async () => {
    await computeCampaignIndicators(database, campaignId)
    expect(await huangpuValue('310101')).toMatchObject({
      grade: 'excellent',
      warning: null,
      source: 'computed',
    })
  })

  it('grades with the class of the nearest region at or above the campaign region', async () => {
    // The province says 大城市, the city itself 超大城市: the city's own class wins.
    await database.rows(sql`update regions set city_class = '大城市' where code = '310000'`)
    await database.rows(sql`update regions set city_class = '超大城市' where code = '310100'`)
    const run = await computeCampaignIndicators(database, campaignId)
    expect(await huangpuValue('310101')).toMatchObject({ grade: 'poor', warning: 'red', run_id: run.runId })
    const [outputs] = await database.rows<{ city_class: string }>(
      sql`select outputs->>'cityClass' as city_class from diagnostic_runs where id = ${run.runId}`,
    )
    expect(outputs?.city_class).toBe('超大城市')
  })

  it('falls back to a class set higher up, overriding the defaults number by number', async () => {
    await database.rows(sql`update regions set city_class = null where code = '310100'`)
    await computeCampaignIndicators(database, campaignId)
    expect(await huangpuValue('310101')).toMatchObject({ grade: 'excellent', warning: 'yellow' })
    await database.rows(sql`update regions set city_class = null where code = '310000'`)
  })
})

describe('a computed figure beside a reported value', () => {
  it('keeps the reported value, grade and warning and writes the computed figure into computed_value', async () => {
    await database.rows(sql`
      update indicator_values set value = 1.5, grade = 'fair', warning = null, source = 'reported', run_id = null,
        reported_by = 'test-district-310101', details = '{"remark":"kept"}'::jsonb
      where campaign_id = ${campaignId} and unit_type = 'region' and unit_key = '310101'
        and indicator_id = (select indicator_id from indicator_values v join indicators i on i.id = v.indicator_id
          where v.campaign_id = ${campaignId} and i.code = 'U05' limit 1)`)
    const run = await computeCampaignIndicators(database, campaignId)
    const row = await huangpuValue('310101')
    expect(row).toMatchObject({
      value: 1.5,
      grade: 'fair',
      warning: null,
      source: 'reported',
      run_id: null,
      computed_value: huangpuDensity,
    })
    expect(row?.details.remark).toBe('kept')
    expect(row?.details.computed).toMatchObject({ runId: run.runId, method: 'road_density' })
    const [outputs] = await database.rows<{ values: number; beside: number }>(sql`
      select (outputs->>'values')::int as values, (outputs->>'besideReported')::int as beside
      from diagnostic_runs where id = ${run.runId}`)
    expect(outputs?.beside).toBe(1)
    const [computed] = await database.rows<{ n: number }>(sql`select count(*)::int as n from indicator_values
      where campaign_id = ${campaignId} and source = 'computed' and run_id = ${run.runId}`)
    expect(outputs?.values).toBe(computed?.n)
  })

  it('clears a computed figure the run no longer computes', async () => {
    // A reported value for a street, a unit the run does not compute, holding an earlier run's figure.
    await database.rows(sql`
      insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, source,
        computed_value, details)
      select ${campaignId}, id, 'region', '310101002', '310101002', 3, 'reported', 2.5,
        '{"computed":{"runId":-1}}'::jsonb
      from indicators where code = 'U05' and system_id = (select system_id from campaigns where id = ${campaignId})`)
    await computeCampaignIndicators(database, campaignId)
    const row = await huangpuValue('310101002')
    expect(row).toMatchObject({ value: 3, source: 'reported', computed_value: null })
    expect(row?.details.computed).toBeUndefined()
  })
})
