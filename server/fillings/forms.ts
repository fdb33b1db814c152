/**
 * `GET|PUT /api/campaigns/{campaignId}/forms/{regionCode}.xlsx` (issue 12, docs/adr/0013): the filling workbook
 * of a region, and its upload. An upload writes every valid changed row through the filling write service in
 * one transaction and answers `{ accepted, rejected: [{ sheet, row, indicator, message }] }`: 200 when anything
 * was accepted, 422 when nothing was, 409 once the filling is locked or under review, 403 outside the scope.
 */
import type http from 'node:http'
import { type FilledValue, fillValues } from '../../schema/fillings/values.ts'
import {
  assertRegionInScope,
  attachmentDisposition,
  HttpError,
  readBody,
  sendJson,
  XLSX_TYPE,
} from '../api/request.ts'
import { authorize } from '../auth/permissions.ts'
import { listZip, startsAsZip } from '../evidence/zip.ts'
import type { GraphQLContext } from '../graphql/context.ts'
import { type FormData, loadForm } from './form-data.ts'
import { buildFormWorkbook, readFormWorkbook, type SheetRow, WorkbookError } from './workbook.ts'

/** Largest workbook accepted: a district's form is well under 1 MB; photos belong in evidence, not here. */
export const MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
/** Largest a workbook may inflate to: exceljs holds it unpacked in memory. */
const MAX_WORKBOOK_UNPACKED_BYTES = 100 * 1024 * 1024

/**
 * Content types an upload may declare; none at all is accepted too, as curl's `--data-binary` sends none. Some
 * Windows clients label any Excel file `application/vnd.ms-excel`; the bytes decide in the end.
 */
const UPLOAD_TYPES = new Set([
  XLSX_TYPE,
  'application/vnd.ms-excel',
  'application/octet-stream',
  'application/zip',
])

export interface FormRequest {
  campaignId: number
  regionCode: string
}

/** One rejected row as the contract names it. */
export interface RowRejection {
  sheet: string
  row: number
  indicator: string
  message: string
}

export async function downloadForm(
  context: GraphQLContext,
  res: http.ServerResponse,
  { campaignId, regionCode }: FormRequest,
): Promise<void> {
  authorize(context.identity, context.scope, 'filling.read')
  await assertRegionInScope(context, regionCode)
  const form = await requireForm(context, campaignId, regionCode)
  const body = await buildFormWorkbook(form.meta, form.rows)
  res.writeHead(200, {
    'content-type': XLSX_TYPE,
    'content-length': String(body.length),
    'content-disposition': attachmentDisposition(
      `${form.meta.campaignName}-${form.meta.regionName}-填报表.xlsx`,
    ),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(body)
}

export async function uploadForm(
  context: GraphQLContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  { campaignId, regionCode }: FormRequest,
): Promise<void> {
  authorize(context.identity, context.scope, 'filling.fill')
  await assertRegionInScope(context, regionCode)
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type && !UPLOAD_TYPES.has(type)) {
    throw new HttpError(
      415,
      `请上传 .xlsx 工作簿（Content-Type: ${XLSX_TYPE}），而不是 ${type}`,
      `Upload an .xlsx workbook (Content-Type: ${XLSX_TYPE}), not ${type}`,
    )
  }
  const body = await readBody(req, MAX_WORKBOOK_BYTES)
  const rows = await readUpload(body)
  const form = await requireForm(context, campaignId, regionCode)
  const { values, origins, rejected } = changedValues(rows, form, regionCode)
  // Called even with nothing to write: a locked filling answers 409 whatever the workbook holds.
  const outcome = await fillValues(context, campaignId, regionCode, values)
  for (const r of outcome.rejected) {
    const origin = origins[r.index]!
    rejected.push({ sheet: origin.sheet, row: origin.row, indicator: r.indicator, message: r.message })
  }
  const sheets = [...new Set(rows.map((r) => r.sheet))]
  rejected.sort((a, b) => sheets.indexOf(a.sheet) - sheets.indexOf(b.sheet) || a.row - b.row)
  sendJson(res, outcome.accepted > 0 ? 200 : 422, { accepted: outcome.accepted, rejected })
}

async function requireForm(
  context: GraphQLContext,
  campaignId: number,
  regionCode: string,
): Promise<FormData> {
  const form = await loadForm(context.database, campaignId, regionCode, context.identity)
  if (!form) {
    throw new HttpError(
      404,
      `体检任务 ${campaignId} 没有 ${regionCode} 的填报表`,
      `Campaign ${campaignId} has no filling for region ${regionCode}`,
    )
  }
  return form
}

/** The rows of an uploaded workbook: 400 for what is no xlsx, 413 for a zip bomb, 422 for no header row. */
async function readUpload(body: Buffer): Promise<SheetRow[]> {
  if (!startsAsZip(body)) {
    throw new HttpError(
      400,
      '上传的内容不是 .xlsx 工作簿（应为 Excel 2007 及以后的格式）',
      'The body is not an .xlsx workbook (Office Open XML, Excel 2007 or later)',
    )
  }
  const listing = listZip(body)
  if (!listing)
    throw new HttpError(400, '工作簿已损坏，无法读取', 'The workbook is corrupt and cannot be read')
  if (listing.uncompressedBytes > MAX_WORKBOOK_UNPACKED_BYTES) {
    throw new HttpError(
      413,
      '工作簿解压后过大',
      `The workbook unpacks to more than ${MAX_WORKBOOK_UNPACKED_BYTES} bytes`,
    )
  }
  try {
    return await readFormWorkbook(body)
  } catch (error) {
    if (!(error instanceof WorkbookError)) throw error
    throw new HttpError(error.readable ? 422 : 400, error.zh, error.en)
  }
}

interface Changes {
  values: FilledValue[]
  /** Where each of `values` came from, by index. */
  origins: SheetRow[]
  /** Rows refused before the write service sees them (a row repeated). */
  rejected: RowRejection[]
}

/**
 * The rows that change something. A workbook sent back holds every task, most untouched: writing those again
 * would mark approved values as drafts and fill the audit log with nothing, so a row whose value and remark
 * equal what is stored is left out. A row without a 单元代码 column is the region's own unit.
 */
function changedValues(rows: readonly SheetRow[], form: FormData, regionCode: string): Changes {
  const stored = new Map(form.rows.map((r) => [`${r.indicatorCode}\u0000${r.unitKey}`, r]))
  const seen = new Map<string, SheetRow>()
  const changes: Changes = { values: [], origins: [], rejected: [] }
  for (const row of rows) {
    const unitKey = row.unitKey ?? regionCode
    const key = `${row.indicatorCode}\u0000${unitKey}`
    const first = seen.get(key)
    if (first) {
      changes.rejected.push({
        sheet: row.sheet,
        row: row.row,
        indicator: row.indicatorCode,
        message: `与工作表“${first.sheet}”第 ${first.row} 行重复 / Repeats row ${first.row} of sheet ${first.sheet}`,
      })
      continue
    }
    seen.set(key, row)
    const current = stored.get(key)
    const remark = row.hasRemark ? row.remark : (current?.remark ?? null)
    if (current && sameValue(row.value, current.value) && (remark ?? '') === (current.remark ?? '')) continue
    if (!current && isBlank(row.value) && !remark) continue
    changes.values.push({ indicatorCode: row.indicatorCode, unitKey, value: row.value, remark })
    changes.origins.push(row)
  }
  return changes
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
}

function sameValue(cell: unknown, stored: number | null): boolean {
  if (isBlank(cell)) return stored === null
  if (stored === null) return false
  const number = typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell.trim()) : Number.NaN
  return number === stored
}
