/**
 * 考核指标表: the problem loop's figures as a workbook, one row per group, the header in Chinese, rates as
 * percentages Excel can sum and chart (the cell holds the fraction, the format shows %).
 */
import ExcelJS from 'exceljs'
import type { KpiArgs, KpiRow } from '../../schema/problems/kpis.ts'

const GROUP_HEADERS: Record<KpiArgs['groupBy'], [string, string]> = {
  district: ['区代码', '区'],
  street: ['街道代码', '街道'],
  department: ['部门', '部门名称'],
}

/** The header row after the two group columns, in the order of `KpiRow`'s figures. */
export const KPI_HEADERS = [
  '发现问题数',
  '销号数',
  '按期销号率',
  '销号用时中位数（天）',
  '当前超期数',
  '重新打开率',
  '诉求数',
  '常住人口',
  '每万人诉求数',
] as const

export const KPI_SHEET = '考核指标'

export async function buildKpiWorkbook(
  args: KpiArgs & { regionName: string },
  rows: readonly KpiRow[],
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'CityCheck'
  const sheet = workbook.addWorksheet(KPI_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] })
  const [codeHeader, nameHeader] = GROUP_HEADERS[args.groupBy]
  const headers =
    args.groupBy === 'department' ? [nameHeader, ...KPI_HEADERS] : [codeHeader, nameHeader, ...KPI_HEADERS]
  sheet.addRow(headers)
  sheet.getRow(1).font = { bold: true }
  for (const r of rows) {
    const group = args.groupBy === 'department' ? [r.name] : [r.key, r.name]
    sheet.addRow([
      ...group,
      r.received,
      r.closed,
      r.onTimeRate,
      r.medianDaysToClose,
      r.overdueNow,
      r.reopenRate,
      r.appeals,
      r.residents === null ? null : Math.round(r.residents),
      r.appealsPer10k,
    ])
  }
  const first = headers.length - KPI_HEADERS.length + 1
  for (const [offset, format] of [
    [2, '0.0%'],
    [3, '0.0'],
    [5, '0.0%'],
    [8, '0.00'],
  ] as const) {
    sheet.getColumn(first + offset).numFmt = format
  }
  sheet.columns.forEach((column, index) => {
    column.width = index < first - 1 ? 16 : 14
  })
  // The period and the region under the table, so a printed sheet says what it counts.
  sheet.addRow([])
  sheet.addRow([`${args.regionName}（${args.regionCode}）${args.from} 至 ${args.to}，北京时间`])
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
