/**
 * 填报表: the filling workbook of one region in one campaign (docs/adr/0013). Writing: a 说明 sheet first, then
 * one sheet per dimension, one row per indicator and unit, with data validation on 填报值, the key columns
 * locked and the indicator's method and evidence as a note. Reading: the header row is found by its names, so
 * moved columns, extra columns and extra sheets still read.
 */
import ExcelJS from 'exceljs'
import type { Dimension } from '../db/indicators.ts'

/** One row of the workbook: a task with its indicator, and what is stored for it now. */
export interface FormRow {
  indicatorCode: string
  indicatorName: string
  dimension: Dimension
  unitType: string
  unitKey: string
  unitName: string
  /** 计量单位, e.g. `%`, `个`. */
  unit: string | null
  parameters: Record<string, unknown>
  group: string | null
  method: string
  requiredEvidence: string | null
  evidence: string | null
  /** The reported (or imported) value; a computed value shows under 计算值 instead. */
  value: number | null
  remark: string | null
  computedValue: number | null
  reviewComment: string | null
  reviewState: string | null
}

export interface FormMeta {
  campaignId: number
  campaignName: string
  year: number
  regionCode: string
  regionName: string
  fillingState: string
  locked: boolean
}

/** The two columns the contract names; the others are found by name too, and may be missing. */
export const CODE_HEADER = '指标代码'
export const VALUE_HEADER = '填报值'
const UNIT_KEY_HEADER = '单元代码'
const REMARK_HEADER = '备注'

const COLUMNS = [
  { header: CODE_HEADER, key: 'code', width: 10 },
  { header: '指标名称', key: 'name', width: 36 },
  { header: '单元类型', key: 'unitType', width: 10 },
  { header: UNIT_KEY_HEADER, key: 'unitKey', width: 14 },
  { header: '单元名称', key: 'unitName', width: 20 },
  { header: '计量单位', key: 'unit', width: 10 },
  { header: VALUE_HEADER, key: 'value', width: 14 },
  { header: REMARK_HEADER, key: 'remark', width: 30 },
  { header: '计算值', key: 'computed', width: 12 },
  { header: '审核意见', key: 'reviewComment', width: 30 },
  { header: '审核状态', key: 'reviewState', width: 10 },
] as const

/** Sheet names in Chinese, in the order of DOMAIN.md's four objects. */
const DIMENSION_SHEETS: Record<Dimension, string> = {
  housing: '住房',
  compound: '小区（社区）',
  block: '街区',
  city: '城区（城市）',
}

const UNIT_TYPE_NAMES: Record<string, string> = {
  region: '行政区',
  block: '街区',
  compound: '小区',
  self_built_cluster: '自建房片区',
  building: '建筑',
  renewal_area: '更新片区',
}

const REVIEW_STATE_NAMES: Record<string, string> = {
  draft: '草稿',
  submitted: '已提交',
  approved: '已通过',
  returned: '已退回',
}

/** The range a value must lie in, as the write service checks it: `min`/`max`, else 0–100 for %, else ≥ 0. */
export function valueRange(unit: string | null, parameters: Record<string, unknown>): [number, number] {
  const percent = unit?.includes('%') ?? false
  const min = typeof parameters.min === 'number' ? parameters.min : 0
  const max = typeof parameters.max === 'number' ? parameters.max : percent ? 100 : Number.POSITIVE_INFINITY
  return [min, max]
}

/** An indicator's allowed values (`parameters.allowedValues`), when it lists them. */
function allowedValues(parameters: Record<string, unknown>): number[] | null {
  const list = parameters.allowedValues
  if (!Array.isArray(list) || list.length === 0) return null
  const numbers = list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return numbers.length === list.length ? numbers : null
}

/** The data validation of a 填报值 cell: a list when the indicator lists its values, else a decimal range. */
export function validationOf(row: Pick<FormRow, 'unit' | 'parameters'>): ExcelJS.DataValidation {
  const common = { allowBlank: true, showErrorMessage: true, errorStyle: 'stop', errorTitle: '填报值无效' }
  const list = allowedValues(row.parameters)
  if (list) {
    return {
      ...common,
      type: 'list',
      formulae: [`"${list.join(',')}"`],
      error: `只能填写：${list.join('、')}`,
    }
  }
  const [min, max] = valueRange(row.unit, row.parameters)
  if (Number.isFinite(max)) {
    return {
      ...common,
      type: 'decimal',
      operator: 'between',
      formulae: [min, max],
      error: `请填写 ${min} 到 ${max} 之间的数值${row.unit ? `（${row.unit}）` : ''}`,
    }
  }
  return {
    ...common,
    type: 'decimal',
    operator: 'greaterThanOrEqual',
    formulae: [min],
    error: `请填写不小于 ${min} 的数值${row.unit ? `（${row.unit}）` : ''}`,
  }
}

