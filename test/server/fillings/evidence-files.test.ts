/** Evidence names and types (docs/adr/0013), one rule at a time; the HTTP round trip is test/api/evidence.test.ts. */
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { evidenceTypeOf, fileNameOf, sanitizeFileName } from '../../../server/evidence/store.ts'
import { listZip, officeKind } from '../../../server/evidence/zip.ts'

const PDF = { mediaType: 'application/pdf', extensions: ['pdf'] }

describe('evidence file names', () => {
  it.each([
    ['整改前照片.pdf', '整改前照片.pdf'],
    ['C:\\Users\\张三\\桌面\\报告.pdf', '报告.pdf'],
    ['../../../../etc/passwd', 'passwd.pdf'],
    ['.htaccess', 'htaccess.pdf'],
    ['...报告.pdf. . ', '报告.pdf'],
    ['报告\u202Efdp.exe', '报告fdp.exe.pdf'],
    ['报\u200B告\u0000\u0007\n.pdf', '报告.pdf'],
    ['a<b>c:d"e|f?g*h.pdf', 'a_b_c_d_e_f_g_h.pdf'],
    ['CON.pdf', '_CON.pdf'],
    ['nul', '_nul.pdf'],
    ['', '佐证材料.pdf'],
    ['///', '佐证材料.pdf'],
    ['报告.PDF', '报告.PDF'],
  ])('%j is kept as %j', (raw, kept) => {
    expect(sanitizeFileName(raw, PDF)).toBe(kept)
  })

  it('keeps at most 120 characters, the extension included', () => {
    const name = sanitizeFileName(`${'长'.repeat(300)}.pdf`, PDF)
    expect([...name]).toHaveLength(120)
    const renamed = sanitizeFileName(`${'长'.repeat(300)}.exe`, PDF)
    expect([...renamed]).toHaveLength(120)
    expect(renamed.endsWith('.pdf')).toBe(true)
  })

  it('reads filename* (RFC 5987) before filename, and quoted names with escapes', () => {
    expect(fileNameOf(`attachment; filename="a.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`)).toBe(
      '报告.pdf',
    )
    expect(fileNameOf('attachment; filename="say \\"hi\\".pdf"')).toBe('say "hi".pdf')
    expect(fileNameOf('inline; filename=plain.pdf')).toBe('plain.pdf')
    expect(fileNameOf(`attachment; filename*=UTF-8''%E6%8A`)).toBeNull()
    expect(fileNameOf(undefined)).toBeNull()
  })
})

describe('evidence types by their bytes', () => {
  it('knows an .xlsx by its package and refuses one with macros', async () => {
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('表').addRow([1])
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer())
    expect(evidenceTypeOf(xlsx, 'x.bin')?.mediaType).toMatch(/spreadsheetml/)
    const listing = listZip(xlsx)!
    expect(officeKind(listing)).toBe('xlsx')
    expect(officeKind({ names: ['[Content_Types].xml', 'word/document.xml'], uncompressedBytes: 1 })).toBe(
      'docx',
    )
    expect(officeKind({ names: ['word/document.xml'], uncompressedBytes: 1 })).toBeNull()
    // A VBA project in the package (a name of the same length, so the offsets hold): the bytes are refused.
    const withMacros = Buffer.from(
      xlsx.toString('latin1').replaceAll('xl/workbook.xml', 'xvbaProject.bin'),
      'latin1',
    )
    expect(listZip(withMacros)?.names).toContain('xvbaProject.bin')
    expect(evidenceTypeOf(withMacros, 'x.xlsx')).toBeNull()
  })

  it('tells CSV from text by the name only, and refuses text that is markup or binary', () => {
    expect(evidenceTypeOf(Buffer.from('a,b\n1,2\n'), '表.csv')?.mediaType).toBe('text/csv')
    expect(evidenceTypeOf(Buffer.from('\uFEFF说明\r\n第二行\t'), '说明.txt')?.mediaType).toBe('text/plain')
    expect(evidenceTypeOf(Buffer.from('\uFEFF  <?xml version="1.0"?><svg/>'), 'a.txt')).toBeNull()
    expect(evidenceTypeOf(Buffer.from('note\n<script>alert(1)</script>'), 'a.txt')).toBeNull()
    expect(evidenceTypeOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'a.png')).toBeNull()
    expect(evidenceTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a.txt')?.mediaType).toBe(
      'image/jpeg',
    )
  })

  it('reads a zip directory that says it inflates beyond what it holds', async () => {
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('表').addRow([1])
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer())
    const honest = listZip(xlsx)!.uncompressedBytes
    const central = xlsx.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    xlsx.writeUInt32LE(0x7fffffff, central + 24)
    expect(listZip(xlsx)!.uncompressedBytes).toBeGreaterThan(honest + 0x7fff0000)
    expect(listZip(Buffer.from('PK\u0003\u0004 truncated'))).toBeNull()
  })
})
