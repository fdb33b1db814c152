import { sql } from 'drizzle-orm'
import type { FacilityType } from '../db/facilities.ts'
import { DECIMAL } from './classify.ts'
import type { ImportTarget } from './dataset.ts'
import { type Executor, rowsOf } from './sql.ts'

/**
 * Facilities from POI points and areas (area pieces merged by id, a point inside an area of its type dropped
 * as the same facility). Returns the count per type and how many points were merged into areas.
 */
export async function insertFacilities(
  tx: Executor,
  { datasetId, metricSrid, regionOf }: ImportTarget,
): Promise<{ byType: Record<string, number>; mergedPoints: number }> {
  // A POI point inside a polygon of the same type (a park's label) is the same facility.
  const [dups] = await rowsOf<{ n: number }>(
    tx,
    sql`with d as (delete from stage p using stage a
        where p.layer = 'facility' and a.layer = 'facility' and p.ftype = a.ftype
          and ST_GeometryType(p.geom) = 'ST_Point' and ST_GeometryType(a.geom) <> 'ST_Point'
          and ST_Intersects(a.geom, p.geom) returning p.seq)
      select count(distinct seq)::int as n from d`,
  )
  const rows = await rowsOf<{ type: FacilityType; n: number }>(
    tx,
    sql`with f as (
        select seq, source_id, ftype, props, geom, false as is_area from stage
        where layer = 'facility' and ST_GeometryType(geom) = 'ST_Point'
        union all
        select min(seq), source_id, ftype, (array_agg(props order by seq))[1],
          ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3), true
        from stage where layer = 'facility' and ST_GeometryType(geom) <> 'ST_Point'
        group by ftype, source_id, case when source_id is null then seq end
      ), ins as (
        insert into facilities (region_code, type, name, name_en, geom, area_m2, capacity, capacity_unit,
          capacity_estimated, dataset_id, source, source_id, attributes)
        select ${regionOf(sql.raw('ST_PointOnSurface(f.geom)'))}, f.ftype, coalesce(f.props->>'name:zh', f.props->>'name'),
          f.props->>'name:en', ST_PointOnSurface(f.geom),
          case when f.is_area then ST_Area(ST_Transform(f.geom, ${metricSrid}::int)) end,
          case when f.props->>'capacity' ~ ${DECIMAL} then (f.props->>'capacity')::float8 end,
          f.props->>'capacity_unit', false, ${datasetId}, 'import',
          coalesce(f.source_id, 'seq:' || f.seq) || case when f.is_area then ':area' else '' end, f.props - 'id' - 'sort_rank' - 'min_zoom'
        from f
        on conflict (dataset_id, source_id) do nothing
        returning type)
      select type, count(*)::int as n from ins group by type order by type`,
  )
  return { byType: Object.fromEntries(rows.map((r) => [r.type, r.n])), mergedPoints: dups?.n ?? 0 }
}