/** The note on an indicator's name: its group, method, required evidence and range, for the filler at hand. */
function noteOf(row: FormRow): string {
  const [min, max] = valueRange(row.unit, row.parameters)
  const lines = [
    `${row.indicatorCode} ${row.indicatorName}`,
    row.group ? `分组：${row.group}` : null,
    `方法：${row.method === 'reported' ? '填报' : `系统计算（${row.method}），可填报核实值`}`,
    `计量单位：${row.unit ?? '无'}；取值范围：${min}${Number.isFinite(max) ? `–${max}` : ' 以上'}`,
    `佐证材料：${row.requiredEvidence ?? row.evidence ?? '无要求'}`,
  ]
  return lines.filter((l): l is string => l !== null).join('\n')
}

function addReadme(workbook: ExcelJS.Workbook, meta: FormMeta): void {
  const sheet = workbook.addWorksheet('填报说明', { properties: { tabColor: { argb: 'FF4472C4' } } })
  sheet.getColumn(1).width = 100
  const lines = [
    `${meta.campaignName}（${meta.year}）— ${meta.regionName} ${meta.regionCode} 填报表`,
    `填报状态：${REVIEW_STATE_NAMES[meta.fillingState] ?? meta.fillingState}${meta.locked ? '（已审定锁定，上传将被拒绝）' : ''}`,
    '',
    '填写方法：',
    '1. 每个维度一张工作表，每行是一个指标在一个单元上的值。只填写“填报值”和“备注”两列，其余列已锁定。',
    '2. 填报值只能是数值；百分比指标填 0–100 之间的数（不带 % 号），其他指标不小于 0。',
    '3. 把鼠标移到“指标名称”上可看到指标的计算方法、取值范围和所需佐证材料。',
    '4. “计算值”为系统根据空间数据计算的结果，“审核意见”为上一轮审核的意见，仅供参考。',
    '5. 填好后上传整个文件（PUT 本下载地址）。有效的行一次写入，无效的行会列出工作表、行号、指标和原因。',
    '6. 与系统中现有内容相同的行不会重复写入；清空已填的值表示撤回该值。',
    '',
    'How to fill: one sheet per dimension; type numbers in 填报值 (value) and optional text in 备注 (remark) only;',
    'upload the whole file with PUT to the download address. Valid rows are written together; each invalid row',
    'is reported with its sheet, row, indicator and reason.',
  ]
  for (const line of lines) sheet.addRow([line])
  sheet.getRow(1).font = { bold: true, size: 14 }
}

function addDimensionSheet(workbook: ExcelJS.Workbook, name: string, rows: readonly FormRow[]): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] })
  sheet.columns = COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }))
  sheet.getRow(1).font = { bold: true }
  for (const row of rows) {
    const added = sheet.addRow({
      code: row.indicatorCode,
      name: row.indicatorName,
      unitType: UNIT_TYPE_NAMES[row.unitType] ?? row.unitType,
      unitKey: row.unitKey,
      unitName: row.unitName,
      unit: row.unit ?? '',
      value: row.value,
      remark: row.remark ?? '',
      computed: row.computedValue,
      reviewComment: row.reviewComment ?? '',
      reviewState: row.reviewState ? (REVIEW_STATE_NAMES[row.reviewState] ?? row.reviewState) : '未填报',
    })
    added.getCell('name').note = noteOf(row)
    const value = added.getCell('value')
    value.dataValidation = validationOf(row)
    value.protection = { locked: false }
    value.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } }
    added.getCell('remark').protection = { locked: false }
  }
}

/**
 * Builds the workbook. Sheet protection has no password on purpose: it keeps a filler from editing keys by
 * mistake, the server checks every key on upload anyway, and a password shared with every district is no secret.
 */
