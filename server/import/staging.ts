import { sql } from 'drizzle-orm'
import { classify, landCoverOf, type Props } from './classify.ts'
import type { Rejection, SourceFeature } from './read.ts'
import { type Executor, rowsOf } from './sql.ts'

/** A feature on its way into the `stage` table, with the layer it goes to. */
export interface Staged {
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

/** Source pieces taken into one feature, counted for the report. */
export interface Merged {
  buildingPieces: number
  labelPoints: number
  addressPoints: number
  entrances: number
  facilityPoints: number
}

export interface Staging {
  staged: Staged[]
  /** A building's tags by source id, its pieces', label point's and address point's together. */
  buildingProps: Map<string, Props>
  merged: Merged
  /** Features left out of the city model, counted by reason. */
  skipped: Record<string, number>
}

/**
 * Sorts the features into layers and groups in memory what the source splits: footprint pieces and labels by
 * OSM id, parts by root id. Features that cannot be placed are added to `rejected` with the reason.
 */
export function stageFeatures(features: SourceFeature[], rejected: Rejection[]): Staging {
  const staging = new Stager(rejected)
  for (const f of features) staging.add(f)
  return staging.finish()
}

class Stager {
  private readonly staged: Staged[] = []
  private readonly buildingProps = new Map<string, Props>()
  private readonly labels: SourceFeature[] = []
  private readonly addresses: SourceFeature[] = []
  private readonly facilityPoints = new Map<string, number[]>()
  private readonly facilityKeys = new Set<string>()
  private readonly merged: Merged = {
    buildingPieces: 0,
    labelPoints: 0,
    addressPoints: 0,
    entrances: 0,
    facilityPoints: 0,
  }
  private readonly skipped: Record<string, number> = {}

  constructor(private readonly rejected: Rejection[]) {}

  add(f: SourceFeature): void {
    const c = classify(f.props, f.geometry.type)
    switch (c.layer) {
      case 'building':
        if (c.role === 'label') this.labels.push(f)
        else this.building(f, c.role)
        break
      case 'address':
        this.addresses.push(f)
        break
      case 'entrance':
      case 'compound':
        this.stage(f, c.layer)
        break
      case 'facility': {
        this.facility(f, c.type)
        const cover = landCoverOf(f.props, f.geometry.type)
        if (cover) this.stage(f, 'landcover', { ftype: cover })
        break
      }
      case 'road':
        this.stage(f, 'road', { walkable: c.walkable })
        break
      case 'landcover':
        this.stage(f, 'landcover', { ftype: c.cover })
        break
      case 'skip':
        this.skipped[c.reason] = (this.skipped[c.reason] ?? 0) + 1
        break
    }
  }

  finish(): Staging {
    this.mergeLabels()
    this.mergeAddresses()
    for (const s of this.staged) {
      if (s.layer === 'building' && s.role === 'footprint' && s.source_id)
        s.props = this.buildingProps.get(s.source_id) ?? s.props
    }
    const { staged, buildingProps, merged, skipped } = this
    return { staged, buildingProps, merged, skipped }
  }

  private stage(f: SourceFeature, layer: string, extra: Partial<Staged> = {}): void {
    this.staged.push({
      seq: this.staged.length,
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

  private reject(f: SourceFeature, reason: string): void {
    this.rejected.push({ file: f.file, index: f.index, sourceId: f.sourceId, reason })
  }

  private building(f: SourceFeature, role: 'footprint' | 'part'): void {
    if (!f.sourceId) {
      this.reject(f, '建筑缺少 id / building has no id, so its pieces cannot be merged')
      return
    }
    if (role === 'footprint') {
      if (this.buildingProps.has(f.sourceId)) this.merged.buildingPieces++
      this.buildingProps.set(f.sourceId, { ...f.props, ...this.buildingProps.get(f.sourceId) })
    }
    this.stage(f, 'building', { role })
  }

  private facility(f: SourceFeature, type: string): void {
    const point = f.geometry.type === 'Point' ? f.geometry.coordinates : null
    const key = `${type}:${f.sourceId ?? `#${f.file}:${f.index}`}:${point ? 'p' : 'a'}`
    // Areas clipped at tile edges share their id and are merged later; a repeated point is a duplicate.
    if (f.sourceId && point && this.facilityKeys.has(key)) {
      const first = this.facilityPoints.get(key)
      if (first && samePlace(first, point)) this.merged.facilityPoints++
      else
        this.reject(f, `重复的 id / duplicate id ${f.sourceId}: another ${type} with this id lies elsewhere`)
      return
    }
    this.facilityKeys.add(key)
    if (point) this.facilityPoints.set(key, point)
    this.stage(f, 'facility', { ftype: type })
  }

  /** Label points carry the name and address of the footprint with the same id. */
  private mergeLabels(): void {
    for (const f of this.labels) {
      if (f.sourceId && this.buildingProps.has(f.sourceId)) {
        this.buildingProps.set(f.sourceId, {
          ...this.buildingProps.get(f.sourceId),
          ...withoutGeometryKeys(f.props),
        })
        this.merged.labelPoints++
      } else {
        this.reject(f, '建筑标注点没有对应的轮廓 / building label point without a footprint of the same id')
      }
    }
  }

  /** An address point with a footprint's id is that building's address; the others are placed in SQL. */
  private mergeAddresses(): void {
    const loose: SourceFeature[] = []
    for (const f of this.addresses) {
      const p = f.sourceId ? this.buildingProps.get(f.sourceId) : undefined
      if (f.sourceId && p) {
        this.buildingProps.set(f.sourceId, {
          ...p,
          addr_street: f.props.addr_street,
          addr_housenumber: f.props.addr_housenumber,
        })
        this.merged.addressPoints++
      } else loose.push(f)
    }
    for (const f of loose) this.stage(f, 'address')
  }
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

/** Writes the staged features into the transaction's `stage` table, in lon/lat whatever their source CRS. */
export async function writeStage(tx: Executor, staged: Staged[]): Promise<void> {
  await tx.execute(sql`create temp table stage (
    seq int primary key, layer text not null, role text, ftype text, walkable boolean, source_id text,
    props jsonb not null, geom geometry not null, file text, idx int) on commit drop`)
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

/** A staged geometry ST_MakeValid repaired, and the fault it had. */
export interface Repair {
  sourceId: string | null
  reason: string
}

/** Self-intersections and similar faults are repaired with ST_MakeValid and reported; empty results rejected. */
export async function repairStage(tx: Executor, rejected: Rejection[]): Promise<Repair[]> {
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
  const repaired: Repair[] = []
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
