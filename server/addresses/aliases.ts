import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { PROJECT_ROOT } from '../config.ts'
import { normaliseText, type RoadAliases } from '../domain/addresses.ts'

/** @defaultValue the aliases shipped with the demo city: data/addresses/road-aliases.csv */
export const DEFAULT_ROAD_ALIASES = path.join(PROJECT_ROOT, 'data/addresses/road-aliases.csv')

/** Road aliases from a CSV with `alias,road` columns; a city adds its own rows (old names, English names). */
export function loadRoadAliases(file: string = DEFAULT_ROAD_ALIASES): RoadAliases {
  const rows = parse(fs.readFileSync(file, 'utf8'), { bom: true, columns: true, skip_empty_lines: true }) as {
    alias: string
    road: string
  }[]
  return new Map(rows.map((r) => [normaliseText(r.alias).toLowerCase(), normaliseText(r.road)]))
}
