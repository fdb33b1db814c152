import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { decodeEwkb } from '../../server/db/geometry.ts'
import { openEmptyTestDatabase } from '../helpers/database.ts'

let database: Database
beforeAll(async () => {
  database = await openEmptyTestDatabase()
  await database.rows(sql`create extension if not exists postgis`)
})
afterAll(async () => {
  await database?.close()
})

describe('EWKB decoding', () => {
  it.each([
    'SRID=4326;POINT(121.49 31.24)',
    'SRID=4326;POINT Z (121.49 31.24 12.5)',
    'SRID=4326;LINESTRING(121.49 31.24,121.5 31.25)',
    'SRID=4326;POLYGON((0 0,1 0,1 1,0 1,0 0),(0.2 0.2,0.2 0.4,0.4 0.4,0.2 0.2))',
    'SRID=4326;MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))',
    'POINT M (1 2 3)',
    'SRID=4326;GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))',
  ])('decodes %s as PostGIS writes it', async (wkt) => {
    const [row] = await database.rows<{ hex: string; json: string }>(
      sql`select ST_AsEWKB(ST_GeomFromEWKT(${wkt}))::text as hex, ST_AsGeoJSON(ST_Force2D(ST_GeomFromEWKT(${wkt}))) as json`,
    )
    const hex = (row?.hex ?? '').replace(/^\\x/, '')
    const decoded = decodeEwkb(hex)
    const expected = JSON.parse(row?.json ?? '{}')
    const strip = (g: unknown): unknown =>
      Array.isArray(g) && typeof g[0] === 'number' ? g.slice(0, 2) : Array.isArray(g) ? g.map(strip) : g
    const flat = (g: { type: string; coordinates?: unknown; geometries?: unknown[] }): unknown =>
      g.type === 'GeometryCollection'
        ? { type: g.type, geometries: (g.geometries as never[]).map(flat) }
        : { type: g.type, coordinates: strip(g.coordinates) }
    expect(flat(decoded as never)).toEqual(expected)
  })
})
