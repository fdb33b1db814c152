import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gapPayload } from '../../../jobs/coverage/gap-payload.ts'
import type { GapRow } from '../../../jobs/coverage/gaps.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

// The gaps travel to the database as array literals and WKB collections; what the database reads back must be
// exactly what was sent: every text (quotes and backslashes included), every double, and every geometry in order.

function gap(over: Partial<GapRow>): GapRow {
  return {
    gap_key: 'kindergarten:network:blind_spot:1',
    facility_type: 'kindergarten',
    distance_model: 'network',
    kind: 'blind_spot',
    outline: null,
    x: 0,
    y: 0,
    cells: 1,
    uncovered_children: 0,
    uncovered_working: 0,
    uncovered_elderly: 0,
    unserved: 0,
    capacity_gap: 0,
    priority: 0,
    rank: 1,
    severity: 1,
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

const GAPS: GapRow[] = [
  gap({ gap_key: 'a"b\\c,{d} NULL', x: 500000.123456789, y: 3400000.1, priority: 0.1 + 0.2, rank: 1 }),
  gap({ kind: 'capacity', gap_key: 'NULL', x: 1, y: 2, capacity_gap: Number.NaN, rank: 2, severity: 3 }),
  gap({
    gap_key: 'holed',
    outline: [square(0, 0, 300), square(100, 100, 100).reverse()],
    x: 150,
    y: 150,
    unserved: 1e-300,
    rank: 3,
  }),
  gap({ gap_key: '统计', outline: [square(1000, 1000, 100)], x: -5.5, y: 1e7, cells: 7, rank: 4 }),
]

describe('the gaps payload read back by the database', () => {
  let database: Database

  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('reads every column and geometry back as sent, in order', async () => {
    const p = gapPayload(GAPS)
    const rows = await database.rows<{
      gap_key: string
      kind: string
      priority: number
      capacity_gap: number
      unserved: number
      rank: number
      severity: number
      cells: number
      outline_at: number
      n: number
    }>(sql`
      select * from unnest(${p.text.gap_key}::text[], ${p.text.kind}::text[], ${p.numbers.priority}::float8[],
        ${p.numbers.capacity_gap}::float8[], ${p.numbers.unserved}::float8[], ${p.numbers.rank}::int[],
        ${p.numbers.severity}::int[], ${p.numbers.cells}::int[], ${p.outlineAt}::int[]) with ordinality
        as g(gap_key, kind, priority, capacity_gap, unserved, rank, severity, cells, outline_at, n)
      order by n`)
    expect(rows.map((r) => r.gap_key)).toEqual(GAPS.map((g) => g.gap_key))
    expect(rows.map((r) => r.kind)).toEqual(GAPS.map((g) => g.kind))
    expect(rows.map((r) => r.priority)).toEqual(GAPS.map((g) => g.priority))
    expect(rows.map((r) => r.unserved)).toEqual(GAPS.map((g) => g.unserved))
    expect(Number.isNaN(Number(rows[1]?.capacity_gap))).toBe(true)
    expect(rows.map((r) => [r.rank, r.severity, r.cells])).toEqual(
      GAPS.map((g) => [g.rank, g.severity, g.cells]),
    )
    expect(rows.map((r) => r.outline_at)).toEqual([0, 0, 1, 2])

    const shapes = await database.rows<{ i: number; area: number; holes: number; x: number; y: number }>(sql`
      select (d).path[1] as i, ST_Area((d).geom) as area, ST_NumInteriorRings((d).geom) as holes, 0 as x, 0 as y
      from (select ST_Dump(ST_GeomFromWKB(${p.outlines}::bytea, 4547)) as d) o
      union all
      select (d).path[1] + 100, 0, 0, ST_X((d).geom), ST_Y((d).geom)
      from (select ST_Dump(ST_GeomFromWKB(${p.points}::bytea, 4547)) as d) q
      order by 1`)
    expect(shapes.slice(0, 2).map((s) => [s.i, s.area, s.holes])).toEqual([
      [1, 300 * 300 - 100 * 100, 1],
      [2, 100 * 100, 0],
    ])
    expect(shapes.slice(2).map((s) => [s.x, s.y])).toEqual(GAPS.map((g) => [g.x, g.y]))
  })

  it('sends an empty run as empty arrays and collections', async () => {
    const p = gapPayload([])
    const [row] = await database.rows<{ n: number; outlines: number; points: number }>(sql`
      select (select count(*)::int from unnest(${p.text.gap_key}::text[])) as n,
        ST_NumGeometries(ST_GeomFromWKB(${p.outlines}::bytea)) as outlines,
        ST_NumGeometries(ST_GeomFromWKB(${p.points}::bytea)) as points`)
    expect(row).toEqual({ n: 0, outlines: 0, points: 0 })
  })
})
