import { type SQL, sql } from 'drizzle-orm'
import { recordAudits } from '../../schema/audit.ts'
import type { Database } from '../db/client.ts'
import { codeAllocator } from '../db/resource-codes.ts'
import { CGCS2000, WGS84 } from '../domain/crs.ts'
import type { GraphQLContext } from '../graphql/context.ts'
import type { ResourceDraft, RowRejection } from './columns.ts'

/** What a draft's place became in the database: checked, in the storage CRS, with the region it lies in. */
interface Placed {
  draft: ResourceDraft
  geojson: string
  areaM2: number | null
  regionCode: string
}

interface Check {
  i: number
  type: string | null
  empty: boolean
  lon: number
  lat: number
  area: number | null
  geojson: string
  inside: string | null
  within: boolean | null
}

export interface ImportTarget {
  regionCode: string
  prefix: string
  layer: string
  department: string | null
  /** EPSG code the file's coordinates are in. */
  srid: number
}

export interface ImportOutcome {
  inserted: number
  updated: number
  resources: { row: number; sheet: string | null; id: number; code: string; action: 'insert' | 'update' }[]
}

const BATCH = 500

/** The geometry of each row of `x`, in EPSG:4326, polygons repaired. */
function placeSql(srid: number): SQL {
  const s = sql.raw(String(Math.trunc(srid)))
  const raw = sql`case when x.gj is not null then ST_SetSRID(ST_GeomFromGeoJSON(x.gj), ${s})
    when x.wkt is not null then ST_SetSRID(ST_GeomFromText(x.wkt), ${s})
    else ST_SetSRID(ST_MakePoint(x.lon, x.lat), ${s}) end`
  const stored =
    srid === WGS84 || srid === CGCS2000 ? sql`ST_SetSRID(${raw}, 4326)` : sql`ST_Transform(${raw}, 4326)`
  return sql`case when GeometryType(${stored}) = 'POINT' then ${stored}
    else ST_CollectionExtract(ST_MakeValid(${stored}), 3) end`
}

function checkSql(rows: Record<string, unknown>[], target: ImportTarget): SQL {
  // The few bounded regions that matter, read once: inside the import's region, or around it.
  return sql`with bounded as materialized (
      select r.code, r.scope_prefix, r.boundary, r.scope_prefix like ${`${target.prefix}%`} as inner
      from regions r where r.boundary is not null
        and (r.scope_prefix like ${`${target.prefix}%`} or starts_with(${target.prefix}, r.scope_prefix))
    )
    select x.i, GeometryType(m.g) as type, ST_IsEmpty(m.g) as empty,
      ST_X(ST_PointOnSurface(m.g))::float8 as lon, ST_Y(ST_PointOnSurface(m.g))::float8 as lat,
      case when GeometryType(m.g) in ('POLYGON', 'MULTIPOLYGON') then ST_Area(m.g::geography) end as area,
      ST_AsGeoJSON(m.g, 9) as geojson,
      (select b.code from bounded b where b.inner and ST_Covers(b.boundary, ST_PointOnSurface(m.g))
        order by length(b.scope_prefix) desc limit 1) as inside,
      (select ST_Covers(b.boundary, ST_PointOnSurface(m.g)) from bounded b
        where starts_with(${target.prefix}, b.scope_prefix) order by length(b.scope_prefix) desc limit 1) as within
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(i int, gj text, wkt text, lon float8, lat float8)
    cross join lateral (select ${placeSql(target.srid)} as g) m`
}

const geometryRow = (d: ResourceDraft, i: number) => {
  const g = d.geometry
  if ('geojson' in g) return { i, gj: g.geojson == null ? null : JSON.stringify(g.geojson) }
  if ('wkt' in g) return { i, wkt: g.wkt }
  return { i, lon: g.lon, lat: g.lat }
}

/** Runs the geometry checks a batch at a time; a batch PostGIS refuses is checked row by row to find why. */
async function checkGeometries(database: Database, drafts: ResourceDraft[], target: ImportTarget) {
  const checks = new Map<number, Check | string>()
  for (let start = 0; start < drafts.length; start += BATCH) {
    const rows = drafts.slice(start, start + BATCH).map((d, k) => geometryRow(d, start + k))
    const missing = rows.filter((r) => 'gj' in r && r.gj === null)
    for (const r of missing) checks.set(r.i, 'no geometry')
    const given = rows.filter((r) => !('gj' in r) || r.gj !== null)
    try {
      for (const c of await database.rows<Check>(checkSql(given, target))) checks.set(c.i, c)
    } catch {
      for (const row of given) {
        try {
          const [c] = await database.rows<Check>(checkSql([row], target))
          if (c) checks.set(c.i, c)
        } catch (error) {
          checks.set(row.i, error instanceof Error ? error.message : String(error))
        }
      }
    }
  }
  return checks
}

/**
 * Checks every row's place: a readable point or polygon inside the import's region. Returns the placed rows
 * and the rows refused, each with its reason.
 */
