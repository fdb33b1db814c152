import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INDICATOR_CALCULATORS } from '../../jobs/indicators/job.ts'
import { assertEditionRunnable } from '../../schema/indicators/editions.ts'
import { COMPUTED_CALCULATORS } from '../../schema/indicators/indicator-edits.ts'
import { checkStandardValues } from '../../schema/indicators/input.ts'
import { signToken } from '../../server/auth/token.ts'
import { UserFacingError } from '../../server/graphql/errors.ts'
import { TEST_JWT_SECRET } from './helpers/api.ts'
import {
  auditOf,
  CALLERS,
  codesOf,
  globalId,
  startWriteApi,
  tokenOf,
  type WriteApi,
} from './helpers/writes.ts'

let api: WriteApi
const tokens = new Map<string, string | null>()
const token = (name: string) => tokens.get(name) ?? null
let national = { id: 0, gid: '', count: 0 }

const SYSTEM = `id code year level status ownerRegionCode checkKind objectTypes reviewRounds weaknessChecks
  publishedAt lockedAt baseSystem { id }`
const INDICATOR = `id code name level enabled weight unitType reportingLevel department parameters standardValues
  inherited overriddenFields baseIndicator { id code }`
const CREATE = `mutation ($input: CreateIndicatorSystemInput!) { createIndicatorSystem(input: $input) { ${SYSTEM}
  indicators { ${INDICATOR} } } }`
const COPY = `mutation ($input: CopyIndicatorSystemToYearInput!) { copyIndicatorSystemToYear(input: $input) {
  ${SYSTEM} indicators { ${INDICATOR} } } }`
const PUBLISH = `mutation ($input: IndicatorSystemStatusInput!) { publishIndicatorSystem(input: $input) { ${SYSTEM} } }`
const LOCK = `mutation ($input: IndicatorSystemStatusInput!) { lockIndicatorSystem(input: $input) { ${SYSTEM} } }`
const ADD = `mutation ($input: AddIndicatorInput!) { addIndicator(input: $input) { ${INDICATOR} } }`
const UPDATE = `mutation ($input: UpdateIndicatorInput!) { updateIndicator(input: $input) { ${INDICATOR} } }`
const DIFF = `query ($from: ID!, $to: ID!) { indicatorSystemDiff(from: $from, to: $to) {
  from { id } to { id } added { code } removed { code } changed { code name fields { field before after } } } }`

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
type Json = any
const idOf = (gid: string) => Number(Buffer.from(gid, 'base64').toString('utf8').split(':')[1])

async function ok(query: string, variables: Record<string, unknown>, who = 'city'): Promise<Json> {
  const r = await api.gql(query, variables, { token: token(who) })
  expect(r.errors).toBeUndefined()
  return r.data
}

async function refused(query: string, variables: Record<string, unknown>, who = 'city'): Promise<Json> {
  const r = await api.gql(query, variables, { token: token(who) })
  expect(r.data?.[Object.keys(r.data ?? {})[0] ?? ''] ?? null).toBeNull()
  return { codes: codesOf(r), message: String(r.errors?.[0]?.message ?? '') }
}

const provinceInput = (fields: Record<string, unknown> = {}) => ({
  baseSystemId: national.gid,
  code: '310000-annual',
  name: '上海市城市体检指标体系（省级）',
  year: 2025,
  level: 'provincial',
  ownerRegionCode: '310000',
  ...fields,
})

beforeAll(async () => {
  api = await startWriteApi()
  for (const caller of CALLERS) tokens.set(caller.name, await tokenOf(caller))
  tokens.set(
    'city 320100',
    await signToken({ sub: 'nanjing', role: 'city', region: '320100' }, TEST_JWT_SECRET),
  )
  const [row] = await api.database.rows<{ id: number; n: number }>(sql`select s.id,
    (select count(*)::int from indicators i where i.system_id = s.id) as n
    from indicator_systems s where s.code = 'national-basic'`)
  national = { id: row?.id ?? 0, gid: globalId('IndicatorSystem', row?.id ?? 0), count: row?.n ?? 0 }
})
afterAll(async () => {
  await api?.close()
})

