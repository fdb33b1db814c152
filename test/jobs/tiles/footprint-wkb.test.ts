import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FlatFootprint, flattenFootprint } from '../../../jobs/tiles/flat-footprint.ts'
import { boundsOfWkbAt, flattenWkb, footprintFromWkb } from '../../../jobs/tiles/footprint-wkb.ts'
import { footprintBoundsDeg } from '../../../jobs/tiles/quadtree.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

// Footprints come from PostGIS as WKB: read back they must equal the geometry's GeoJSON, digit for digit, in
// either byte order, for polygons with holes and multipolygons.

const SHAPES = [
  'POLYGON((121.4901234567891 31.2401234567891,121.4911 31.2401,121.4911 31.2411,121.4901 31.2411,121.4901234567891 31.2401234567891),(121.4903 31.2403,121.4903 31.2405,121.4905 31.2405,121.4903 31.2403))',
  'MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))',
]

/** The footprint's bounding box as the tiles read it from the WKB, or null. */
function footprintBoundsFromWkb(wkb: Uint8Array): number[] | null {
  const box = [0, 0, 0, 0]
  return boundsOfWkbAt(new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength), 0, box) ? box : null
}

describe('footprints read from WKB', () => {
  let database: Database

  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it.each(['NDR', 'XDR'])(
    'reads %s polygons and multipolygons as their GeoJSON, every digit kept',
    async (order) => {
      for (const wkt of SHAPES) {
        const [row] = await database.rows<{ wkb: Uint8Array; json: string }>(sql`
        select ST_AsBinary(g, ${order}) as wkb, ST_AsGeoJSON(g, 17) as json
        from (select ST_GeomFromText(${wkt}, 4326) as g) s`)
        const footprint = footprintFromWkb(new Uint8Array(row!.wkb))
        expect(footprint).toEqual(JSON.parse(row!.json))
      }
    },
  )

  it.each(['NDR', 'XDR'])(
    'gives a %s footprint the bounding box its decoded rings give, or null for coordinates off the globe',
    async (order) => {
      const shapes = [
        ...SHAPES,
        'MULTIPOLYGON(((10 10,11 10,11 11,10 10)),((-5 -6,-4 -6,-4 -5,-5 -6)))',
        'POLYGON((179 80,181 80,181 81,179 80))',
        'POLYGON((10 89,11 89,11 91,10 89))',
        'MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 -90.5,2 2)))',
      ]
      const boxes = []
      for (const wkt of shapes) {
        const [row] = await database.rows<{ wkb: Uint8Array }>(sql`
          select ST_AsBinary(ST_GeomFromText(${wkt}, 4326), ${order}) as wkb`)
        const wkb = new Uint8Array(row!.wkb)
        const box = footprintBoundsFromWkb(wkb)
        expect(box).toEqual(footprintBoundsDeg(footprintFromWkb(wkb)))
        boxes.push(box)
      }
      expect(boxes.slice(2)).toEqual([[-5, -6, 11, 11], null, null, null])
      expect(boxes[0]![0]).toBe(121.4901)
    },
  )

  it.each(['NDR', 'XDR'])(
    'flattens a %s footprint as its decoded rings, into one reused buffer',
    async (order) => {
      const flat = new FlatFootprint()
      const many = `MULTIPOLYGON(${Array.from({ length: 100 }, (_, k) => `((${k} 0,${k + 0.5} 0,${k + 0.5} 1,${k} 0))`).join(',')})`
      for (const wkt of [...SHAPES, many, SHAPES[0]!]) {
        const [row] = await database.rows<{ wkb: Uint8Array; json: string }>(sql`
        select ST_AsBinary(g, ${order}) as wkb, ST_AsGeoJSON(g, 17) as json
        from (select ST_GeomFromText(${wkt}, 4326) as g) s`)
        const expected = flattenFootprint(JSON.parse(row!.json), new FlatFootprint())
        flattenWkb(new Uint8Array(row!.wkb), flat)
        const json = JSON.parse(row!.json)
        const polygons = json.type === 'Polygon' ? [json.coordinates] : json.coordinates
        expect(flat.polygonRings).toEqual(polygons.map((rings: unknown[]) => rings.length))
        expect(flat.ringEnds.at(-1)).toBe(flat.positions)
        expect([...flat.coords.subarray(0, 2 * flat.positions)]).toEqual(polygons.flat(3))
        expect({ ...flat, coords: [...flat.coords.subarray(0, 2 * flat.positions)] }).toEqual({
          ...expected,
          coords: [...expected.coords.subarray(0, 2 * expected.positions)],
        })
      }
      expect(flat.coords.length).toBeGreaterThanOrEqual(2 * 100 * 4)
    },
  )

  it('refuses what is not a 2D polygon', async () => {
    const [row] = await database.rows<{ point: Uint8Array; z: Uint8Array }>(sql`
      select ST_AsBinary(ST_MakePoint(1, 2)) as point,
        ST_AsBinary(ST_GeomFromText('POLYGON Z((0 0 1,1 0 1,1 1 1,0 0 1))')) as z`)
    expect(() => footprintFromWkb(new Uint8Array(row!.point))).toThrow(/Polygon or MultiPolygon/)
    expect(() => footprintFromWkb(new Uint8Array(row!.z))).toThrow(/not 2D/)
    expect(() => footprintBoundsFromWkb(new Uint8Array(row!.point))).toThrow(/Polygon or MultiPolygon/)
    expect(() => footprintBoundsFromWkb(new Uint8Array(row!.z))).toThrow(/not 2D/)
    expect(() => flattenWkb(new Uint8Array(row!.point), new FlatFootprint())).toThrow(
      /Polygon or MultiPolygon/,
    )
    expect(() => flattenWkb(new Uint8Array(row!.z), new FlatFootprint())).toThrow(/not 2D/)
  })
})
