import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokenFor } from './helpers/api.ts'
import { auditOf, codesOf, startWriteApi, type WriteApi } from './helpers/writes.ts'

const CREATE = `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { databaseId } }`
const FILL = `mutation ($input: FillIndicatorValuesInput!) {
  fillIndicatorValues(input: $input) { accepted rejected { index indicator unitKey message } } }`
const FILLING_FIELDS =
  'databaseId state round currentRound reviewRounds locked lockedAt submittedBy progress { tasks filled approved }'
const SUBMIT = `mutation ($input: FillingRefInput!) { submitFilling(input: $input) { ${FILLING_FIELDS} } }`
const REVIEW = `mutation ($input: ReviewFillingInput!) { reviewFilling(input: $input) { ${FILLING_FIELDS} } }`
const UNLOCK = `mutation ($input: UnlockFillingInput!) { unlockFilling(input: $input) { ${FILLING_FIELDS} } }`
const READ = `query ($campaignId: ID!, $regionCode: String!) { filling(campaignId: $campaignId, regionCode: $regionCode) {
  ${FILLING_FIELDS} reviews { round decision comment valueComments { indicatorCode comment } actor role }
  tasks(unitKey: "310101") { indicatorCode indicator { code } valueId value reviewState reviewComment } } }`

describe('submit, review in the edition’s rounds, lock and unlock', () => {
  let api: WriteApi
  let campaignId: number
  let codes: string[]
  const tokens: Record<string, string> = {}
  const ref = () => ({ campaignId, regionCode: '310101' })
  const as = (who: string, query: string, input: Record<string, unknown>) =>
    api.gql(query, { input }, { token: tokens[who] })
  const read = async (who = 'city') => (await api.gql(READ, ref(), { token: tokens[who] })).data.filling

  beforeAll(async () => {
    api = await startWriteApi()
    tokens.province = await tokenFor('province', '310000')
    tokens.city = await tokenFor('city', '310100')
    tokens.district = await tokenFor('district', '310101')
    tokens.hongkou = await tokenFor('district', '310109')
    tokens.expert = await tokenFor('expert', '310101')
    const reported = await api.database.rows<{
      code: string
      id: number
    }>(sql`select i.code, s.id from indicators i
      join indicator_systems s on s.id = i.system_id
      where s.code = 'national-basic' and s.year = 2025 and i.method_kind = 'reported' and (i.unit is null
        or i.unit not like '%\\%%') order by i.sort_order limit 4`)
    codes = reported.map((r) => r.code)
    const created = await as('city', CREATE, {
      kind: 'annual',
      year: 2025,
      name: '上海市 2025 年城市体检',
      regionCode: '310100',
      systemId: reported[0]?.id,
    })
    campaignId = created.data.createCampaign.databaseId
  })
  afterAll(async () => {
    await api?.close()
  })

  it('walks the must-show flow: fill, submit, city approves, province approves, locked, unlocked', async () => {
    const values = [
      { indicatorCode: codes[0], unitKey: '310101', value: 12 },
      { indicatorCode: codes[1], unitKey: '310101', value: 3.5, remark: '据区统计局' },
      { indicatorCode: codes[2], unitKey: '310101', value: 40 },
      { indicatorCode: codes[3], unitKey: '310101', rawValue: '约四十' },
    ]
    const filled = await as('district', FILL, { ...ref(), values })
    expect(filled.data.fillIndicatorValues.accepted).toBe(3)
    expect(filled.data.fillIndicatorValues.rejected).toEqual([
      { index: 3, indicator: codes[3], unitKey: '310101', message: expect.stringMatching(/is not a number/) },
    ])

    expect(codesOf(await as('province', SUBMIT, ref()))).toEqual(['FORBIDDEN'])
    const submitted = (await as('district', SUBMIT, ref())).data.submitFilling
    expect(submitted).toMatchObject({ state: 'submitted', round: 0, currentRound: 'city', locked: false })
    expect(submitted.submittedBy).toBe('test-district-310101')
    const underReview = await as('district', FILL, { ...ref(), values: values.slice(0, 1) })
    expect(codesOf(underReview)).toEqual(['CONFLICT'])

    const early = await as('province', REVIEW, { ...ref(), decision: 'APPROVE' })
    expect(codesOf(early)).toEqual(['FORBIDDEN'])
    expect(early.errors?.[0].message).toMatch(/in the city round/)
    expect(codesOf(await as('district', REVIEW, { ...ref(), decision: 'APPROVE' }))).toEqual(['FORBIDDEN'])
    expect(codesOf(await as('expert', REVIEW, { ...ref(), decision: 'APPROVE' }))).toEqual(['FORBIDDEN'])

    const byCity = (await as('city', REVIEW, { ...ref(), decision: 'APPROVE', comment: '初审通过' })).data
      .reviewFilling
    expect(byCity).toMatchObject({ state: 'submitted', round: 1, currentRound: 'province', locked: false })
    expect((await as('city', REVIEW, { ...ref(), decision: 'APPROVE' })).errors?.[0].message).toMatch(
      /in the province round/,
    )
    const byProvince = (await as('province', REVIEW, { ...ref(), decision: 'APPROVE' })).data.reviewFilling
    expect(byProvince).toMatchObject({ state: 'approved', currentRound: null, locked: true })
    expect(byProvince.progress).toMatchObject({ filled: 3, approved: 3 })

    const locked = await as('district', FILL, { ...ref(), values: values.slice(0, 1) })
    expect(codesOf(locked)).toEqual(['CONFLICT'])
    expect(locked.errors?.[0].message).toMatch(/approved and locked/)
    expect(codesOf(await as('district', SUBMIT, ref()))).toEqual(['CONFLICT'])
    expect(codesOf(await as('city', UNLOCK, { ...ref(), reason: '口径有误' }))).toEqual(['FORBIDDEN'])
    expect(codesOf(await as('province', UNLOCK, { ...ref(), reason: '  ' }))).toEqual(['BAD_USER_INPUT'])
    const unlocked = (await as('province', UNLOCK, { ...ref(), reason: '区统计口径有误，需更正' })).data
      .unlockFilling
    expect(unlocked).toMatchObject({ state: 'returned', round: 0, locked: false, lockedAt: null })
    expect(codesOf(await as('province', UNLOCK, { ...ref(), reason: '再次' }))).toEqual(['CONFLICT'])
    const again = await as('district', FILL, { ...ref(), values: values.slice(0, 1) })
    expect(again.data.fillIndicatorValues.accepted).toBe(1)

    const filling = await read()
    expect(
      filling.reviews.map((r: { decision: string; round: string | null }) => [r.decision, r.round]),
    ).toEqual([
      ['submit', null],
      ['approve', 'city'],
      ['approve', 'province'],
      ['unlock', null],
    ])
    expect(filling.reviews[3]).toMatchObject({ comment: '区统计口径有误，需更正', role: 'province' })
    const audit = await auditOf(api.database, 'filling', filling.databaseId)
    expect(audit.map((a) => [a.action, a.role])).toEqual([
      ['submit', 'district'],
      ['approve', 'city'],
      ['approve', 'province'],
      ['unlock', 'province'],
    ])
    expect(audit[2]?.after).toMatchObject({ state: 'approved', locked: true, reviewedRound: 'province' })
  })

  it('puts the check under review once every filling is submitted, and back to collecting on a return', async () => {
    const status = async () =>
      (
        await api.database.rows<{ status: string }>(
          sql`select status from campaigns where id = ${campaignId}`,
        )
      )[0]?.status
    await api.database.rows(sql`update fillings set state = 'submitted'
      where campaign_id = ${campaignId} and region_code <> '310101'`)
    expect(await status()).toBe('collecting')
    expect((await as('district', SUBMIT, ref())).data.submitFilling.state).toBe('submitted')
    expect(await status()).toBe('reviewing')
    const returned = await as('city', REVIEW, { ...ref(), decision: 'RETURN', comment: '请补充佐证' })
    expect(returned.data.reviewFilling.state).toBe('returned')
    expect(await status()).toBe('collecting')
    await api.database.rows(sql`update fillings set state = 'draft'
      where campaign_id = ${campaignId} and region_code <> '310101'`)
  })

  it('returns with per-value comments, and the filler edits and submits again from the first round', async () => {
    await as('district', SUBMIT, ref())
    const noComment = await as('city', REVIEW, { ...ref(), decision: 'RETURN' })
    expect(codesOf(noComment)).toEqual(['BAD_USER_INPUT'])
    const stray = await as('city', REVIEW, {
      ...ref(),
      decision: 'RETURN',
      valueComments: [{ indicatorCode: codes[0], unitKey: '310109', comment: '?' }],
    })
    expect(stray.errors?.[0].message).toMatch(/name no task/)
    const strayApproval = await as('city', REVIEW, {
      ...ref(),
      decision: 'APPROVE',
      valueComments: [{ indicatorCode: 'NO-SUCH', unitKey: '310101', comment: '?' }],
    })
    expect(codesOf(strayApproval)).toEqual(['BAD_USER_INPUT'])
    const returned = await as('city', REVIEW, {
      ...ref(),
      decision: 'RETURN',
      comment: '请核实',
      valueComments: [{ indicatorCode: codes[1], unitKey: '310101', comment: '与统计年鉴不符' }],
    })
    expect(returned.data.reviewFilling).toMatchObject({ state: 'returned', round: 0, currentRound: null })
    const tasks = (await read('district')).tasks as {
      indicatorCode: string
      indicator: { code: string }
      reviewState: string
      reviewComment: string
    }[]
    expect(tasks.find((t) => t.indicatorCode === codes[1])).toMatchObject({
      reviewState: 'returned',
      reviewComment: '与统计年鉴不符',
    })
    expect(tasks.find((t) => t.indicatorCode === codes[0])?.reviewState).toBe('draft')
    expect(tasks.every((t) => t.indicator.code === t.indicatorCode)).toBe(true)
    expect(
      (
        await as('district', FILL, {
          ...ref(),
          values: [{ indicatorCode: codes[1], unitKey: '310101', value: 4 }],
        })
      ).data.fillIndicatorValues.accepted,
    ).toBe(1)
    const resubmitted = (await as('district', SUBMIT, ref())).data.submitFilling
    expect(resubmitted).toMatchObject({ state: 'submitted', round: 0, currentRound: 'city' })
    // Reviewing a draft, or approving twice, names the state expected.
    const otherDraft = await api.gql(
      REVIEW,
      { input: { campaignId, regionCode: '310109', decision: 'APPROVE' } },
      { token: tokens.city },
    )
    expect(codesOf(otherDraft)).toEqual(['CONFLICT'])
    expect(otherDraft.errors?.[0].message).toMatch(/only a submitted filling can be reviewed/)
  })

  it('keeps every step inside the token’s region: another district’s filling is NOT_FOUND', async () => {
    expect(codesOf(await as('hongkou', SUBMIT, ref()))).toEqual(['NOT_FOUND'])
    expect(codesOf(await as('hongkou', FILL, { ...ref(), values: [] }))).toEqual(['NOT_FOUND'])
    expect(await read('hongkou')).toBeNull()
    const nanjingCity = await tokenFor('city', '320100')
    const outside = await api.gql(
      REVIEW,
      { input: { ...ref(), decision: 'APPROVE' } },
      { token: nanjingCity },
    )
    expect(codesOf(outside)).toEqual(['NOT_FOUND'])
    expect(codesOf(await api.gql(SUBMIT, { input: ref() }, {}))).toEqual(['UNAUTHENTICATED'])
  })

  it('locks after the city approval when the edition asks for the city round only', async () => {
    const [edition] = await api.database.rows<{ id: number }>(sql`insert into indicator_systems
        (code, name, year, level, owner_region_code, status, review_rounds, published_at)
      values ('city-round-only', '只需市级初审', 2026, 'municipal', '310100', 'published', '["city"]'::jsonb, now())
      returning id`)
    await api.database.rows(sql`insert into indicators (system_id, code, name, dimension, level, method_kind, method)
      values (${edition?.id}, 'C1', '城市特色指标', 'city', 'municipal', 'reported', 'reported')`)
    const created = await as('city', CREATE, {
      kind: 'annual',
      year: 2026,
      name: '上海市 2026 年城市体检',
      regionCode: '310100',
      systemId: edition?.id,
    })
    const id = created.data.createCampaign.databaseId
    const input = { campaignId: id, regionCode: '310101' }
    await as('district', FILL, { ...input, values: [{ indicatorCode: 'C1', unitKey: '310101', value: 1 }] })
    expect((await as('district', SUBMIT, input)).data.submitFilling.reviewRounds).toEqual(['city'])
    const approved = (await as('city', REVIEW, { ...input, decision: 'APPROVE' })).data.reviewFilling
    expect(approved).toMatchObject({ state: 'approved', locked: true, progress: { approved: 1 } })
    expect(codesOf(await as('province', REVIEW, { ...input, decision: 'APPROVE' }))).toEqual(['CONFLICT'])
    // Once the check is closed, nothing of it changes: no unlock, no value.
    await api.database.rows(sql`update campaigns set status = 'closed' where id = ${id}`)
    const unlock = await as('province', UNLOCK, { ...input, reason: '补充' })
    expect(codesOf(unlock)).toEqual(['CONFLICT'])
    expect(unlock.errors?.[0].message).toMatch(/is closed/)
    const fill = await as('district', FILL, {
      ...input,
      values: [{ indicatorCode: 'C1', unitKey: '310101', value: 2 }],
    })
    expect(fill.errors?.[0].message).toMatch(/is closed/)
  })
})
