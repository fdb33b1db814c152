import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableOfContents,
  TableRow,
  TextRun,
  WidthType,
} from 'docx'
import type { Block } from './blocks.ts'

// The DOCX: real Word tables with a repeated header row, headings Word builds the table of contents from, and
// fonts set per script (宋体/黑体 for East Asian text, Times New Roman for Latin) so Word does not fall back.

const BODY_FONT = {
  ascii: 'Times New Roman',
  hAnsi: 'Times New Roman',
  eastAsia: '宋体',
  cs: 'Times New Roman',
}
const HEADING_FONT = { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '黑体', cs: 'Arial' }
/** Page width inside the margins, in pixels at 96 dpi (A4, 2.5 cm margins). */
const CONTENT_WIDTH_PX = 600

/** PNG renderings of the figures, by key: Word's fallback beside each SVG. */
export type Rasters = ReadonlyMap<string, Buffer>

export async function writeDocx(blocks: readonly Block[], rasters: Rasters, footer: string): Promise<Buffer> {
  const document = new Document({
    creator: 'CityCheck',
    title: footer,
    features: { updateFields: true },
    styles: {
      default: {
        document: { run: { font: BODY_FONT, size: 22 }, paragraph: { spacing: { line: 360 } } },
        heading1: {
          run: { font: HEADING_FONT, size: 32, bold: true },
          paragraph: { spacing: { before: 360, after: 200 } },
        },
        heading2: {
          run: { font: HEADING_FONT, size: 26, bold: true },
          paragraph: { spacing: { before: 240, after: 120 } },
        },
      },
    },
    sections: [
      {
        properties: { page: { margin: { top: 1418, bottom: 1418, left: 1418, right: 1418 } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ text: `${footer}　第 `, size: 16 }),
                  new TextRun({ children: [PageNumber.CURRENT], size: 16 }),
                  new TextRun({ text: ' 页', size: 16 }),
                ],
              }),
            ],
          }),
        },
        children: blocks.flatMap((b) => docxOf(b, rasters)),
      },
    ],
  })
  return Packer.toBuffer(document)
}

function docxOf(block: Block, rasters: Rasters): (Paragraph | Table | TableOfContents)[] {
  switch (block.kind) {
    case 'cover':
      return [
        new Paragraph({ spacing: { before: 3000 }, children: [] }),
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [new TextRun({ text: block.title, font: HEADING_FONT, size: 52, bold: true })],
        }),
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { before: 400, after: 1600 },
          children: [new TextRun({ text: block.subtitle, size: 30 })],
        }),
        ...block.lines.map(
          (line) =>
            new Paragraph({
              alignment: AlignmentType.CENTER,
              children: [new TextRun({ text: line, size: 22 })],
            }),
        ),
        new Paragraph({ children: [new PageBreak()] }),
      ]
    case 'toc':
      return [
        new Paragraph({
          heading: HeadingLevel.TITLE,
          alignment: AlignmentType.CENTER,
          children: [new TextRun('目　录')],
        }),
        new TableOfContents('目录', { hyperlink: true, headingStyleRange: '1-2' }),
      ]
    case 'heading':
      return [
        new Paragraph({
          heading: block.level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2,
          children: [new TextRun(block.text)],
        }),
      ]
    case 'paragraph':
      return [
        new Paragraph({
          indent: { firstLine: 440 },
          children: [new TextRun({ text: block.text, size: block.note ? 18 : 22 })],
        }),
      ]
    case 'bullets':
      return block.items.map((text) => new Paragraph({ bullet: { level: 0 }, children: [new TextRun(text)] }))
    case 'table':
      return [caption(block.caption), table(block.columns, block.rows)]
    case 'figure': {
      const { figure } = block
      const scale = Math.min(1, CONTENT_WIDTH_PX / figure.width)
      const png = rasters.get(figure.key)
      if (!png) throw new Error(`figure ${figure.key} has no PNG rendering`)
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [
            new ImageRun({
              type: 'svg',
              data: Buffer.from(figure.svg),
              fallback: { type: 'png', data: png },
              transformation: { width: figure.width * scale, height: figure.height * scale },
              altText: { name: figure.key, title: figure.caption, description: figure.caption },
            }),
          ],
        }),
        caption(figure.caption),
      ]
    }
    case 'pageBreak':
      return [new Paragraph({ children: [new PageBreak()] })]
  }
}

const caption = (text: string) =>
  new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { before: 120, after: 120 },
    children: [new TextRun({ text, font: HEADING_FONT, size: 20, bold: true })],
  })

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '888888' }

function table(columns: readonly string[], rows: readonly string[][]): Table {
  const cell = (text: string, header: boolean) =>
    new TableCell({
      borders: { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER },
      shading: header ? { type: ShadingType.CLEAR, fill: 'E8EEF4', color: 'auto' } : undefined,
      children: [
        new Paragraph({ spacing: { line: 260 }, children: [new TextRun({ text, size: 18, bold: header })] }),
      ],
    })
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: columns.map((c) => cell(c, true)) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c) => cell(c, false)) })),
    ],
  })
}
