import { sql } from 'drizzle-orm'
import { type Executor, rowsOf } from './sql.ts'
import type { Staging } from './staging.ts'

/**
 * Address points without a footprint's id, and entrances, attach to the building they stand in (or next to);
 * the rest are counted as skipped. Then every building with a street gets its 标准地址.
 */
export async function attachPointsToBuildings(
  tx: Executor,
  datasetId: number,
  staging: Staging,
): Promise<void> {
  const { staged, merged, skipped } = staging
  const addresses = await attachAddresses(tx, datasetId)
  merged.addressPoints += addresses
  const looseAddresses = staged.filter((s) => s.layer === 'address').length - addresses
  if (looseAddresses > 0) skipped['address point outside any imported building'] = looseAddresses
  merged.entrances = await attachEntrances(tx, datasetId)
  const looseEntrances = staged.filter((s) => s.layer === 'entrance').length - merged.entrances
  if (looseEntrances > 0) skipped['entrance farther than ~20 m from any imported building'] = looseEntrances
  await setStandardAddresses(tx, datasetId)
}

/** The first address point inside a building without an address becomes its address. */
async function attachAddresses(tx: Executor, datasetId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with hits as (
        select distinct on (b.id) b.id, s.props from stage s
        join buildings b on b.dataset_id = ${datasetId} and ST_Intersects(b.footprint, s.geom)
        where s.layer = 'address' and b.attributes->>'addr_street' is null order by b.id, s.seq
      ), upd as (
        update buildings b set attributes = b.attributes || jsonb_build_object(
          'addr_street', hits.props->>'addr_street', 'addr_housenumber', hits.props->>'addr_housenumber')
        from hits where b.id = hits.id returning 1)
      select count(*)::int as n from upd`,
  )
  return row?.n ?? 0
}

/** An entrance belongs to the nearest building within about 20 m. */
async function attachEntrances(tx: Executor, datasetId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with near as (
        select s.seq, s.props, s.geom, (
          select b.id from buildings b where b.dataset_id = ${datasetId}
            and ST_DWithin(b.footprint, s.geom, 0.0002)
          order by b.footprint <-> s.geom limit 1) as building_id
        from stage s where s.layer = 'entrance'
      ), grouped as (
        select building_id, jsonb_agg(jsonb_build_object('name', props->>'name', 'kind', props->>'kind_detail',
          'point', ST_AsGeoJSON(geom, 7)::jsonb) order by seq) as list, count(*) as n
        from near where building_id is not null group by 1
      ), upd as (
        update buildings b set attributes = b.attributes || jsonb_build_object('entrances', g.list)
        from grouped g where b.id = g.building_id returning g.n)
      select coalesce(sum(n), 0)::int as n from upd`,
  )
  return row?.n ?? 0
}

/** 标准地址: 市 + 区 + 街路巷 + 门牌号, from the OSM address tags and the region the building lies in. */
async function setStandardAddresses(tx: Executor, datasetId: number): Promise<void> {
  await tx.execute(sql`
    update buildings b set standard_address =
      coalesce(city.name, '') || coalesce(d.name, '') || (b.attributes->>'addr_street') ||
      coalesce(regexp_replace(b.attributes->>'addr_housenumber', '号?$', '号'), '')
    from regions d left join regions city on city.code = d.parent_code
    where b.dataset_id = ${datasetId} and d.code = b.region_code and b.attributes->>'addr_street' is not null`)
}
