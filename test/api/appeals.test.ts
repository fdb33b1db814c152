/**
 * Appeal intake through GraphQL `fileAppeal` (issue 13, items 1 and 5): a new appeal opens a problem; one of the
 * same type within 50 m and 30 days of an open problem joins it; staff merge duplicates and split a wrong join.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

let api: Api
let district: string
let street: string

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON answers field by field
type Json = any

const POTHOLE = 'test-appeal-pothole'
const NOISE = 'test-appeal-noise'
/** Metres north of a point, in degrees of latitude. */
const north = (m: number) => m / 111_320

/** Spots in 黄浦区 far enough apart (≥ 150 m) that no scenario joins another's problem. */
const SPOTS = {
  join: { lat: 31.233, long: 121.484 },
  far: { lat: 31.2345, long: 121.486 },
  type: { lat: 31.2315, long: 121.482 },
  old: { lat: 31.2298, long: 121.4855 },
  recent: { lat: 31.2285, long: 121.483 },
  closed: { lat: 31.2365, long: 121.4835 },
  merge: { lat: 31.238, long: 121.4865 },
  split: { lat: 31.2265, long: 121.4865 },
}
const PUDONG_POINT = { lat: 31.2397, long: 121.4998 }

const FILE = `mutation ($input: FileAppealInput!) { fileAppeal(input: $input) {
  joined reportCount opinionId problem { id databaseId title source severity yearFound regionCode state } } }`

async function file(
  at: { lat: number; long: number },
  extra: Record<string, unknown> = {},
  token = district,
): Promise<Json> {
  return api.request<Json>(
    FILE,
    {
      input: {
        serviceCode: POTHOLE,
        description: '路面有坑',
        kind: 'hotline',
        submittedBy: '12345-工单-001',
        ...at,
        ...extra,
      },
    },
    { token },
  )
}

async function filed(at: { lat: number; long: number }, extra: Record<string, unknown> = {}): Promise<Json> {
  const answer = await file(at, extra)
  expect(answer.body.errors).toBeUndefined()
  return answer.body.data.fileAppeal
}

/** Moves a problem and its appeals `days` into the past. */
async function age(
  problemId: number,
  createdDaysAgo: number,
  reportedDaysAgo = createdDaysAgo,
): Promise<void> {
  await api.database.rows(sql`update problems set created_at = now() - make_interval(days => ${createdDaysAgo})
    where id = ${problemId}`)
  await api.database.rows(sql`update opinions set created_at = now() - make_interval(days => ${reportedDaysAgo})
    where problem_id = ${problemId}`)
}

beforeAll(async () => {
  api = await startApi()
  await api.database.rows(sql`insert into problem_types (code, name, name_en, reportable, default_severity)
    values (${POTHOLE}, '道路坑洼', 'Pothole', true, 3), (${NOISE}, '噪声扰民', 'Noise', true, 1)
    on conflict (code) do nothing`)
  district = await tokenFor('district', '310101')
  street = await tokenFor('street', '310101002')
})

afterAll(async () => {
  await api?.close()
})

describe('fileAppeal', () => {
  it('opens a problem from the type: bilingual title, default severity, this year, the covering district', async () => {
    const first = await filed(SPOTS.join, { address: '福州路 1 号' })
    expect(first).toMatchObject({ joined: false, reportCount: 1 })
    expect(first.problem).toMatchObject({
      title: '道路坑洼（福州路 1 号）',
      source: 'appeal',
      severity: 3,
      regionCode: '310101',
      state: 'identified',
    })
    const year = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4))
    expect(first.problem.yearFound).toBe(year)
    const [stored] = await api.database.rows<Json>(
      sql`select p.title_en as "titleEn", p.responsible_unit as "responsibleUnit", p.deadline is not null as "hasDeadline", o.kind, o.submitted_by as "submittedBy", o.service_code as "serviceCode"
        from problems p join opinions o on o.problem_id = p.id where p.id = ${first.problem.databaseId}`,
    )
    // Routed on filing by the catch-all rule: the district answers for it, with a deadline by severity.
    expect(stored).toEqual({
      titleEn: 'Pothole (福州路 1 号)',
      responsibleUnit: '310101',
      hasDeadline: true,
      kind: 'hotline',
      submittedBy: '12345-工单-001',
      serviceCode: POTHOLE,
    })
  })

  it('joins an open problem of the type within 50 m, counted and audited; 70 m away or another type is new', async () => {
    const first = await filed({ ...SPOTS.join, lat: SPOTS.join.lat + north(5) })
    const joined = await filed({ ...SPOTS.join, lat: SPOTS.join.lat + north(40) })
    expect(joined).toMatchObject({ joined: true })
    expect(joined.problem.databaseId).toBe(first.problem.databaseId)
    expect(joined.reportCount).toBe(first.reportCount + 1)
    const events = await api.database.rows<{ action: string }>(
      sql`select action from audit_events where entity = 'problem' and entity_id = ${String(first.problem.databaseId)}
        order by id`,
    )
    expect(events.map((e) => e.action)).toContain('appealJoined')

    const far = await filed({ ...SPOTS.far })
    const seventy = await filed({ ...SPOTS.far, lat: SPOTS.far.lat + north(70) })
    expect(seventy.joined).toBe(false)
    expect(seventy.problem.databaseId).not.toBe(far.problem.databaseId)

    const pothole = await filed(SPOTS.type)
    const noise = await filed(SPOTS.type, { serviceCode: NOISE })
    expect(noise.joined).toBe(false)
    expect(noise.problem.databaseId).not.toBe(pothole.problem.databaseId)
  })

  it('30 days: a problem found and last reported 40 days ago is not joined; one reported 10 days ago is', async () => {
    const old = await filed(SPOTS.old)
    await age(old.problem.databaseId, 40)
    expect((await filed(SPOTS.old)).joined).toBe(false)

    const recent = await filed(SPOTS.recent)
    await age(recent.problem.databaseId, 40, 10)
    const again = await filed(SPOTS.recent)
    expect(again.joined).toBe(true)
    expect(again.problem.databaseId).toBe(recent.problem.databaseId)
  })

  it('a closed problem is not joined', async () => {
    const done = await filed(SPOTS.closed)
    await api.database.rows(sql`update problems set state = 'closed' where id = ${done.problem.databaseId}`)
    const next = await filed(SPOTS.closed)
    expect(next.joined).toBe(false)
  })

  it('refuses a point off the globe or outside the caller’s regions, an unknown type, and the public', async () => {
    expect(errorCodes(await file({ lat: 95, long: 121.48 }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await file(PUDONG_POINT))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await file(SPOTS.join, { serviceCode: 'no-such-type' }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await file(SPOTS.join, { attributes: [1, 2] }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await file(SPOTS.join, {}, await tokenFor('public')))).toEqual(['FORBIDDEN'])
    expect(errorCodes(await file(SPOTS.join, {}, ''))).toEqual(['UNAUTHENTICATED'])
  })
})