describe('the national catalogue', () => {
  it('gives every indicator a renewal theme: its dimension’s (住房 / 小区 / 街区 / 城区)', async () => {
    const rows = await api.database.rows<{ dimension: string; theme: string | null }>(sql`
      select distinct dimension, renewal_theme as theme from indicators where system_id = ${national.id}`)
    const themes = Object.fromEntries(rows.map((r) => [r.dimension, r.theme]))
    expect(themes).toEqual({ housing: '住房', compound: '小区', block: '街区', city: '城区' })
  })

  it('holds standard values that pass the checks an edition’s changes must pass', async () => {
    const rows = await api.database.rows<{ direction: string; standardValues: unknown }>(sql`
      select direction, standard_values as "standardValues" from indicators
      where system_id = ${national.id} and standard_values is not null`)
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows)
      expect(() => checkStandardValues(r.standardValues, r.direction as never)).not.toThrow()
  })

  it('names the same calculators an added indicator may use as the indicators job computes', () => {
    expect([...COMPUTED_CALCULATORS].sort()).toEqual([...INDICATOR_CALCULATORS].sort())
  })
})

describe('editions with inheritance', () => {
  let province: Json
  let city: Json

  it('a province creates a draft edition that inherits every national indicator', async () => {
    province = (await ok(CREATE, { input: provinceInput({ reviewRounds: ['province'] }) }, 'province'))
      .createIndicatorSystem
    expect(province).toMatchObject({ code: '310000-annual', level: 'provincial', status: 'draft' })
    expect(province).toMatchObject({
      checkKind: 'annual',
      objectTypes: ['region'],
      reviewRounds: ['province'],
    })
    expect(province.baseSystem.id).toBe(national.gid)
    expect(province.indicators).toHaveLength(national.count)
    for (const i of province.indicators) {
      expect(i).toMatchObject({ inherited: true, enabled: true, level: 'national', overriddenFields: [] })
      expect(i.baseIndicator.code).toBe(i.code)
    }
    const [event] = await auditOf(api.database, 'indicator_system', idOf(province.id))
    expect(event).toMatchObject({
      actor: 'perm-province',
      action: 'create',
      regionCode: '310000',
      before: null,
    })
    expect(event?.after).toMatchObject({ inherited: national.count, baseSystemId: national.id })
  })

  it('nobody builds on a draft; a city builds on the province’s edition once it is published', async () => {
    const input = { ...provinceInput(), baseSystemId: province.id, code: '310100-annual', level: 'municipal' }
    const cityInput = { ...input, name: '上海市城市体检指标体系', ownerRegionCode: '310100' }
    // A province's draft is not the city's to read; the province sees its own and is told it is a draft.
    expect((await refused(CREATE, { input: cityInput })).codes).toEqual(['NOT_FOUND'])
    const special = { ...input, code: '310000-old-compounds', level: 'special', ownerRegionCode: '310000' }
    expect((await refused(CREATE, { input: special }, 'province')).codes).toEqual(['CONFLICT'])
    const published = (await ok(PUBLISH, { input: { systemId: province.id } }, 'province'))
      .publishIndicatorSystem
    expect(published.status).toBe('published')
    expect(Date.parse(published.publishedAt)).not.toBeNaN()
    city = (await ok(CREATE, { input: { ...cityInput, weaknessChecks: 2 } })).createIndicatorSystem
    expect(city).toMatchObject({ level: 'municipal', status: 'draft', weaknessChecks: 2 })
    const byCode = new Map(province.indicators.map((i: Json) => [i.code, i.id]))
    for (const i of city.indicators) expect(i.baseIndicator.id).toBe(byCode.get(i.code))
  })

  it('overrides standard values per city class, a service radius, weight and who reports it', async () => {
    const target = city.indicators.find((i: Json) => i.code === 'B04')
    const standardValues = { poor: 50, fair: 70, good: 90, byCityClass: { 超大城市: { good: 95 } } }
    const input = {
      id: target.id,
      name: '公园绿化活动场地服务半径覆盖率（市定）',
      standardValues,
      parameters: { radiusM: 800 },
      weight: 2.5,
      unitType: 'compound',
      reportingLevel: 'department',
      department: '教委',
    }
    const changed = (await ok(UPDATE, { input })).updateIndicator
    expect(changed).toMatchObject({ name: input.name, standardValues, weight: 2.5, unitType: 'compound' })
    expect(changed).toMatchObject({ reportingLevel: 'department', department: '教委', inherited: true })
    expect(changed.parameters).toEqual({ ...target.parameters, radiusM: 800 })
    expect(changed.overriddenFields.sort()).toEqual(
      ['department', 'name', 'parameters', 'reportingLevel', 'standardValues', 'unitType', 'weight'].sort(),
    )
    const events = await auditOf(api.database, 'indicator', idOf(target.id))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ action: 'update', regionCode: '310100', actor: 'perm-city' })
    expect(events[0]?.after).toMatchObject({ weight: 2.5, parameters: changed.parameters })
    expect(events[0]?.before).toMatchObject({ weight: null, unitType: 'region' })
    // The same change again changes nothing and records nothing.
    await ok(UPDATE, { input })
    expect(await auditOf(api.database, 'indicator', idOf(target.id))).toHaveLength(1)
  })

  it('switches an inherited indicator off: still listed, not among the enabled ones', async () => {
    const target = city.indicators[0]
    const off = (await ok(UPDATE, { input: { id: target.id, enabled: false } })).updateIndicator
    expect(off).toMatchObject({ enabled: false, inherited: true, overriddenFields: ['enabled'] })
    const q = `query ($id: ID!) { node(id: $id) { ... on IndicatorSystem {
      all: indicators { code } on: indicators(enabled: true) { code } off: indicators(enabled: false) { code } } } }`
    const { node } = await ok(q, { id: city.id })
    expect(node.all).toHaveLength(national.count)
    expect(node.off).toEqual([{ code: target.code }])
    expect(node.on.map((i: Json) => i.code)).not.toContain(target.code)
  })

  it('adds a 特色 indicator of the city’s own, once per code', async () => {
    const input = {
      systemId: city.id,
      code: 'SH01',
      name: '滨水岸线公共开放比例',
      dimension: 'city',
      unit: '%',
      direction: 'higher',
      standardValues: { poor: 60, fair: 75, good: 90 },
      renewalTheme: '城区',
    }
    const added = (await ok(ADD, { input })).addIndicator
    expect(added).toMatchObject({ code: 'SH01', level: 'municipal', inherited: false, baseIndicator: null })
    expect(added).toMatchObject({ enabled: true, unitType: 'region', reportingLevel: 'district' })
    const [event] = await auditOf(api.database, 'indicator', idOf(added.id))
    expect(event).toMatchObject({ action: 'add', regionCode: '310100' })
    const again = await refused(ADD, { input })
    expect(again.codes).toEqual(['BAD_USER_INPUT'])
    expect(again.message).toContain('SH01')
    const inherited = await refused(ADD, { input: { ...input, code: city.indicators[1].code } })
    expect(inherited.codes).toEqual(['BAD_USER_INPUT'])
  })

  it('lists added, removed and changed indicators with the fields that changed', async () => {
    const forward = (await ok(DIFF, { from: province.id, to: city.id })).indicatorSystemDiff
    expect(forward.added.map((i: Json) => i.code)).toEqual(['SH01'])
    expect(forward.removed).toEqual([])
    const changes = new Map(forward.changed.map((c: Json) => [c.code, c.fields]))
    expect(changes.size).toBe(2)
    expect(changes.get(city.indicators[0].code)).toEqual([{ field: 'enabled', before: true, after: false }])
    const park = city.indicators.find((i: Json) => i.code === 'B04')
    const fields = changes.get(park.code) as Json[]
    expect(fields.find((f) => f.field === 'weight')).toEqual({ field: 'weight', before: null, after: 2.5 })
    expect(fields.find((f) => f.field === 'parameters')?.after.radiusM).toBe(800)
    expect(fields.find((f) => f.field === 'standardValues')?.after.byCityClass).toEqual({
      超大城市: { good: 95 },
    })
    const backward = (await ok(DIFF, { from: city.id, to: province.id })).indicatorSystemDiff
    expect(backward.removed.map((i: Json) => i.code)).toEqual(['SH01'])
    expect(backward.added).toEqual([])
    const same = (await ok(DIFF, { from: national.gid, to: province.id })).indicatorSystemDiff
    expect(same).toMatchObject({ added: [], removed: [], changed: [] })
    expect((await refused(DIFF, { from: city.id, to: globalId('IndicatorSystem', 999999) })).codes).toEqual([
      'NOT_FOUND',
    ])
  })

  it('refuses input a user must correct, saying what is wrong in Chinese and English', async () => {
    const target = city.indicators[2]
    const cases: [string, Record<string, unknown>][] = [
      [UPDATE, { id: target.id, unitType: 'village' }],
      [UPDATE, { id: target.id, reportingLevel: 'nation' }],
      [UPDATE, { id: target.id, direction: 'higher', standardValues: { poor: 'sixty', good: 90 } }],
      [UPDATE, { id: target.id, direction: 'higher', standardValues: { poor: 90, fair: 70, good: 95 } }],
      [UPDATE, { id: target.id, direction: 'lower', standardValues: { poor: 1, good: 5 } }],
      [
        UPDATE,
        {
          id: target.id,
          direction: 'higher',
          standardValues: { poor: 50, byCityClass: { I: { good: 40 } } },
        },
      ],
      [UPDATE, { id: target.id, standardValues: { poor: 1, best: 2 } }],
      [UPDATE, { id: target.id, parameters: { radiusM: -300 } }],
      [UPDATE, { id: target.id, weight: -1 }],
      [UPDATE, { id: target.id, reportingLevel: 'department', department: null }],
      [UPDATE, { id: target.id, name: '  ' }],
      [UPDATE, { id: target.id, enabled: null }],
      [ADD, { systemId: city.id, code: 'SH 02', name: '编码含空格', dimension: 'city' }],
      [ADD, { systemId: city.id, code: 'SH02', name: '未知方法', dimension: 'city', method: 'magic:x' }],
      [CREATE, provinceInput({ code: 'x-1', level: 'national' })],
      [CREATE, provinceInput({ code: 'x-2', reviewRounds: ['province', 'city'] })],
      [CREATE, provinceInput({ code: 'x-3', objectTypes: ['castle'] })],
      [CREATE, provinceInput({ code: 'x-4', checkKind: 'monthly' })],
      [CREATE, provinceInput({ code: 'x-5', ownerRegionCode: '319999' })],
      [CREATE, provinceInput({ code: 'x-6', ownerRegionCode: '310101' })],
      [CREATE, provinceInput()],
      [COPY, { systemId: city.id, year: 2025 }],
    ]
    for (const [query, input] of cases) {
      const r = await refused(query, { input }, 'province')
      expect(r.codes, JSON.stringify(input)).toEqual(['BAD_USER_INPUT'])
      expect(r.message).toMatch(/[\u4e00-\u9fff].* \/ [A-Z]/)
    }
    const unchanged = (
      await ok(`query ($id: ID!) { node(id: $id) { ... on Indicator { ${INDICATOR} } } }`, {
        id: target.id,
      })
    ).node
    expect(unchanged).toEqual(target)
  })
})

