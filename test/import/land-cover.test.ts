import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { classify, landCoverOf } from '../../server/import/classify.ts'
import type { BaseMapFeature } from '../../server/static/basemap.ts'
import { openTestDatabase } from '../helpers/database.ts'

describe('land cover in the import', () => {
  it('sorts areas into water, green and land use; a park is a facility and green', () => {
    expect(classify({ kind: 'riverbank' }, 'Polygon')).toEqual({ layer: 'landcover', cover: 'water' })
    expect(classify({ kind: 'grass' }, 'MultiPolygon')).toEqual({ layer: 'landcover', cover: 'green' })
    expect(classify({ kind: 'commercial' }, 'Polygon')).toEqual({ layer: 'landcover', cover: 'landuse' })
    // Lines and points are not areas to fill.
    expect(classify({ kind: 'water' }, 'LineString').layer).toBe('skip')
    expect(classify({ kind: 'park' }, 'Polygon')).toEqual({ layer: 'facility', type: 'park' })
    expect(landCoverOf({ kind: 'park' }, 'Polygon')).toBe('green')
    expect(landCoverOf({ kind: 'toString' }, 'Polygon')).toBeUndefined()
  })
})

describe('the Bund demo base map', () => {
  let database: Database
  let server: RunningServer

  beforeAll(async () => {
    database = await openTestDatabase()
    server = await startHttpServer({ config: { ...loadConfig(), port: 0 }, database })
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('holds the Huangpu and the Suzhou Creek as water, and green and land use, inside the districts', async () => {
    const rows = await database.rows<{ cover: string; n: number; named: string[] }>(sql`
      select cover, count(*)::int as n, array_remove(array_agg(distinct name), null) as named
      from land_cover group by cover order by cover`)
    const byCover = Object.fromEntries(rows.map((r) => [r.cover, r]))
    expect(Object.keys(byCover)).toEqual(['green', 'landuse', 'water'])
    expect(byCover.water!.named).toEqual(expect.arrayContaining(['黄浦江', '苏州河']))
    expect(byCover.green!.n).toBeGreaterThan(30)
    const [unplaced] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from land_cover where region_code is null or not ST_IsValid(geom)`,
    )
    expect(unplaced!.n).toBe(0)
  })

  it('serves it at /basemap/<city>.json: areas, roads by class and the districts with names', async () => {
    const response = await fetch(`${server.url}/basemap/310100.json`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('geo+json')
    const body = (await response.json()) as { features: BaseMapFeature[] }
    const count = (layer: string) => body.features.filter((f) => f.properties.layer === layer).length
    const [roads] = await database.rows<{ n: number }>(sql`select count(*)::int as n from roads`)
    expect(count('road')).toBe(roads!.n)
    expect(count('water')).toBeGreaterThan(10)
    const kinds = new Set(
      body.features.filter((f) => f.properties.layer === 'road').map((f) => f.properties.kind),
    )
    expect(kinds).toEqual(new Set(['major_road', 'minor_road', 'path', 'rail', 'ferry']))
    const districts = body.features.filter((f) => f.properties.layer === 'district')
    expect(districts.map((d) => d.properties.name)).toEqual(['黄浦区', '虹口区', '浦东新区'])
    for (const d of districts) expect(d.properties.label).toHaveLength(2)
    // A district's map holds only what lies in it.
    const huangpu = (await (await fetch(`${server.url}/basemap/310101.json`)).json()) as typeof body
    expect(huangpu.features.length).toBeGreaterThan(0)
    expect(huangpu.features.length).toBeLessThan(body.features.length)
    expect((await fetch(`${server.url}/basemap/999999.json`)).status).toBe(404)
    expect((await fetch(`${server.url}/basemap/..%2f.json`)).status).toBe(404)
  })
})
