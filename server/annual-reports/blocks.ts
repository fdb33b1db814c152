import type { Figure } from './charts.ts'

/** The report as a list of blocks: built once from the content, drawn by the DOCX and the HTML writers alike. */
export type Block =
  | { kind: 'cover'; title: string; subtitle: string; lines: string[] }
  | { kind: 'toc' }
  | { kind: 'heading'; level: 1 | 2; text: string }
  | { kind: 'paragraph'; text: string; note?: boolean }
  | { kind: 'bullets'; items: string[] }
  | { kind: 'table'; caption: string; columns: string[]; rows: string[][] }
  | { kind: 'figure'; figure: Figure }
  | { kind: 'pageBreak' }

const NUMBER = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2, useGrouping: true })

/** How every figure is printed: at most two decimals, grouped thousands; '—' for none. */
export function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : NUMBER.format(value)
}

const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十']

/** 一 … 九十九, for numbering chapters and appendices. */
export function chineseNumber(n: number): string {
  if (n <= 10) return CHINESE_DIGITS[n] ?? String(n)
  const tens = Math.floor(n / 10)
  const ones = n % 10
  return `${tens === 1 ? '' : CHINESE_DIGITS[tens]}十${ones ? CHINESE_DIGITS[ones] : ''}`
}