const MERGE = `mutation ($input: MergeProblemsInput!) { mergeProblems(input: $input) { databaseId } }`
const SPLIT = `mutation ($input: SplitAppealInput!) { splitAppeal(input: $input) { databaseId source } }`

describe('merging and splitting', () => {
  it('merges duplicates into one problem: appeals and counts move, the duplicate closes and points there', async () => {
    const target = await filed(SPOTS.merge)
    const source = await filed({ ...SPOTS.merge, lat: SPOTS.merge.lat + north(80) })
    const input = { targetId: target.problem.id, sourceIds: [source.problem.id] }
    expect(errorCodes(await api.request(MERGE, { input }, { token: street }))).toEqual(['FORBIDDEN'])
    const merged = await api.request<Json>(MERGE, { input }, { token: district })
    expect(merged.body.errors).toBeUndefined()
    expect(merged.body.data.mergeProblems.databaseId).toBe(target.problem.databaseId)
    const rows = await api.database.rows<Json>(
      sql`select p.id, p.state, p.report_count as "reportCount", p.merged_into_id as "mergedIntoId",
          (select count(*)::int from opinions o where o.problem_id = p.id) as opinions
        from problems p where p.id in (${target.problem.databaseId}, ${source.problem.databaseId}) order by p.id`,
    )
    expect(rows).toEqual([
      { id: target.problem.databaseId, state: 'identified', reportCount: 2, mergedIntoId: null, opinions: 2 },
      {
        id: source.problem.databaseId,
        state: 'closed',
        reportCount: 1,
        mergedIntoId: target.problem.databaseId,
        opinions: 0,
      },
    ])
    // Merged once, it cannot be merged again.
    expect(errorCodes(await api.request(MERGE, { input }, { token: district }))).toEqual(['BAD_USER_INPUT'])
  })

  it('splits a wrongly joined appeal into a problem of its own; the only appeal of a problem cannot be split', async () => {
    const first = await filed(SPOTS.split)
    const wrong = await filed(
      { ...SPOTS.split, lat: SPOTS.split.lat + north(30) },
      { description: '其实是井盖缺失' },
    )
    expect(wrong.joined).toBe(true)
    expect(
      errorCodes(await api.request(SPLIT, { input: { opinionId: wrong.opinionId } }, { token: street })),
    ).toEqual(['FORBIDDEN'])
    const split = await api.request<Json>(
      SPLIT,
      { input: { opinionId: wrong.opinionId } },
      { token: district },
    )
    expect(split.body.errors).toBeUndefined()
    const newId = split.body.data.splitAppeal.databaseId
    expect(newId).not.toBe(first.problem.databaseId)
    expect(split.body.data.splitAppeal.source).toBe('appeal')
    const counts = await api.database.rows<Json>(
      sql`select id, report_count as "reportCount", description from problems
        where id in (${first.problem.databaseId}, ${newId}) order by id`,
    )
    expect(counts).toEqual([
      { id: first.problem.databaseId, reportCount: 1, description: '路面有坑' },
      { id: newId, reportCount: 1, description: '其实是井盖缺失' },
    ])
    const again = await api.request(SPLIT, { input: { opinionId: wrong.opinionId } }, { token: district })
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT'])
  })
})
