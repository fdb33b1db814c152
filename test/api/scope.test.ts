import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { graphql } from '../generated/index.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

const Buildings = graphql(`
  query ScopedBuildings($filter: SpatialFilter) {
    buildings(filter: $filter, first: 500) {
      totalCount
      edges {
        node {
          id
          regionCode
        }
      }
    }
  }
`)

const globalId = (type: string, id: number | string) => Buffer.from(`${type}:${id}`).toString('base64')

let api: Api
let district: string
let otherDistrictBuilding: number
let ownBuilding: number
let privateBuilding: number
let otherCompound: number | undefined

beforeAll(async () => {
  api = await startApi()
  district = await tokenFor('district', '310101')
  const [a] = await api.database.rows<{ id: number }>(
    sql`select id from buildings where region_code = '310115' order by id limit 1`,
  )
  const [b] = await api.database.rows<{ id: number }>(
    sql`select id from buildings where region_code = '310101' order by id limit 1`,
  )
  const [c] = await api.database.rows<{ id: number }>(
    sql`select id from compounds where region_code <> '310101' order by id limit 1`,
  )
  otherDistrictBuilding = a!.id
  ownBuilding = b!.id
  otherCompound = c?.id
  // Mark a few of 黄浦区's buildings as not public: staff read them, the public does not.
  const hidden = await api.database.rows<{ id: number }>(
    sql`update buildings set is_public = false
        where id in (select id from buildings where region_code = '310101' order by id desc limit 25) returning id`,
  )
  privateBuilding = hidden[0]!.id
})
afterAll(() => api?.close())

describe('a district token', () => {
  it('lists only its own district', async () => {
    const { buildings } = await api.query(Buildings, {}, { token: district })
    const [{ n } = { n: 0 }] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings where region_code like '310101%'`,
    )
    expect(buildings!.totalCount).toBe(n)
    expect(buildings!.edges.every((e) => e.node.regionCode === '310101')).toBe(true)
  })

  it('finds nothing of another district, even inside a box drawn around it', async () => {
    const filter = { bbox: { west: 121.495, south: 31.225, east: 121.53, north: 31.26 }, region: '310115' }
    const { buildings } = await api.query(Buildings, { filter }, { token: district })
    expect(buildings!.totalCount).toBe(0)
    const { buildings: open } = await api.query(Buildings, { filter })
    expect(open!.totalCount).toBeGreaterThan(0)
  })

  it('cannot read another district’s building by a crafted global ID', async () => {
    const response = await api.request(
      'query($id: ID!) { node(id: $id) { id ... on Building { name regionCode } } }',
      { id: globalId('Building', otherDistrictBuilding) },
      { token: district },
    )
    expect(errorCodes(response)).toEqual(['NOT_FOUND'])
    expect(response.body.data?.node).toBeNull()
    const own = await api.request(
      'query($id: ID!) { node(id: $id) { id ... on Building { regionCode } } }',
      { id: globalId('Building', ownBuilding) },
      { token: district },
    )
    expect(own.body.data?.node).toEqual({ id: globalId('Building', ownBuilding), regionCode: '310101' })
  })

  it('cannot read another district’s compound, region or population cells', async () => {
    if (otherCompound !== undefined) {
      const compound = await api.request(
        'query($id: ID!) { node(id: $id) { id } }',
        { id: globalId('Compound', otherCompound) },
        { token: district },
      )
      expect(errorCodes(compound)).toEqual(['NOT_FOUND'])
    }
    const region = await api.request('{ region(code: "310115") { name } }', {}, { token: district })
    expect(errorCodes(region)).toEqual(['NOT_FOUND'])
    const cells = await api.request(
      '{ populationCells(first: 500) { edges { node { regionCode } } } }',
      {},
      { token: district },
    )
    const codes = (cells.body.data as { populationCells: { edges: { node: { regionCode: string } }[] } })
      .populationCells.edges
    expect(codes.length).toBeGreaterThan(0)
    expect(codes.every((e) => e.node.regionCode === '310101')).toBe(true)
  })

  it('sees its own region, the regions below and the chain above, but no sibling', async () => {
    const response = await api.request(
      '{ region(code: "310101") { name parent { code parent { code } children { code } } children { code } } }',
      {},
      { token: district },
    )
    const region = (response.body.data as { region: Record<string, unknown> }).region as {
      parent: { code: string; parent: { code: string }; children: { code: string }[] }
      children: { code: string }[]
    }
    expect(region.parent.code).toBe('310100')
    expect(region.parent.parent.code).toBe('310000')
    expect(region.parent.children.map((c) => c.code)).toEqual(['310101'])
    expect(region.children.length).toBeGreaterThan(5)
    expect(region.children.every((c) => c.code.startsWith('310101'))).toBe(true)
  })

  it('reads the district’s rows that are not public', async () => {
    const response = await api.request(
      'query($id: ID!) { node(id: $id) { ... on Building { isPublic } } }',
      { id: globalId('Building', privateBuilding) },
      { token: district },
    )
    expect(response.body.data?.node).toEqual({ isPublic: false })
  })
})

describe('wider scopes', () => {
  it('a city token sees all of its districts, a province token the same city', async () => {
    const [{ n } = { n: 0 }] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings`,
    )
    for (const token of [await tokenFor('city', '310100'), await tokenFor('province', '310000')]) {
      const { buildings } = await api.query(Buildings, {}, { token })
      expect(buildings!.totalCount).toBe(n)
    }
  })

  it('a token of another province sees nothing of Shanghai', async () => {
    const { buildings } = await api.query(Buildings, {}, { token: await tokenFor('province', '320000') })
    expect(buildings!.totalCount).toBe(0)
  })

  it('department, expert and partner tokens read their region like its staff', async () => {
    for (const role of ['department', 'expert', 'partner'] as const) {
      const token = await tokenFor(role, '310109', { department: '住建委' })
      const { buildings } = await api.query(Buildings, {}, { token })
      expect(buildings!.totalCount).toBeGreaterThan(0)
      expect(buildings!.edges.every((e) => e.node.regionCode === '310109')).toBe(true)
    }
  })
})

describe('without a token', () => {
  it('sees only public buildings', async () => {
    const [{ n } = { n: 0 }] = await api.database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings where is_public`,
    )
    const { buildings } = await api.query(Buildings, { filter: { region: '310101' } })
    expect(buildings!.totalCount).toBe(n - (await countOutside('310101')))
    const hidden = await api.request('query($id: ID!) { node(id: $id) { id } }', {
      id: globalId('Building', privateBuilding),
    })
    expect(errorCodes(hidden)).toEqual(['NOT_FOUND'])
  })

  it('is told to sign in for population cells and renewal areas', async () => {
    for (const field of ['populationCells', 'renewalAreas']) {
      const response = await api.request(`{ ${field}(first: 1) { totalCount } }`)
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED'])
    }
  })

  it('reads published indicator systems', async () => {
    const response = await api.request(
      '{ indicatorSystems { edges { node { status indicators { code } } } } }',
    )
    const systems = (
      response.body.data as {
        indicatorSystems: { edges: { node: { status: string; indicators: unknown[] } }[] }
      }
    ).indicatorSystems.edges
    expect(systems.length).toBeGreaterThan(0)
    expect(systems.every((s) => s.node.status !== 'draft')).toBe(true)
    expect(systems[0]!.node.indicators.length).toBeGreaterThan(40)
  })
})

async function countOutside(code: string): Promise<number> {
  const [{ n } = { n: 0 }] = await api.database.rows<{ n: number }>(
    sql`select count(*)::int as n from buildings where is_public and region_code not like ${`${code}%`}`,
  )
  return n
}