describe('draft → published → locked', () => {
  let draft: Json
  let own: Json

  it('copies an edition to next year: same code and base, its own links kept, a draft', async () => {
    const [city] = await api.database.rows<{ id: number }>(
      sql`select id from indicator_systems where code = '310100-annual' and year = 2025`,
    )
    const source = globalId('IndicatorSystem', city?.id ?? 0)
    const before = (
      await ok(
        `query ($id: ID!) { node(id: $id) { ... on IndicatorSystem { ${SYSTEM}
      indicators { ${INDICATOR} } } } }`,
        { id: source },
      )
    ).node
    draft = (await ok(COPY, { input: { systemId: source, year: 2026 } })).copyIndicatorSystemToYear
    expect(draft).toMatchObject({ code: '310100-annual', year: 2026, status: 'draft', weaknessChecks: 2 })
    expect(draft.baseSystem.id).toBe(before.baseSystem.id)
    const strip = (i: Json) => ({ ...i, id: undefined })
    expect(draft.indicators.map(strip)).toEqual(before.indicators.map(strip))
    own = draft.indicators.find((i: Json) => i.code === 'SH01')
    const [event] = await auditOf(api.database, 'indicator_system', idOf(draft.id))
    expect(event).toMatchObject({ action: 'copy', regionCode: '310100' })
    const diff = (await ok(DIFF, { from: source, to: draft.id })).indicatorSystemDiff
    expect(diff).toMatchObject({ added: [], removed: [], changed: [] })
  })

  it('publishes, then refuses changes (CONFLICT), then locks; each step only once', async () => {
    const input = { systemId: draft.id }
    expect((await refused(LOCK, { input })).codes).toEqual(['CONFLICT'])
    const published = (await ok(PUBLISH, { input })).publishIndicatorSystem
    expect(published).toMatchObject({ status: 'published', lockedAt: null })
    const tryChanges = async () => {
      expect((await refused(UPDATE, { input: { id: own.id, weight: 3 } })).codes).toEqual(['CONFLICT'])
      const add = { systemId: draft.id, code: 'SH09', name: '晚到的指标', dimension: 'city' }
      expect((await refused(ADD, { input: add })).codes).toEqual(['CONFLICT'])
      expect((await refused(PUBLISH, { input })).codes).toEqual(['CONFLICT'])
    }
    await tryChanges()
    const locked = (await ok(LOCK, { input })).lockIndicatorSystem
    expect(locked).toMatchObject({ status: 'locked', publishedAt: published.publishedAt })
    expect(Date.parse(locked.lockedAt)).not.toBeNaN()
    await tryChanges()
    expect((await refused(LOCK, { input })).codes).toEqual(['CONFLICT'])
    const actions = (await auditOf(api.database, 'indicator_system', idOf(draft.id))).map((e) => e.action)
    expect(actions).toEqual(['copy', 'publish', 'lock'])
  })

  it('a special check starts from no base, with its object types; it publishes once it has an indicator', async () => {
    const objectTypes = ['compound', 'self_built_cluster']
    const base = provinceInput({ code: '310100-old-compounds', level: 'special', ownerRegionCode: '310100' })
    const input = { ...base, baseSystemId: null, checkKind: 'special', objectTypes }
    const special = (await ok(CREATE, { input })).createIndicatorSystem
    expect(special).toMatchObject({ checkKind: 'special', objectTypes, indicators: [], baseSystem: null })
    const publish = { input: { systemId: special.id } }
    expect((await refused(PUBLISH, publish)).codes).toEqual(['CONFLICT'])
    const own = { systemId: special.id, code: 'OC01', name: '老旧小区改造完成率', dimension: 'compound' }
    await ok(ADD, { input: { ...own, unitType: 'compound', direction: 'higher' } })
    expect((await ok(PUBLISH, publish)).publishIndicatorSystem.status).toBe('published')
  })

  it('runs a campaign on a published edition only', async () => {
    const run = (id: number) => api.database.db.transaction((tx) => assertEditionRunnable(tx, id))
    const [draftOne] = await api.database.rows<{ id: number }>(
      sql`select id from indicator_systems where code = '310100-annual' and year = 2025`,
    )
    const codeOf = async (id: number) =>
      run(id).then(
        () => 'ok',
        (e: unknown) => (e instanceof UserFacingError ? String(e.extensions.code) : String(e)),
      )
    expect(await codeOf(draftOne?.id ?? 0)).toBe('CONFLICT')
    expect(await codeOf(idOf(draft.id))).toBe('CONFLICT')
    expect(await codeOf(national.id)).toBe('ok')
    expect(await codeOf(999999)).toBe('NOT_FOUND')
  })
})

