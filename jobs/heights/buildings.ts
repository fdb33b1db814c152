import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { routeRunProblems } from '../../server/db/problem-routing.ts'
import { WGS84 } from '../../server/domain/crs.ts'
import type { Transaction } from '../runs/rows.ts'
import type { Box } from './raster.ts'

/** The ring around a footprint whose DSM gives the ground: from 2 m out (past the eaves) to 20 m. */
export const RING_INNER_M = 2
export const RING_OUTER_M = 20

/** A building to measure, its shapes in the raster's CRS. */
export interface Candidate {
  id: number
  /** The height the source data recorded (kept from before a first DSM import); null when it was estimated. */
  recordedM: number | null
  footprint: { type: string; coordinates: unknown }
  ring: { type: string; coordinates: unknown }
  /** Bounding box of the ring, in the raster's CRS. */
  minX: number
  minY: number
  maxX: number
  maxY: number
}

/** What the SQL calls the raster's CRS: CGCS2000 geographic is stored as WGS84 (ADR 0002). */
const sqlSrid = (srid: number) => (srid === 4490 ? WGS84 : srid)

/** Buildings whose representative point lies in the box (half-open, so a building falls in one window only). */
export async function candidatesIn(
  database: Database,
  box: Box,
  rasterSrid: number,
  metricSrid: number,
): Promise<Candidate[]> {
  const srid = sqlSrid(rasterSrid)
  return database.rows<Candidate>(sql`
    with w as (select ST_MakeEnvelope(${box.minX}, ${box.minY}, ${box.maxX}, ${box.maxY}, ${srid}::int) as box),
    b as (
      select b.id, b.height_source, b.height_m, b.attributes, ST_Transform(b.footprint, ${srid}::int) as fp,
        ST_Transform(b.footprint, ${metricSrid}::int) as metric, ST_Transform(b.centroid, ${srid}::int) as c
      from buildings b, w where b.centroid && ST_Transform(w.box, ${WGS84}::int)
    ), r as (
      select b.*, ST_Transform(ST_Difference(ST_Buffer(metric, ${RING_OUTER_M}), ST_Buffer(metric, ${RING_INNER_M})),
        ${srid}::int) as ring
      from b where ST_X(c) >= ${box.minX} and ST_X(c) < ${box.maxX} and ST_Y(c) > ${box.minY} and ST_Y(c) <= ${box.maxY}
    )
    select id, coalesce((attributes->>'recordedHeightM')::float8,
        case when height_source = 'import' then height_m end) as "recordedM",
      ST_AsGeoJSON(fp)::json as footprint, ST_AsGeoJSON(ring)::json as ring,
      ST_XMin(ring) as "minX", ST_YMin(ring) as "minY", ST_XMax(ring) as "maxX", ST_YMax(ring) as "maxY"
    from r order by id`)
}

/** Buildings the raster's extent covers (by their representative point), and a region to file the run under. */
export async function buildingsInExtent(
  database: Database,
  box: Box,
  rasterSrid: number,
): Promise<{ buildings: number; cityCode: string | null }> {
  const srid = sqlSrid(rasterSrid)
  const [row] = await database.rows<{ buildings: number; cityCode: string | null }>(sql`
    with w as (select ST_Transform(ST_MakeEnvelope(${box.minX}, ${box.minY}, ${box.maxX}, ${box.maxY},
      ${srid}::int), ${WGS84}::int) as box)
    select count(*)::int as buildings, min(left(b.region_code, 4) || '00') as "cityCode"
    from buildings b, w where ST_Intersects(b.centroid, w.box)`)
  return row ?? { buildings: 0, cityCode: null }
}

/** A measured height to write. */
export interface Measured {
  id: number
  heightM: number
  quality: string
  recordedM: number | null
  flagged: boolean
}

export interface RasterFacts {
  method: string
  rasterDate: string | null
  runId: number
}

const BATCH = 2000

/**
 * Writes the heights (source `dsm`, with method, raster date and quality; the recorded height kept in the
 * attributes the first time) and files a `height_mismatch` problem per building whose recorded height the
 * raster contradicts, routed like a diagnosis run's. Idempotent: a problem is keyed by its building.
 */
export async function writeHeights(tx: Transaction, measured: Measured[], facts: RasterFacts): Promise<void> {
  for (let i = 0; i < measured.length; i += BATCH) {
    const rows = JSON.stringify(measured.slice(i, i + BATCH))
    await tx.execute(sql`
      update buildings b set height_m = r."heightM", height_estimated = false, height_source = 'dsm',
        height_method = ${facts.method}, height_raster_date = ${facts.rasterDate}::date, height_quality = r.quality,
        attributes = case when r."recordedM" is null or b.attributes ? 'recordedHeightM' then b.attributes
          else b.attributes || jsonb_build_object('recordedHeightM', r."recordedM") end,
        updated_at = now()
      from jsonb_to_recordset(${rows}::jsonb) as r(id int, "heightM" float8, quality text, "recordedM" float8)
      where b.id = r.id`)
    await fileMismatches(tx, rows, facts)
  }
  await routeRunProblems(tx, facts.runId)
}

async function fileMismatches(tx: Transaction, rows: string, facts: RasterFacts): Promise<void> {
  await tx.execute(sql`
    insert into problems (region_code, type, title, title_en, description, description_en, geom, unit_type,
      unit_key, building_id, severity, source, year_found, run_id, dedupe_key, details)
    select b.region_code, 'height_mismatch', '建筑高度与实测不符', 'Building height disagrees with the survey',
      format('记录高度 %s 米，DSM 实测 %s 米', round(r."recordedM"::numeric, 1), round(r."heightM"::numeric, 1)),
      format('Recorded %s m, measured %s m from the DSM', round(r."recordedM"::numeric, 1),
        round(r."heightM"::numeric, 1)),
      b.centroid, 'building', b.id::text, b.id, 1, 'diagnosis', extract(year from now())::int, ${facts.runId},
      'height_mismatch:building:' || b.id,
      jsonb_build_object('recordedHeightM', r."recordedM", 'measuredHeightM', r."heightM",
        'quality', r.quality, 'rasterDate', ${facts.rasterDate}::text, 'method', ${facts.method}::text)
    from jsonb_to_recordset(${rows}::jsonb) as r(id int, "heightM" float8, quality text, "recordedM" float8,
      flagged boolean)
    join buildings b on b.id = r.id
    where r.flagged
    on conflict (dedupe_key) do update set details = excluded.details, description = excluded.description,
      description_en = excluded.description_en, run_id = excluded.run_id, updated_at = now()`)
}
