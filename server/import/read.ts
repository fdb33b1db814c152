import fs from 'node:fs'
import path from 'node:path'
import { CsvError, parse } from 'csv-parse/sync'
import type { Geometry } from '../db/geometry.ts'
import {
  type InputCrs,
  parseInputCrs,
  UnsupportedCrsError,
  validationSridOf,
  WGS84,
  webMapToWgs84,
} from '../domain/crs.ts'
import { ImportFileError, type Rejection } from './errors.ts'
import { GeometryError, validateGeometry } from './validate.ts'

/** One feature read from an input file, with where it came from for the report. */
export interface SourceFeature {
  file: string
  /** 1-based feature number (GeoJSON) or the line a record starts on (CSV). */
  index: number
  sourceId: string | null
  props: Record<string, unknown>
  geometry: Geometry
  srid: number
}

export type { Rejection } from './errors.ts'

export interface ReadResult {
  features: SourceFeature[]
  rejected: Rejection[]
}

/**
 * Reads GeoJSON (FeatureCollection, Feature or newline-delimited features) and CSV with coordinate columns.
 * A file-level CRS (`crs` member, or `--crs`) applies to every feature; features that fail validation are
 * returned as rejections, never silently dropped.
 */
export function readInputFile(file: string, crsOverride?: string): ReadResult {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new ImportFileError(`无法读取文件 / cannot read ${file}: ${(error as Error).message}`)
  }
  const name = path.basename(file)
  if (/\.csv$/i.test(file)) return readCsv(name, text, crsOverride)
  return readGeoJson(name, text, crsOverride)
}

function rejectAll(file: string, count: number, reason: string): ReadResult {
  return {
    features: [],
    rejected: Array.from({ length: count }, (_, i) => ({ file, index: i + 1, sourceId: null, reason })),
  }
}

function readGeoJson(file: string, text: string, crsOverride?: string): ReadResult {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new ImportFileError(`不是有效的 JSON / ${file} is not valid JSON: ${(error as Error).message}`)
  }
  const d = doc as { type?: string; features?: unknown[]; crs?: { properties?: { name?: string } } }
  const raw: unknown[] =
    d.type === 'FeatureCollection' && Array.isArray(d.features)
      ? d.features
      : d.type === 'Feature'
        ? [doc]
        : []
  if (raw.length === 0 && d.type !== 'FeatureCollection') {
    throw new ImportFileError(`${file}: expected a GeoJSON FeatureCollection or Feature, got type ${d.type}`)
  }
  let crs: InputCrs
  try {
    crs = parseInputCrs(crsOverride ?? d.crs?.properties?.name)
  } catch (error) {
    if (error instanceof UnsupportedCrsError) return rejectAll(file, raw.length, error.message)
    throw error
  }
  const out: ReadResult = { features: [], rejected: [] }
  raw.forEach((f, i) => {
    const feature = f as {
      type?: string
      id?: unknown
      properties?: Record<string, unknown>
      geometry?: unknown
    }
    const props = feature.properties ?? {}
    const idValue = props.id ?? feature.id
    const sourceId = idValue === undefined || idValue === null ? null : String(idValue)
    try {
      if (feature.type !== 'Feature') throw new GeometryError(`not a GeoJSON Feature (type ${feature.type})`)
      out.features.push({ file, index: i + 1, sourceId, props, ...checkedGeometry(feature.geometry, crs) })
    } catch (error) {
      if (!(error instanceof GeometryError)) throw error
      out.rejected.push({ file, index: i + 1, sourceId, reason: error.message })
    }
  })
  return out
}

const X_COLUMNS = ['lon', 'lng', 'longitude', 'x', '经度']
const Y_COLUMNS = ['lat', 'latitude', 'y', '纬度']

function readCsv(file: string, text: string, crsOverride?: string): ReadResult {
  const [head, ...records] = parseCsv(file, text)
  const header = (head?.cells ?? []).map((h) => h.toLowerCase())
  const xi = header.findIndex((h) => X_COLUMNS.includes(h))
  const yi = header.findIndex((h) => Y_COLUMNS.includes(h))
  if (xi < 0 || yi < 0) {
    throw new ImportFileError(
      `${file}: CSV needs coordinate columns (lon/lat, longitude/latitude or x/y); found ${header.join(', ')}`,
    )
  }
  const crs = parseInputCrs(crsOverride)
  const out: ReadResult = { features: [], rejected: [] }
  for (const { cells, line } of records) {
    const props: Record<string, unknown> = {}
    header.forEach((h, i) => {
      if (i !== xi && i !== yi && cells[i] !== undefined && cells[i] !== '') props[h] = cells[i]
    })
    const sourceId = typeof props.id === 'string' ? props.id : null
    const xs = cells[xi] ?? ''
    const ys = cells[yi] ?? ''
    try {
      if (xs === '' || ys === '') throw new GeometryError('缺少坐标 / missing coordinates')
      const point: Geometry = { type: 'Point', coordinates: [Number(xs), Number(ys)] }
      out.features.push({ file, index: line, sourceId, props, ...checkedGeometry(point, crs) })
    } catch (error) {
      if (!(error instanceof GeometryError)) throw error
      out.rejected.push({ file, index: line, sourceId, reason: error.message })
    }
  }
  return out
}

/**
 * Validates a geometry in its declared CRS and returns it in an SRID PostGIS knows: web-map coordinates
 * (GCJ-02, BD-09, EPSG:3857) are converted to WGS84 here, as PostGIS has no definition for the first two.
 */
function checkedGeometry(geometry: unknown, crs: InputCrs): { geometry: Geometry; srid: number } {
  validateGeometry(geometry, validationSridOf(crs))
  if (crs.kind === 'srid') return { geometry: geometry as Geometry, srid: crs.srid }
  return { geometry: webMapToWgs84(geometry as Geometry, crs.name), srid: WGS84 }
}

interface CsvRecord {
  cells: string[]
  /** Line the record starts on; a quoted field may carry it over several lines. */
  line: number
}

/**
 * Every record of a CSV text (header first, blank lines left out), cells trimmed, each with the line it
 * starts on. A malformed file (an unclosed quote, a stray quote) is an {@link ImportFileError}: nothing is
 * guessed.
 */
function parseCsv(file: string, text: string): CsvRecord[] {
  // csv-parse counts a CRLF inside a quoted field as two lines; with LF alone its line count is exact.
  const lf = text.replace(/\r\n/g, '\n')
  const records: CsvRecord[] = []
  let lastEnd = 0
  try {
    parse(lf, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (cells, { lines }) => {
        // `lines` is the line the record ends on.
        lastEnd = lines
        const spanned = cells.reduce((n, c) => n + c.split('\n').length - 1, 0)
        records.push({ cells: cells.map((c) => c.trim()), line: lines - spanned })
        return null
      },
    })
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    throw new ImportFileError(csvErrorMessage(file, lf, error, lastEnd))
  }
  return records
}

function csvErrorMessage(file: string, lf: string, error: CsvError, lastEnd: number): string {
  if (error.code !== 'CSV_QUOTE_NOT_CLOSED')
    return `CSV 格式错误 / ${file} is not valid CSV: ${error.message}`
  // csv-parse reports where the file ended; the reader needs the record that opened the quote.
  const lines = lf.split('\n')
  let start = lastEnd + 1
  while (start < lines.length && !lines[start - 1]?.trim()) start++
  return `CSV 引号未闭合 / ${file} is not valid CSV: a quote opened in the record on line ${start} is never closed`
}