describe('who may write editions', () => {
  it.each(CALLERS)('$name creating a provincial edition', async (caller) => {
    const input = provinceInput({ code: `perm-${caller.name.replace(/\W+/g, '-')}` })
    const r = await api.gql(CREATE, { input }, { token: token(caller.name) })
    if (caller.role === 'province') return expect(r.errors).toBeUndefined()
    const expected = !caller.role ? 'UNAUTHENTICATED' : caller.role === 'city' ? 'NOT_FOUND' : 'FORBIDDEN'
    expect(codesOf(r)).toEqual([expected])
  })

  it('a city finds nothing outside its region, and cannot change the national edition', async () => {
    const outside = provinceInput({ code: 'nj-annual', level: 'municipal', ownerRegionCode: '320100' })
    expect((await refused(CREATE, { input: outside })).codes).toEqual(['NOT_FOUND'])
    const [shanghai] = await api.database.rows<{ id: number }>(
      sql`select id from indicators where system_id = (select id from indicator_systems
        where code = '310100-annual' and year = 2025) order by id limit 1`,
    )
    const input = { id: globalId('Indicator', shanghai?.id ?? 0), weight: 9 }
    expect((await refused(UPDATE, { input }, 'city 320100')).codes).toEqual(['NOT_FOUND'])
    const [provincial] = await api.database.rows<{ id: number }>(
      sql`select id from indicator_systems where code = '310000-annual' and year = 2025`,
    )
    const copy = { systemId: globalId('IndicatorSystem', provincial?.id ?? 0), year: 2027 }
    expect((await refused(COPY, { input: copy })).codes).toEqual(['NOT_FOUND'])
    const [nationalOne] = await api.database.rows<{ id: number }>(
      sql`select id from indicators where system_id = ${national.id} order by id limit 1`,
    )
    const change = { id: globalId('Indicator', nationalOne?.id ?? 0), weight: 9 }
    expect((await refused(UPDATE, { input: change }, 'province')).codes).toEqual(['FORBIDDEN'])
    for (const who of ['district', 'expert']) {
      expect((await refused(UPDATE, { input: change }, who)).codes).toEqual(['FORBIDDEN'])
      expect((await refused(PUBLISH, { input: { systemId: national.gid } }, who)).codes).toEqual([
        'FORBIDDEN',
      ])
    }
  })
})
