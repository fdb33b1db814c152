import { type SQL, sql } from 'drizzle-orm'
import { ImportError } from './errors.ts'
import type { SourceFeature } from './read.ts'
import { type Executor, rowsOf } from './sql.ts'

/** SQL for the region code of a point: the boundary holding it, else the import's default region. */
export type RegionOf = (point: SQL) => SQL

export async function checkRegionCode(tx: Executor, code: string): Promise<void> {
  const found = await rowsOf(tx, sql`select 1 from regions where code = ${code}`)
  if (found.length === 0) throw new ImportError(`未知行政区划代码 / unknown region code ${code}`)
}

/**
 * Loads the boundaries into the transaction's `boundary` table and onto their regions, and returns how a
 * point finds its region. Every boundary's code must be a known region.
 */
export async function loadBoundaries(
  tx: Executor,
  boundaries: SourceFeature[],
  defaultRegion: string,
): Promise<RegionOf> {
  await tx.execute(
    sql`create temp table boundary (code text not null, geom geometry not null) on commit drop`,
  )
  for (const b of boundaries) {
    await tx.execute(sql`insert into boundary values (${b.props.code as string},
      ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(b.geometry)}), ${b.srid === 4490 ? 4326 : b.srid}::int), 4326))`)
  }
  const unknown = await rowsOf<{ code: string }>(
    tx,
    sql`select b.code from boundary b left join regions r on r.code = b.code where r.code is null`,
  )
  if (unknown.length > 0) {
    throw new ImportError(
      `边界中有未知区划代码 / unknown region codes in boundaries: ${unknown.map((u) => u.code).join(', ')}`,
    )
  }
  if (boundaries.length > 0) {
    await tx.execute(sql`update regions r set boundary = ST_Multi(u.geom)
      from (select code, ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3) as geom from boundary group by code) u
      where r.code = u.code`)
  }
  return (point) =>
    sql`coalesce((select b.code from boundary b where ST_Intersects(b.geom, ${point}) order by b.code limit 1), ${defaultRegion})`
}
