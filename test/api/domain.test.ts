import * as turf from '@turf/turf'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { graphql } from '../generated/index.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

const Regions = graphql(`
  query RegionsByLevel($level: RegionLevel, $parentCode: String, $after: String) {
    regions(level: $level, parentCode: $parentCode, first: 20, after: $after) {
      totalCount
      edges {
        node {
          id
          code
          name
          level
          scopePrefix
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

const Facilities = graphql(`
  query FacilitiesByType($types: [FacilityType!]) {
    facilities(types: $types, first: 500) {
      totalCount
      edges {
        node {
          id
          type
          name
          capacity
          geom
          region {
            code
          }
        }
      }
    }
  }
`)

const Compounds = graphql(`
  query CompoundList {
    compounds(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          kind
          geom
          areaM2
          buildings {
            id
            centroid
          }
        }
      }
    }
  }
`)

const Areas = graphql(`
  query RenewalAreas($filter: SpatialFilter) {
    renewalAreas(filter: $filter) {
      totalCount
      edges {
        node {
          id
          name
          kind
          areaM2
          createdAt
          attributes
          region {
            code
          }
        }
      }
    }
  }
`)

const Systems = graphql(`
  query IndicatorCatalogue($dimension: Dimension) {
    indicatorSystems(year: 2025) {
      edges {
        node {
          id
          code
          name
          year
          level
          status
          indicators(dimension: $dimension) {
            id
            code
            name
            dimension
            unit
            direction
          }
        }
      }
    }
  }
