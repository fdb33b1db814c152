import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processZoningRun, startZoningRun } from '../../../jobs/zoning/job.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

/**
 * The zoning job on the Bund demo city under the default rules its seed wrote for 上海市: figures per block are
 * checked against counts of the test's own, areas against the blocks they dissolve.
 */

let database: Database
const noQueue = { enqueue: async () => {}, close: async () => {} }

async function zone(regionCode: string): Promise<number> {
  const { run } = await startZoningRun(database, noQueue, { regionCode })
  await processZoningRun(database, { runId: run.id, attempt: 1, maxAttempts: 3 })
  const [done] = await database.rows<{ state: string; error: string | null }>(
    sql`select state, error from diagnostic_runs where id = ${run.id}`,
  )
  expect(done).toEqual({ state: 'succeeded', error: null })
  return run.id
}

interface AreaRow {
  id: number
  areaClass: string
  regionCode: string
  reasons: { metric: string; op: string; value: number; blocks: number; min: number; max: number }[]
  metrics: Record<string, number>
}

const areasOf = (runId: number) =>
  database.rows<AreaRow>(sql`select id, area_class as "areaClass", region_code as "regionCode", reasons, metrics
    from zoning_areas where run_id = ${runId} order by id`)

/** Blocks whose own count of buildings with an old name makes them historic under the default rule. */
const historicBlocks = () =>
  database.rows<{ id: number; heritage: number }>(sql`
    select b.id, count(*) filter (where x.attributes ? 'old_name')::int as heritage
    from blocks b join buildings x on x.block_id = b.id
    group by b.id
    having count(*) filter (where x.attributes ? 'old_name') >= 3
      and count(*) filter (where x.attributes ? 'old_name')::float8 / count(*) >= 0.2
    order by b.id`)

beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.close()
})

describe('the zoning job', () => {
  let first: number

  it('puts exactly the historic blocks into protection areas, with the figures behind them', async () => {
    first = await zone('310100')
    const areas = await areasOf(first)
    const expected = await historicBlocks()
    expect(expected.length).toBeGreaterThan(0)
    const protection = areas.filter((a) => a.areaClass === 'protection')
    expect(protection.reduce((n, a) => n + a.metrics.blocks!, 0)).toBe(expected.length)
    expect(protection.reduce((n, a) => n + a.metrics.heritage_buildings!, 0)).toBe(
      expected.reduce((n, b) => n + b.heritage, 0),
    )
    for (const area of protection) {
      const heritage = area.reasons.find((r) => r.metric === 'heritage_buildings')!
      expect(heritage).toMatchObject({ op: '>=', value: 3, blocks: area.metrics.blocks })
      expect(heritage.min).toBeGreaterThanOrEqual(3)
    }
    const [covered] = await database.rows<{ inside: boolean }>(sql`
      select bool_and(exists (select 1 from zoning_areas a where a.run_id = ${first}
        and a.area_class = 'protection' and ST_Covers(a.geom, ST_PointOnSurface(b.geom)))) as inside
      from blocks b where b.id = any(${sql.param(expected.map((b) => b.id))}::int[])`)
    expect(covered?.inside).toBe(true)
    expect(areas.some((a) => a.areaClass === 'near_term')).toBe(true)
  })

  it('takes a block full of open problems into the gradual renewal zone', async () => {
    const [block] = await database.rows<{ id: number; regionCode: string; areaHa: number }>(sql`
      select b.id, b.region_code as "regionCode", ST_Area(b.geom::geography) / 10000 as "areaHa" from blocks b
      where b.region_code = '310101' and ST_Area(b.geom::geography) > 5000
        and not exists (select 1 from zoning_areas a where a.run_id = ${first} and ST_Intersects(a.geom, b.geom))
      order by b.id limit 1`)
    expect(block).toBeDefined()
    const problems = Math.ceil(block!.areaHa * 2)
    await database.rows(sql`insert into problems (region_code, type, title, severity, source, year_found, geom)
      select ${block!.regionCode}, 'facade_safety', '外立面隐患', 2, 'inspection', 2025, ST_PointOnSurface(geom)
      from blocks, generate_series(1, ${problems}) where id = ${block!.id}`)
    const second = await zone('310100')
    const [gradual] =
      await database.rows<AreaRow>(sql`select a.area_class as "areaClass", a.reasons, a.metrics
      from zoning_areas a join blocks b on ST_Covers(a.geom, ST_PointOnSurface(b.geom))
      where a.run_id = ${second} and b.id = ${block!.id}`)
    expect(gradual?.areaClass).toBe('gradual')
    const density = gradual!.reasons.find((r) => r.metric === 'open_problems_per_ha')!
    expect(density.blocks).toBe(1)
    expect(density.max).toBeCloseTo(problems / block!.areaHa, 6)
  })

  it('writes a run’s areas once however often it is processed, and nothing once cancelled', async () => {
    const { run } = await startZoningRun(database, noQueue, { regionCode: '310115' })
    await processZoningRun(database, { runId: run.id, attempt: 1, maxAttempts: 3 })
    const once = await areasOf(run.id)
    expect(once.length).toBeGreaterThan(0)
    for (const a of once) expect(a.regionCode).toBe('310115')
    // A duplicate delivery after a crash between the write and the acknowledgement.
    await database.rows(sql`update diagnostic_runs set state = 'running' where id = ${run.id}`)
    await processZoningRun(database, { runId: run.id, attempt: 2, maxAttempts: 3 })
    const twice = await areasOf(run.id)
    expect(twice.map(({ id: _, ...rest }) => rest)).toEqual(once.map(({ id: _, ...rest }) => rest))

    const cancelled = await startZoningRun(database, noQueue, { regionCode: '310109' })
    await database.rows(sql`update diagnostic_runs set state = 'cancelled' where id = ${cancelled.run.id}`)
    await processZoningRun(database, { runId: cancelled.run.id, attempt: 1, maxAttempts: 3 })
    expect(await areasOf(cancelled.run.id)).toEqual([])
  })

  it('names the rule versions it used', async () => {
    const { run } = await startZoningRun(database, noQueue, { regionCode: '310101' })
    const versions = (run.inputVersions as { rules: { key: string; version: number }[] }).rules
    expect(versions.map((r) => r.key)).toEqual([
      'protection-heritage',
      'near-term-old-housing',
      'gradual-check-findings',
    ])
    expect(versions.every((r) => r.version === 1)).toBe(true)
  })
})
