import type { Block } from './blocks.ts'
import { CJK_FONT } from './charts.ts'

// The PDF's source: the same blocks as the DOCX, as print HTML. Chromium lays it out with CSS paged media and
// writes the text as text (searchable, copyable), the SVG charts as vectors.

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

const STYLE = `
  @page { size: A4; }
  body { font-family: ${CJK_FONT}; font-size: 10.5pt; line-height: 1.7; color: #222; }
  h1 { font-size: 16pt; margin: 1.4em 0 0.6em; break-after: avoid; border-bottom: 1px solid #bbb; padding-bottom: 0.2em; }
  h2 { font-size: 13pt; margin: 1.1em 0 0.4em; break-after: avoid; }
  p { text-indent: 2em; margin: 0.4em 0; }
  ul { margin: 0.4em 0 0.4em 1.5em; padding: 0; }
  li { margin: 0.25em 0; }
  .cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; break-after: page; }
  .cover .title { font-size: 28pt; font-weight: bold; margin-bottom: 0.6em; }
  .cover .subtitle { font-size: 15pt; margin-bottom: 4em; }
  .cover .line { font-size: 11pt; margin: 0.2em 0; }
  .toc h1 { text-align: center; border: none; }
  .toc ol { list-style: none; padding: 0; }
  .toc li.l2 { padding-left: 2em; font-size: 9.5pt; }
  .caption { text-align: center; font-weight: bold; font-size: 9.5pt; margin: 0.6em 0 0.3em; text-indent: 0; }
  table { width: 100%; border-collapse: collapse; font-size: 8.5pt; line-height: 1.4; margin-bottom: 0.8em; }
  thead { display: table-header-group; }
  th { background: #e8eef4; }
  th, td { border: 1px solid #888; padding: 2px 4px; vertical-align: top; }
  tr { break-inside: avoid; }
  figure { margin: 0.6em 0; text-align: center; break-inside: avoid; }
  figure svg { max-width: 100%; height: auto; }
  .break { break-after: page; }
`

/** The report as one HTML page for Chromium's print; the table of contents lists the headings. */
export function writeHtml(blocks: readonly Block[], title: string): string {
  const headings = blocks.filter((b): b is Heading => b.kind === 'heading')
  const ids = { next: 0 }
  const body = blocks.map((block) => htmlOf(block, headings, ids)).join('\n')
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
    <style>${STYLE}</style></head><body>${body}</body></html>`
}

type Heading = Extract<Block, { kind: 'heading' }>

function htmlOf(block: Block, headings: readonly Heading[], ids: { next: number }): string {
  switch (block.kind) {
    case 'cover':
      return `<section class="cover"><div class="title">${escapeHtml(block.title)}</div>
          <div class="subtitle">${escapeHtml(block.subtitle)}</div>
          ${block.lines.map((l) => `<div class="line">${escapeHtml(l)}</div>`).join('')}</section>`
    case 'toc':
      return `<section class="toc"><h1>目　录</h1><ol>${headings
        .map((h, i) => `<li class="l${h.level}"><a href="#h${i}">${escapeHtml(h.text)}</a></li>`)
        .join('')}</ol></section>`
    case 'heading':
      return `<h${block.level} id="h${ids.next++}">${escapeHtml(block.text)}</h${block.level}>`
    case 'paragraph':
      return `<p${block.note ? ' class="note"' : ''}>${escapeHtml(block.text)}</p>`
    case 'bullets':
      return `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
    case 'table':
      return `<p class="caption">${escapeHtml(block.caption)}</p><table><thead><tr>${block.columns
        .map((c) => `<th>${escapeHtml(c)}</th>`)
        .join('')}</tr></thead><tbody>${block.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    case 'figure':
      // ECharts' SSR output is our own markup (text in it is escaped by ECharts), inlined as vectors.
      return `<figure>${block.figure.svg}<p class="caption">${escapeHtml(block.figure.caption)}</p></figure>`
    case 'pageBreak':
      return '<div class="break"></div>'
  }
}
