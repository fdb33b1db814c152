import { sql } from 'drizzle-orm'
import { buildingUse, DECIMAL, type Props } from './classify.ts'
import type { ImportTarget } from './dataset.ts'
import type { Rejection } from './read.ts'
import { type Executor, rowsOf } from './sql.ts'
import { type ImportWarning, setBuildingYears } from './years.ts'

const HEIGHT_NEIGHBOURS = 8
/** Height used when a building has no neighbour of known height. */
const FALLBACK_HEIGHT_M = 12
const HEIGHT_METHOD = `median of the ${HEIGHT_NEIGHBOURS} nearest buildings of known height`
const HOUSING_MAX_HEIGHT_M = 24
const HOUSING_MAX_FOOTPRINT_M2 = 3000

/**
 * Writes the staged footprints as buildings with their heights (estimated where the source has none), uses
 * and construction years, and keeps their parts as LOD1 pieces; a part whose root building is not imported is
 * rejected, a year that cannot be read is a warning. Returns how many heights were estimated and years read.
 */
export async function writeBuildings(
  tx: Executor,
  target: ImportTarget,
  buildingProps: Map<string, Props>,
  issues: { rejected: Rejection[]; warnings: ImportWarning[] },
): Promise<{ heights: number; years: number }> {
  await insertBuildings(tx, target)
  const heights = await estimateHeights(tx, target.datasetId)
  // Uses are decided in JS (tags, names) and by the compounds the buildings stand in.
  await setBuildingUses(tx, target.datasetId, buildingProps)
  const years = await setBuildingYears(tx, target.datasetId, buildingProps, issues.warnings)
  await attachParts(tx, target.datasetId, issues.rejected)
  return { heights, years }
}

/** Footprint pieces unioned per OSM id; parts give the height where the building has none. */
async function insertBuildings(tx: Executor, { datasetId, metricSrid, regionOf }: ImportTarget) {
  await tx.execute(sql`
    with pieces as (
      select source_id, (array_agg(props order by seq))[1] as props,
        ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3)) as geom
      from stage where layer = 'building' and role = 'footprint' group by source_id
    ), sourced as (
      select p.*, case when p.props->>'height' ~ ${DECIMAL} then nullif((p.props->>'height')::float8, 0) end as height
      from pieces p
    ), parts as (
      select props->>'root_id' as root_id, max((props->>'height')::float8) as height
      from stage where layer = 'building' and role = 'part' and props->>'height' ~ ${DECIMAL}
        and (props->>'height')::float8 > 0 group by 1
    )
    insert into buildings (region_code, name, name_en, footprint, centroid, footprint_area_m2, height_m,
      height_estimated, min_height_m, floors, use, dataset_id, source, source_id, attributes)
    select ${regionOf(sql.raw('ST_PointOnSurface(p.geom)'))},
      coalesce(p.props->>'name:zh', p.props->>'name'), p.props->>'name:en', p.geom, ST_PointOnSurface(p.geom),
      ST_Area(ST_Transform(p.geom, ${metricSrid}::int)),
      coalesce(p.height, parts.height, 0), p.height is null and parts.height is null,
      coalesce(case when p.props->>'min_height' ~ ${DECIMAL} then (p.props->>'min_height')::float8 end, 0),
      case when p.props->>'building:levels' ~ '^[0-9]+$' then (p.props->>'building:levels')::int end,
      'other', ${datasetId}, 'import', p.source_id,
      p.props - 'id' - 'height' - 'min_height' - 'sort_rank' - 'min_zoom' - 'scale_rank' - 'collision_rank'
    from sourced p left join parts on parts.root_id = p.source_id
    where not ST_IsEmpty(p.geom)`)
}

/**
 * Heights missing in the source are estimated as the median of the nearest buildings of known height and
 * marked `height_estimated`; the method is kept in the building's attributes.
 */