export async function buildFormWorkbook(meta: FormMeta, rows: readonly FormRow[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'CityCheck'
  workbook.created = new Date()
  addReadme(workbook, meta)
  for (const [dimension, name] of Object.entries(DIMENSION_SHEETS)) {
    const ofDimension = rows.filter((r) => r.dimension === dimension)
    if (ofDimension.length === 0) continue
    addDimensionSheet(workbook, name, ofDimension)
  }
  for (const sheet of workbook.worksheets.slice(1)) {
    await sheet.protect('', {
      selectLockedCells: true,
      selectUnlockedCells: true,
      formatColumns: true,
      formatRows: true,
      autoFilter: true,
    })
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** One row read back from an uploaded workbook, with where it was. */
export interface SheetRow {
  sheet: string
  row: number
  indicatorCode: string
  /** Null when the sheet has no 单元代码 column (a partner's own two-column sheet). */
  unitKey: string | null
  value: unknown
  remark: string | null
  /** Whether the sheet has a 备注 column: without one a remark is left as it is. */
  hasRemark: boolean
}

/** An upload that is no workbook at all, or holds no sheet with the two named columns. */
export class WorkbookError extends Error {
  override name = 'WorkbookError'
  constructor(
    readonly zh: string,
    readonly en: string,
    /** True when the file is a workbook that was read, just without the columns; false when it is no workbook. */
    readonly readable: boolean,
  ) {
    super(`${zh} / ${en}`)
  }
}

/** Where the header row may be: a title or a note above it is tolerated, a header far down is not looked for. */
const HEADER_SEARCH_ROWS = 20

/** Reads every data row of every sheet that has a header row with 指标代码 and 填报值. */
export async function readFormWorkbook(body: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer)
  } catch {
    throw new WorkbookError(
      '上传的文件不是有效的 Excel 工作簿（.xlsx）',
      'The upload is not a valid .xlsx workbook',
      false,
    )
  }
  const rows: SheetRow[] = []
  let sheetsRead = 0
  for (const sheet of workbook.worksheets) {
    const header = findHeader(sheet)
    if (!header) continue
    sheetsRead += 1
    sheet.eachRow((row, number) => {
      if (number <= header.row) return
      const code = textOf(cellValue(row.getCell(header.code)))
      if (!code) return
      const remark = header.remark ? textOf(cellValue(row.getCell(header.remark))) : null
      rows.push({
        sheet: sheet.name,
        row: number,
        indicatorCode: code,
        unitKey: header.unitKey ? textOf(cellValue(row.getCell(header.unitKey))) : null,
        value: cellValue(row.getCell(header.value)),
        remark,
        hasRemark: header.remark !== null,
      })
    })
  }
  if (sheetsRead === 0) {
    throw new WorkbookError(
      `工作簿中没有含“${CODE_HEADER}”和“${VALUE_HEADER}”列的工作表`,
      `No sheet of the workbook has a header row with the columns ${CODE_HEADER} and ${VALUE_HEADER}`,
      true,
    )
  }
  return rows
}

interface Header {
  row: number
  code: number
  value: number
  unitKey: number | null
  remark: number | null
}

function findHeader(sheet: ExcelJS.Worksheet): Header | null {
  const last = Math.min(sheet.rowCount, HEADER_SEARCH_ROWS)
  for (let number = 1; number <= last; number += 1) {
    const names = new Map<string, number>()
    sheet.getRow(number).eachCell((cell, column) => {
      const name = textOf(cellValue(cell))
      if (name && !names.has(name)) names.set(name, column)
    })
    const code = names.get(CODE_HEADER)
    const value = names.get(VALUE_HEADER)
    if (code && value) {
      return {
        row: number,
        code,
        value,
        unitKey: names.get(UNIT_KEY_HEADER) ?? null,
        remark: names.get(REMARK_HEADER) ?? null,
      }
    }
  }
  return null
}

/**
 * A cell's value as the filler meant it: a formula's cached result, rich text as plain text, a date or an
 * error as text (so that it is refused as no number, with the row named).
 */
export function cellValue(cell: ExcelJS.Cell): unknown {
  const value = cell.value
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return value.toISOString()
  if ('richText' in value) return value.richText.map((part) => part.text).join('')
  if ('error' in value) return String(value.error)
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result
    if (result === undefined || result === null) return `=${(value as { formula?: string }).formula ?? ''}`
    if (typeof result === 'object' && result !== null && 'error' in result) return String(result.error)
    return result instanceof Date ? result.toISOString() : result
  }
  if ('text' in value) return String(value.text)
  return String(value)
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const text = String(value).trim()
  return text === '' ? null : text
}