`)

let api: Api
let city: string

beforeAll(async () => {
  api = await startApi()
  city = await tokenFor('city', '310100')
})
afterAll(() => api?.close())

describe('regions', () => {
  it('reads the tree by level and parent, ordered by code', async () => {
    const { regions } = await api.query(Regions, { level: 'district', parentCode: '310100' })
    expect(regions!.totalCount).toBe(16)
    const codes = regions!.edges.map((e) => e.node.code)
    expect(codes).toEqual([...codes].sort())
    expect(codes).toContain('310101')
    expect(
      regions!.edges.every((e) => e.node.level === 'district' && e.node.scopePrefix === e.node.code),
    ).toBe(true)
  })

  it('pages through the streets of a district', async () => {
    const seen: string[] = []
    let after: string | null = null
    do {
      const {
        regions,
      }: {
        regions: {
          edges: { node: { code: string } }[]
          pageInfo: { hasNextPage: boolean; endCursor: string | null }
        } | null
      } = await api.query(Regions, { level: 'street', parentCode: '310115', after })
      seen.push(...regions!.edges.map((e) => e.node.code))
      after = regions!.pageInfo.hasNextPage ? regions!.pageInfo.endCursor : null
    } while (after)
    expect(seen.length).toBeGreaterThan(20)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.every((c) => c.startsWith('310115'))).toBe(true)
  })

  it('resolves a region’s global ID', async () => {
    const { regions } = await api.query(Regions, { level: 'province', parentCode: null })
    const shanghai = regions!.edges.find((e) => e.node.code === '310000')
    expect(shanghai).toBeDefined()
    const response = await api.request(
      `{ node(id: "${shanghai!.node.id}") { ... on Region { name level } } }`,
    )
    expect(response.body.data).toEqual({ node: { name: '上海市', level: 'province' } })
  })
})

describe('facilities', () => {
  it('filters by type', async () => {
    const { facilities: all } = await api.query(Facilities, {})
    const { facilities: parks } = await api.query(Facilities, { types: ['park', 'sports_ground'] })
    const expected = all!.edges.filter((e) => ['park', 'sports_ground'].includes(e.node.type))
    expect(parks!.totalCount).toBe(expected.length)
    expect(parks!.edges.map((e) => e.node.id).sort()).toEqual(expected.map((e) => e.node.id).sort())
    expect(parks!.edges.every((e) => e.node.geom.type === 'Point')).toBe(true)
  })
})

describe('compounds', () => {
  it('lists compounds with the buildings they hold', async () => {
    const { compounds } = await api.query(Compounds, {})
    expect(compounds!.totalCount).toBeGreaterThan(5)
    const withBuildings = compounds!.edges.filter((e) => e.node.buildings.length > 0)
    expect(withBuildings.length).toBeGreaterThan(0)
    for (const { node } of withBuildings) {
      // A compound's buildings stand inside (or touch) its outline.
      for (const b of node.buildings) {
        expect(
          turf.booleanIntersects(
            turf.buffer(node.geom as never, 30, { units: 'meters' })!,
            b.centroid as never,
          ),
        ).toBe(true)
      }
    }
  })
})

describe('renewal areas', () => {
  beforeAll(async () => {
    // The demo's own renewal areas (derived from old housing) are tested in viewer-layers.test.ts.
    await api.database.rows(sql`delete from renewal_areas`)
    await api.database.rows(sql`insert into renewal_areas (region_code, name, kind, geom, area_m2, attributes) values
      ('310101', '外滩源片区', 'heritage', ST_Multi(ST_MakeEnvelope(121.484, 31.238, 121.49, 31.244, 4326)), 360000,
        '{"phase": "2025"}'::jsonb),
      ('310115', '陆家嘴滨江片区', 'waterfront', ST_Multi(ST_MakeEnvelope(121.495, 31.235, 121.505, 31.245, 4326)), 900000,
        '{}'::jsonb)`)
  })

  it('are read by scoped staff, filtered in space', async () => {
    const { renewalAreas } = await api.query(Areas, {}, { token: city })
    expect(renewalAreas!.totalCount).toBe(2)
    const bund = renewalAreas!.edges.find((e) => e.node.name === '外滩源片区')!.node
    expect(bund).toMatchObject({ kind: 'heritage', areaM2: 360000, attributes: { phase: '2025' } })
    expect(new Date(bund.createdAt).getTime()).toBeGreaterThan(Date.now() - 3_600_000)
    const { renewalAreas: near } = await api.query(
      Areas,
      { filter: { near: { point: [121.487, 31.241], radiusM: 100 } } },
      { token: city },
    )
    expect(near!.edges.map((e) => e.node.name)).toEqual(['外滩源片区'])
    const district = await tokenFor('district', '310115')
    const { renewalAreas: own } = await api.query(Areas, {}, { token: district })
    expect(own!.edges.map((e) => e.node.region?.code)).toEqual(['310115'])
  })
})

describe('indicator systems', () => {
  it('hold the national edition with its indicators, filtered by dimension', async () => {
    const { indicatorSystems } = await api.query(Systems, {})
    const national = indicatorSystems!.edges.find((e) => e.node.level === 'national')!.node
    expect(national.status).toBe('published')
    expect(national.indicators.length).toBeGreaterThanOrEqual(50)
    const { indicatorSystems: housing } = await api.query(Systems, { dimension: 'housing' })
    const only = housing!.edges.find((e) => e.node.id === national.id)!.node.indicators
    expect(only.length).toBeGreaterThan(0)
    expect(only.every((i) => i.dimension === 'housing')).toBe(true)
    expect(only.length).toBe(national.indicators.filter((i) => i.dimension === 'housing').length)
    const indicator = national.indicators[0]!
    const response = await api.request(
      `{ node(id: "${indicator.id}") { ... on Indicator { code system { code } } } }`,
    )
    expect(response.body.data).toEqual({ node: { code: indicator.code, system: { code: national.code } } })
  })

  it('keep a draft inside its owner’s scope', async () => {
    await api.database.rows(sql`insert into indicator_systems (code, name, year, level, owner_region_code, status)
      values ('sh-municipal', '上海市城市体检特色指标（草案）', 2025, 'municipal', '310100', 'draft')`)
    const names = async (token?: string) => {
      const response = await api.request<{ indicatorSystems: { edges: { node: { code: string } }[] } }>(
        '{ indicatorSystems(year: 2025) { edges { node { code } } } }',
        {},
        token ? { token } : {},
      )
      return response.body.data!.indicatorSystems.edges.map((e) => e.node.code)
    }
    expect(await names(city)).toContain('sh-municipal')
    expect(await names(await tokenFor('district', '310101'))).not.toContain('sh-municipal')
    expect(await names()).not.toContain('sh-municipal')
  })
})

describe('population cells', () => {
  it('need a token and are scoped', async () => {
    const response = await api.request('{ populationCells { totalCount } }')
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED'])
    const cells = await api.request<{ populationCells: { totalCount: number } }>(
      '{ populationCells { totalCount } }',
      {},
      { token: city },
    )
    expect(cells.body.data!.populationCells.totalCount).toBeGreaterThan(50)
  })
})
