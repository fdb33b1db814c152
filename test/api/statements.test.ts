import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { graphql } from '../generated/index.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'

// As Pothos's own tests snapshot the SQL log beside the result, these assert the statements the hot nested
// queries run: one per level of nesting, whatever the page size.

const ViewportBuildings = graphql(`
  query ViewportBuildings($filter: SpatialFilter, $first: Int) {
    buildings(filter: $filter, first: $first) {
      edges {
        node {
          id
          name
          heightM
          footprint
          compound {
            id
            name
          }
          region {
            code
            name
          }
          block {
            id
          }
        }
      }
    }
  }
`)

const CompoundsWithBuildings = graphql(`
  query CompoundsWithBuildings($first: Int) {
    compounds(first: $first) {
      edges {
        node {
          name
          region {
            name
          }
          buildings {
            id
            region {
              code
            }
            compound {
              id
            }
          }
        }
      }
    }
  }
`)

const RegionTree = graphql(`
  query RegionTree {
    regions(parentCode: "310100", first: 100) {
      edges {
        node {
          code
          parent {
            code
          }
          children {
            code
            children {
              code
            }
          }
        }
      }
    }
  }
`)

const Systems = graphql(`
  query SystemsWithIndicators {
    indicatorSystems {
      edges {
        node {
          name
          indicators {
            code
            system {
              code
            }
          }
        }
      }
    }
  }
`)

let api: Api
let token: string

/** The table each statement reads first, in the order they ran. */
const tables = () => api.statements.map((s) => /\bfrom\s+(\w+)/i.exec(s)?.[1] ?? s.slice(0, 40))

beforeAll(async () => {
  api = await startApi()
  token = await tokenFor('city', '310100')
  // The token's region is looked up once per process and cached: keep that out of the counts.
  await api.request('{ viewer { signedIn } }', {}, { token })
})
afterAll(() => api?.close())

describe('statements per request', () => {
  const viewport = { bbox: { west: 121.48, south: 31.225, east: 121.52, north: 31.255 } }

  it.each([5, 50, 500])(
    'buildings in a viewport with compound, region and block, first %i',
    async (first) => {
      api.resetStatements()
      const { buildings } = await api.query(ViewportBuildings, { filter: viewport, first }, { token })
      expect(buildings!.edges.length).toBe(Math.min(first, buildings!.edges.length))
      if (first === 500) expect(buildings!.edges.some((e) => e.node.compound)).toBe(true)
      // Compound and region are joined to the page; the blocks (derived from the streets) in one batch.
      expect(buildings!.edges.some((e) => e.node.block)).toBe(true)
      expect(tables()).toEqual(['buildings', 'blocks'])
    },
  )

  it.each([3, 30])(
    'a district’s blocks with their region and buildings, first %i: two statements',
    async (first) => {
      const query = `query ($first: Int!) { blocks(filter: { region: "310101" }, first: $first) {
        nodes { name region { name } buildings { name heightM } } } }`
      // The region filter looks its region up once per process: keep that out of the count.
      await api.request(query, { first }, { token })
      api.resetStatements()
      const response = await api.request(query, { first }, { token })
      const nodes = (response.body.data as { blocks: { nodes: { region: { name: string } }[] } }).blocks.nodes
      expect(nodes.length).toBeGreaterThan(0)
      expect(nodes.every((n) => n.region.name === '黄浦区')).toBe(true)
      // The region is joined to the page; the buildings of every block in one batch.
      expect(tables()).toEqual(['blocks', 'buildings'])
    },
  )

  it('a compound’s outline asked for through a building costs one batched statement', async () => {
    api.resetStatements()
    const response = await api.request(
      '{ buildings(first: 500) { nodes { compound { name geom } } } }',
      {},
      { token },
    )
    expect(response.body.errors).toBeUndefined()
    expect(tables()).toEqual(['buildings', 'compounds'])
  })

  it('compounds with their buildings and back-references: 3 statements', async () => {
    api.resetStatements()
    const { compounds } = await api.query(CompoundsWithBuildings, { first: 100 }, { token })
    expect(compounds!.edges.length).toBeGreaterThan(5)
    expect(compounds!.edges.flatMap((e) => e.node.buildings).length).toBeGreaterThan(20)
    // The buildings' compound was on the page already; their regions were loaded with the compounds'.
    expect(tables()[0]).toBe('compounds')
    expect(tables().slice(1).sort()).toEqual(['buildings', 'regions'])
  })

  it('a region tree two levels deep: one statement per level', async () => {
    api.resetStatements()
    const { regions } = await api.query(RegionTree, {}, { token })
    expect(regions!.edges.length).toBeGreaterThan(0)
    expect(tables()).toEqual(['regions', 'regions', 'regions', 'regions'])
  })

  it('indicator systems with their indicators: 2 statements', async () => {
    api.resetStatements()
    const { indicatorSystems } = await api.query(Systems, {}, { token })
    expect(indicatorSystems!.edges[0]!.node.indicators.length).toBeGreaterThan(40)
    expect(tables()).toEqual(['indicator_systems', 'indicators'])
  })

  it('many global IDs in one request: one statement per type', async () => {
    const { buildings } = await api.query(ViewportBuildings, { filter: viewport, first: 20 }, { token })
    const ids = buildings!.edges.map((e) => e.node.id)
    const query = `{ ${ids.map((id, i) => `n${i}: node(id: "${id}") { id ... on Building { heightM } }`).join(' ')} }`
    api.resetStatements()
    const response = await api.request(query, {}, { token })
    expect(response.body.errors).toBeUndefined()
    expect(tables()).toEqual(['buildings'])
  })
})
