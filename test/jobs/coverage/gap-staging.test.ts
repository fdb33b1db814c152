import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearStaleStages, GapStager } from '../../../jobs/coverage/gap-staging.ts'
import type { UnrankedGap } from '../../../jobs/coverage/gaps.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

// The gaps travel to the staging table as array literals and a buffer of WKB polygons; what the database stores
// must be exactly what was sent: every text (quotes and backslashes included), every double, every geometry, in
// the order the steps were staged.

const SRID = 4547

function gap(over: Partial<UnrankedGap>): UnrankedGap {
  return {
    gap_key: 'kindergarten:network:blind_spot:1',
    facility_type: 'kindergarten',
    distance_model: 'network',
    kind: 'blind_spot',
    outline: null,
    x: 500000,
    y: 3400000,
    cells: 1,
    uncovered_children: 0,
    uncovered_working: 0,
    uncovered_elderly: 0,
    unserved: 0,
    capacity_gap: 0,
    priority: 0,
    radius_m: 300,
    ...over,
  }
}

const square = (x: number, y: number, s: number): [number, number][] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
]

const STEP_1: UnrankedGap[] = [
  gap({ gap_key: 'a"b\\c,{d} NULL', x: 500000.123456789, y: 3400000.1, priority: 0.1 + 0.2 }),
  gap({ kind: 'capacity', gap_key: 'NULL', x: 501000, y: 3401000, capacity_gap: Number.NaN }),
]
const STEP_2: UnrankedGap[] = [
  gap({
    gap_key: 'holed',
    facility_type: 'clinic',
    distance_model: 'euclidean',
    outline: [square(500000, 3400000, 300), square(500100, 3400100, 100).reverse()],
    x: 500150,
    y: 3400150,
    unserved: 1e-300,
  }),
  gap({
    gap_key: '统计',
    facility_type: 'clinic',
    distance_model: 'euclidean',
    outline: [square(510000, 3410000, 100)],
    x: 510050,
    y: 3410050,
    cells: 7,
  }),
]
const GAPS = [...STEP_1, ...STEP_2]

interface StagedRow {
  n: number
  gap_key: string
  facility_type: string
  distance_model: string
  kind: string
  radius_m: number
  priority: number
  capacity_gap: number
  unserved: number
  cells: number
  x: number
  y: number
  area: number | null
  holes: number | null
}

describe('the gaps staged while a run computes', () => {
  let database: Database

  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  const staged = (stage: string) =>
    database.rows<StagedRow>(sql`
      select n, gap_key, facility_type, distance_model, kind, radius_m, priority, capacity_gap, unserved, cells,
        ST_X(ST_Transform(point, ${SRID}::int)) as x, ST_Y(ST_Transform(point, ${SRID}::int)) as y,
        ST_Area(ST_Transform(geom, ${SRID}::int)) as area, ST_NumInteriorRings(ST_GeometryN(geom, 1)) as holes
      from coverage_gap_staging where stage = ${stage}::uuid order by n`)

  it('stores every column and geometry as sent, numbered in the order of the steps', async () => {
    const stager = new GapStager(database, 900001, SRID)
    stager.add(STEP_1)
    stager.add([])
    stager.add(STEP_2)
    expect(await stager.flush()).toBe(4)
    const rows = await staged(stager.stage)
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4])
    expect(rows.map((r) => r.gap_key)).toEqual(GAPS.map((g) => g.gap_key))
    expect(rows.map((r) => [r.facility_type, r.distance_model, r.kind])).toEqual(
      GAPS.map((g) => [g.facility_type, g.distance_model, g.kind]),
    )
    expect(rows.map((r) => r.radius_m)).toEqual(GAPS.map((g) => g.radius_m))
    expect(rows.map((r) => r.priority)).toEqual(GAPS.map((g) => g.priority))
    expect(rows.map((r) => r.unserved)).toEqual(GAPS.map((g) => g.unserved))
    expect(rows.map((r) => r.cells)).toEqual(GAPS.map((g) => g.cells))
    expect(Number.isNaN(Number(rows[1]?.capacity_gap))).toBe(true)
    rows.forEach((r, i) => {
      expect(r.x).toBeCloseTo(GAPS[i]!.x, 3)
      expect(r.y).toBeCloseTo(GAPS[i]!.y, 3)
    })
    // Projected to degrees and back: areas agree to a square centimetre.
    expect(rows.map((r) => (r.area === null ? null : Math.round(r.area)))).toEqual([
      null,
      null,
      300 * 300 - 100 * 100,
      100 * 100,
    ])
    expect(rows.map((r) => r.holes)).toEqual([null, null, 1, 0])
  })

  it('takes one step at a time: gaps of two types in one payload are refused', () => {
    const stager = new GapStager(database, 900003, SRID)
    expect(() => stager.add([...STEP_1, ...STEP_2])).toThrow(/one step/)
  })

  it('keeps a failed statement for flush, stages nothing after it, and discards on request', async () => {
    const stager = new GapStager(database, 900002, 999999)
    stager.add(STEP_1)
    stager.add(STEP_2)
    await expect(stager.flush()).rejects.toThrow()
    expect(await staged(stager.stage)).toEqual([])
    const good = new GapStager(database, 900002, SRID)
    good.add(STEP_2)
    await good.discard()
    expect(await staged(good.stage)).toEqual([])
  })

  it('clears the rows of runs that are no longer running and keeps a running run’s', async () => {
    const [region] = await database.rows<{ code: string }>(sql`select code from regions limit 1`)
    const runs = await database.rows<{ id: number; state: string }>(sql`
      insert into diagnostic_runs (kind, region_code, idempotency_key, state)
      values ('coverage', ${region!.code}, 'staging-test-running', 'running'),
        ('coverage', ${region!.code}, 'staging-test-failed', 'failed')
      returning id, state`)
    const stagers = runs.map((r) => new GapStager(database, r.id, SRID))
    for (const s of stagers) s.add(STEP_2)
    await Promise.all(stagers.map((s) => s.flush()))
    await clearStaleStages(database)
    expect((await staged(stagers[0]!.stage)).length).toBe(2)
    expect(await staged(stagers[1]!.stage)).toEqual([])
    await database.rows(sql`delete from diagnostic_runs where idempotency_key like 'staging-test-%'`)
  })
})
