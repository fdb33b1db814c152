import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { type ParsedAddress, parseAddress, type RoadAliases } from '../domain/addresses.ts'
import { loadRoadAliases } from './aliases.ts'
import { type Addressed, indexByRoad, type MatchResult, matchAddress } from './match.ts'
import { readAddressList } from './read.ts'

export interface AddressImportOptions {
  file: string
  /** CRS of the list's 经度/纬度 columns: GCJ-02 for AMap/Tencent geocodes, BD-09 for Baidu's. @defaultValue EPSG:4326 */
  crs?: string | undefined
  /** @defaultValue data/addresses/road-aliases.csv */
  aliasesFile?: string | undefined
}

export interface AddressReportRow {
  row: number
  raw: string
  normalised: string
  state: MatchResult['state']
  buildingId: number | null
  candidateIds: number[]
  score: number
  reason: string
  reasonEn: string
}

export interface AddressReport {
  source: string
  matched: number
  ambiguous: number
  unmatched: number
  rows: AddressReportRow[]
  rejected: { row: number; reason: string }[]
  /** Appeals and resources whose address met one of the list's. */
  records: { opinion: number; resource: number }
}

interface AddressedRow {
  id: number
  text: string
  x: number | null
  y: number | null
}

/**
 * Imports a city's standard-address list into the registry and matches every address to the buildings (and
 * appeals and resources with an address to the list), in one transaction. Importing the same file again
 * replaces its rows and their matches; confirmed matches are decided again only if the address changed.
 */
export async function importAddressList(
  database: Database,
  options: AddressImportOptions,
): Promise<AddressReport> {
  const list = await readAddressList(options.file, options.crs)
  const aliases = loadRoadAliases(options.aliasesFile)
  const buildings = addressed(
    await database.rows<AddressedRow>(sql`select id, standard_address as text, ST_X(centroid) as x,
      ST_Y(centroid) as y from buildings where standard_address is not null`),
    aliases,
  )
  const defaults = mostCommonCity(buildings.map((b) => b.parsed))
  const index = indexByRoad(buildings)
  const rows: AddressReportRow[] = list.rows.map((r) => {
    const parsed = parseAddress(r.raw, aliases, defaults)
    const m = matchAddress(parsed, r.point, index)
    return { row: r.row, raw: r.raw, normalised: parsed.normalised, ...m, buildingId: m.targetId }
  })
  const payload = list.rows.map((r, i) => ({
    ...parseAddress(r.raw, aliases, defaults),
    sourceRow: r.row,
    raw: r.raw,
    code: r.code,
    x: r.point?.[0] ?? null,
    y: r.point?.[1] ?? null,
    match: rows[i],
  }))
  const records = await database.db.transaction(async (tx) => {
    const ids = await writeAddresses(tx, list.source, payload)
    return matchRecords(tx, ids, payload, aliases)
  })
  const count = (state: MatchResult['state']) => rows.filter((r) => r.state === state).length
  return {
    source: list.source,
    matched: count('matched'),
    ambiguous: count('ambiguous'),
    unmatched: count('unmatched'),
    rows,
    rejected: list.rejected,
    records,
  }
}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0]
type Payload = ParsedAddress & {
  sourceRow: number
  raw: string
  code: string | null
  x: number | null
  y: number | null
  match: AddressReportRow | undefined
}

