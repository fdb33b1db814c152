import { sql } from 'drizzle-orm'
import type { ImportTarget } from './dataset.ts'
import { type Executor, rowsOf } from './sql.ts'

/**
 * Water, green and other land-use areas, one row per source feature (parts clipped at tile edges stay apart:
 * the base map draws them side by side). Returns the rows written.
 */
export async function insertLandCover(tx: Executor, { datasetId, regionOf }: ImportTarget): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with areas as (
        select s.source_id, s.ftype, s.props, ST_Multi(ST_CollectionExtract(ST_MakeValid(s.geom), 3)) as geom
        from stage s where s.layer = 'landcover'
      ), ins as (
        insert into land_cover (region_code, cover, kind, name, geom, dataset_id, source_id)
        select ${regionOf(sql.raw('ST_PointOnSurface(a.geom)'))}, a.ftype, coalesce(a.props->>'kind', a.ftype),
          coalesce(a.props->>'name:zh', a.props->>'name'), a.geom, ${datasetId}, a.source_id
        from areas a where not ST_IsEmpty(a.geom)
        returning 1)
      select count(*)::int as n from ins`,
  )
  return row?.n ?? 0
}
