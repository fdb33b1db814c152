import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import type { FacilityType } from '../db/facilities.ts'
import { metricSridFor } from '../domain/crs.ts'
import { buildingUse, classify, type Props } from './classify.ts'
import {
  DEFAULT_DERIVATION,
  deriveBuildingResidents,
  derivePopulationCells,
  type PopulationDerivation,
} from './population.ts'
import { type ReadResult, type Rejection, readInputFile, type SourceFeature } from './read.ts'
import { type Executor, rowsOf } from './sql.ts'

export interface ImportOptions {
  files: string[]
  /** Dataset name; a second import under the same name fails unless `replace`. @defaultValue the folder name */
  datasetName?: string
  /** Region for features outside every boundary. @defaultValue the first boundary's region, else 310100 */
  regionCode?: string
  /** GeoJSON polygons with a `code` property: features take the region whose boundary holds them. */
  boundariesFile?: string
  /** Overrides the files' own CRS (e.g. `EPSG:4549`); CSV files default to EPSG:4326. */
  crs?: string
  replace?: boolean
  /** Abort (and write nothing) when any feature is rejected. @defaultValue false */
  strict?: boolean
  licence?: string
  derivation?: Partial<PopulationDerivation>
}

export interface ImportReport {
  dataset: { id: number; name: string }
  metricSrid: number
  read: number
  imported: {
    buildings: number
    buildingParts: number
    facilities: Record<string, number>
    roads: number
    compounds: number
    populationCells: number
    residents: number
  }
  merged: {
    buildingPieces: number
    labelPoints: number
    addressPoints: number
    entrances: number
    facilityPoints: number
  }
  estimated: { heights: number; floors: number }
  repaired: { sourceId: string | null; reason: string }[]
  skipped: Record<string, number>
  rejected: Rejection[]
  seconds: number
}

export class ImportError extends Error {
  override name = 'ImportError'
}

interface Staged {
  seq: number
  layer: string
  role: string | null
  ftype: string | null
  walkable: boolean | null
  source_id: string | null
  props: Props
  g: unknown
  srid: number
  file: string
  idx: number
}

/** A plain number of metres in a source tag ("12", "12.5"); anything else counts as missing. */
const METRES = '^[0-9]+(\\.[0-9]+)?$'
const HEIGHT_NEIGHBOURS = 8
/** Height used when a building has no neighbour of known height. */
const FALLBACK_HEIGHT_M = 12

/**
 * Imports a city from GeoJSON/CSV files in one transaction, beside what the database holds. Returns a report
 * of what was imported, merged, estimated, repaired, skipped and rejected (with the reason per feature).
 */
