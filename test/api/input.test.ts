import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, errorCodes, type GraphQLResponse, startApi } from './helpers/api.ts'

let api: Api
beforeAll(async () => {
  api = await startApi()
})
afterAll(() => api?.close())

const BUILDINGS = `query($filter: SpatialFilter, $first: Int, $after: String, $orderBy: BuildingOrder) {
  buildings(filter: $filter, first: $first, after: $after, orderBy: $orderBy) { totalCount }
}`

/** A clear BAD_USER_INPUT, in both languages, and never a 500. */
function expectBadInput(response: GraphQLResponse<unknown>, mentions?: RegExp) {
  expect(response.status).toBeLessThan(500)
  expect(errorCodes(response)).toEqual(['BAD_USER_INPUT'])
  const message = response.body.errors?.[0]?.message ?? ''
  expect(message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/)
  if (mentions) expect(message).toMatch(mentions)
}

const square = (lon: number, lat: number, d: number) => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
]

describe('malformed geometry', () => {
  it.each([
    [
      'an unclosed ring',
      { type: 'Polygon', coordinates: [square(121.48, 31.23, 0.01).slice(0, 4)] },
      /closed/,
    ],
    [
      'a ring of three positions',
      { type: 'Polygon', coordinates: [square(121.48, 31.23, 0.01).slice(0, 3)] },
      /4/,
    ],
    ['an unknown type', { type: 'Circle', coordinates: [121.48, 31.23], radius: 10 }, /type/],
    ['a Feature', { type: 'Feature', geometry: { type: 'Point', coordinates: [121.48, 31.23] } }, /Feature/],
    ['a string coordinate', { type: 'Point', coordinates: ['121.48', 31.23] }, /finite/],
    ['a four-number position', { type: 'Point', coordinates: [121.48, 31.23, 0, 1] }, /position/],
    ['no coordinates', { type: 'LineString' }, /array/],
    ['a latitude of 200°', { type: 'Polygon', coordinates: [square(121.48, 199, 0.5)] }, /range|范围/],
    [
      'a projected polygon in EPSG:4326',
      { type: 'Polygon', coordinates: [square(640000, 3458000, 100)] },
      /range/,
    ],
  ])('refuses %s', async (_name, geometry, mentions) => {
    expectBadInput(await api.request(BUILDINGS, { filter: { intersects: geometry } }), mentions)
  })

  it('refuses a malformed geometry written inline in the document', async () => {
    const response = await api.request(
      '{ buildings(filter: { intersects: { type: "Polygon", coordinates: [[[0, 0], [1, 1], [1, 0]]] } }) { totalCount } }',
    )
    expectBadInput(response)
  })

  it('refuses a 100,000-vertex polygon', async () => {
    const ring: number[][] = []
    for (let i = 0; i < 100_000; i++) {
      const a = (2 * Math.PI * i) / 100_000
      ring.push([121.49 + 0.01 * Math.cos(a), 31.24 + 0.01 * Math.sin(a)])
    }
    ring.push(ring[0]!)
    const response = await api.request(BUILDINGS, {
      filter: { intersects: { type: 'Polygon', coordinates: [ring] } },
    })
    expectBadInput(response, /10000|10,000/)
  })

  it('repairs a self-intersecting polygon rather than failing in GEOS', async () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [121.48, 31.23],
          [121.5, 31.25],
          [121.5, 31.23],
          [121.48, 31.25],
          [121.48, 31.23],
        ],
      ],
    }
    const response = await api.request(BUILDINGS, { filter: { intersects: bowTie } })
    expect(response.status).toBe(200)
    expect(response.body.errors).toBeUndefined()
  })
})

describe('coordinate reference systems', () => {
  it.each(['EPSG:3857', 'EPSG:9999', '4326x', 'EPSG:2000'])('refuses the unknown SRID %s', async (crs) => {
    const filter = { crs, bbox: { west: 0, south: 0, east: 1, north: 1 } }
    expectBadInput(await api.request(BUILDINGS, { filter }), /EPSG|坐标系/)
  })

  it('refuses an unknown SRID in the geometry’s crs member', async () => {
    const geometry = {
      type: 'Point',
      coordinates: [121.49, 31.24],
      crs: { type: 'name', properties: { name: 'EPSG:3857' } },
    }
    expectBadInput(await api.request(BUILDINGS, { filter: { intersects: geometry } }))
  })

  it('accepts EPSG:4490 (CGCS2000) as lon/lat', async () => {
    const filter = { crs: 'EPSG:4490', bbox: { west: 121.48, south: 31.23, east: 121.5, north: 31.25 } }
    const response = await api.request<{ buildings: { totalCount: number } }>(BUILDINGS, { filter })
    expect(response.body.errors).toBeUndefined()
    expect(response.body.data?.buildings.totalCount).toBeGreaterThan(0)
  })
})

describe('distances and pages', () => {
  it('refuses a radius of a million metres', async () => {
    const filter = { near: { point: [121.49, 31.24], radiusM: 1_000_000 } }
    expectBadInput(await api.request(BUILDINGS, { filter }), /50000|50 km|50 公里/)
  })

  it.each([0, -5, Number.NaN])('refuses a radius of %s', async (radiusM) => {
    const response = await api.request(BUILDINGS, { filter: { near: { point: [121.49, 31.24], radiusM } } })
    expect(response.status).toBeLessThan(500)
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT'])
  })

  it('refuses a point that is not [x, y]', async () => {
    expectBadInput(await api.request(BUILDINGS, { filter: { near: { point: [121.49], radiusM: 100 } } }))
  })

  it('refuses an inverted bbox', async () => {
    const filter = { bbox: { west: 121.5, south: 31.23, east: 121.48, north: 31.25 } }
    expectBadInput(await api.request(BUILDINGS, { filter }))
  })

  it('refuses an unknown region code', async () => {
    expectBadInput(await api.request(BUILDINGS, { filter: { region: '999999' } }))
  })

  it('refuses a page of 10,000 and a forged cursor', async () => {
    expectBadInput(await api.request(BUILDINGS, { first: 10_000 }))
    expectBadInput(await api.request(BUILDINGS, { first: 5, after: 'bm90LWEtY3Vyc29y' }))
    const byId = (
      await api.request<{ buildings: unknown }>('{ buildings(first: 1) { pageInfo { endCursor } } }')
    ).body.data as { buildings: { pageInfo: { endCursor: string } } }
    // A cursor of one ordering is refused by another.
    const filter = { near: { point: [121.49, 31.24], radiusM: 500 } }
    expectBadInput(await api.request(BUILDINGS, { filter, after: byId.buildings.pageInfo.endCursor }))
  })

  it('refuses ordering by distance without a point', async () => {
    expectBadInput(await api.request(BUILDINGS, { orderBy: 'DISTANCE' }))
  })

  it('refuses malformed global IDs', async () => {
    for (const id of ['not-base64!', Buffer.from('Building').toString('base64'), '']) {
      const response = await api.request('query($id: ID!) { node(id: $id) { id } }', { id })
      expect(response.status).toBeLessThan(500)
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT'])
    }
  })

  it('answers an ID of an unknown type with NOT_FOUND', async () => {
    const response = await api.request('query($id: ID!) { node(id: $id) { id } }', {
      id: Buffer.from('Secret:1').toString('base64'),
    })
    expect(errorCodes(response)).toEqual(['NOT_FOUND'])
  })
})
