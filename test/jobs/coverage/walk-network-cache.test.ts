import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareWalkNetwork } from '../../../jobs/coverage/engine/index.ts'
import { loadInputs, loadRoads, readMetricSrid } from '../../../jobs/coverage/inputs.ts'
import { startCoverageRun } from '../../../jobs/coverage/job.ts'
import type { CoverageOutputs } from '../../../jobs/coverage/outputs.ts'
import { cachedWalkNetwork, forgetWalkNetworks } from '../../../jobs/coverage/walk-network-cache.ts'
import { createProcessors } from '../../../jobs/processors.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import type { RunRow } from '../../../jobs/runs/rows.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { REGION } from './job-cases/helpers.ts'

// The walk network of a region is kept across runs, keyed by the roads' input version: a rerun after a facility
// changed reads no road and builds nothing, and computes what a run that built it computes.
const LIKE = '3101%'
const REQUEST = { regionCode: REGION, facilityTypes: ['kindergarten', 'primary_school'] }

describe('the walk network cached across coverage runs', () => {
  let database: Database
  let runner: InProcessRunner
  let srid: number

  beforeAll(async () => {
    database = await openTestDatabase()
    runner = new InProcessRunner(database, createProcessors(), { backoffMs: 5, onError: () => {} })
    srid = await readMetricSrid(database, LIKE, REGION)
  })
  afterAll(async () => {
    await runner?.close()
    await database?.close()
  })

  async function diagnose(): Promise<{ run: RunRow; outputs: CoverageOutputs; gaps: unknown[] }> {
    const { run: started } = await startCoverageRun(database, runner, REQUEST)
    for (;;) {
      const [run] = await database.rows<RunRow & { state: string; outputs: unknown; error: string | null }>(
        sql`select * from diagnostic_runs where id = ${started.id}`,
      )
      if (run?.state === 'succeeded') {
        const gaps = await database.rows(sql`
          select distance_model, facility_type, kind, rank, gap_key, uncovered_children, uncovered_working,
            uncovered_elderly, capacity_gap, priority, cells, ST_AsText(geom) as geom
          from coverage_gaps where run_id = ${started.id} order by distance_model, facility_type, rank`)
        return { run, outputs: run.outputs as unknown as CoverageOutputs, gaps }
      }
      if (run?.state === 'failed') throw new Error(`run failed: ${run.error}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** A kindergarten at a cell's centre: a new facility version. */
  async function addKindergarten(): Promise<void> {
    await database.rows(sql`
      insert into facilities (region_code, type, name, geom)
      select region_code, 'kindergarten', 'cache test', centroid from population_cells
      where region_code like ${LIKE} order by id offset 7 limit 1`)
  }

  it('builds once, is reused after a facility change, and computes what a fresh build computes', async () => {
    forgetWalkNetworks(database)
    const first = await diagnose()
    expect(first.outputs.walkNetwork).toBe('built')
    expect(first.outputs.inputs.roads).toBeGreaterThan(0)

    await addKindergarten()
    const rerun = await diagnose()
    expect(rerun.run.id).not.toBe(first.run.id)
    expect(rerun.outputs.walkNetwork).toBe('reused')
    expect(rerun.outputs.inputs.roads).toBe(first.outputs.inputs.roads)

    // The same inputs again with nothing cached: identical coverage, gaps and summaries.
    forgetWalkNetworks(database)
    await database.rows(sql`delete from diagnostic_runs where id = ${rerun.run.id}`)
    const fresh = await diagnose()
    expect(fresh.outputs.walkNetwork).toBe('built')
    expect(fresh.outputs.byModel).toEqual(rerun.outputs.byModel)
    expect(fresh.gaps).toEqual(rerun.gaps)
    expect(fresh.gaps.length).toBeGreaterThan(0)
  })

  it('is built again when the roads change', async () => {
    await addKindergarten()
    const before = await diagnose()
    await database.rows(sql`
      insert into roads (region_code, kind, geom, length_m, walkable)
      select region_code, 'footway', ST_MakeLine(centroid, ST_Translate(centroid, 0.001, 0)), 100, true
      from population_cells where region_code like ${LIKE} order by id limit 1`)
    await addKindergarten()
    const after = await diagnose()
    expect(before.outputs.walkNetwork).toBe('reused')
    expect(after.outputs.walkNetwork).toBe('built')
    expect(after.outputs.inputs.roads).toBe(before.outputs.inputs.roads + 1)
  })

  it('snaps other cells onto a cached graph exactly as a network built for them', async () => {
    forgetWalkNetworks(database)
    const { cells } = await loadInputs(database, LIKE, srid, [], false)
    const some = cells.filter((_, i) => i % 3 === 0)
    const whole = await cachedWalkNetwork(database, { like: LIKE, srid }, cells)
    const part = await cachedWalkNetwork(database, { like: LIKE, srid }, some)
    expect(whole.reused).toBe(false)
    expect(part.reused).toBe(true)
    expect(part.network.graph).toBe(whole.network.graph)
    const built = prepareWalkNetwork(some, await loadRoads(database, LIKE, srid))
    expect(part.network.graph.edgeCount).toBe(built.graph.edgeCount)
    expect(part.network.cellSnaps).toEqual(built.cellSnaps)
    expect(part.network.unreachableCells).toBe(built.unreachableCells)
    // Other options are another network.
    const strict = await cachedWalkNetwork(database, { like: LIKE, srid }, cells, { maxSnapM: 50 })
    expect(strict.reused).toBe(false)
  })

  it('reads the inputs compactly: the rows plain SQL reads, walkable roads only', async () => {
    const types = ['kindergarten', 'hospital', 'no_such_type']
    const inputs = await loadInputs(database, LIKE, srid, types, true)
    const cells = await database.rows<{
      id: number
      x: number
      y: number
      size_m: number
      elderly: number
    }>(sql`
      select id, ST_X(ST_Transform(centroid, ${srid}::int)) as x, ST_Y(ST_Transform(centroid, ${srid}::int)) as y,
        size_m, elderly from population_cells where region_code like ${LIKE} order by id`)
    expect(inputs.cells.map((c) => c.id)).toEqual(cells.map((c) => c.id))
    inputs.cells.forEach((c, i) => {
      expect(c.x).toBeCloseTo(cells[i]!.x, 6)
      expect(c.y).toBeCloseTo(cells[i]!.y, 6)
      expect([c.sizeM, c.elderly]).toEqual([cells[i]!.size_m, cells[i]!.elderly])
    })
    const facilities = await database.rows<{ id: number; type: string; capacity: number | null }>(sql`
      select id, type, capacity from facilities where region_code like ${LIKE}
        and type in ('kindergarten', 'hospital') order by id`)
    expect(inputs.facilities.map((f) => [f.id, f.type, f.capacity])).toEqual(
      facilities.map((f) => [f.id, f.type, f.capacity]),
    )
    expect(new Set(facilities.map((f) => f.type)).size).toBe(2)
    const roads = await database.rows<{ id: number; n: number; x: number }>(sql`
      select id, ST_NPoints(geom) as n, ST_X(ST_Transform(ST_EndPoint(geom), ${srid}::int)) as x
      from roads where region_code like ${LIKE} and walkable order by id`)
    const [notWalkable] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from roads where region_code like ${LIKE} and not walkable`,
    )
    expect(notWalkable!.n).toBeGreaterThan(0)
    expect(inputs.roads.map((r) => [r.id, r.coords.length, r.walkable])).toEqual(
      roads.map((r) => [r.id, r.n, true]),
    )
    for (const [i, r] of inputs.roads.entries()) expect(r.coords.at(-1)![0]).toBeCloseTo(roads[i]!.x, 6)
  })
})