export async function importCity(database: Database, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now()
  if (options.files.length === 0) throw new ImportError('没有输入文件 / no input files given')
  const datasetName =
    options.datasetName ?? path.basename(path.dirname(path.resolve(options.files[0] as string)))
  const derivation: PopulationDerivation = { ...DEFAULT_DERIVATION, ...options.derivation }

  const reads: ReadResult[] = options.files.map((f) => readInputFile(f, options.crs))
  const features = reads.flatMap((r) => r.features)
  const rejected: Rejection[] = reads.flatMap((r) => r.rejected)
  const skipped: Record<string, number> = {}
  const merged = { buildingPieces: 0, labelPoints: 0, addressPoints: 0, entrances: 0, facilityPoints: 0 }

  const boundaries = options.boundariesFile ? readInputFile(options.boundariesFile).features : []
  for (const b of boundaries) {
    if (typeof b.props.code !== 'string') {
      throw new ImportError(`${options.boundariesFile}: boundary ${b.index} has no "code" property`)
    }
  }
  const defaultRegion = options.regionCode ?? (boundaries[0]?.props.code as string | undefined) ?? '310100'

  // Group in memory what the source splits: footprint pieces and labels by OSM id, parts by root id.
  const staged: Staged[] = []
  const buildingProps = new Map<string, Props>()
  const footprintIds = new Set<string>()
  const labels: SourceFeature[] = []
  const addresses: SourceFeature[] = []
  const facilityKeys = new Set<string>()
  const facilityPoints = new Map<string, number[]>()
  let seq = 0
  const stage = (f: SourceFeature, layer: string, extra: Partial<Staged> = {}) => {
    staged.push({
      seq: seq++,
      layer,
      role: null,
      ftype: null,
      walkable: null,
      source_id: f.sourceId,
      props: f.props,
      g: f.geometry,
      srid: f.srid,
      file: f.file,
      idx: f.index,
      ...extra,
    })
  }
  const reject = (f: SourceFeature, reason: string) =>
    rejected.push({ file: f.file, index: f.index, sourceId: f.sourceId, reason })

  for (const f of features) {
    const c = classify(f.props, f.geometry.type)
    switch (c.layer) {
      case 'building':
        if (c.role === 'label') {
          labels.push(f)
          break
        }
        if (!f.sourceId) {
          reject(f, '建筑缺少 id / building has no id, so its pieces cannot be merged')
          break
        }
        if (c.role === 'footprint') {
          if (footprintIds.has(f.sourceId)) merged.buildingPieces++
          footprintIds.add(f.sourceId)
          buildingProps.set(f.sourceId, { ...f.props, ...buildingProps.get(f.sourceId) })
        }
        stage(f, 'building', { role: c.role })
        break
      case 'address':
        addresses.push(f)
        break
      case 'entrance':
        stage(f, 'entrance')
        break
      case 'facility': {
        const key = `${c.type}:${f.sourceId ?? `#${f.file}:${f.index}`}:${f.geometry.type === 'Point' ? 'p' : 'a'}`
        // Areas clipped at tile edges share their id and are merged later; a repeated point is a duplicate.
        if (f.sourceId && f.geometry.type === 'Point' && facilityKeys.has(key)) {
          const first = facilityPoints.get(key)
          if (first && samePlace(first, f.geometry.coordinates)) {
            merged.facilityPoints++
          } else {
            reject(f, `重复的 id / duplicate id ${f.sourceId}: another ${c.type} with this id lies elsewhere`)
          }
          break
        }
        facilityKeys.add(key)
        if (f.geometry.type === 'Point') facilityPoints.set(key, f.geometry.coordinates)
        stage(f, 'facility', { ftype: c.type })
        break
      }
      case 'road':
        stage(f, 'road', { walkable: c.walkable })
        break
      case 'compound':
        stage(f, 'compound')
        break
      case 'skip':
        skipped[c.reason] = (skipped[c.reason] ?? 0) + 1
        break
    }
  }
  // Label points carry the name and address of the footprint with the same id.
  for (const f of labels) {
    if (f.sourceId && footprintIds.has(f.sourceId)) {
      buildingProps.set(f.sourceId, { ...buildingProps.get(f.sourceId), ...withoutGeometryKeys(f.props) })
      merged.labelPoints++
    } else {
      reject(f, '建筑标注点没有对应的轮廓 / building label point without a footprint of the same id')
    }
  }
  const looseAddresses: SourceFeature[] = []
  for (const f of addresses) {
    if (f.sourceId && footprintIds.has(f.sourceId)) {
      const p = buildingProps.get(f.sourceId) ?? {}
      buildingProps.set(f.sourceId, {
        ...p,
        addr_street: f.props.addr_street,
        addr_housenumber: f.props.addr_housenumber,
      })
      merged.addressPoints++
    } else looseAddresses.push(f)
  }
  for (const f of looseAddresses) stage(f, 'address')
  for (const s of staged) {
    if (s.layer === 'building' && s.role === 'footprint' && s.source_id)
      s.props = buildingProps.get(s.source_id) ?? s.props
  }

  if (options.strict && rejected.length > 0) {
    throw new ImportError(
      `严格模式下有 ${rejected.length} 个要素被拒绝，未写入任何数据 / strict import: ${rejected.length} features rejected, nothing written`,
    )
  }

  const report = await database.db.transaction(async (tx) => {
    const existing = await rowsOf<{ id: number }>(
      tx,
      sql`select id from datasets where name = ${datasetName}`,
    )
    if (existing.length > 0) {
      if (!options.replace) {
        throw new ImportError(
          `数据集 "${datasetName}" 已存在 / dataset "${datasetName}" already exists: pass --replace to import it again, or --dataset NAME for a new one`,
        )
      }
      for (const { id } of existing) await deleteDataset(tx, id)
    }
    const regionOk = await rowsOf(tx, sql`select 1 from regions where code = ${defaultRegion}`)
    if (regionOk.length === 0)
      throw new ImportError(`未知行政区划代码 / unknown region code ${defaultRegion}`)

    await tx.execute(sql`create temp table stage (
      seq int primary key, layer text not null, role text, ftype text, walkable boolean, source_id text,
      props jsonb not null, geom geometry not null, file text, idx int) on commit drop`)
    await insertStaged(tx, staged)
    const repaired = await repairStaged(tx, rejected)

    const [extent] = await rowsOf<{ lon: number | null; lat: number | null }>(
      tx,
      sql`select ST_X(ST_Centroid(ST_Extent(geom))) as lon, ST_Y(ST_Centroid(ST_Extent(geom))) as lat from stage`,
    )
    const metricSrid = metricSridFor(extent?.lon ?? 121.5, extent?.lat ?? 31.2)

    const [dataset] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into datasets (name, kind, region_code, method, parameters, licence)
        values (${datasetName}, 'import', ${defaultRegion}, 'import:geojson',
          ${JSON.stringify({ files: options.files.map((f) => path.basename(f)), metricSrid, population: derivation })}::jsonb,
          ${options.licence ?? null})
        returning id`,
    )
    if (!dataset) throw new Error('dataset insert returned nothing')
    const datasetId = dataset.id

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
    const regionOf = (geom: ReturnType<typeof sql.raw>) =>
      sql`coalesce((select b.code from boundary b where ST_Intersects(b.geom, ${geom}) order by b.code limit 1), ${defaultRegion})`

    // Compounds: residential landuse polygons, pieces merged by id.
    const compounds = await rowsOf<{ n: number }>(
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

    // Buildings: footprint pieces unioned per OSM id; parts give height where the building has none.
    await tx.execute(sql`
      with pieces as (
        select source_id, (array_agg(props order by seq))[1] as props,
          ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3)) as geom
        from stage where layer = 'building' and role = 'footprint' group by source_id
      ), sourced as (
        select p.*, case when p.props->>'height' ~ ${METRES} then nullif((p.props->>'height')::float8, 0) end as height
        from pieces p
      ), parts as (
        select props->>'root_id' as root_id, max((props->>'height')::float8) as height
        from stage where layer = 'building' and role = 'part' and props->>'height' ~ ${METRES}
          and (props->>'height')::float8 > 0 group by 1
      )
      insert into buildings (region_code, name, name_en, footprint, centroid, footprint_area_m2, height_m,
        height_estimated, min_height_m, floors, use, dataset_id, source, source_id, attributes)
      select ${regionOf(sql.raw('ST_PointOnSurface(p.geom)'))},
        coalesce(p.props->>'name:zh', p.props->>'name'), p.props->>'name:en', p.geom, ST_PointOnSurface(p.geom),
        ST_Area(ST_Transform(p.geom, ${metricSrid}::int)),
        coalesce(p.height, parts.height, 0), p.height is null and parts.height is null,
        coalesce(case when p.props->>'min_height' ~ ${METRES} then (p.props->>'min_height')::float8 end, 0),
        case when p.props->>'building:levels' ~ '^[0-9]+$' then (p.props->>'building:levels')::int end,
        'other', ${datasetId}, 'import', p.source_id,
        p.props - 'id' - 'height' - 'min_height' - 'sort_rank' - 'min_zoom' - 'scale_rank' - 'collision_rank'
      from sourced p left join parts on parts.root_id = p.source_id
      where not ST_IsEmpty(p.geom)`)
    // Uses are decided in JS (tags, names) and by the compounds the buildings stand in.
    const heights = await estimateHeights(tx, datasetId)
    await setBuildingUses(tx, datasetId, buildingProps)

    // Building parts are kept as LOD1 pieces of their building for the 3D model.
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
    for (const o of await rowsOf<{ source_id: string; file: string; idx: number; root: string | null }>(
      tx,
      sql`select s.source_id, s.file, s.idx, s.props->>'root_id' as root from stage s
        where s.layer = 'building' and s.role = 'part' and not exists (
          select 1 from buildings b where b.dataset_id = ${datasetId} and b.source_id = s.props->>'root_id')`,
    )) {
      rejected.push({
        file: o.file,
        index: o.idx,
        sourceId: o.source_id,
        reason: `建筑部件的 root_id ${o.root ?? '(none)'} 不在本次导入中 / building part whose root building is not imported`,
      })
    }

    const [floorsBefore] = await rowsOf<{ n: number }>(
      tx,
      sql`select count(*)::int as n from buildings where dataset_id = ${datasetId} and floors is null`,
    )
    await deriveBuildingResidents(tx, datasetId, derivation)

    // Addresses without a matching id, and entrances, attach to the building they stand in (or next to).
    const [addr] = await rowsOf<{ n: number }>(
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
    merged.addressPoints += addr?.n ?? 0
    const looseAddressCount = staged.filter((s) => s.layer === 'address').length - (addr?.n ?? 0)
    if (looseAddressCount > 0) {
      skipped['address point outside any imported building'] = looseAddressCount
    }
    const [ent] = await rowsOf<{ n: number }>(
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
    merged.entrances = ent?.n ?? 0
    const looseEntrances = staged.filter((s) => s.layer === 'entrance').length - merged.entrances
    if (looseEntrances > 0) skipped['entrance farther than ~20 m from any imported building'] = looseEntrances
    await setStandardAddresses(tx, datasetId)
    await tx.execute(sql`
      update buildings b set compound_id = c.id from compounds c
      where b.dataset_id = ${datasetId} and c.dataset_id = ${datasetId} and ST_Intersects(c.geom, b.centroid)`)

    const facilities = await insertFacilities(tx, datasetId, metricSrid, regionOf)
    merged.facilityPoints += facilities.mergedPoints

    const [roads] = await rowsOf<{ n: number }>(
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

    const population = await derivePopulationCells(tx, datasetId, metricSrid, derivation)
    const [counts] = await rowsOf<{ buildings: number; parts: number }>(
      tx,
      sql`select count(*)::int as buildings,
          coalesce(sum(jsonb_array_length(coalesce(attributes->'parts', '[]'::jsonb))), 0)::int as parts
        from buildings where dataset_id = ${datasetId}`,
    )
    const result: Omit<ImportReport, 'seconds'> = {
      dataset: { id: datasetId, name: datasetName },
      metricSrid,
      read: features.length + reads.reduce((n, r) => n + r.rejected.length, 0),
      imported: {
        buildings: counts?.buildings ?? 0,
        buildingParts: counts?.parts ?? 0,
        facilities: facilities.byType,
        roads: roads?.n ?? 0,
        compounds: compounds[0]?.n ?? 0,
        populationCells: population.cells,
        residents: Math.round(population.residents),
      },
      merged,
      estimated: { heights, floors: floorsBefore?.n ?? 0 },
      repaired,
      skipped,
      rejected,
    }
    await tx.execute(
      sql`update datasets set report = ${JSON.stringify(summaryOf(result))}::jsonb where id = ${datasetId}`,
    )
    return result
  })
  return { ...report, seconds: (performance.now() - started) / 1000 }
}

/** The same source point seen twice (a landuse label and a POI) lies within about a metre of itself. */
function samePlace(a: number[], b: number[]): boolean {
  return (
    Math.abs((a[0] as number) - (b[0] as number)) < 1e-5 &&
    Math.abs((a[1] as number) - (b[1] as number)) < 1e-5
  )
}

function withoutGeometryKeys(props: Props): Props {
  const { kind: _k, sort_rank: _s, min_zoom: _m, ...rest } = props
  return rest
}

function summaryOf(r: Omit<ImportReport, 'seconds'>): Record<string, unknown> {
  return { ...r, rejected: r.rejected.length, rejectedSample: r.rejected.slice(0, 50) }
}

async function insertStaged(tx: Executor, staged: Staged[]): Promise<void> {
  for (let i = 0; i < staged.length; i += 1000) {
    const chunk = staged.slice(i, i + 1000)
    await tx.execute(sql`
      insert into stage (seq, layer, role, ftype, walkable, source_id, props, geom, file, idx)
      select r.seq, r.layer, r.role, r.ftype, r.walkable, r.source_id, r.props,
        case when r.srid in (4326, 4490) then ST_SetSRID(ST_GeomFromGeoJSON(r.g::text), 4326)
             else ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(r.g::text), r.srid), 4326) end,
        r.file, r.idx
      from json_to_recordset(${JSON.stringify(chunk)}::json) as r(seq int, layer text, role text, ftype text,
        walkable boolean, source_id text, props jsonb, g json, srid int, file text, idx int)`)
  }
}

/** Self-intersections and similar faults are repaired with ST_MakeValid and reported; empty results rejected. */
async function repairStaged(tx: Executor, rejected: Rejection[]): Promise<ImportReport['repaired']> {
  const invalid = await rowsOf<{
    seq: number
    source_id: string | null
    reason: string
    file: string
    idx: number
  }>(
    tx,
    sql`select seq, source_id, ST_IsValidReason(geom) as reason, file, idx from stage where not ST_IsValid(geom)`,
  )
  const repaired: ImportReport['repaired'] = []
  for (const row of invalid) {
    const [fixed] = await rowsOf<{ empty: boolean }>(
      tx,
      sql`update stage set geom = ST_CollectionExtract(ST_MakeValid(geom), ST_Dimension(geom) + 1)
        where seq = ${row.seq} returning ST_IsEmpty(geom) as empty`,
    )
    if (fixed?.empty) {
      await tx.execute(sql`delete from stage where seq = ${row.seq}`)
      rejected.push({
        file: row.file,
        index: row.idx,
        sourceId: row.source_id,
        reason: `无效几何 / invalid geometry: ${row.reason}`,
      })
    } else repaired.push({ sourceId: row.source_id, reason: row.reason })
  }
  return repaired
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

const HOUSING_MAX_HEIGHT_M = 24
const HOUSING_MAX_FOOTPRINT_M2 = 3000

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
          attributes = b.attributes || jsonb_build_object('heightMethod',
            ${`median of the ${HEIGHT_NEIGHBOURS} nearest buildings of known height`}::text)
        from est where b.id = est.id returning 1)
      select count(*)::int as n from upd`,
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

async function insertFacilities(
  tx: Executor,
  datasetId: number,
  metricSrid: number,
  regionOf: (geom: ReturnType<typeof sql.raw>) => ReturnType<typeof sql>,
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
          case when f.props->>'capacity' ~ ${METRES} then (f.props->>'capacity')::float8 end,
          f.props->>'capacity_unit', false, ${datasetId}, 'import',
          coalesce(f.source_id, 'seq:' || f.seq) || case when f.is_area then ':area' else '' end, f.props - 'id' - 'sort_rank' - 'min_zoom'
        from f
        on conflict (dataset_id, source_id) do nothing
        returning type)
      select type, count(*)::int as n from ins group by type order by type`,
  )
  return { byType: Object.fromEntries(rows.map((r) => [r.type, r.n])), mergedPoints: dups?.n ?? 0 }
}

/** Removes everything an earlier import of a dataset wrote. */
export async function deleteDataset(tx: Executor, datasetId: number): Promise<void> {
  await tx.execute(sql`delete from population_cells where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from roads where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from facilities where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from buildings where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from compounds where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from blocks where dataset_id = ${datasetId}`)
  await tx.execute(sql`delete from datasets where id = ${datasetId}`)
}
