import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { metricSridFor } from '../domain/crs.ts'
import { type Executor, rowsOf } from '../import/sql.ts'

/**
 * How 街区 (blocks) are derived from a dataset's street network when the source has none (the OSM import does
 * not; the synthetic city writes its own and must not go through this).
 */
export interface BlockDerivation {
  /** Road kinds whose lines enclose blocks. @defaultValue ['major_road', 'minor_road'] */
  roadKinds: readonly string[]
  /**
   * `kind_detail`s left out: service roads are driveways and parking aisles inside a block, not its edges.
   * @defaultValue ['service']
   */
  excludedDetails: readonly string[]
  /** Faces smaller than this are slivers (junction islands, ramps), not blocks. @defaultValue 2500 */
  minAreaM2: number
  /**
   * Faces narrower than this are the strips between dual carriageways or along ramps. Tested by shrinking the
   * face by half the width: nothing left means narrower. @defaultValue 20
   */
  minWidthM: number
}

export const DEFAULT_BLOCK_DERIVATION: BlockDerivation = {
  roadKinds: ['major_road', 'minor_road'],
  excludedDetails: ['service'],
  minAreaM2: 2500,
  minWidthM: 20,
}

export interface DerivedBlocks {
  /** False when the dataset had blocks already and nothing was done. */
  created: boolean
  blocks: number
  compounds: number
  buildings: number
}

/**
 * Derives the blocks of an imported dataset as the faces its street network encloses: the dataset's road lines
 * of {@link BlockDerivation.roadKinds} and the boundaries of its regions that have one are noded and polygonized
 * in the metric CRS, so blocks never cross a district boundary and the outermost blocks end at it; faces outside
 * every boundary (where the regions have boundaries), slivers and strips are dropped. Each block takes the
 * region whose boundary holds its interior point (the nearest road's region where no region has a boundary).
 * Compounds then get the block holding their interior point and buildings the block holding theirs.
 *
 * Runs in one transaction and only when the dataset has no blocks yet, so calling it at every start is cheap.
 * Water is not imported, so blocks along a river keep the water up to the boundary or the next road.
 */
export async function deriveBlocks(
  database: Database,
  datasetName: string,
  derivation: BlockDerivation = DEFAULT_BLOCK_DERIVATION,
): Promise<DerivedBlocks> {
  return database.db.transaction(async (tx) => {
    const [dataset] = await rowsOf<{ id: number; srid: number | null; has_blocks: boolean }>(
      tx,
      sql`select d.id, (d.parameters ->> 'metricSrid')::int as srid,
          exists (select 1 from blocks b where b.dataset_id = d.id) as has_blocks
        from datasets d where d.name = ${datasetName} order by d.id limit 1`,
    )
    if (!dataset || dataset.has_blocks) return { ...NOTHING_DERIVED }
    const srid = dataset.srid ?? (await metricSridOfRoads(tx, dataset.id))
    if (srid === null) return { ...NOTHING_DERIVED }
    await polygonizeRoads(tx, dataset.id, srid, derivation)
    const blocks = await writeBlocks(tx, dataset.id)
    await tx.execute(sql`
      update datasets set parameters = parameters || jsonb_build_object('blocks', ${JSON.stringify({
        method: 'derived:polygonize_roads',
        metricSrid: srid,
        ...derivation,
      })}::jsonb)
      where id = ${dataset.id}`)
    return { created: true, ...blocks }
  })
}

const NOTHING_DERIVED: DerivedBlocks = { created: false, blocks: 0, compounds: 0, buildings: 0 }

/** The metric CRS around the middle of the dataset's roads, for a dataset naming none; null without roads. */
async function metricSridOfRoads(tx: Executor, datasetId: number): Promise<number | null> {
  const [extent] = await rowsOf<{ lon: number | null; lat: number | null }>(
    tx,
    sql`select ST_X(ST_Centroid(ST_Extent(geom))) as lon, ST_Y(ST_Centroid(ST_Extent(geom))) as lat
      from roads where dataset_id = ${datasetId}`,
  )
  if (extent?.lon == null) return null
  return metricSridFor(extent.lon, extent.lat ?? 30)
}

/** The kept faces of the noded street network and boundaries, in the metric CRS, into `derived_faces`. */
async function polygonizeRoads(
  tx: Executor,
  datasetId: number,
  srid: number,
  derivation: BlockDerivation,
): Promise<void> {
  const kinds = `{${derivation.roadKinds.join(',')}}`
  const excluded = `{${derivation.excludedDetails.join(',')}}`
  await tx.execute(sql`
    create temp table derived_faces on commit drop as
    with bounded as (
      select r.code, ST_Transform(r.boundary, ${srid}::int) as g from regions r
      where r.boundary is not null
        and r.code in (select distinct region_code from roads where dataset_id = ${datasetId})
    ), edges as (
      select ST_Transform(geom, ${srid}::int) as g from roads
      where dataset_id = ${datasetId} and kind = any(${kinds}::text[])
        and coalesce(kind_detail, '') <> all(${excluded}::text[])
      union all
      select ST_Boundary(g) from bounded
    ), faces as (
      select (ST_Dump(ST_Polygonize(noded))).geom as g
      from (select ST_Node(ST_Collect(g)) as noded from edges) n
    ), kept as (
      select g, ST_PointOnSurface(g) as p from faces
      where ST_Area(g) >= ${derivation.minAreaM2}
        and not ST_IsEmpty(ST_Buffer(g, ${-derivation.minWidthM / 2}))
    )
    select k.g, coalesce(
        (select b.code from bounded b where ST_Intersects(b.g, k.p) order by b.code limit 1),
        case when not exists (select 1 from bounded) then
          (select r.region_code from roads r where r.dataset_id = ${datasetId}
            order by r.geom <-> ST_Transform(k.p, 4326) limit 1) end) as region_code,
      row_number() over (order by ST_Y(k.p) desc, ST_X(k.p)) as n
    from kept k`)
}

/** Writes the faces as blocks and puts each compound and building in the block holding its interior point. */
async function writeBlocks(tx: Executor, datasetId: number): Promise<Omit<DerivedBlocks, 'created'>> {
  const [written] = await rowsOf<{ blocks: number }>(
    tx,
    sql`with inserted as (
        insert into blocks (region_code, geom, area_m2, dataset_id, source_id)
        select region_code, ST_Multi(ST_Transform(g, 4326)), ST_Area(g), ${datasetId}, 'derived:' || n
        from derived_faces where region_code is not null
        returning 1)
      select count(*)::int as blocks from inserted`,
  )
  const [compounds] = await rowsOf<{ n: number }>(
    tx,
    sql`with updated as (
        update compounds c set block_id = b.id
        from blocks b
        where c.dataset_id = ${datasetId} and b.dataset_id = ${datasetId}
          and ST_Intersects(b.geom, ST_PointOnSurface(c.geom))
        returning 1)
      select count(*)::int as n from updated`,
  )
  // The centroid column already is an interior point (ST_PointOnSurface of the footprint).
  const [buildings] = await rowsOf<{ n: number }>(
    tx,
    sql`with updated as (
        update buildings x set block_id = b.id
        from blocks b
        where x.dataset_id = ${datasetId} and b.dataset_id = ${datasetId} and ST_Intersects(b.geom, x.centroid)
        returning 1)
      select count(*)::int as n from updated`,
  )
  return { blocks: written?.blocks ?? 0, compounds: compounds?.n ?? 0, buildings: buildings?.n ?? 0 }
}