async function estimateHeights(tx: Executor, datasetId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`with est as (
        select b.id, (
          select percentile_cont(0.5) within group (order by k.height_m) from (
            select k.height_m from buildings k
            where k.dataset_id = ${datasetId} and not k.height_estimated and k.height_m > 0
            order by k.centroid <-> b.centroid limit ${HEIGHT_NEIGHBOURS}) k) as h
        from buildings b where b.dataset_id = ${datasetId} and b.height_estimated
      ), upd as (
        update buildings b set height_m = coalesce(est.h, ${FALLBACK_HEIGHT_M}),
          height_source = 'estimated', height_method = ${HEIGHT_METHOD},
          attributes = b.attributes || jsonb_build_object('heightMethod', ${HEIGHT_METHOD}::text)
        from est where b.id = est.id returning 1)
      select count(*)::int as n from upd`,
  )
  return row?.n ?? 0
}

async function setBuildingUses(tx: Executor, datasetId: number, props: Map<string, Props>): Promise<void> {
  const byUse = new Map<string, string[]>()
  for (const [id, p] of props) {
    const use = buildingUse(p, false)
    if (use === 'other') continue
    byUse.set(use, [...(byUse.get(use) ?? []), id])
  }
  await tx.execute(sql`update buildings set use = 'other' where dataset_id = ${datasetId} and use is null`)
  for (const [use, ids] of byUse) {
    await tx.execute(sql`update buildings set use = ${use}
      where dataset_id = ${datasetId} and source_id = any(${`{${ids.join(',')}}`}::text[])`)
  }
  await tx.execute(sql`update buildings b set use = 'residential'
    where b.dataset_id = ${datasetId} and b.use = 'other' and exists (
      select 1 from compounds c where c.dataset_id = ${datasetId} and ST_Intersects(c.geom, b.centroid))`)
  // Old lane housing (里弄) carries no tags at all: an unnamed low-rise building of house size outside any
  // commercial or public landuse is taken as housing, and marked so.
  await tx.execute(sql`update buildings set use = 'residential',
      attributes = attributes || '{"useMethod": "estimated: unnamed low-rise building without landuse tag"}'::jsonb
    where dataset_id = ${datasetId} and use = 'other' and name is null and attributes->>'landuse_kind' is null
      and height_m <= ${HOUSING_MAX_HEIGHT_M} and footprint_area_m2 < ${HOUSING_MAX_FOOTPRINT_M2}`)
}

/** Building parts are kept as LOD1 pieces of their building for the 3D model. */
async function attachParts(tx: Executor, datasetId: number, rejected: Rejection[]): Promise<void> {
  await tx.execute(sql`
    update buildings b set attributes = b.attributes || jsonb_build_object('parts', parts.list)
    from (
      select s.props->>'root_id' as root_id, jsonb_agg(jsonb_build_object(
        'sourceId', s.source_id, 'heightM', (s.props->>'height')::float8,
        'minHeightM', coalesce((s.props->>'min_height')::float8, 0),
        'footprint', ST_AsGeoJSON(s.geom, 7)::jsonb) order by s.seq) as list
      from stage s where s.layer = 'building' and s.role = 'part' group by 1
    ) parts
    where b.dataset_id = ${datasetId} and b.source_id = parts.root_id`)
  const orphans = await rowsOf<{ source_id: string; file: string; idx: number; root: string | null }>(
    tx,
    sql`select s.source_id, s.file, s.idx, s.props->>'root_id' as root from stage s
      where s.layer = 'building' and s.role = 'part' and not exists (
        select 1 from buildings b where b.dataset_id = ${datasetId} and b.source_id = s.props->>'root_id')`,
  )
  for (const o of orphans) {
    rejected.push({
      file: o.file,
      index: o.idx,
      sourceId: o.source_id,
      reason: `建筑部件的 root_id ${o.root ?? '(none)'} 不在本次导入中 / building part whose root building is not imported`,
    })
  }
}