async function writeAddresses(tx: Tx, source: string, payload: Payload[]): Promise<Map<number, number>> {
  const { rows } = (await tx.execute(sql`
    insert into standard_addresses as a (code, region_code, province, city, district, street, road, number, building,
      unit, room, normalised, raw, geom, source, source_row)
    select p.code, (select r.code from regions r where r.name = p.district and (p.city is null or exists (
        select 1 from regions c where c.code = r.parent_code and c.name = p.city)) order by r.code limit 1),
      p.province, p.city, p.district, p.street, p.road, p.number, p.building, p.unit, p.room, p.normalised, p.raw,
      case when p.x is not null then ST_SetSRID(ST_MakePoint(p.x, p.y), 4326) end, ${source}, p."sourceRow"
    from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as p(code text, province text, city text,
      district text, street text, road text, number text, building text, unit text, room text, normalised text,
      raw text, x float8, y float8, "sourceRow" int)
    on conflict (source, source_row) do update set code = excluded.code, region_code = excluded.region_code,
      province = excluded.province, city = excluded.city, district = excluded.district, street = excluded.street,
      road = excluded.road, number = excluded.number, building = excluded.building, unit = excluded.unit,
      room = excluded.room, normalised = excluded.normalised, raw = excluded.raw, geom = excluded.geom
    returning id, source_row as "sourceRow"`)) as unknown as { rows: { id: number; sourceRow: number }[] }
  const ids = new Map(rows.map((r) => [r.sourceRow, r.id]))
  const matches = payload.map((p) => ({ ...p.match, addressId: ids.get(p.sourceRow) }))
  await tx.execute(
    sql`delete from address_matches where address_id = any(${sql.param([...ids.values()])}::int[])`,
  )
  await tx.execute(sql`
    insert into address_matches (address_id, target_type, target_id, candidate_ids, score, state, reason, reason_en)
    select m."addressId", 'building', m."buildingId", m."candidateIds", m.score, m.state, m.reason, m."reasonEn"
    from jsonb_to_recordset(${JSON.stringify(matches)}::jsonb) as m("addressId" int, "buildingId" int,
      "candidateIds" int[], score float8, state text, reason text, "reasonEn" text)`)
  return ids
}

/** Appeals and resources naming one of the list's addresses link to it, scored like buildings. */
async function matchRecords(
  tx: Tx,
  ids: Map<number, number>,
  payload: Payload[],
  aliases: RoadAliases,
): Promise<{ opinion: number; resource: number }> {
  const listed = indexByRoad(
    payload.map((p) => ({
      id: ids.get(p.sourceRow) ?? 0,
      parsed: p,
      point: p.x === null ? null : [p.x, p.y ?? 0],
    })),
  )
  const counts = { opinion: 0, resource: 0 }
  for (const [kind, table] of [
    ['opinion', 'opinions'],
    ['resource', 'stock_resources'],
  ] as const) {
    const { rows } = (await tx.execute(sql`select id, address as text, null::float8 as x, null::float8 as y
      from ${sql.raw(table)} where address is not null`)) as unknown as { rows: AddressedRow[] }
    const links = addressed(rows, aliases).flatMap((record) => {
      const m = matchAddress(record.parsed, null, listed)
      return m.state === 'matched'
        ? [
            {
              addressId: m.targetId,
              targetId: record.id,
              score: m.score,
              reason: m.reason,
              reasonEn: m.reasonEn,
            },
          ]
        : []
    })
    if (links.length === 0) continue
    await tx.execute(sql`
      insert into address_matches (address_id, target_type, target_id, score, state, reason, reason_en)
      select l."addressId", ${kind}, l."targetId", l.score, 'matched', l.reason, l."reasonEn"
      from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as l("addressId" int, "targetId" int, score float8,
        reason text, "reasonEn" text)`)
    counts[kind] = links.length
  }
  return counts
}

function addressed(rows: AddressedRow[], aliases: RoadAliases): Addressed[] {
  return rows.map((r) => ({
    id: r.id,
    parsed: parseAddress(r.text, aliases),
    point: r.x === null || r.y === null ? null : [r.x, r.y],
  }))
}

/** The province and city most buildings name: what a city's own list leaves out. */
function mostCommonCity(parsed: ParsedAddress[]): { province?: string; city?: string } {
  const counts = new Map<string, { n: number; province: string | null; city: string }>()
  for (const p of parsed) {
    if (!p.city) continue
    const c = counts.get(p.city) ?? { n: 0, province: p.province, city: p.city }
    c.n++
    counts.set(p.city, c)
  }
  const top = [...counts.values()].sort((a, b) => b.n - a.n)[0]
  return top ? { city: top.city, ...(top.province ? { province: top.province } : {}) } : {}
}
