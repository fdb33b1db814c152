import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { languageOf } from '../../server/graphql/context.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

let api: Api
let city: string
let huangpu: string

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON responses field by field
type Json = any

async function ledger(args: string, options: { token?: string; language?: string } = {}): Promise<Json> {
  const r = await api.request<Json>(
    `{ problems(${args.includes('first:') ? args : `${args}, first: 100`}) { totalCount nodes { title } } }`,
    {},
    {
      token: options.token ?? city,
      headers: options.language ? { 'accept-language': options.language } : {},
    },
  )
  expect(r.body.errors).toBeUndefined()
  return r.body.data.problems
}

/** The titles a filter finds among this file's problems (all of type `ledger_*`), sorted. */
async function titles(filter: string, token?: string): Promise<string[]> {
  const types = filter.includes('types:') ? '' : 'types: ["ledger_road", "ledger_noise"], '
  const page = await ledger(`${types}${filter || 'first: 100'}`, { token })
  return (page.nodes as { title: string }[]).map((n) => n.title).sort()
}

interface Seeded {
  title: string
  titleEn: string | null
  type: string
  region: string
  point: [number, number]
  source: string
  year: number
  state?: string
  department?: string
  deadline?: string
}

// Three problems at the Bund, 300 m apart north–south, and one across the river in Lujiazui.
const PROBLEMS: Seeded[] = [
  {
    title: '外滩路面破损',
    titleEn: 'Damaged road on the Bund',
    type: 'ledger_road',
    region: '310101013',
    point: [121.4906, 31.2402],
    source: 'inspection',
    year: 2025,
    department: '交通委',
    deadline: '2020-01-01T00:00:00+08:00',
  },
  {
    title: '南京东路噪声',
    titleEn: null,
    type: 'ledger_noise',
    region: '310101002',
    point: [121.4906, 31.2429],
    source: 'appeal',
    year: 2026,
    department: '生态环境局',
    deadline: '2099-01-01T00:00:00+08:00',
  },
  {
    title: '已销号的路面',
    titleEn: 'Closed road',
    type: 'ledger_road',
    region: '310101013',
    point: [121.4908, 31.2404],
    source: 'expert',
    year: 2025,
    state: 'closed',
    deadline: '2020-01-01T00:00:00+08:00',
  },
  {
    title: '陆家嘴路面破损',
    titleEn: 'Damaged road in Lujiazui',
    type: 'ledger_road',
    region: '310115',
    point: [121.5055, 31.2397],
    source: 'diagnosis',
    year: 2026,
  },
]

beforeAll(async () => {
  api = await startApi()
  city = await tokenFor('city', '310100')
  huangpu = await tokenFor('district', '310101')
  for (const p of PROBLEMS) {
    await api.database.rows(sql`
      insert into problems (region_code, type, title, title_en, description, description_en, geom, severity, source,
        year_found, state, responsible_department, responsible_unit, deadline)
      values (${p.region}, ${p.type}, ${p.title}, ${p.titleEn}, ${`${p.title}的描述`},
        ${p.titleEn ? `About ${p.titleEn}` : null},
        ST_SetSRID(ST_MakePoint(${p.point[0]}, ${p.point[1]}), 4326), 2, ${p.source}, ${p.year},
        ${p.state ?? 'identified'}, ${p.department ?? null}, ${p.region.slice(0, 6)}, ${p.deadline ?? null})`)
  }
})
afterAll(() => api?.close())

describe('titles and descriptions in the request’s language', () => {
  const query = `{ problems(types: ["ledger_road", "ledger_noise"], first: 10) { nodes {
    title description titleZh titleEn descriptionZh descriptionEn } } }`
  const read = async (language?: string) => {
    const r = await api.request<Json>(
      query,
      {},
      {
        token: city,
        headers: language ? { 'accept-language': language } : {},
      },
    )
    expect(r.body.errors).toBeUndefined()
    return r.body.data.problems.nodes as Record<string, string | null>[]
  }

  it('answers in Chinese by default and for a Chinese browser', async () => {
    for (const language of [undefined, 'zh-CN,zh;q=0.9,en;q=0.8', '*', 'fr']) {
      const bund = (await read(language)).find((n) => n.titleZh === '外滩路面破损')
      expect(bund).toEqual({
        title: '外滩路面破损',
        description: '外滩路面破损的描述',
        titleZh: '外滩路面破损',
        titleEn: 'Damaged road on the Bund',
        descriptionZh: '外滩路面破损的描述',
        descriptionEn: 'About Damaged road on the Bund',
      })
    }
  })

  it('answers in English when the caller prefers it, in Chinese where no English was written', async () => {
    const nodes = await read('en-US,en;q=0.9,zh-CN;q=0.5')
    expect(nodes.find((n) => n.titleZh === '外滩路面破损')).toMatchObject({
      title: 'Damaged road on the Bund',
      description: 'About Damaged road on the Bund',
    })
    expect(nodes.find((n) => n.titleZh === '南京东路噪声')).toMatchObject({
      title: '南京东路噪声',
      description: '南京东路噪声的描述',
      titleEn: null,
    })
  })

  it('reads Accept-Language by its weights', () => {
    expect(languageOf(undefined)).toBe('zh')
    expect(languageOf('en')).toBe('en')
    expect(languageOf('en-GB')).toBe('en')
    expect(languageOf('zh-CN,en;q=0.9')).toBe('zh')
    expect(languageOf('en;q=0.9,zh;q=0.9')).toBe('zh')
    expect(languageOf('zh;q=0.5, en;q=0.8')).toBe('en')
    expect(languageOf('fr,en;q=0.3')).toBe('en')
    expect(languageOf('en;q=0')).toBe('zh')
    expect(languageOf(['de', 'en;q=0.5'])).toBe('en')
  })
})

