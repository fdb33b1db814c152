import { type SQL, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCampaignIndicators, type IndicatorRunResult } from '../../../jobs/indicators/job.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

/**
 * Computed indicators per compound and block on a hand-built district of Suzhou (虎丘区, far from the demo city),
 * laid out in metres of CGCS2000 / 3° GK CM 120E (EPSG:4549) from an origin:
 *
 *   y=200 ┌──────────┬─────────┬─────────┬─────────┐
 *         │ C1       │  b5     │ C3      │ stock1  │   block A = x 0–200, block B = x 200–400
 *         │ b2 b3    │         │         │ (idle)  │   cells: 100 m, centres at (50|150|250|350, 50|150)
 *   y=100 │   park ● ├─────────┤         ├─────────┤   stock2 (reported 5,000 m²) = x 150–250, y 100–200
 *         │ b1       │ C2  b4  │         │ C4      │
 *   y=0   └──────────┴─────────┴─────────┴─────────┘
 *        x=0       100       200       300       400
 *
 * Block A's cells are made of buildings (b1 100 residents in C1; b2 100 in C1 and b3 100 outside any compound in
 * the same cell; b4 200 in C2; b5 100), so C1 owns all of cell (50,50) and half of cell (50,150). Block B's cells
 * have no buildings and go by their centre. Roads are not walkable, so coverage is straight-line.
 */

const X0 = 560_000
const Y0 = 3_466_000
const SRID = 4549
const REGION = '320505'

let database: Database
let campaignId: number
let systemId: number
let first: IndicatorRunResult
const ids: Record<string, number> = {}

function rect(x0: number, y0: number, x1: number, y1: number): SQL {
  return sql`ST_Transform(ST_MakeEnvelope(${X0 + x0}, ${Y0 + y0}, ${X0 + x1}, ${Y0 + y1}, ${SRID}::int), 4326)`
}
function point(x: number, y: number): SQL {
  return sql`ST_Transform(ST_SetSRID(ST_MakePoint(${X0 + x}, ${Y0 + y}), ${SRID}::int), 4326)`
}
function line(x0: number, y0: number, x1: number, y1: number): SQL {
  return sql`ST_Transform(ST_SetSRID(ST_MakeLine(ST_MakePoint(${X0 + x0}, ${Y0 + y0}), ST_MakePoint(${X0 + x1}, ${Y0 + y1})), ${SRID}::int), 4326)`
}

async function one(query: SQL): Promise<number> {
  const [row] = await database.rows<{ id: number }>(query)
  return row!.id
}

interface ValueRow {
  code: string
  unit_type: string
  unit_key: string
  value: number
  grade: string | null
  warning: string | null
  run_id: number | null
  details: Record<string, unknown>
}

async function values(): Promise<ValueRow[]> {
  return database.rows<ValueRow>(sql`
    select i.code, v.unit_type, v.unit_key, v.value, v.grade, v.warning, v.run_id, v.details
    from indicator_values v join indicators i on i.id = v.indicator_id
    where v.campaign_id = ${campaignId} order by i.code, v.unit_type, v.unit_key`)
}

function find(rows: ValueRow[], code: string, unit: string): ValueRow | undefined {
  const [type, name] = unit.split(':') as [string, string]
  return rows.find((r) => r.code === code && r.unit_type === type && r.unit_key === String(ids[name]))
}

