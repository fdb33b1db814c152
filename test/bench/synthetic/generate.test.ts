import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteSyntheticCity, generateSyntheticCity } from '../../../bench/synthetic/generate.ts'
import { type Database, migrateDatabase, openDatabase } from '../../../server/db/client.ts'
import { ensureRegions } from '../../../server/seed/regions.ts'

/**
 * Writes small synthetic cities into both backends and reads them back with SQL. Every query is scoped to the
 * test's own datasets, which are deleted afterwards, so the shared test database is left as found.
 */
const backends: [string, () => Promise<Database>][] = [
  ['pglite', () => openDatabase({ dataDir: 'memory://' })],
]
if (process.env.DATABASE_URL) {
  backends.unshift(['postgresql', () => openDatabase({ databaseUrl: process.env.DATABASE_URL, poolSize: 2 })])
}

describe.each(backends)('generateSyntheticCity on %s', (_backend, open) => {
  let database: Database
  const datasets: number[] = []
  beforeAll(async () => {
    database = await open()
    await migrateDatabase(database)
    await ensureRegions(database)
  })
  afterAll(async () => {
    if (!database) return
    for (const id of datasets) await deleteSyntheticCity(database, id)
    await database.close()
  })

  const one = async <T>(query: ReturnType<typeof sql>): Promise<T> => {
    const [row] = await database.rows<T>(query)
    if (!row) throw new Error('no row')
    return row
  }

  it('writes every row of the city and reads back the same counts', async () => {
    const result = await generateSyntheticCity(database, { buildings: 2000, seed: 11 })
    datasets.push(result.datasetId)
    expect(result).toMatchObject({ regionCode: '420100', buildings: 2000 })
    const id = result.datasetId
    const counts = await one<Record<string, number>>(sql`select
      (select count(*)::int from blocks where dataset_id = ${id}) as blocks,
      (select count(*)::int from compounds where dataset_id = ${id}) as compounds,
      (select count(*)::int from buildings where dataset_id = ${id}) as buildings,
      (select count(*)::int from facilities where dataset_id = ${id}) as facilities,
      (select count(*)::int from roads where dataset_id = ${id}) as roads,
      (select count(*)::int from population_cells where dataset_id = ${id}) as cells,
      (select round(sum(residents)::numeric, 2)::float8 from buildings where dataset_id = ${id}) as residents`)
    expect(counts).toEqual({
      blocks: result.blocks,
      compounds: result.compounds,
      buildings: result.buildings,
      facilities: result.facilities,
      roads: result.roads,
      cells: result.cells,
      residents: result.residents,
    })
    const dataset = await one<{
      kind: string
      parameters: { seed: number; size: string; buildings: number }
    }>(sql`select kind, parameters from datasets where id = ${id}`)
    expect(dataset.kind).toBe('synthetic')
    expect(dataset.parameters).toMatchObject({ seed: 11, size: 'S', buildings: 2000 })
  })

  it('stores valid geometry, nested building ⊂ compound ⊂ block', async () => {
    const id = datasets[0] as number
    const bad = await one<Record<string, number>>(sql`select
      (select count(*)::int from buildings where dataset_id = ${id} and not ST_IsValid(footprint)) as footprints,
      (select count(*)::int from compounds where dataset_id = ${id} and not ST_IsValid(geom)) as compounds,
      (select count(*)::int from blocks where dataset_id = ${id} and not ST_IsValid(geom)) as blocks,
      (select count(*)::int from population_cells where dataset_id = ${id} and not ST_IsValid(geom)) as cells,
      (select count(*)::int from buildings b join compounds c on c.id = b.compound_id
        where b.dataset_id = ${id} and not ST_CoveredBy(b.footprint, c.geom)) as outside_compound,
      (select count(*)::int from compounds c join blocks k on k.id = c.block_id
        where c.dataset_id = ${id} and not ST_CoveredBy(c.geom, k.geom)) as outside_block,
      (select count(*)::int from buildings where dataset_id = ${id}
        and (compound_id is null or block_id is null or not ST_Intersects(centroid, footprint))) as unlinked`)
    expect(bad).toEqual({
      footprints: 0,
      compounds: 0,
      blocks: 0,
      cells: 0,
      outside_compound: 0,
      outside_block: 0,
      unlinked: 0,
    })
  })

  it("agrees with PostGIS on areas, lengths and the population grid's cells", async () => {
    const id = datasets[0] as number
    const check = await one<{
      area: number
      length: number
      misplaced: number
      difference: number
    }>(sql`select
      (select max(abs(ST_Area(ST_Transform(footprint, 4547)) - footprint_area_m2) / footprint_area_m2)
        from buildings where dataset_id = ${id}) as area,
      (select max(abs(ST_Length(ST_Transform(geom, 4547)) - length_m))
        from roads where dataset_id = ${id}) as length,
      (select count(*)::int from population_cells c, lateral ST_Transform(c.centroid, c.metric_srid) p
        where c.dataset_id = ${id}
        and c.cell_key <> c.size_m || ':' || floor(ST_X(p) / c.size_m) || ':' || floor(ST_Y(p) / c.size_m)) as misplaced,
      (select abs((select sum(total) from population_cells where dataset_id = ${id})
        - (select sum(residents) from buildings where dataset_id = ${id}))) as difference`)
    expect(check.area).toBeLessThan(0.001)
    expect(check.length).toBeLessThan(0.05)
    expect(check.misplaced).toBe(0)
    expect(check.difference).toBeLessThan(1)
  })

  it('writes identical rows for the same seed', async () => {
    const again = await generateSyntheticCity(database, { buildings: 2000, seed: 11, analyze: false })
    datasets.push(again.datasetId)
    const [first, second] = datasets as [number, number]
    const fingerprint = async (id: number) =>
      one<Record<string, string>>(sql`select
        (select md5(string_agg(source_id || ST_AsText(footprint) || height_m || use || residents || standard_address,
          ',' order by source_id)) from buildings where dataset_id = ${id}) as buildings,
        (select md5(string_agg(source_id || ST_AsText(geom) || type || coalesce(capacity::text, ''),
          ',' order by source_id)) from facilities where dataset_id = ${id}) as facilities,
        (select md5(string_agg(source_id || ST_AsText(geom) || walkable, ',' order by source_id))
          from roads where dataset_id = ${id}) as roads,
        (select md5(string_agg(cell_key || ST_AsText(geom) || children || working || elderly, ',' order by cell_key))
          from population_cells where dataset_id = ${id}) as cells`)
    expect(await fingerprint(second)).toEqual(await fingerprint(first))
  })

  it('deletes a synthetic city completely', async () => {
    const id = datasets.pop() as number
    await deleteSyntheticCity(database, id)
    const left = await one<{ n: number }>(sql`select
      (select count(*) from buildings where dataset_id = ${id}) + (select count(*) from roads where dataset_id = ${id})
      + (select count(*) from datasets where id = ${id}) as n`)
    expect(Number(left.n)).toBe(0)
  })
})
