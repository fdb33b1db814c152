/**
 * Construction years from the tags of OSM data and the columns of building registries. Sources write a year in
 * many ways (`1929`, `1929-05-01`, `~1930`, `1930s`, `1929..1931`, `民国18年`, `C20`); a building whose year
 * cannot be read keeps a null year and the import reports a warning — it is never rejected for it.
 */
import { sql } from 'drizzle-orm'
import type { Props } from './classify.ts'
import type { Executor } from './sql.ts'

/**
 * Where a year may be, most specific first: OSM's tags (lower case, as CSV headers are read), then the usual
 * headers of Chinese registries.
 */
export const YEAR_KEYS = [
  'start_date',
  'building:start_date',
  'construction_date',
  'year_built',
  '建成年份',
  '建成年代',
  '建成时间',
  '建造年代',
  '建造年份',
  '竣工年份',
  '竣工时间',
] as const

/** Years outside this range are taken for typing errors, not for buildings. */
const EARLIEST_YEAR = 600
const latestYear = () => new Date().getUTCFullYear() + 5
/** 民国 years count from 1912 (民国元年). */
const MINGUO_OFFSET = 1911

export type ParsedYear = { year: number; approximate: boolean } | { year: null; problem: string }

const unreadable = (problem: string): ParsedYear => ({ year: null, problem })

function inRange(year: number, approximate: boolean): ParsedYear {
  if (!Number.isInteger(year) || year < EARLIEST_YEAR || year > latestYear())
    return unreadable(`年份 ${year} 超出合理范围 / year ${year} is out of range`)
  return { year, approximate }
}

/** Forms read, each to the first year it names; `approximate` says the source was not exact. */
const PATTERNS: [RegExp, (m: RegExpMatchArray) => ParsedYear][] = [
  // 1929, 1929年, 1929-05, 1929-05-01, 1929/05/01, 1929.5 (a date: its year)
  [/^(\d{4})(年|[-/.]\d{1,2}([-/.]\d{1,2})?(T.*)?)?$/, (m) => inRange(Number(m[1]), false)],
  // ~1930, ca. 1930, c1930, circa 1930, 约1930年, 1930? (OSM's and EDTF's approximations)
  [/^(~|ca\.?|c\.?|circa|约|大约)\s*(\d{4})年?$/i, (m) => inRange(Number(m[2]), true)],
  [/^(\d{4})\s*[?~]$/, (m) => inRange(Number(m[1]), true)],
  // 1930s, 1930年代: the decade's first year
  [/^(\d{3}0)\s*(s|'s|年代)$/i, (m) => inRange(Number(m[1]), true)],
  // 1929..1931, 1929-1931, 1929–1931, 1929/1931, 1929至1931年, before/after-style ranges: the first year
  [/^(\d{4})(年)?\s*(\.\.|-|–|—|~|\/|至|到)\s*(\d{2}|\d{4})(年)?$/, (m) => inRange(Number(m[1]), true)],
  // 民国18年
  [/^民国\s*(\d{1,2})\s*年?$/, (m) => inRange(MINGUO_OFFSET + Number(m[1]), false)],
]

/** A year from one value of a tag or column, or why none could be read. */
export function parseYear(value: unknown): ParsedYear {
  if (typeof value === 'number') return inRange(Math.trunc(value), !Number.isInteger(value))
  if (typeof value !== 'string') return unreadable(`不是年份 / not a year: ${JSON.stringify(value)}`)
  const text = value.trim()
  if (text === '') return unreadable('空值 / empty')
  for (const [pattern, read] of PATTERNS) {
    const m = text.match(pattern)
    if (m) return read(m)
  }
  // C20, 20th century, 20世纪: too coarse to place a building on a timeline.
  if (/^(c\s*\d{1,2}|\d{1,2}(st|nd|rd|th)\s*c(entury)?|\d{1,2}\s*世纪.*)$/i.test(text))
    return unreadable(`只有世纪，不足以确定年份 / only a century is given: ${text}`)
  return unreadable(`无法识别的年份 / unreadable year: ${text}`)
}

/** The year a building's tags give, the key it came from, or the problem with the first key holding one. */
export type BuildingYear =
  | { year: number; key: string; raw: string; approximate: boolean }
  | { year: null; key: string; raw: string; problem: string }

export function buildingYear(props: Props): BuildingYear | null {
  let firstProblem: BuildingYear | null = null
  for (const key of YEAR_KEYS) {
    const raw = props[key]
    if (raw === undefined || raw === null || raw === '') continue
    const parsed = parseYear(raw)
    if (parsed.year !== null) return { ...parsed, key, raw: String(raw) }
    firstProblem ??= { year: null, key, raw: String(raw), problem: parsed.problem }
  }
  return firstProblem
}

/** A building imported with something the import could not read, with the reason. */
export interface ImportWarning {
  sourceId: string
  reason: string
}

/**
 * Sets `year_built` of the dataset's buildings from their tags, and keeps where it came from in the attributes
 * (`yearSource`: the tag or column, `yearApproximate` when the source was). Unreadable years become warnings.
 */
export async function setBuildingYears(
  tx: Executor,
  datasetId: number,
  props: Map<string, Props>,
  warnings: ImportWarning[],
): Promise<number> {
  const rows: { id: string; year: number; source: string; approximate: boolean }[] = []
  for (const [id, p] of props) {
    const found = buildingYear(p)
    if (!found) continue
    if (found.year === null) {
      warnings.push({
        sourceId: id,
        reason: `建成年份未导入 / construction year left empty (${found.key}=${found.raw}): ${found.problem}`,
      })
    } else rows.push({ id, year: found.year, source: found.key, approximate: found.approximate })
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.execute(sql`update buildings b set year_built = r.year,
        attributes = b.attributes || jsonb_build_object('yearSource', 'tag:' || r.source)
          || case when r.approximate then '{"yearApproximate": true}'::jsonb else '{}'::jsonb end
      from json_to_recordset(${JSON.stringify(rows.slice(i, i + 1000))}::json)
        as r(id text, year int, source text, approximate boolean)
      where b.dataset_id = ${datasetId} and b.source_id = r.id`)
  }
  return rows.length
}