beforeAll(async () => {
  database = await openTestDatabase()
  const [system] = await database.rows<{ id: number }>(
    sql`select id from indicator_systems where level = 'national' order by year desc, id desc limit 1`,
  )
  systemId = system!.id
  // Radii small enough for a 400 m district; a parking norm so that C05 is computed.
  await database.rows(sql`
    update indicator_systems set settings = jsonb_set(jsonb_set(jsonb_set(settings,
      '{serviceRadii,byFacilityType,park,radiusM}', '110'),
      '{serviceRadii,byFacilityType,elderly_care,radiusM}', '60'),
      '{serviceRadii,byFacilityType,parking}', '{"perCapitaNorm": 0.5}')
    where id = ${systemId}`)
  await database.rows(sql`
    update indicators set standard_values = case code
      when 'B04' then '{"poor": 40, "fair": 60, "good": 80, "red": 40, "yellow": 60}'::jsonb
      when 'U05' then '{"poor": 5.5, "fair": 8, "good": 10}'::jsonb end
    where system_id = ${systemId} and code in ('B04', 'U05')`)

  ids.A = await one(
    sql`insert into blocks (region_code, geom) values (${REGION}, ST_Multi(${rect(0, 0, 200, 200)})) returning id`,
  )
  ids.B = await one(
    sql`insert into blocks (region_code, geom) values (${REGION}, ST_Multi(${rect(200, 0, 400, 200)})) returning id`,
  )
  const compound = (x0: number, y0: number, x1: number, y1: number, block: number) =>
    one(
      sql`insert into compounds (region_code, block_id, geom) values (${REGION}, ${block}, ST_Multi(${rect(x0, y0, x1, y1)})) returning id`,
    )
  ids.C1 = await compound(0, 0, 100, 200, ids.A)
  ids.C2 = await compound(100, 0, 200, 100, ids.A)
  ids.C3 = await compound(200, 0, 300, 200, ids.B)
  ids.C4 = await compound(300, 0, 400, 100, ids.B)
  const building = (x: number, y: number, residents: number, compoundId: number | null) =>
    database.rows(sql`
      insert into buildings (region_code, compound_id, block_id, footprint, centroid, footprint_area_m2, height_m,
        use, residents)
      values (${REGION}, ${compoundId}, ${ids.A}, ST_Multi(${rect(x - 5, y - 5, x + 5, y + 5)}), ${point(x, y)}, 100,
        10, 'residential', ${residents})`)
  await building(40, 40, 100, ids.C1)
  await building(40, 160, 100, ids.C1)
  await building(140, 160, 100, null) // b5, cell (150,150)
  await building(60, 140, 100, null) // b3, cell (50,150), outside every compound
  await building(150, 40, 200, ids.C2)

  // Cells: [centre x, centre y, children, working, elderly].
  const cells: Array<[number, number, number, number, number]> = [
    [50, 50, 10, 60, 30],
    [50, 150, 20, 120, 60],
    [150, 50, 40, 100, 60],
    [150, 150, 10, 70, 20],
    [250, 50, 30, 210, 60],
    [350, 50, 0, 100, 0],
    [250, 150, 20, 140, 40],
    [350, 150, 10, 60, 30],
  ]
  for (const [x, y, children, working, elderly] of cells) {
    await database.rows(sql`
      insert into population_cells (region_code, cell_key, size_m, metric_srid, geom, centroid, children, working,
        elderly, total, method)
      values (${REGION}, ${`100:${(X0 + x - 50) / 100}:${(Y0 + y - 50) / 100}`}, 100, ${SRID},
        ${rect(x - 50, y - 50, x + 50, y + 50)}, ${point(x, y)}, ${children}, ${working}, ${elderly},
        ${children + working + elderly}, 'test')`)
  }
  await database.rows(sql`
    insert into facilities (region_code, type, geom, area_m2, capacity) values
      (${REGION}, 'park', ${point(50, 100)}, 3000, null),
      (${REGION}, 'elderly_care', ${point(50, 50)}, null, 20),
      (${REGION}, 'parking', ${point(20, 20)}, null, 50)`)
  // Road density: r1 on the shared edge, r2 inside A, r3 inside B; a footpath that does not count.
  await database.rows(sql`
    insert into roads (region_code, kind, geom, length_m, walkable) values
      (${REGION}, 'minor_road', ${line(200, 0, 200, 200)}, 200, false),
      (${REGION}, 'minor_road', ${line(50, 100, 150, 100)}, 100, false),
      (${REGION}, 'major_road', ${line(230, 50, 370, 50)}, 140, false),
      (${REGION}, 'path', ${line(250, 120, 350, 120)}, 100, false)`)
  await database.rows(sql`
    insert into stock_resources (region_code, kind, name, geom, area_m2, verification_state) values
      (${REGION}, 'idle_land', 'stock1', ${rect(300, 100, 400, 200)}, null, 'verified'),
      (${REGION}, 'low_efficiency_land', 'stock2', ${rect(150, 100, 250, 200)}, 5000, 'reported'),
      (${REGION}, 'idle_land', 'rejected', ${rect(0, 0, 200, 200)}, 40000, 'rejected')`)
  campaignId = await one(sql`
    insert into campaigns (kind, year, name, region_code, system_id)
    values ('annual', 2025, '苏州市 2025 年度体检', '320500', ${systemId}) returning id`)
  first = await computeCampaignIndicators(database, campaignId, { requestedBy: 'test' })
}, 300_000)

afterAll(async () => {
  await database?.close()
})

