import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgRoutingCoverage } from '../../../bench/peer-coverage.ts'
import { ensurePgRouting } from '../../../bench/pgrouting.ts'
import { computeCoverage, type FacilityRule } from '../../../jobs/coverage/engine/index.ts'
import { loadInputs, readMetricSrid } from '../../../jobs/coverage/inputs.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

// pgRouting exists on PostgreSQL only: this file runs in the postgresql project. The Bund demo city's walking
// coverage by the engine and by the benchmark's pgRouting peer must be the same cells.
const LIKE = '3101%'

describe('walking coverage in pgRouting, the diagnostics benchmark peer', () => {
  let database: Database
  let srid: number
  let rules: FacilityRule[]

  beforeAll(async () => {
    database = await openTestDatabase()
    await ensurePgRouting(database, () => {})
    srid = await readMetricSrid(database, LIKE, '310100')
    const types = await database.rows<{ type: string }>(
      sql`select type from facilities where region_code like ${LIKE} group by type order by count(*) desc limit 3`,
    )
    // Radii from a few blocks to a district, so some cells are covered and some are not.
    rules = types.map(({ type }, i) => ({
      type,
      radiusM: [300, 500, 1000][i]!,
      servedGroups: ['children', 'working', 'elderly'],
      vulnerabilityWeight: 1,
    }))
  })
  afterAll(async () => {
    await database?.close()
  })

  for (const maxSnapM of [300, 40]) {
    it(`covers the same cells as the engine (access walks up to ${maxSnapM} m)`, async () => {
      expect(rules.length).toBe(3)
      const types = rules.map((r) => r.type)
      const inputs = await loadInputs(database, LIKE, srid, types, true)
      const ours = computeCoverage({ ...inputs, rules, model: 'network', facilityTypes: types }, { maxSnapM })
      const peer = await pgRoutingCoverage(database, { like: LIKE, srid }, rules, { maxSnapM })
      for (const [r, rule] of rules.entries()) {
        const covered = ours.types[r]!.covered
        const mine = inputs.cells.filter((_, i) => covered[i] === 1).map((c) => c.id)
        expect(mine.length, rule.type).toBeGreaterThan(0)
        expect(mine.length, rule.type).toBeLessThan(inputs.cells.length)
        expect(peer.covered[r], rule.type).toEqual(mine)
      }
      if (maxSnapM === 40) expect(ours.unreachableCells).toBeGreaterThan(0)
    })
  }

  it('routes on the same graph as the engine', async () => {
    const inputs = await loadInputs(database, LIKE, srid, [], true)
    const { prepareWalkNetwork } = await import('../../../jobs/coverage/engine/index.ts')
    const { graph } = prepareWalkNetwork(inputs.cells, inputs.roads)
    const peer = await pgRoutingCoverage(database, { like: LIKE, srid }, [])
    expect(peer.edges).toBe(graph.edgeCount)
    expect(peer.nodes).toBe(graph.nodeCount)
  })

  it('counts the access walks, lets a cell walk along its segment to a facility, and skips roads not walkable', async () => {
    // Off to the east of the city, on its cells' lattice: cells at (x, y) + multiples of the cell size.
    const [grid] = await database.rows<{ size: number; x: number; y: number }>(sql`
      select size_m as size, ST_X(p) + 20 * size_m as x, ST_Y(p) as y
      from (select size_m, ST_Transform(centroid, ${srid}::int) as p from population_cells
        where region_code like ${LIKE}) c
      order by ST_X(p) desc limit 1`)
    const { size, x, y } = grid!
    const at = (dx: number, dy: number) =>
      sql`ST_Transform(ST_SetSRID(ST_MakePoint(${x + dx}::float8, ${y + dy}::float8), ${srid}::int), 4326)`
    const line = (dy: number) => sql`ST_MakeLine(${at(-1500, dy)}, ${at(1500, dy)})`
    // A long walkable segment 40 m south of the cells and, between them, a motorway nobody may walk along.
    await database.rows(sql`insert into roads (region_code, kind, geom, length_m, walkable) values
      ('310101', 'footway', ${line(-40)}, 3000, true), ('310101', 'motorway', ${line(-20)}, 3000, false)`)
    // 30 m south of the footway, 250 m west of the first cell.
    await database.rows(
      sql`insert into facilities (region_code, type, geom) values ('310101', 'peer_test', ${at(-250, -70)})`,
    )
    // Walks: 40 + 250 + 30 = 320 m along the segment; 40 + 250 + size + 30 m; more than 300 m from the footway.
    const cells = [
      [0, 0],
      [size, 0],
      [0, -size * Math.ceil(400 / size)],
    ]
    const ids: number[] = []
    for (const [i, [dx, dy]] of cells.entries()) {
      const [row] = await database.rows<{ id: number }>(sql`
        insert into population_cells (region_code, cell_key, size_m, metric_srid, geom, centroid, working, total, method)
        values ('310101', ${`peer-test-${i}`}, ${size}, ${srid}, ST_Buffer(${at(dx!, dy!)}, 0.0001), ${at(dx!, dy!)},
          10, 10, 'test')
        returning id`)
      ids.push(row!.id)
    }
    try {
      const rule = { ...rules[0]!, type: 'peer_test', radiusM: 330 }
      const inputs = await loadInputs(database, LIKE, srid, ['peer_test'], true)
      const ours = computeCoverage({
        ...inputs,
        rules: [rule],
        model: 'network',
        facilityTypes: ['peer_test'],
      })
      const mine = inputs.cells.filter((_, i) => ours.types[0]!.covered[i] === 1).map((c) => c.id)
      const peer = await pgRoutingCoverage(database, { like: LIKE, srid }, [rule])
      expect(mine).toEqual([ids[0]])
      expect(peer.covered[0]).toEqual([ids[0]])
      const far = inputs.cells.findIndex((c) => c.id === ids[2])
      expect(Number.isNaN(ours.cellAccessM![far]!)).toBe(true)
    } finally {
      await database.rows(sql`delete from population_cells where cell_key like 'peer-test-%'`)
      await database.rows(sql`delete from facilities where type = 'peer_test'`)
      await database.rows(sql`delete from roads where length_m = 3000 and kind in ('footway', 'motorway')`)
    }
  })
})