export async function placeDrafts(
  database: Database,
  drafts: ResourceDraft[],
  target: ImportTarget,
): Promise<{ placed: Placed[]; rejected: RowRejection[] }> {
  const checks = await checkGeometries(database, drafts, target)
  const placed: Placed[] = []
  const rejected: RowRejection[] = []
  drafts.forEach((draft, i) => {
    const c = checks.get(i)
    const refuse = (zh: string, en: string) =>
      rejected.push({ row: draft.row, sheet: draft.sheet, sourceKey: draft.sourceKey, zh, en })
    if (c === undefined || typeof c === 'string') {
      refuse(`几何无法读取：${c ?? '无结果'}`, `The geometry cannot be read: ${c ?? 'no result'}`)
    } else if (c.empty || !c.type || !['POINT', 'POLYGON', 'MULTIPOLYGON'].includes(c.type)) {
      refuse(
        `几何须为点或面（而不是 ${c.type ?? '空'}）`,
        `The geometry must be a point or polygon, not ${c.type ?? 'empty'}`,
      )
    } else if (!(c.lon >= -180 && c.lon <= 180 && c.lat >= -90 && c.lat <= 90)) {
      refuse('坐标超出经纬度范围，请检查坐标系（crs）', 'Coordinates out of range: check the crs')
    } else if (c.within === false) {
      refuse(`位置不在行政区划 ${target.regionCode} 内`, `The place lies outside region ${target.regionCode}`)
    } else {
      placed.push({
        draft,
        geojson: c.geojson,
        areaM2: draft.areaM2 ?? c.area,
        regionCode: c.inside ?? target.regionCode,
      })
    }
  })
  return { placed, rejected }
}

/** The columns a row writes, as `jsonb_to_recordset` reads them. */
const ROW_TYPE = sql`x(id int, code text, region_code text, kind text, name text, geojson text, area float8,
  ownership text, current_use text, address text, source_key text, attributes jsonb)`

/**
 * Writes every placed row in one transaction, 500 rows a statement: a row whose (source, layer, id) exists is
 * updated — its 编号, verification and reporter kept — others are inserted with a new 编号. One audit event per
 * resource.
 */
export async function writeResources(
  context: GraphQLContext,
  target: ImportTarget,
  placed: Placed[],
): Promise<ImportOutcome> {
  return context.database.db.transaction(async (tx) => {
    const found = (await tx.execute(sql`select id, code, source_key as "sourceKey",
        jsonb_build_object('regionCode', region_code, 'kind', kind, 'name', name, 'areaM2', area_m2,
          'ownership', ownership, 'currentUse', current_use, 'address', address) as before
      from stock_resources
      where source = 'import' and layer = ${target.layer}
        and source_key = any(${sql.param(placed.map((p) => p.draft.sourceKey))}::text[])
      order by id for update`)) as {
      rows: { id: number; code: string; sourceKey: string; before: Record<string, unknown> }[]
    }
    const existing = new Map(found.rows.map((r) => [r.sourceKey, r]))
    const nextCode = await codeAllocator(
      tx,
      placed.filter((p) => !existing.has(p.draft.sourceKey)).map((p) => p.regionCode),
    )
    const rows = placed.map((p) => {
      const d = p.draft
      const known = existing.get(d.sourceKey)
      return {
        id: known?.id ?? null,
        code: known?.code ?? nextCode(p.regionCode),
        region_code: p.regionCode,
        kind: d.kind,
        name: d.name,
        geojson: p.geojson,
        area: p.areaM2,
        ownership: d.ownership,
        current_use: d.currentUse,
        address: d.address,
        source_key: d.sourceKey,
        attributes: d.attributes,
      }
    })
    const ids = new Map<string, number>()
    for (let start = 0; start < rows.length; start += BATCH) {
      const chunk = rows.slice(start, start + BATCH)
      const updates = chunk.filter((r) => r.id !== null)
      const inserts = chunk.filter((r) => r.id === null)
      if (updates.length > 0) {
        await tx.execute(sql`update stock_resources s set region_code = x.region_code, kind = x.kind,
            name = x.name, geom = ST_SetSRID(ST_GeomFromGeoJSON(x.geojson), 4326), area_m2 = x.area,
            ownership = x.ownership, current_use = x.current_use, address = x.address,
            department = ${target.department}, attributes = x.attributes, updated_at = now()
          from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as ${ROW_TYPE}
          where s.id = x.id`)
      }
      if (inserts.length > 0) {
        const inserted =
          (await tx.execute(sql`insert into stock_resources (code, region_code, kind, name, geom,
            area_m2, ownership, current_use, department, layer, address, source, source_key, reported_by, attributes)
          select x.code, x.region_code, x.kind, x.name, ST_SetSRID(ST_GeomFromGeoJSON(x.geojson), 4326), x.area,
            x.ownership, x.current_use, ${target.department}, ${target.layer}, x.address, 'import', x.source_key,
            ${context.identity?.subject ?? null}, x.attributes
          from jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb) as ${ROW_TYPE}
          returning id, source_key as "sourceKey"`)) as { rows: { id: number; sourceKey: string }[] }
        for (const r of inserted.rows) ids.set(r.sourceKey, r.id)
      }
      await recordAudits(
        tx,
        context,
        chunk.map((r) => ({
          entity: 'stock_resource' as const,
          entityId: r.id ?? ids.get(r.source_key)!,
          action: r.id === null ? 'import' : 'reimport',
          regionCode: r.region_code,
          before: existing.get(r.source_key)?.before ?? null,
          after: {
            code: r.code,
            layer: target.layer,
            sourceKey: r.source_key,
            kind: r.kind,
            name: r.name,
            areaM2: r.area,
            ownership: r.ownership,
            currentUse: r.current_use,
            address: r.address,
          },
        })),
      )
    }
    const outcome: ImportOutcome = { inserted: 0, updated: 0, resources: [] }
    rows.forEach((r, i) => {
      const d = placed[i]!.draft
      const action = r.id === null ? 'insert' : 'update'
      outcome[action === 'insert' ? 'inserted' : 'updated'] += 1
      outcome.resources.push({
        row: d.row,
        sheet: d.sheet,
        id: r.id ?? ids.get(r.source_key)!,
        code: r.code,
        action,
      })
    })
    return outcome
  })
}