describe('computed indicators per compound and block', () => {
  it('links every compound and block value to the run', async () => {
    const rows = (await values()).filter((r) => r.unit_type !== 'region')
    expect(first.smallUnits).toEqual({ compound: 4, block: 2 })
    expect(first.distanceModel).toBe('euclidean')
    expect(rows.length).toBeGreaterThan(30)
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set([first.runId]))
  })

  it('apportions cells by building residents and grades coverage shares', async () => {
    const rows = await values()
    // Park within 110 m: cells (50,50) and (50,150) only. A: 300 of 600 covered; C1: 100 + ½ × 200 = 200 of 200.
    expect(find(rows, 'B04', 'block:A')).toMatchObject({ value: 50, grade: 'fair', warning: 'yellow' })
    expect(find(rows, 'B04', 'block:B')).toMatchObject({ value: 0, grade: 'poor', warning: 'red' })
    expect(find(rows, 'B04', 'compound:C1')).toMatchObject({ value: 100, grade: 'excellent', warning: null })
    expect(find(rows, 'B04', 'compound:C1')?.details).toMatchObject({
      servedResidents: 200,
      uncoveredResidents: 0,
    })
    expect(find(rows, 'B04', 'block:A')?.details).toMatchObject({
      servedResidents: 600,
      uncoveredResidents: 300,
    })
    expect(find(rows, 'B04', 'compound:C3')?.details).toMatchObject({ servedResidents: 500 })
    expect(find(rows, 'B04', 'compound:C2')?.value).toBe(0)
    expect(find(rows, 'B04', 'compound:C3')?.value).toBe(0)
    expect(find(rows, 'B04', 'compound:C4')?.value).toBe(0)
    // Middle schools: none within 1 km; graded by the edition's default standard (full coverage expected).
    expect(find(rows, 'B01', 'compound:C1')).toMatchObject({ value: 0, grade: 'poor', warning: 'red' })
  })

  it('counts blind spots among the unit’s cells', async () => {
    const rows = await values()
    // Elderly care within 60 m of (50,50): every other cell with elderly residents is uncovered.
    expect(find(rows, 'C01', 'block:A')?.value).toBe(1)
    expect(find(rows, 'C01', 'block:B')?.value).toBe(1)
    expect(find(rows, 'C01', 'compound:C1')?.value).toBe(1) // its half of cell (50,150)
    expect(find(rows, 'C01', 'compound:C2')?.value).toBe(1)
    expect(find(rows, 'C01', 'compound:C4')?.value).toBe(0) // cell (350,50) has no elderly
  })

  it('computes capacity gaps only for types without a catchment', async () => {
    const rows = await values()
    // 0.5 parking spaces per resident; 50 spaces in C1 (and so in A).
    expect(find(rows, 'C05', 'compound:C1')?.value).toBeCloseTo(200 * 0.5 - 50, 9)
    expect(find(rows, 'C05', 'compound:C2')?.value).toBeCloseTo(200 * 0.5, 9)
    expect(find(rows, 'C05', 'compound:C3')?.value).toBeCloseTo(500 * 0.5, 9)
    expect(find(rows, 'C05', 'compound:C4')?.value).toBeCloseTo(100 * 0.5, 9)
    expect(find(rows, 'C05', 'block:A')?.value).toBeCloseTo(600 * 0.5 - 50, 9)
    expect(find(rows, 'C05', 'block:B')?.value).toBeCloseTo(700 * 0.5, 9)
    // Primary schools serve a 500 m catchment: no compound or block value, and the run says why.
    expect(rows.filter((r) => r.code === 'C04' && r.unit_type !== 'region')).toEqual([])
    expect(first.skipped).toContainEqual({
      code: 'C04',
      unitKey: null,
      reason:
        "not computed per block: 'primary_school' serves a 500 m catchment wider than the unit, so capacity inside it is no measure of provision",
    })
  })

  it('computes per-capita park area, road density and idle-land share per block only', async () => {
    const rows = await values()
    expect(find(rows, 'U06', 'block:A')?.value).toBeCloseTo(3000 / 600, 9)
    expect(find(rows, 'U06', 'block:B')?.value).toBe(0)
    // A: r2 inside (0.1 km) + half of r1 on the edge (0.1 km) over 0.04 km²; B: r3 inside (0.14 km) + 0.1 km.
    const a = find(rows, 'U05', 'block:A')!
    const b = find(rows, 'U05', 'block:B')!
    expect(a.value).toBeCloseTo(5, 3)
    expect(b.value).toBeCloseTo(6, 3)
    expect([a.grade, b.grade]).toEqual(['poor', 'fair'])
    // stock1 10,000 m² in B; stock2's reported 5,000 m² split half and half; the rejected one not at all.
    expect(find(rows, 'U17', 'block:A')?.value).toBeCloseTo((100 * 2500) / 40_000, 3)
    expect(find(rows, 'U17', 'block:B')?.value).toBeCloseTo((100 * 12_500) / 40_000, 3)
    for (const code of ['U05', 'U06', 'U17']) {
      expect(
        rows.filter((r) => r.code === code && r.unit_type === 'compound'),
        code,
      ).toEqual([])
    }
  })

  it('updates the same rows on a rerun and drops the values of a vanished compound', async () => {
    const before = await values()
    const second = await computeCampaignIndicators(database, campaignId)
    const after = await values()
    expect(after.map((r) => [r.code, r.unit_type, r.unit_key, r.value, r.grade])).toEqual(
      before.map((r) => [r.code, r.unit_type, r.unit_key, r.value, r.grade]),
    )
    expect(new Set(after.map((r) => r.run_id))).toEqual(new Set([second.runId]))

    await database.rows(sql`delete from compounds where id = ${ids.C4}`)
    const third = await computeCampaignIndicators(database, campaignId)
    const last = await values()
    expect(third.smallUnits.compound).toBe(3)
    expect(last.filter((r) => r.unit_type === 'compound' && r.unit_key === String(ids.C4))).toEqual([])
    expect(last.length).toBe(
      after.filter((r) => !(r.unit_type === 'compound' && r.unit_key === String(ids.C4))).length,
    )
  })
})
