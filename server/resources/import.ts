import { type SQL, sql } from 'drizzle-orm'
import { recordAudit } from '../../schema/audit.ts'
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
  return sql`select x.i, GeometryType(m.g) as type, ST_IsEmpty(m.g) as empty,
      ST_X(ST_PointOnSurface(m.g))::float8 as lon, ST_Y(ST_PointOnSurface(m.g))::float8 as lat,
      case when GeometryType(m.g) in ('POLYGON', 'MULTIPOLYGON') then ST_Area(m.g::geography) end as area,
      ST_AsGeoJSON(m.g, 9) as geojson,
      (select r.code from regions r where r.boundary is not null and r.scope_prefix like ${`${target.prefix}%`}
        and ST_Covers(r.boundary, ST_PointOnSurface(m.g)) order by length(r.scope_prefix) desc limit 1) as inside,
      (select ST_Covers(r.boundary, ST_PointOnSurface(m.g)) from regions r
        where r.boundary is not null and starts_with(${target.prefix}, r.scope_prefix)
        order by length(r.scope_prefix) desc limit 1) as within
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

/**
 * Writes every placed row in one transaction: a row whose (source, layer, id) exists is updated — its 编号,
 * verification and reporter kept — others are inserted with a new 编号. One audit event per resource.
 */
export async function writeResources(
  context: GraphQLContext,
  target: ImportTarget,
  placed: Placed[],
): Promise<ImportOutcome> {
  const reporter = context.identity?.subject ?? null
  return context.database.db.transaction(async (tx) => {
    const nextCode = await codeAllocator(
      tx,
      placed.map((p) => p.regionCode),
    )
    const outcome: ImportOutcome = { inserted: 0, updated: 0, resources: [] }
    for (const p of placed) {
      const d = p.draft
      const geom = sql`ST_SetSRID(ST_GeomFromGeoJSON(${p.geojson}), 4326)`
      const found = (await tx.execute(sql`select id, code from stock_resources
        where source = 'import' and layer = ${target.layer} and source_key = ${d.sourceKey} for update`)) as {
        rows: { id: number; code: string }[]
      }
      const existing = found.rows[0]
      const values = {
        kind: d.kind,
        name: d.name,
        areaM2: p.areaM2,
        ownership: d.ownership,
        currentUse: d.currentUse,
        address: d.address,
      }
      let row: { id: number; code: string }
      if (existing) {
        await tx.execute(sql`update stock_resources set region_code = ${p.regionCode}, kind = ${d.kind},
            name = ${d.name}, geom = ${geom}, area_m2 = ${p.areaM2}, ownership = ${d.ownership},
            current_use = ${d.currentUse}, address = ${d.address}, department = ${target.department},
            attributes = ${JSON.stringify(d.attributes)}::jsonb, updated_at = now()
          where id = ${existing.id}`)
        row = existing
      } else {
        const inserted =
          (await tx.execute(sql`insert into stock_resources (code, region_code, kind, name, geom,
            area_m2, ownership, current_use, department, layer, address, source, source_key, reported_by, attributes)
          values (${nextCode(p.regionCode)}, ${p.regionCode}, ${d.kind}, ${d.name}, ${geom}, ${p.areaM2},
            ${d.ownership}, ${d.currentUse}, ${target.department}, ${target.layer}, ${d.address}, 'import',
            ${d.sourceKey}, ${reporter}, ${JSON.stringify(d.attributes)}::jsonb)
          returning id, code`)) as { rows: { id: number; code: string }[] }
        row = inserted.rows[0]!
      }
      await recordAudit(tx, context, {
        entity: 'stock_resource',
        entityId: row.id,
        action: existing ? 'reimport' : 'import',
        regionCode: p.regionCode,
        before: null,
        after: { code: row.code, layer: target.layer, sourceKey: d.sourceKey, ...values },
      })
      outcome[existing ? 'updated' : 'inserted'] += 1
      outcome.resources.push({
        row: d.row,
        sheet: d.sheet,
        id: row.id,
        code: row.code,
        action: existing ? 'update' : 'insert',
      })
    }
    return outcome
  })
}
