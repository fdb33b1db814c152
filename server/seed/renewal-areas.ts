import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'

/**
 * How the demo's 片区 (renewal areas) are derived from the imported city. OpenStreetMap carries no renewal
 * plans and, in the Bund, no construction years, so the two kinds of old housing that Shanghai's renewal
 * programmes address are recognised by what the data does hold:
 * - 旧住房成套改造 (upgrading old workers' villages): residential compounds named in the 1950s–80s manner
 *   (X一村, X新村, X街坊) or built before `oldBefore`, with no high-rise (≥ `highRiseM`) among their buildings;
 * - 旧区改造 (old lilong): clusters of low-rise (< `lowRiseM`) residential buildings built before 1949 or of
 *   unknown year, at least `minLilongBuildings` of them within `lilongGapM` of each other.
 * Each cluster is dissolved with a `bufferM` margin (buffered out, unioned, and shrunk back by half) and
 * named after its compounds, or after the nearest named road for lilong.
 */
export interface RenewalAreaDerivation {
  /** @defaultValue 1990 */
  oldBefore: number
  /** @defaultValue 24 (GB 50352: a residential building of 24 m or more is high-rise) */
  highRiseM: number
  /** @defaultValue 15 */
  lowRiseM: number
  /** Old compounds closer than this belong to one area. @defaultValue 150 */
  compoundGapM: number
  /** @defaultValue 25 */
  lilongGapM: number
  /** @defaultValue 10 */
  minLilongBuildings: number
  /** @defaultValue 30 */
  bufferM: number
}

export const DEFAULT_RENEWAL_AREA_DERIVATION: RenewalAreaDerivation = {
  oldBefore: 1990,
  highRiseM: 24,
  lowRiseM: 15,
  compoundGapM: 150,
  lilongGapM: 25,
  minLilongBuildings: 10,
  bufferM: 30,
}

const SEED_METHOD = 'seed:renewal-areas'

/**
 * Writes the derived renewal areas of a dataset, once: nothing is written when areas derived from it exist
 * already. Returns the number of areas written.
 */
export async function seedRenewalAreas(
  database: Database,
  datasetName: string,
  options: Partial<RenewalAreaDerivation> = {},
): Promise<number> {
  const o = { ...DEFAULT_RENEWAL_AREA_DERIVATION, ...options }
  const [dataset] = await database.rows<{ id: number; srid: number | null }>(
    sql`select id, (parameters->>'metricSrid')::int as srid from datasets where name = ${datasetName}
        order by id desc limit 1`,
  )
  if (!dataset?.srid) return 0
  const [done] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from renewal_areas
        where attributes->>'method' = ${SEED_METHOD} and (attributes->>'datasetId')::int = ${dataset.id}`,
  )
  if (done?.n) return 0
  const srid = sql.raw(String(Math.trunc(dataset.srid)))
  const rows = await database.rows<{ id: number }>(
    sql`with candidate as (
        select 'housing_upgrade' as kind, c.id, c.name, c.region_code, ST_Transform(c.geom, ${srid}) as g
        from compounds c
        where c.dataset_id = ${dataset.id} and c.kind = 'compound'
          and (c.year_built < ${o.oldBefore}
            or (c.year_built is null and c.name ~ '([一二三四五六七八九十]村|新村|街坊)$'))
          and not exists (select 1 from buildings b where b.compound_id = c.id and b.height_m >= ${o.highRiseM})
        union all
        select 'old_lilong', b.id, null, b.region_code, ST_Transform(b.footprint, ${srid})
        from buildings b
        where b.dataset_id = ${dataset.id} and b.use = 'residential' and b.height_m < ${o.lowRiseM}
          and (b.year_built is null or b.year_built < 1949)
      ), clustered as (
        select *, ST_ClusterDBSCAN(g, case when kind = 'housing_upgrade' then ${o.compoundGapM}::float8
            else ${o.lilongGapM}::float8 end, 1) over (partition by kind) as k
        from candidate
      ), cluster as (
        select kind, k, count(*)::int as members, array_agg(id order by id) as ids,
          array_agg(distinct regexp_replace(name, '([一二三四五六七八九十]?村|新村|[一二三四五六七八九十]?街坊|小区)$', ''))
            filter (where name is not null) as stems,
          mode() within group (order by region_code) as region_code,
          ST_Buffer(ST_Union(ST_Buffer(g, ${o.bufferM}::float8)), ${-o.bufferM / 2}::float8) as g
        from clustered group by kind, k
        having kind = 'housing_upgrade' or count(*) >= ${o.minLilongBuildings}
      ), named as (
        select cl.*, coalesce(d.code, cl.region_code) as district,
          (select r.name from roads r where r.name is not null and r.name ~ '[一-龥]'
             order by r.geom <-> ST_Transform(ST_PointOnSurface(cl.g), 4326) limit 1) as road
        from cluster cl
        left join lateral (select d.code from regions d where d.level = 'district' and d.boundary is not null
          and ST_Intersects(d.boundary, ST_Transform(ST_PointOnSurface(cl.g), 4326)) limit 1) d on true
      ), titled as (
        select *, case when kind = 'housing_upgrade' and cardinality(stems) > 0
            then array_to_string(stems[1:3], '·') || '旧住房成套改造片区'
            when kind = 'housing_upgrade' then coalesce(road, '') || '旧住房成套改造片区'
            else coalesce(road, '') || '旧里更新片区' end as title
        from named
      )
      insert into renewal_areas (region_code, name, kind, geom, area_m2, attributes)
      select district,
        title || case when count(*) over (partition by title) > 1
          then '（' || row_number() over (partition by title order by members desc, k) || '）' else '' end,
        kind, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(g, 4326)), 3)), ST_Area(g),
        jsonb_build_object('method', ${SEED_METHOD}::text, 'datasetId', ${dataset.id}::int, 'members', members,
          case when kind = 'housing_upgrade' then 'compoundIds' else 'buildingIds' end, to_jsonb(ids),
          'parameters', ${JSON.stringify(o)}::jsonb)
      from titled
      order by kind, members desc
      returning id`,
  )
  return rows.length
}
