import fs from 'node:fs'
import { area as turfArea, featureCollection as turfCollection, union as turfUnion } from '@turf/turf'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { DEMO_DIR } from '../../server/seed/demo.ts'
import { openTestDatabase } from '../helpers/database.ts'

type Feature = { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }
const sourceBuildings: Feature[] = JSON.parse(
  fs.readFileSync(`${DEMO_DIR}/buildings.geojson`, 'utf8'),
).features

let database: Database
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.close()
})

describe('the Bund demo city as imported', () => {
  it('merges footprint pieces clipped at tile edges into one building per OSM id', async () => {
    const ids = new Set(
      sourceBuildings
        .filter((f) => f.properties.kind === 'building' && f.geometry.type !== 'Point')
        .map((f) => String(f.properties.id)),
    )
    const [row] = await database.rows<{ n: number; distinct: number }>(
      sql`select count(*)::int as n, count(distinct source_id)::int as distinct from buildings`,
    )
    expect(ids.size).toBe(1321)
    expect(row).toEqual({ n: ids.size, distinct: ids.size })
  })

  it("gives a merged building the area of its pieces' union", async () => {
    const piecesOf = (id: number) =>
      sourceBuildings.filter(
        (f) => f.properties.id === id && f.properties.kind === 'building' && f.geometry.type === 'Polygon',
      )
    const areaOf = async (id: number) =>
      (
        await database.rows<{ area: number; polygons: number }>(
          sql`select footprint_area_m2 as area, ST_NumGeometries(footprint) as polygons from buildings where source_id = ${String(id)}`,
        )
      )[0]
    // 101729155 is cut in two by a tile edge: the pieces only touch, so the union's area is their sum.
    const cut = piecesOf(101729155)
    expect(cut).toHaveLength(2)
    const sum = cut.reduce((a, f) => a + turfArea(f as never), 0)
    const merged = await areaOf(101729155)
    // Geodesic (turf) against Gauss-Krüger planar area: they agree to well under half a percent here.
    expect(Math.abs((merged?.area ?? 0) - sum) / sum).toBeLessThan(0.005)
    expect(merged?.polygons).toBe(1)
    // 293504484 appears four times whole (one copy per tile it touches): the union is one copy.
    const copies = piecesOf(293504484)
    expect(copies).toHaveLength(4)
    const one = turfArea(copies[0] as never)
    const dup = await areaOf(293504484)
    expect(Math.abs((dup?.area ?? 0) - one) / one).toBeLessThan(0.005)
    // Every merged building against an independent union of its pieces.
    const ids = [
      ...new Set(
        sourceBuildings
          .filter((f) => f.properties.kind === 'building' && f.geometry.type !== 'Point')
          .map((f) => f.properties.id as number),
      ),
    ]
    let checked = 0
    for (const id of ids) {
      const pieces = piecesOf(id)
      if (pieces.length < 2) continue
      const u = turfUnion(turfCollection(pieces as never))
      const expected = turfArea(u as never)
      const got = await areaOf(id)
      expect(Math.abs((got?.area ?? 0) - expected) / expected, `building ${id}`).toBeLessThan(0.01)
      checked++
    }
    expect(checked).toBeGreaterThan(90)
  })

  it('takes names and addresses from label and address points of the same id', async () => {
    const label = sourceBuildings.find(
      (f) => f.geometry.type === 'Point' && f.properties.kind === 'building' && f.properties.name,
    )
    expect(label).toBeDefined()
    const [b] = await database.rows<{ name: string | null }>(
      sql`select name from buildings where source_id = ${String(label?.properties.id)}`,
    )
    expect(b?.name).toBe(label?.properties['name:zh'] ?? label?.properties.name)
    const [addr] = await database.rows<{ standard_address: string }>(
      sql`select standard_address from buildings where source_id = '40778072'`,
    )
    expect(addr?.standard_address).toBe('上海市浦东新区滨江大道2727号')
  })

  it('marks estimated heights and derives floors from height', async () => {
    const withHeight = new Set(
      sourceBuildings
        .filter((f) => f.properties.kind === 'building' && Number(f.properties.height) > 0)
        .map((f) => String(f.properties.id)),
    )
    const rows = await database.rows<{
      source_id: string
      height_m: number
      height_estimated: boolean
      floors: number
    }>(sql`select source_id, height_m, height_estimated, floors from buildings`)
    for (const r of rows) {
      expect(r.height_m).toBeGreaterThan(0)
      expect(r.floors).toBe(Math.max(1, Math.round(r.height_m / 3)))
      if (withHeight.has(r.source_id)) expect(r.height_estimated).toBe(false)
    }
    expect(rows.filter((r) => r.height_estimated).length).toBeGreaterThan(500)
  })

  it('keeps building parts with their own heights on the building named by root_id', async () => {
    const part = sourceBuildings.find(
      (f) => f.properties.kind === 'building_part' && f.properties.height !== undefined,
    )
    const [b] = await database.rows<{ parts: { sourceId: string; heightM: number }[] }>(
      sql`select attributes->'parts' as parts from buildings where source_id = ${String(part?.properties.root_id)}`,
    )
    expect(
      b?.parts.some(
        (p) => p.sourceId === String(part?.properties.id) && p.heightM === Number(part?.properties.height),
      ),
    ).toBe(true)
  })

  it('places buildings in the three districts and derives residents into a 100 m grid', async () => {
    const byDistrict = await database.rows<{ region_code: string; n: number }>(
      sql`select region_code, count(*)::int as n from buildings group by 1 order by 1`,
    )
    expect(byDistrict.map((r) => r.region_code)).toEqual(['310101', '310109', '310115'])
    const [sums] = await database.rows<{ buildings: number; cells: number; groups: number; bad: number }>(
      sql`select (select sum(residents) from buildings)::float8 as buildings,
        (select sum(total) from population_cells)::float8 as cells,
        (select sum(children + working + elderly) from population_cells)::float8 as groups,
        (select count(*) from population_cells where abs(ST_Area(ST_Transform(geom, metric_srid)) - 10000) > 1)::int as bad`,
    )
    expect(sums?.buildings).toBeGreaterThan(10_000)
    expect(sums?.cells).toBeCloseTo(sums?.buildings ?? 0, 3)
    expect(sums?.groups).toBeCloseTo(sums?.cells ?? 0, 3)
    expect(sums?.bad).toBe(0)
    const [method] = await database.rows<{ method: string; p: { perCapitaFloorAreaM2: number } }>(
      sql`select method, method_parameters as p from population_cells limit 1`,
    )
    expect(method?.method).toBe('derived:residential_floor_area')
    expect(method?.p.perCapitaFloorAreaM2).toBe(37)
  })

  it('maps POIs and landuse to typed facilities and residential landuse to compounds', async () => {
    const rows = await database.rows<{ type: string; n: number }>(
      sql`select type, count(*)::int as n from facilities group by 1`,
    )
    const byType = Object.fromEntries(rows.map((r) => [r.type, r.n]))
    expect(byType.bus_stop).toBe(56)
    expect(byType.subway_entrance).toBe(16)
    expect(byType.park).toBeGreaterThan(10)
    const [c] = await database.rows<{ n: number }>(sql`select count(*)::int as n from compounds`)
    const residentialIds = new Set(
      JSON.parse(fs.readFileSync(`${DEMO_DIR}/landuse.geojson`, 'utf8'))
        .features.filter((f: Feature) => f.properties.kind === 'residential' && f.geometry.type !== 'Point')
        .map((f: Feature) => f.properties.id),
    )
    expect(c?.n).toBe(residentialIds.size)
  })

  it('keeps every geometry valid and in EPSG:4326', async () => {
    const [row] = await database.rows<{ invalid: number; srids: number[] }>(
      sql`select count(*) filter (where not ST_IsValid(footprint))::int as invalid, array_agg(distinct ST_SRID(footprint)) as srids from buildings`,
    )
    expect(row?.invalid).toBe(0)
    expect(row?.srids).toEqual([4326])
  })
})
