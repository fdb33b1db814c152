import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { type InputCrs, parseInputCrs, WGS84, webMapToWgs84 } from '../domain/crs.ts'

/** One row of a city's address list: the address, its code and point when the list has them. */
export interface AddressRow {
  /** The row in the file (the header is row 1). */
  row: number
  raw: string
  code: string | null
  /** Longitude/latitude in WGS84 (CGCS2000), converted from the list's CRS. */
  point: [number, number] | null
}

export interface AddressList {
  source: string
  rows: AddressRow[]
  /** Rows left out, with the reason. */
  rejected: { row: number; reason: string }[]
}

export class AddressListError extends Error {
  override name = 'AddressListError'
}

const ADDRESS_COLUMN = '地址'
const CODE_COLUMNS = ['编码', '地址编码', 'code']
const X_COLUMNS = ['经度', 'lon', 'lng', 'longitude', 'x']
const Y_COLUMNS = ['纬度', 'lat', 'latitude', 'y']

/**
 * Reads an address list from CSV (UTF-8, csv-parse) or Excel (.xlsx, first sheet, exceljs). The address is the
 * column named 地址; 编码 and 经度/纬度 are taken when present, the point converted from `crs` (GCJ-02, BD-09 …).
 */
export async function readAddressList(file: string, crs?: string): Promise<AddressList> {
  const table = /\.xlsx$/i.test(file) ? await readWorkbook(file) : readCsv(file)
  const [header = [], ...records] = table
  const names = header.map((h) => h.trim().toLowerCase())
  const at = (candidates: string[]) => names.findIndex((n) => candidates.includes(n))
  const addressAt = names.indexOf(ADDRESS_COLUMN)
  if (addressAt < 0) {
    throw new AddressListError(
      `${path.basename(file)} 缺少“地址”列 / has no column named 地址; found: ${header.join(', ')}`,
    )
  }
  const codeAt = at(CODE_COLUMNS)
  const xAt = at(X_COLUMNS)
  const yAt = at(Y_COLUMNS)
  const inputCrs = parseInputCrs(crs)
  const list: AddressList = { source: path.basename(file), rows: [], rejected: [] }
  records.forEach((cells, i) => {
    const row = i + 2
    const raw = cells[addressAt]?.trim() ?? ''
    if (raw === '') {
      list.rejected.push({ row, reason: '地址为空 / the address is empty' })
      return
    }
    const x = xAt >= 0 ? Number(cells[xAt]) : Number.NaN
    const y = yAt >= 0 ? Number(cells[yAt]) : Number.NaN
    const point = xAt >= 0 && yAt >= 0 && cells[xAt] && cells[yAt] ? toWgs84(x, y, inputCrs) : null
    list.rows.push({ row, raw, code: codeAt >= 0 ? cells[codeAt]?.trim() || null : null, point })
  })
  return list
}

function toWgs84(x: number, y: number, crs: InputCrs): [number, number] | null {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return null
  if (crs.kind === 'web-map') {
    const p = webMapToWgs84({ type: 'Point', coordinates: [x, y] }, crs.name)
    return p.coordinates as [number, number]
  }
  // A list's points are lon/lat; projected lists are rare and go through the GeoJSON importer.
  return crs.srid === WGS84 || crs.srid === 4490 ? [x, y] : null
}

function readCsv(file: string): string[][] {
  return parse(fs.readFileSync(file, 'utf8'), {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as string[][]
}

async function readWorkbook(file: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new AddressListError(`${path.basename(file)} 没有工作表 / has no worksheet`)
  const table: string[][] = []
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as unknown[]
    table.push(values.slice(1).map((v) => (v === null || v === undefined ? '' : cellText(v))))
  })
  return table
}

function cellText(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'richText' in value) {
    return (value as { richText: { text: string }[] }).richText.map((r) => r.text).join('')
  }
  if (typeof value === 'object' && value !== null && 'text' in value)
    return String((value as { text: unknown }).text)
  return String(value)
}
