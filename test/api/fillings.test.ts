import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISAGREEMENT_THRESHOLD, disagrees, relativeDifference } from '../../schema/fillings/disagreement.ts'
import { tokenFor } from './helpers/api.ts'
import { auditOf, codesOf, globalId, startWriteApi, type WriteApi } from './helpers/writes.ts'

const FILL = `mutation ($input: FillIndicatorValuesInput!) {
  fillIndicatorValues(input: $input) { accepted rejected { index indicator unitKey message } } }`
const PROVENANCE = `query ($id: ID!) { indicatorValueProvenance(id: $id) {
  valueId source value computedValue relativeDifference disagreement disagreementThreshold reportedBy remark
  derivation reviewState indicator { code } run { databaseId kind parameters finishedAt } computedInputs
  dataset { name kind } evidence { fileName mediaType byteSize }
  reviews { decision round comment valueComment } auditEvents { action actor before after } } }`

interface Indicator {
  id: number
  code: string
  unit: string | null
}

describe('filling values through GraphQL, and their provenance', () => {
  let api: WriteApi
  let campaignId: number
  let district: string
  let reported: Indicator[]
  let percent: Indicator
  let computed: Indicator
  const fill = (values: Record<string, unknown>[], token: string | null = district, regionCode = '310101') =>
    api.gql(FILL, { input: { campaignId, regionCode, values } }, { token })
  const valueId = async (indicatorId: number) =>
    (
      await api.database.rows<{
        id: number
      }>(sql`select id from indicator_values where campaign_id = ${campaignId}
        and indicator_id = ${indicatorId} and unit_key = '310101'`)
    )[0]?.id ?? -1

  beforeAll(async () => {
    api = await startWriteApi()
    district = await tokenFor('district', '310101')
    const indicators = await api.database.rows<
      Indicator & { methodKind: string; systemId: number }
    >(sql`select
        i.id, i.code, i.unit, i.method_kind as "methodKind", i.system_id as "systemId" from indicators i join indicator_systems s on s.id = i.system_id
      where s.code = 'national-basic' and s.year = 2025 order by i.sort_order`)
    reported = indicators.filter((i) => i.methodKind === 'reported' && !i.unit?.includes('%'))
    percent = indicators.find((i) => i.methodKind === 'reported' && i.unit?.includes('%')) as Indicator
    computed = indicators.find((i) => i.methodKind === 'computed') as Indicator
    const r = await api.gql(
      `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { databaseId } }`,
      {
        input: {
          kind: 'annual',
          year: 2025,
          name: '2025',
          regionCode: '310100',
          // The global ID works where the databaseId does.
          systemId: globalId('IndicatorSystem', indicators[0]?.systemId ?? -1),
        },
      },
      { token: await tokenFor('city', '310100') },
    )
    campaignId = r.data.createCampaign.databaseId
  })
  afterAll(async () => {
    await api?.close()
  })

  it('writes the valid values in one go and names every invalid one with its reason', async () => {
    const [a, b] = reported as [Indicator, Indicator]
    const r = await fill([
      { indicatorCode: a.code, unitKey: '310101', value: 7, remark: ' 据区统计年鉴 ' },
      { indicatorCode: b.code, unitKey: '310101', rawValue: '12.5' },
      { indicatorCode: b.code, unitKey: '310101', rawValue: '十二' },
      { indicatorCode: percent.code, unitKey: '310101', value: 140 },
      { indicatorCode: a.code, unitKey: '310109', value: 1 },
      { indicatorCode: 'NO-SUCH', unitKey: '310101', value: 1 },
      { indicatorCode: a.code, unitKey: '310101', value: -3 },
    ])
    expect(r.errors).toBeUndefined()
    const { accepted, rejected } = r.data.fillIndicatorValues
    expect(accepted).toBe(2)
    expect(rejected.map((x: { index: number }) => x.index)).toEqual([2, 3, 4, 5, 6])
    expect(rejected[0].message).toMatch(/"十二" is not a number/)
    expect(rejected[1].message).toMatch(/outside 0–100/)
    expect(rejected[2].message).toMatch(/No filling task/)
    expect(rejected[4].message).toMatch(/outside 0–/)
    const rows = await api.database.rows<{
      value: number
      remark: string | null
      source: string
      reported_by: string
    }>(
      sql`select value, remark, source, reported_by from indicator_values where campaign_id = ${campaignId}
        order by indicator_id`,
    )
    expect(rows).toEqual([
      { value: 7, remark: '据区统计年鉴', source: 'reported', reported_by: 'test-district-310101' },
      { value: 12.5, remark: null, source: 'reported', reported_by: 'test-district-310101' },
    ])
    const audit = await auditOf(api.database, 'indicator_value', await valueId(a.id))
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'fill', role: 'district', regionCode: '310101' })
    expect(audit[0]?.after).toMatchObject({ indicator: a.code, value: 7 })
  })

  it('lets city staff fill a district’s filling, and refuses readers and other regions', async () => {
    const value = [{ indicatorCode: reported[2]?.code, unitKey: '310101', value: 3 }]
    expect((await fill(value, await tokenFor('city', '310100'))).data.fillIndicatorValues.accepted).toBe(1)
    expect(codesOf(await fill(value, await tokenFor('expert', '310101')))).toEqual(['FORBIDDEN'])
    expect(codesOf(await fill(value, await tokenFor('partner', '310101')))).toEqual(['FORBIDDEN'])
    expect(codesOf(await fill(value, await tokenFor('province', '310000')))).toEqual(['FORBIDDEN'])
    expect(codesOf(await fill(value, null))).toEqual(['UNAUTHENTICATED'])
    expect(codesOf(await fill(value, await tokenFor('district', '310109')))).toEqual(['NOT_FOUND'])
    const department = await fill(value, await tokenFor('department', '310101', { department: '住建委' }))
    expect(department.data.fillIndicatorValues.rejected[0].message).toMatch(/filled by another unit/)
    expect(codesOf(await fill(value, district, '3101'))).toEqual(['BAD_USER_INPUT'])
  })

  it('lets a street fill its own units in its district’s filling, and no other unit', async () => {
    const [edition] = await api.database.rows<{ id: number }>(sql`insert into indicator_systems
        (code, name, year, level, owner_region_code, status, published_at)
      values ('street-level', '街道填报', 2027, 'municipal', '310100', 'published', now()) returning id`)
    await api.database.rows(sql`insert into indicators (system_id, code, name, dimension, level, method_kind, method,
        reporting_level) values (${edition?.id}, 'S1', '街道指标', 'block', 'municipal', 'reported', 'reported', 'street'),
        (${edition?.id}, 'D1', '区指标', 'city', 'municipal', 'reported', 'reported', 'district')`)
    const created = await api.gql(
      `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { databaseId } }`,
      { input: { kind: 'annual', year: 2027, name: '2027', regionCode: '310100', systemId: edition?.id } },
      { token: await tokenFor('city', '310100') },
    )
    const id = created.data.createCampaign.databaseId
    const street = await tokenFor('street', '310101002')
    const r = await api.gql(
      FILL,
      {
        input: {
          campaignId: id,
          regionCode: '310101',
          values: [
            { indicatorCode: 'S1', unitKey: '310101002', value: 4 },
            { indicatorCode: 'S1', unitKey: '310101013', value: 4 },
            { indicatorCode: 'D1', unitKey: '310101', value: 4 },
          ],
        },
      },
      { token: street },
    )
    expect(r.errors).toBeUndefined()
    expect(r.data.fillIndicatorValues.accepted).toBe(1)
    expect(
      r.data.fillIndicatorValues.rejected.map((x: { index: number; message: string }) => x.index),
    ).toEqual([1, 2])
    expect(r.data.fillIndicatorValues.rejected[1].message).toMatch(/outside your region 310101002/)
    // The street reads its district's filling, and in it only its own units.
    const read = await api.gql(
      `query ($id: ID!) { filling(campaignId: $id, regionCode: "310101") {
        tasks { indicatorCode unitKey value } progress { tasks filled } } }`,
      { id },
      { token: street },
    )
    expect(read.data.filling).toEqual({
      tasks: [{ indicatorCode: 'S1', unitKey: '310101002', value: 4 }],
      progress: { tasks: 1, filled: 1 },
    })
  })

  it('answers the provenance of a reported value that replaced a computed one', async () => {
    const [run] = await api.database.rows<{ id: number }>(sql`insert into diagnostic_runs
        (kind, campaign_id, region_code, parameters, idempotency_key, state, finished_at)
      values ('indicators', ${campaignId}, '310100', '{"indicators":"all"}'::jsonb, 'test-run', 'succeeded', now())
      returning id`)
    const [dataset] = await api.database.rows<{
      id: number
    }>(sql`insert into datasets (name, kind, region_code)
      values ('黄浦区统计年鉴 2024', 'import', '310101') returning id`)
    await api.database.rows(sql`insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key,
        region_code, value, source, run_id, details, dataset_id)
      values (${campaignId}, ${computed.id}, 'region', '310101', '310101', 50, 'computed', ${run?.id},
        '{"residents": 1000}'::jsonb, ${dataset?.id})`)
    const r = await fill([{ indicatorCode: computed.code, unitKey: '310101', value: 65, remark: '区核实' }])
    expect(r.data.fillIndicatorValues.accepted).toBe(1)
    const id = await valueId(computed.id)
    await api.database.rows(sql`insert into evidence_files (sha256, byte_size, media_type, file_name, campaign_id,
        value_id, region_code, uploaded_by)
      values (${'a'.repeat(64)}, 2048, 'application/pdf', '核实说明.pdf', ${campaignId}, ${id}, '310101', 'x')`)
    const answer = await api.gql(PROVENANCE, { id: globalId('IndicatorValue', id) }, { token: district })
    expect(answer.errors).toBeUndefined()
    const p = answer.data.indicatorValueProvenance
    expect(p).toMatchObject({
      valueId: id,
      source: 'reported',
      value: 65,
      computedValue: 50,
      relativeDifference: 0.3,
      disagreement: true,
      disagreementThreshold: DISAGREEMENT_THRESHOLD,
      reportedBy: 'test-district-310101',
      remark: '区核实',
      reviewState: 'draft',
      indicator: { code: computed.code },
      run: { databaseId: run?.id, kind: 'indicators', parameters: { indicators: 'all' } },
      computedInputs: { residents: 1000, runId: run?.id },
      dataset: { name: '黄浦区统计年鉴 2024', kind: 'import' },
      evidence: [{ fileName: '核实说明.pdf', mediaType: 'application/pdf', byteSize: 2048 }],
    })
    expect(p.run.finishedAt).toEqual(expect.any(String))
    expect(p.auditEvents).toEqual([
      expect.objectContaining({
        action: 'fill',
        before: expect.objectContaining({ value: 50, source: 'computed' }),
      }),
    ])

    await api.gql(
      `mutation ($input: FillingRefInput!) { submitFilling(input: $input) { state } }`,
      { input: { campaignId, regionCode: '310101' } },
      { token: district },
    )
    await api.gql(
      `mutation ($input: ReviewFillingInput!) { reviewFilling(input: $input) { state } }`,
      {
        input: {
          campaignId,
          regionCode: '310101',
          decision: 'RETURN',
          valueComments: [{ indicatorCode: computed.code, unitKey: '310101', comment: '与计算值相差过大' }],
        },
      },
      { token: await tokenFor('city', '310100') },
    )
    const after = (await api.gql(PROVENANCE, { id: String(id) }, { token: district })).data
      .indicatorValueProvenance
    expect(after.reviewState).toBe('returned')
    expect(after.reviews).toEqual([
      { decision: 'submit', round: null, comment: null, valueComment: null },
      { decision: 'return', round: 'city', comment: null, valueComment: '与计算值相差过大' },
    ])
  })

  it('keeps provenance to the roles that read fillings, within their region', async () => {
    const id = await valueId(computed.id)
    const other = await api.gql(
      PROVENANCE,
      { id: String(id) },
      { token: await tokenFor('district', '310109') },
    )
    expect(codesOf(other)).toEqual(['NOT_FOUND'])
    const partner = await api.gql(
      PROVENANCE,
      { id: String(id) },
      { token: await tokenFor('partner', '310101') },
    )
    expect(codesOf(partner)).toEqual(['FORBIDDEN'])
    const wrongType = await api.gql(PROVENANCE, { id: globalId('Problem', id) }, { token: district })
    expect(codesOf(wrongType)).toEqual(['BAD_USER_INPUT'])
  })

  it('flags a disagreement above the named threshold only', () => {
    expect(relativeDifference(120, 100)).toBeCloseTo(0.2)
    expect(disagrees(120, 100)).toBe(false)
    expect(disagrees(121, 100)).toBe(true)
    expect(disagrees(5, 0)).toBe(true)
    expect(relativeDifference(5, 0)).toBeNull()
    expect(disagrees(0, 0)).toBe(false)
    expect(disagrees(null, 3)).toBe(false)
  })
})
