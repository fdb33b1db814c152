/**
 * Reference construction years for the demo city: the Bund's landmark buildings carry no year in the
 * OpenStreetMap data, so the demo takes the years of a small cited file (`data/bund-building-years.json`) and
 * marks each as such (`yearSource`), never overwriting a year the data has.
 */
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../config.ts'
import type { Database } from '../db/client.ts'

export const BUND_YEARS_FILE = path.join(PROJECT_ROOT, 'data/bund-building-years.json')

export interface ReferenceYears {
  sources: string[]
  buildings: { year: number; names: string[]; address: [string, string] | null; known_as: string }[]
}

/** What `yearSource` says of a year from the file: a reference, with the file it came from. */
export const REFERENCE_YEAR_SOURCE =
  'reference: data/bund-building-years.json (historical references, not surveyed)'

/**
 * Gives the dataset's buildings without a year the reference year of the entry they match: by name (Chinese
 * or English, current or old, as the data writes it) or, for the unnamed ones, by street and house number.
 * Returns how many buildings took a year.
 */
export async function seedReferenceYears(
  database: Database,
  datasetName: string,
  file = BUND_YEARS_FILE,
): Promise<number> {
  const reference = JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceYears
  const entries = reference.buildings.map((b) => ({
    year: b.year,
    names: b.names,
    street: b.address?.[0] ?? null,
    number: b.address?.[1] ?? null,
    known_as: b.known_as,
  }))
  const rows = await database.rows<{ n: number }>(
    sql`with ref as (
        select * from json_to_recordset(${JSON.stringify(entries)}::json)
          as r(year int, names text[], street text, number text, known_as text)
      ), matched as (
        select distinct on (b.id) b.id, ref.year, ref.known_as
        from buildings b join datasets d on d.id = b.dataset_id and d.name = ${datasetName}
        join ref on b.name = any(ref.names) or b.name_en = any(ref.names)
          or exists (select 1 from regexp_split_to_table(
              coalesce(b.attributes->>'old_name', '') || ';' || coalesce(b.attributes->>'old_name:en', ''),
              '[;/]') as old(n) where trim(old.n) = any(ref.names))
          or (b.name is null and ref.street is not null and b.attributes->>'addr_street' = ref.street
            and b.attributes->>'addr_housenumber' = ref.number)
        where b.year_built is null
        order by b.id, ref.year
      ), upd as (
        update buildings b set year_built = m.year, attributes = b.attributes || jsonb_build_object(
          'yearSource', ${REFERENCE_YEAR_SOURCE}::text, 'yearReference', m.known_as)
        from matched m where b.id = m.id returning 1)
      select count(*)::int as n from upd`,
  )
  return rows[0]?.n ?? 0
}
