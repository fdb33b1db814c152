import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokenFor } from './helpers/api.ts'
import { auditOf, codesOf, globalId, startWriteApi, type WriteApi } from './helpers/writes.ts'

const CREATE = `mutation ($input: CreateCampaignInput!) {
  createCampaign(input: $input) { id databaseId name year kind status regionCode objectType
    edition { code status } renewalArea { name } scope progress { tasks filled approved }
    fillings { regionCode state progress { tasks } } } }`

const LIST = `query ($regionCode: String, $year: Int, $kind: CampaignKind) {
  campaigns(regionCode: $regionCode, year: $year, kind: $kind) { totalCount nodes { databaseId name year kind status } } }`

// A 2 × 2 km square over the west of 黄浦区 (the Bund demo's blocks), and the same corners as a bow tie.
const ring = (...points: number[][]) => ({ type: 'Polygon', coordinates: [[...points, points[0]]] })
const SQUARE = ring([121.47, 31.22], [121.49, 31.22], [121.49, 31.24], [121.47, 31.24])
const BOW_TIE = ring([121.47, 31.22], [121.49, 31.24], [121.49, 31.22], [121.47, 31.24])

describe('campaigns and their filling tasks', () => {
  let api: WriteApi
  let national: number
  let city: string
  let province: string
  let huangpu: string
  let hongkou: string
  let annual: { databaseId: number; id: string }

  const count = async (query: ReturnType<typeof sql>) =>
    (await api.database.rows<{ n: number }>(query))[0]?.n ?? -1

  /** A published edition of the city's with indicators of the given unit types, all filled by districts. */
  async function editionWith(kind: string, objectTypes: string[], unitTypes: string[]): Promise<number> {
    const [edition] = await api.database.rows<{ id: number }>(sql`insert into indicator_systems
        (code, name, year, level, owner_region_code, status, check_kind, object_types, published_at)
      values (${`test-${kind}-${unitTypes.join('-')}`}, '测试版本', 2025, 'municipal', '310100', 'published', ${kind},
        ${JSON.stringify(objectTypes)}::jsonb, now()) returning id`)
    for (const [n, unitType] of unitTypes.entries()) {
      await api.database.rows(sql`insert into indicators (system_id, code, name, dimension, level, method_kind,
          method, unit_type, sort_order)
        values (${edition?.id}, ${`T${n}`}, ${`测试指标 ${unitType}`}, 'compound', 'special', 'reported',
          'reported', ${unitType}, ${n})`)
    }
    return edition?.id ?? -1
  }

  beforeAll(async () => {
    api = await startWriteApi()
    const [row] = await api.database.rows<{ id: number }>(
      sql`select id from indicator_systems where code = 'national-basic' and year = 2025`,
    )
    national = row?.id ?? -1
    city = await tokenFor('city', '310100')
    province = await tokenFor('province', '310000')
    huangpu = await tokenFor('district', '310101')
    hongkou = await tokenFor('district', '310109')
  })
  afterAll(async () => {
    await api?.close()
  })

  it('creates an annual check with a filling per district and a task per enabled indicator and district', async () => {
    const input = {
      kind: 'annual',
      year: 2025,
      name: '上海市 2025 年城市体检',
      regionCode: '310100',
      systemId: national,
    }
    const r = await api.gql(CREATE, { input }, { token: city, requestId: 'create-annual' })
    expect(r.errors).toBeUndefined()
    const created = r.data.createCampaign
    expect(created).toMatchObject({ year: 2025, kind: 'annual', status: 'collecting', regionCode: '310100' })
    expect(created.edition).toEqual({ code: 'national-basic', status: 'published' })
    annual = { databaseId: created.databaseId, id: created.id }
    const districts = await count(
      sql`select count(*)::int as n from regions where level = 'district' and code like '3101%'`,
    )
    const indicators = await count(
      sql`select count(*)::int as n from indicators where system_id = ${national} and enabled`,
    )
    expect(created.fillings).toHaveLength(districts)
    expect(created.progress.tasks).toBe(districts * indicators)
    expect(created.fillings.find((f: { regionCode: string }) => f.regionCode === '310101')).toEqual({
      regionCode: '310101',
      state: 'draft',
      progress: { tasks: indicators },
    })
    const audit = await auditOf(api.database, 'campaign', created.databaseId)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'create', requestId: 'create-annual', regionCode: '310100' })
    expect(audit[0]?.after).toMatchObject({ fillings: districts, tasks: districts * indicators })

    const again = await api.gql(CREATE, { input }, { token: city })
    expect(codesOf(again)).toEqual(['CONFLICT'])
  })

  it('lets a city without districts fill as its own district', async () => {
    const dongguan = await tokenFor('city', '441900')
    const input = {
      kind: 'annual',
      year: 2025,
      name: '东莞市 2025 年城市体检',
      regionCode: '441900',
      systemId: national,
    }
    const r = await api.gql(CREATE, { input }, { token: dongguan })
    expect(r.errors).toBeUndefined()
    const indicators = await count(
      sql`select count(*)::int as n from indicators where system_id = ${national} and enabled`,
    )
    expect(r.data.createCampaign.fillings).toEqual([
      { regionCode: '441900', state: 'draft', progress: { tasks: indicators } },
    ])
  })

  it('answers the campaigns contract within scope: a district sees its city’s check, not a sibling’s', async () => {
    const area = await api.gql(
      CREATE,
      {
        input: {
          kind: 'area',
          year: 2025,
          name: '侯家路片区体检',
          regionCode: '310101',
          systemId: national,
          renewalAreaId: 2,
        },
      },
      { token: city },
    )
    expect(area.errors).toBeUndefined()
    expect(area.data.createCampaign.renewalArea).toEqual({ name: '侯家路旧里更新片区' })
    const names = async (token: string, variables: Record<string, unknown> = {}) =>
      ((await api.gql(LIST, variables, { token })).data.campaigns.nodes as { name: string }[]).map(
        (n) => n.name,
      )
    expect(await names(city)).toEqual(['上海市 2025 年城市体检', '侯家路片区体检'])
    expect(await names(huangpu)).toEqual(['上海市 2025 年城市体检', '侯家路片区体检'])
    expect(await names(hongkou)).toEqual(['上海市 2025 年城市体检'])
    expect(await names(await tokenFor('district', '320102'))).toEqual([])
    expect(await names(city, { kind: 'area' })).toEqual(['侯家路片区体检'])
    expect(await names(city, { year: 2024 })).toEqual([])
    expect(await names(city, { regionCode: '310109' })).toEqual(['上海市 2025 年城市体检'])
    const page = (await api.gql(LIST, {}, { token: huangpu })).data.campaigns
    expect(page.totalCount).toBe(2)
    expect(page.nodes[0]).toEqual({
      databaseId: annual.databaseId,
      name: '上海市 2025 年城市体检',
      year: 2025,
      kind: 'annual',
      status: 'collecting',
    })
    const first = await api.gql(
      `{ campaigns(first: 1) { nodes { name } pageInfo { hasNextPage endCursor } } }`,
      {},
      { token: huangpu },
    )
    expect(first.data.campaigns.pageInfo.hasNextPage).toBe(true)
    const next = await api.gql(
      `query ($after: String) { campaigns(first: 1, after: $after) { nodes { name } pageInfo { hasNextPage } } }`,
      { after: first.data.campaigns.pageInfo.endCursor },
      { token: huangpu },
    )
    expect(next.data.campaigns).toEqual({
      nodes: [{ name: '侯家路片区体检' }],
      pageInfo: { hasNextPage: false },
    })
    const anonymous = await api.gql(LIST, {}, {})
    expect(anonymous.data.campaigns.nodes).toEqual([])
  })

  it('reads a campaign by node with its edition, fillings in scope and progress', async () => {
    const r = await api.gql(
      `query ($id: ID!) { node(id: $id) { ... on Campaign { name edition { code } scope
        fillings { regionCode campaign { databaseId } } progress { tasks } } } }`,
      { id: annual.id },
      { token: huangpu },
    )
    expect(r.errors).toBeUndefined()
    expect(r.data.node.fillings).toEqual([
      { regionCode: '310101', campaign: { databaseId: annual.databaseId } },
    ])
    expect(r.data.node.scope).toBeNull()
    const byId = await api.gql(`{ campaign(id: "${annual.databaseId}") { name } }`, {}, { token: hongkou })
    expect(byId.data.campaign).toEqual({ name: '上海市 2025 年城市体检' })
  })

  it('routes street indicators to each district and city and department ones to the city’s filling', async () => {
    const [edition] = await api.database.rows<{ id: number }>(sql`insert into indicator_systems
        (code, name, year, level, owner_region_code, status, published_at)
      values ('levels', '填报层级', 2028, 'municipal', '310100', 'published', now()) returning id`)
    await api.database.rows(sql`insert into indicators (system_id, code, name, dimension, level, method_kind, method,
        reporting_level, department)
      values (${edition?.id}, 'S', '街道', 'block', 'municipal', 'reported', 'reported', 'street', null),
        (${edition?.id}, 'C', '全市', 'city', 'municipal', 'reported', 'reported', 'city', null),
        (${edition?.id}, 'D', '住建', 'city', 'municipal', 'reported', 'reported', 'department', '住建委'),
        (${edition?.id}, 'X', '停用', 'city', 'municipal', 'reported', 'reported', 'city', null)`)
    await api.database.rows(
      sql`update indicators set enabled = false where system_id = ${edition?.id} and code = 'X'`,
    )
    const r = await api.gql(
      CREATE,
      { input: { kind: 'annual', year: 2028, name: '2028', regionCode: '310100', systemId: edition?.id } },
      { token: city },
    )
    const id = r.data.createCampaign.databaseId
    const tasks = await api.database.rows<{
      code: string
      unit_key: string
      filling: string
      department: string | null
    }>(
      sql`select i.code, t.unit_key, f.region_code as filling, t.department from filling_tasks t
        join indicators i on i.id = t.indicator_id join fillings f on f.id = t.filling_id
        where t.campaign_id = ${id} order by i.code, t.unit_key`,
    )
    const streets = await count(sql`select count(*)::int as n from regions s where s.level = 'street'
      and exists (select 1 from regions d where d.level = 'district' and d.code like '3101%'
        and starts_with(s.code, d.scope_prefix))`)
    const byStreet = tasks.filter((t) => t.code === 'S')
    expect(byStreet).toHaveLength(streets)
    expect(byStreet.every((t) => t.unit_key.startsWith(t.filling) && t.filling.length === 6)).toBe(true)
    expect(tasks.filter((t) => t.code !== 'S')).toEqual([
      { code: 'C', unit_key: '310100', filling: '310100', department: null },
      { code: 'D', unit_key: '310100', filling: '310100', department: '住建委' },
    ])
  })

  it('gives an area check one area unit per region indicator and clips small units to its polygon', async () => {
    const edition = await editionWith(
      'area',
      ['region', 'block', 'building'],
      ['region', 'block', 'building'],
    )
    const r = await api.gql(
      CREATE,
      {
        input: {
          kind: 'area',
          year: 2025,
          name: '外滩西片区',
          regionCode: '310101',
          systemId: edition,
          scope: SQUARE,
        },
      },
      { token: city },
    )
    expect(r.errors).toBeUndefined()
    const id = r.data.createCampaign.databaseId
    expect(r.data.createCampaign.scope.type).toBe('MultiPolygon')
    const tasks = await api.database.rows<{ unit_type: string; unit_key: string; region_code: string }>(
      sql`select t.unit_type, t.unit_key, f.region_code from filling_tasks t join fillings f on f.id = t.filling_id
        where t.campaign_id = ${id} order by t.unit_type, t.unit_key`,
    )
    expect(tasks.filter((t) => t.unit_type === 'renewal_area')).toEqual([
      { unit_type: 'renewal_area', unit_key: `campaign-${id}`, region_code: '310101' },
    ])
    const inside = await count(sql`select count(*)::int as n from blocks b where b.region_code like '310101%'
      and ST_Intersects(ST_MakeEnvelope(121.47, 31.22, 121.49, 31.24, 4326), ST_PointOnSurface(b.geom))`)
    const all = await count(sql`select count(*)::int as n from blocks where region_code like '310101%'`)
    expect(inside).toBeGreaterThan(0)
    expect(inside).toBeLessThan(all)
    expect(tasks.filter((t) => t.unit_type === 'block')).toHaveLength(inside)
    const buildings =
      await count(sql`select count(*)::int as n from buildings g where g.region_code like '310101%'
      and ST_Intersects(ST_MakeEnvelope(121.47, 31.22, 121.49, 31.24, 4326), g.centroid)`)
    expect(buildings).toBeGreaterThan(0)
    expect(tasks.filter((t) => t.unit_type === 'building')).toHaveLength(buildings)
    expect(new Set(tasks.map((t) => t.region_code))).toEqual(new Set(['310101']))
  })

  it('gives a special check the units of its object type only', async () => {
    const edition = await editionWith(
      'special',
      ['compound', 'self_built_cluster'],
      ['compound', 'self_built_cluster'],
    )
    await api.database.rows(sql`insert into compounds (region_code, name, kind, geom)
      select region_code, '自建房片', 'self_built_cluster', geom from compounds where region_code = '310115' limit 1`)
    const create = (objectType: string) =>
      api.gql(
        CREATE,
        {
          input: {
            kind: 'special',
            year: 2025,
            name: `专项 ${objectType}`,
            regionCode: '310100',
            systemId: edition,
            objectType,
          },
        },
        { token: city },
      )
    const r = await create('self_built_cluster')
    expect(r.errors).toBeUndefined()
    const id = r.data.createCampaign.databaseId
    const types = await api.database.rows<{
      unit_type: string
      n: number
    }>(sql`select unit_type, count(*)::int as n
      from filling_tasks where campaign_id = ${id} group by unit_type`)
    expect(types).toEqual([{ unit_type: 'self_built_cluster', n: 1 }])
    expect(r.data.createCampaign.fillings.map((f: { regionCode: string }) => f.regionCode)).toEqual([
      '310115',
    ])
    expect(codesOf(await create('building'))).toEqual(['BAD_USER_INPUT'])
    const annualEdition = await api.gql(
      CREATE,
      {
        input: {
          kind: 'special',
          year: 2025,
          name: '专项',
          regionCode: '310100',
          systemId: national,
          objectType: 'compound',
        },
      },
      { token: city },
    )
    expect(annualEdition.errors?.[0].message).toMatch(/special edition/)
  })

  it('refuses what a check cannot be: a draft edition, a bad polygon, a street, an area without one', async () => {
    const [draft] = await api.database.rows<{ id: number }>(sql`insert into indicator_systems
        (code, name, year, level, owner_region_code, status) values ('draft-one', '草稿', 2026, 'municipal', '310100', 'draft')
      returning id`)
    const attempt = (input: Record<string, unknown>) =>
      api.gql(
        CREATE,
        {
          input: {
            kind: 'area',
            year: 2026,
            name: '片区',
            regionCode: '310101',
            systemId: national,
            ...input,
          },
        },
        { token: city },
      )
    const onDraft = await attempt({ kind: 'annual', systemId: draft?.id })
    expect(codesOf(onDraft)).toEqual(['CONFLICT'])
    expect(onDraft.errors?.[0].message).toMatch(/only a published edition/)
    const bowTie = await attempt({ scope: BOW_TIE })
    expect(codesOf(bowTie)).toEqual(['BAD_USER_INPUT'])
    expect(bowTie.errors?.[0].message).toMatch(/invalid: Self-intersection/)
    expect(codesOf(await attempt({ scope: { type: 'Point', coordinates: [121.48, 31.23] } }))).toEqual([
      'BAD_USER_INPUT',
    ])
    const nanjing = {
      type: 'Polygon',
      coordinates: [
        [
          [118.78, 32.04],
          [118.8, 32.04],
          [118.8, 32.06],
          [118.78, 32.04],
        ],
      ],
    }
    expect((await attempt({ scope: nanjing })).errors?.[0].message).toMatch(/does not overlap/)
    expect(codesOf(await attempt({}))).toEqual(['BAD_USER_INPUT'])
    expect(codesOf(await attempt({ scope: SQUARE, renewalAreaId: 2 }))).toEqual(['BAD_USER_INPUT'])
    expect(codesOf(await attempt({ regionCode: '310101002', scope: SQUARE }))).toEqual(['BAD_USER_INPUT'])
    expect(codesOf(await attempt({ renewalAreaId: 1 }))).toEqual(['BAD_USER_INPUT'])
    expect(codesOf(await attempt({ renewalAreaId: globalId('RenewalArea', 999_999) }))).toEqual(['NOT_FOUND'])
  })

  it('lets province and city staff start checks in their region only', async () => {
    const input = { kind: 'annual', year: 2027, name: '2027', regionCode: '310100', systemId: national }
    expect(codesOf(await api.gql(CREATE, { input }, { token: huangpu }))).toEqual(['FORBIDDEN'])
    expect(codesOf(await api.gql(CREATE, { input }, {}))).toEqual(['UNAUTHENTICATED'])
    expect(codesOf(await api.gql(CREATE, { input }, { token: await tokenFor('city', '320100') }))).toEqual([
      'NOT_FOUND',
    ])
    const byProvince = await api.gql(CREATE, { input }, { token: province })
    expect(byProvince.errors).toBeUndefined()
  })
})
