/**
 * The cities the tiles are cut by (docs/adr/0024): one tileset per city-level region (a prefecture, or a
 * municipality's 市辖区 such as 310100), so that no tile tree spans the hundreds of kilometres between two cities of
 * a province.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'

export interface TiledCity {
  code: string
  name: string
  nameEn: string | null
  /** Buildings of the city in the tileset (public ones only for the public tilesets). */
  buildings: number
}

/**
 * Length of a city's scope prefix: GB/T 2260 codes are PPCCDD, so a city holds every code starting with its
 * first four digits (310100 → 3101; the province's directly administered counties, 429000 → 4290, alike).
 */
const CITY_PREFIX_LENGTH = 4

/**
 * The city-level regions holding buildings (public ones only when `publicOnly`), within `prefix` when given, in
 * code order. Buildings are grouped by their city prefix first, so this reads the buildings once, however many
 * regions there are.
 */
export async function tiledCities(
  database: Database,
  options: { publicOnly: boolean; prefix?: string },
): Promise<TiledCity[]> {
  const visible = options.publicOnly ? sql`is_public` : sql`true`
  const within = options.prefix ? sql`region_code like ${`${options.prefix}%`}` : sql`true`
  const rows = await database.rows<{ code: string; name: string; name_en: string | null; n: number }>(sql`
    select r.code, r.name, r.name_en, b.n
    from (select left(region_code, ${CITY_PREFIX_LENGTH}) as prefix, count(*)::int as n
          from buildings where ${visible} and ${within} group by 1) b
    join regions r on r.level = 'city' and r.scope_prefix = b.prefix
    order by r.code`)
  return rows.map((r) => ({ code: r.code, name: r.name, nameEn: r.name_en, buildings: Number(r.n) }))
}

/**
 * The city shown to a reader without a token, and served at the old address `/tiles/city/tileset.json`: the city
 * of the first public building imported (the install's own city, e.g. the demo's 310100), null without any.
 */
export async function defaultCity(database: Database): Promise<string | null> {
  const [row] = await database.rows<{ code: string }>(sql`
    select r.code from regions r
    where r.level = 'city' and r.scope_prefix = (
      select left(region_code, ${CITY_PREFIX_LENGTH}) from buildings where is_public order by id limit 1)`)
  return row?.code ?? null
}