describe('ledger filters', () => {
  it('filters by bounding box, polygon, distance and region like every list', async () => {
    const bund = 'west: 121.489, south: 31.239, east: 121.492, north: 31.2415'
    expect(await titles(`filter: { bbox: { ${bund} } }`)).toEqual(['外滩路面破损', '已销号的路面'])
    const polygon =
      '{ type: "Polygon", coordinates: [[[121.5, 31.23], [121.51, 31.23], [121.51, 31.25], [121.5, 31.25], [121.5, 31.23]]] }'
    expect(await titles(`filter: { intersects: ${polygon} }`)).toEqual(['陆家嘴路面破损'])
    expect(await titles('filter: { region: "310115" }')).toEqual(['陆家嘴路面破损'])
    expect(await titles('filter: { region: "310101002" }')).toEqual(['南京东路噪声'])
    expect(await titles('regionCode: "310101"')).toEqual(['南京东路噪声', '外滩路面破损', '已销号的路面'])
  })

  it('orders by distance from the near point and says how far each is', async () => {
    const r = await api.request<Json>(
      `{ problems(types: ["ledger_road", "ledger_noise"], filter: { near: { point: [121.4906, 31.2402], radiusM: 400 } },
          first: 10) { nodes { title distanceM } } }`,
      {},
      { token: city },
    )
    const nodes = r.body.data.problems.nodes as { title: string; distanceM: number }[]
    expect(nodes.map((n) => n.title)).toEqual(['外滩路面破损', '已销号的路面', '南京东路噪声'])
    expect(nodes[0]?.distanceM).toBeCloseTo(0, 3)
    expect(nodes[2]?.distanceM).toBeGreaterThan(290)
    expect(nodes[2]?.distanceM).toBeLessThan(310)
  })

  it('filters by type, source, department, overdue and year', async () => {
    expect(await titles('types: ["ledger_noise"]')).toEqual(['南京东路噪声'])
    expect(await titles('sources: [expert, diagnosis]')).toEqual(['已销号的路面', '陆家嘴路面破损'])
    expect(await titles('department: "交通委"')).toEqual(['外滩路面破损'])
    // Past its deadline and open: overdue; the closed one past its deadline is not.
    expect(await titles('overdue: true')).toEqual(['外滩路面破损'])
    expect(await titles('overdue: false')).toEqual(['南京东路噪声', '已销号的路面', '陆家嘴路面破损'])
    expect(await titles('year: 2026')).toEqual(['南京东路噪声', '陆家嘴路面破损'])
    expect(await titles('year: 2025, openOnly: true')).toEqual(['外滩路面破损'])
    expect(await titles('year: 2024')).toEqual([])
  })

  it('keeps its scope: a district sees its own problems only, the public none of these', async () => {
    expect(await titles('', huangpu)).toEqual(['南京东路噪声', '外滩路面破损', '已销号的路面'])
    const r = await api.request<Json>('{ problems(types: ["ledger_road"], first: 10) { totalCount } }')
    expect(r.body.data.problems.totalCount).toBe(0)
  })

  it('refuses a malformed region and a distance order without a point', async () => {
    const bad = await api.request<Json>('{ problems(regionCode: "31x") { totalCount } }', {}, { token: city })
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT'])
    const order = await api.request<Json>(
      '{ problems(orderBy: DISTANCE) { totalCount } }',
      {},
      { token: city },
    )
    expect(errorCodes(order)).toEqual(['BAD_USER_INPUT'])
  })
})

describe('what a problem says about its routing', () => {
  it('exposes source, unit, deadline, overdue, escalation, report count, merge and type', async () => {
    const [road] = await api.database.rows<{ id: number }>(
      sql`select id from problems where title = '外滩路面破损'`,
    )
    const [noise] = await api.database.rows<{ id: number }>(
      sql`select id from problems where title = '南京东路噪声'`,
    )
    await api.database.rows(
      sql`update problems set merged_into_id = ${road?.id}, report_count = 3 where id = ${noise?.id}`,
    )
    await api.database.rows(sql`update problems set type = 'road_damage' where id = ${road?.id}`)
    await api.database.rows(sql`insert into opinions (region_code, kind, content, problem_id, service_code)
      values ('310101013', 'hotline', '中山东一路有个大坑', ${road?.id}, 'road_damage')`)
    const r = await api.request<Json>(
      `{ problems(regionCode: "310101", sources: [appeal, inspection], first: 10) { nodes {
        title source responsibleUnit responsibleDepartment deadline overdue overdueAt escalationLevel reportCount
        mergedInto { title } problemType { code name nameEn reportable } tasks { title } opinions { content } } } }`,
      {},
      { token: city, headers: { 'accept-language': 'en' } },
    )
    expect(r.body.errors).toBeUndefined()
    const nodes = r.body.data.problems.nodes as Json[]
    expect(nodes.find((n) => n.source === 'inspection')).toEqual({
      title: 'Damaged road on the Bund',
      source: 'inspection',
      responsibleUnit: '310101',
      responsibleDepartment: '交通委',
      deadline: '2019-12-31T16:00:00.000Z',
      overdue: true,
      overdueAt: null,
      escalationLevel: 0,
      reportCount: 1,
      mergedInto: null,
      problemType: { code: 'road_damage', name: 'Damaged road', nameEn: 'Damaged road', reportable: true },
      tasks: [],
      opinions: [{ content: '中山东一路有个大坑' }],
    })
    expect(nodes.find((n) => n.source === 'appeal')).toMatchObject({
      reportCount: 3,
      mergedInto: { title: 'Damaged road on the Bund' },
      overdue: false,
      problemType: null,
    })
  })
})
