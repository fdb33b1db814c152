import fs from 'node:fs'
import path from 'node:path'
import { type SQL, sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../config.ts'
import type { Database } from '../db/client.ts'
import type { Dimension } from '../db/indicators.ts'
import { DEFAULT_STANDARD_VALUES } from './indicator-standards.ts'

interface CatalogueIndicator {
  code: string
  dimension: Dimension
  group?: string
  name: string
  nameEn?: string
  unit?: string
  direction?: 'higher' | 'lower' | 'target' | 'none'
  evidence?: string
  method: string
  /** Grade and warning thresholds; defaults from `indicator-standards.ts` for computable indicators. */
  standardValues?: Record<string, number | string>
  /** 更新主题; without one the indicator takes its dimension's theme. */
  renewalTheme?: string
}

/**
 * 更新主题 by dimension: renewal is planned for dwellings, compounds, blocks and districts, the four objects the
 * check examines, so an indicator feeds the theme of the object it measures unless the catalogue says otherwise.
 */
export const DIMENSION_THEMES: Readonly<Record<Dimension, string>> = {
  housing: '住房',
  compound: '小区',
  block: '街区',
  city: '城区',
}

const themeOf = (i: CatalogueIndicator) => i.renewalTheme ?? DIMENSION_THEMES[i.dimension]

interface Catalogue {
  edition: string
  warning?: string
  dimensions?: Record<string, string>
  methodHint?: string
  defaultServiceRadii?: unknown
  indicators: CatalogueIndicator[]
}

export class CatalogueError extends Error {
  override name = 'CatalogueError'
}

export const NATIONAL_CATALOGUE = path.join(PROJECT_ROOT, 'data/indicators-national-basic.json')

/**
 * Loads an indicator catalogue file as one edition of the indicator system. The catalogue is data: every
 * indicator, its method and the edition's service radii are rows that staff can edit afterwards. Loading the
 * same code and year again leaves the existing edition untouched and returns its id.
 */
export async function loadIndicatorCatalogue(
  database: Database,
  options: { file?: string; code?: string; year: number; name?: string },
): Promise<{ systemId: number; indicators: number; created: boolean }> {
  const file = options.file ?? NATIONAL_CATALOGUE
  const catalogue = JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue
  if (!Array.isArray(catalogue.indicators) || catalogue.indicators.length === 0) {
    throw new CatalogueError(`${file}: no indicators`)
  }
  const code = options.code ?? 'national-basic'
  return database.db.transaction(async (tx) => {
    const found = (await tx.execute(
      sql`select id, (select count(*) from indicators i where i.system_id = s.id)::int as n
        from indicator_systems s where code = ${code} and year = ${options.year}`,
    )) as unknown as { rows: { id: number; n: number }[] }
    const existing = found.rows[0]
    if (existing) {
      await fillMissingThemes(tx, existing.id, catalogue.indicators)
      return { systemId: existing.id, indicators: existing.n, created: false }
    }
    const settings = {
      edition: catalogue.edition,
      warning: catalogue.warning,
      dimensions: catalogue.dimensions,
      methodHint: catalogue.methodHint,
      serviceRadii: catalogue.defaultServiceRadii,
    }
    const inserted = (await tx.execute(
      sql`insert into indicator_systems (code, name, year, level, status, settings, note)
        values (${code}, ${options.name ?? '城市体检基础指标体系（国家）'}, ${options.year}, 'national', 'published',
          ${JSON.stringify(settings)}::jsonb, ${catalogue.warning ?? null}) returning id`,
    )) as unknown as { rows: { id: number }[] }
    const systemId = inserted.rows[0]?.id
    if (systemId === undefined) throw new Error('indicator system insert returned nothing')
    const rows = catalogue.indicators.map((i, n) => {
      const [kind, arg] = i.method.split(':')
      return {
        code: i.code,
        name: i.name,
        name_en: i.nameEn ?? null,
        dimension: i.dimension,
        group_name: i.group ?? null,
        unit: i.unit ?? null,
        direction: i.direction ?? 'none',
        method_kind: kind === 'reported' ? 'reported' : 'computed',
        method: i.method,
        calculator: kind === 'reported' ? null : kind,
        parameters: arg ? { facilityType: arg } : {},
        evidence: i.evidence ?? null,
        standard_values: i.standardValues ?? DEFAULT_STANDARD_VALUES[i.code] ?? null,
        renewal_theme: themeOf(i),
        sort_order: n,
      }
    })
    await tx.execute(sql`
      insert into indicators (system_id, code, name, name_en, dimension, group_name, unit, direction, level,
        method_kind, method, calculator, parameters, evidence, standard_values, renewal_theme, sort_order)
      select ${systemId}, r.code, r.name, r.name_en, r.dimension, r.group_name, r.unit, r.direction, 'national',
        r.method_kind, r.method, r.calculator, r.parameters, r.evidence, r.standard_values, r.renewal_theme,
        r.sort_order
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(code text, name text, name_en text,
        dimension text, group_name text, unit text, direction text, method_kind text, method text,
        calculator text, parameters jsonb, evidence text, standard_values jsonb, renewal_theme text,
        sort_order float8)`)
    return { systemId, indicators: rows.length, created: true }
  })
}

/**
 * Gives the indicators of an edition loaded before renewal themes were seeded their theme. Only empty themes are
 * filled: one that staff set stays as they set it.
 */
async function fillMissingThemes(
  tx: { execute(query: SQL): Promise<unknown> },
  systemId: number,
  indicators: readonly CatalogueIndicator[],
): Promise<void> {
  const themes = indicators.map((i) => ({ code: i.code, theme: themeOf(i) }))
  await tx.execute(sql`update indicators i set renewal_theme = t.theme
    from json_to_recordset(${JSON.stringify(themes)}::json) as t(code text, theme text)
    where i.system_id = ${systemId} and i.code = t.code and i.renewal_theme is null`)
}
