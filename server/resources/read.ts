import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { cellValue } from '../fillings/workbook.ts'
import { draftOf, fieldOf, isRejection, type ResourceDraft, type RowRejection } from './columns.ts'

export const IMPORT_FORMATS = ['geojson', 'csv', 'xlsx'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** A file that cannot be read as a whole (not the format named, no header, too many rows). */
export class ImportFileError extends Error {
  override name = 'ImportFileError'
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
  }
}

/** Most rows one import takes: a department's list, not a land survey (which is an import of its own). */
export const MAX_IMPORT_ROWS = 20_000

export interface ReadFile {
  drafts: ResourceDraft[]
  rejected: RowRejection[]
}

function collect(results: (ResourceDraft | RowRejection)[]): ReadFile {
  if (results.length > MAX_IMPORT_ROWS) {
    throw new ImportFileError(
      `一次最多导入 ${MAX_IMPORT_ROWS} 行`,
      `An import takes at most ${MAX_IMPORT_ROWS} rows`,
    )
  }
  const drafts: ResourceDraft[] = []
  const rejected: RowRejection[] = []
  const seen = new Map<string, number>()
  for (const r of results) {
    if (isRejection(r)) {
      rejected.push(r)
      continue
    }
    const first = seen.get(r.sourceKey)
    if (first !== undefined) {
      rejected.push({
        row: r.row,
        sheet: r.sheet,
        sourceKey: r.sourceKey,
        zh: `编号 ${r.sourceKey} 与第 ${first} 行重复`,
        en: `Id ${r.sourceKey} repeats row ${first}`,
      })
      continue
    }
    seen.set(r.sourceKey, r.row)
    drafts.push(r)
  }
  return { drafts, rejected }
}

/** A FeatureCollection: one row per feature (1-based), its id from the properties or the feature's `id`. */
export function readGeoJson(body: Buffer): ReadFile {
  let parsed: { type?: unknown; features?: unknown }
  try {
    parsed = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''))
  } catch {
    throw new ImportFileError('文件不是有效的 JSON', 'The file is not valid JSON')
  }
  if (parsed?.type !== 'FeatureCollection' || !Array.isArray(parsed.features)) {
    throw new ImportFileError('GeoJSON 须为 FeatureCollection', 'The GeoJSON must be a FeatureCollection')
  }
  const results = parsed.features.map((raw: unknown, i: number) => {
    const feature = (raw ?? {}) as { id?: unknown; properties?: unknown; geometry?: unknown }
    const properties = (
      feature.properties && typeof feature.properties === 'object' ? feature.properties : {}
    ) as Record<string, unknown>
    const hasKey = Object.keys(properties).some((k) => fieldOf(k) === 'sourceKey')
    const values = hasKey || feature.id === undefined ? properties : { id: feature.id, ...properties }
    return draftOf({ row: i + 1, sheet: null }, values, feature.geometry ?? null)
  })
  return collect(results)
}

/** A CSV with a header line; rows are numbered by their line in the file (the header is line 1). */
export function readCsv(body: Buffer): ReadFile {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    // With `info` each record comes with its position; csv-parse's types do not follow the option.
    records = parse(body, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
    }) as unknown as typeof records
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ImportFileError(`CSV 无法解析：${reason}`, `The CSV cannot be parsed: ${reason}`)
  }
  const [header, ...rows] = records
  if (!header) throw new ImportFileError('CSV 是空的', 'The CSV is empty')
  const names = header.record
  const results = rows.map(({ record, info }) => {
    const values: Record<string, unknown> = {}
    names.forEach((name, i) => {
      values[name] = record[i] ?? null
    })
    return draftOf({ row: info.lines, sheet: null }, values)
  })
  return collect(results)
}

/** The header row of a sheet: within its first 20 rows, the one naming a kind column. */
function headerOf(sheet: ExcelJS.Worksheet): { row: number; names: Map<number, string> } | null {
  for (let r = 1; r <= Math.min(20, sheet.rowCount); r++) {
    const names = new Map<number, string>()
    sheet.getRow(r).eachCell((cell, col) => {
      const value = cellValue(cell)
      if (value !== null) names.set(col, String(value).trim())
    })
    if ([...names.values()].some((n) => fieldOf(n) === 'kind')) return { row: r, names }
  }
  return null
}

/** Every sheet with a header row naming a kind column; rows numbered as Excel shows them. */
export async function readWorkbook(body: Buffer): Promise<ReadFile> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer)
  } catch {
    throw new ImportFileError(
      '文件不是有效的 Excel 工作簿（.xlsx）',
      'The file is not a valid .xlsx workbook',
    )
  }
  const results: (ResourceDraft | RowRejection)[] = []
  let sheets = 0
  for (const sheet of workbook.worksheets) {
    const header = headerOf(sheet)
    if (!header) continue
    sheets += 1
    sheet.eachRow((row, number) => {
      if (number <= header.row) return
      const values: Record<string, unknown> = {}
      let filled = false
      for (const [col, name] of header.names) {
        const value = cellValue(row.getCell(col))
        values[name] = value
        if (value !== null && String(value).trim() !== '') filled = true
      }
      if (filled) results.push(draftOf({ row: number, sheet: sheet.name }, values))
    })
  }
  if (sheets === 0) {
    throw new ImportFileError(
      '工作簿中没有含“类型”列的工作表',
      'No sheet of the workbook has a header row with a kind (类型) column',
    )
  }
  return collect(results)
}

/** The format of a body: named by the caller, else a zip is a workbook, `{` GeoJSON, anything else CSV. */
export function formatOf(named: string | null, body: Buffer): ImportFormat {
  if (named) {
    if ((IMPORT_FORMATS as readonly string[]).includes(named)) return named as ImportFormat
    throw new ImportFileError(
      `format 须为 ${IMPORT_FORMATS.join('、')}`,
      `format must be one of ${IMPORT_FORMATS.join(', ')}`,
    )
  }
  if (body[0] === 0x50 && body[1] === 0x4b) return 'xlsx'
  const start = body
    .toString('utf8', 0, 64)
    .replace(/^\uFEFF/, '')
    .trimStart()
  return start.startsWith('{') ? 'geojson' : 'csv'
}
