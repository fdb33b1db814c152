import { sql } from 'drizzle-orm'
import type { ImportTarget } from './dataset.ts'
import { type Executor, rowsOf } from './sql.ts'

/** Road lines, one row per line of a multi-line, with length and walkability. Returns the rows written. */
export async function insertRoads(
  tx: Executor,
  { datasetId, metricSrid, regionOf }: ImportTarget,
): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with parts as (
        select s.seq, s.source_id, s.props, s.walkable, (ST_Dump(s.geom)).geom as geom from stage s where s.layer = 'road'
      ), ins as (
        insert into roads (region_code, kind, kind_detail, name, geom, length_m, walkable, dataset_id, source_id)
        select ${regionOf(sql.raw('ST_StartPoint(p.geom)'))}, coalesce(p.props->>'kind', p.props->>'highway', 'road'),
          p.props->>'kind_detail', coalesce(p.props->>'name:zh', p.props->>'name'), p.geom,
          ST_Length(ST_Transform(p.geom, ${metricSrid}::int)), p.walkable, ${datasetId}, p.source_id
        from parts p where ST_GeometryType(p.geom) = 'ST_LineString' and ST_NPoints(p.geom) >= 2
        returning 1)
      select count(*)::int as n from ins`,
  )
  return row?.n ?? 0
}
