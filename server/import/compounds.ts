import { sql } from 'drizzle-orm'
import type { ImportTarget } from './dataset.ts'
import { type Executor, rowsOf } from './sql.ts'

/** Compounds (小区) from residential landuse polygons, pieces merged by id. Returns how many were written. */
export async function insertCompounds(
  tx: Executor,
  { datasetId, metricSrid, regionOf }: ImportTarget,
): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with merged as (
        select coalesce(source_id, 'seq:' || min(seq)) as source_id, (array_agg(props order by seq))[1] as props,
          ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3)) as geom
        from stage where layer = 'compound' group by source_id
      ), ins as (
        insert into compounds (region_code, name, kind, geom, area_m2, dataset_id, source, source_id, attributes)
        select ${regionOf(sql.raw('ST_PointOnSurface(m.geom)'))}, coalesce(props->>'name:zh', props->>'name'),
          'compound', m.geom, ST_Area(ST_Transform(m.geom, ${metricSrid}::int)), ${datasetId}, 'import', m.source_id, m.props
        from merged m where not ST_IsEmpty(m.geom)
        returning 1)
      select count(*)::int as n from ins`,
  )
  return row?.n ?? 0
}

/** A building belongs to the compound that holds its interior point. */
export async function linkBuildingsToCompounds(tx: Executor, datasetId: number): Promise<void> {
  await tx.execute(sql`
    update buildings b set compound_id = c.id from compounds c
    where b.dataset_id = ${datasetId} and c.dataset_id = ${datasetId} and ST_Intersects(c.geom, b.centroid)`)
}
