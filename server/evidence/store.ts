/**
 * 佐证材料 on disk, shared by the fillings' evidence and the problems' photos: which files are accepted (by their
 * bytes, never by the name or the declared type), what name they keep, and where they are stored —
 * content-addressed under the data directory, written to a temporary file and renamed into place so that a
 * reader never sees half a file.
 */
import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { listZip, officeKind } from './zip.ts'

/** A type evidence may have, with the extensions a name of that type may end in (the first is added if none). */
export interface EvidenceType {
  mediaType: string
  extensions: readonly string[]
}

const JPEG: EvidenceType = { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'] }
const PNG: EvidenceType = { mediaType: 'image/png', extensions: ['png'] }
const PDF: EvidenceType = { mediaType: 'application/pdf', extensions: ['pdf'] }
const XLSX: EvidenceType = {
  mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  extensions: ['xlsx'],
}
const DOCX: EvidenceType = {
  mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extensions: ['docx'],
}
const CSV: EvidenceType = { mediaType: 'text/csv', extensions: ['csv'] }
const TEXT: EvidenceType = { mediaType: 'text/plain', extensions: ['txt', 'csv'] }

const startsWith = (bytes: Buffer, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b)

/**
 * The type of a file by its bytes, or null when it is none of the allow-list (JPEG, PNG, PDF, XLSX, DOCX, CSV or
 * plain text). Executables, HTML, SVG and XML, macro-enabled Office files and other zips are refused; a CSV is
 * told from plain text by its name only, as the bytes cannot say.
 */
export function evidenceTypeOf(bytes: Buffer, fileName: string): EvidenceType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return JPEG
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return PDF
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const listing = listZip(bytes)
    // Macros are code: an .xlsm or .docm renamed to .xlsx still carries vbaProject.bin.
    if (!listing || listing.names.some((n) => /vbaProject\.bin$/i.test(n))) return null
    const kind = officeKind(listing)
    return kind === 'xlsx' ? XLSX : kind === 'docx' ? DOCX : null
  }
  if (!isPlainText(bytes)) return null
  return /\.csv$/i.test(fileName) ? CSV : TEXT
}

/**
 * Text a browser or a shell would not treat as something else: no control bytes but tab, line breaks and form
 * feed (binaries, executables have NULs), and no markup or script at the start (HTML, SVG, XML, `#!`).
 */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false
  for (const byte of bytes) {
    if (byte < 0x09 || byte === 0x0b || (byte > 0x0d && byte < 0x20)) return false
  }
  const head = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
  if (head.startsWith('<') || head.startsWith('#!')) return false
  return !/<\s*(script|html|svg|iframe|\?xml)/i.test(head)
}

/** Longest name kept, in characters: enough for a descriptive Chinese name, short enough for any filesystem. */
const MAX_NAME_CHARS = 120
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i

/**
 * A file name safe to show and to save: the last path segment only, no control or format characters (RTL
 * overrides that turn `gpj.exe` around, zero-width spaces), no characters Windows refuses, no leading dot
 * (hidden files), no reserved device names; Chinese and other letters are kept. Its extension is made to fit the
 * type found in the bytes, so a PDF named `报告.exe` is saved as `报告.exe.pdf` and opens as a PDF.
 */
export function sanitizeFileName(raw: string, type: EvidenceType): string {
  let name = raw.normalize('NFC')
  name = name.split(/[\\/]/).pop() ?? ''
  name = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
  name = name.replace(/[<>:"|?*]/g, '_')
  name = name.replace(/\s+/g, ' ')
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '')
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`
  const parts = /^(.*)\.([^.]+)$/.exec(name)
  const fits = parts !== null && type.extensions.includes(parts[2]!.toLowerCase())
  // The extension survives shortening: a long name loses the end of its stem, not what it opens with.
  const stem = fits ? parts[1]! : name
  const suffix = fits ? `.${parts[2]}` : `.${type.extensions[0]}`
  const kept = [...stem]
    .slice(0, MAX_NAME_CHARS - [...suffix].length)
    .join('')
    .replace(/[.\s]+$/, '')
  return `${kept || '佐证材料'}${suffix}`
}

/** The name in a `Content-Disposition` header: `filename*` (RFC 5987, UTF-8) before plain `filename`. */
export function fileNameOf(header: string | undefined): string | null {
  if (!header) return null
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)?.[1]
  if (extended) {
    try {
      return decodeURIComponent(extended.trim())
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header)
  return plain ? (plain[1] ?? plain[2] ?? '').replace(/\\(.)/g, '$1').trim() : null
}

const SHA256 = /^[0-9a-f]{64}$/

/** Where a file of this digest lives: `<dataDir>/evidence/<sha256[0..2]>/<sha256>`. */
export function evidencePath(dataDir: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256 digest: ${sha256}`)
  return path.join(dataDir, 'evidence', sha256.slice(0, 2), sha256)
}

/**
 * Stores the bytes under their digest; a file already there is kept (the same photo attached twice is stored
 * once). Written to `evidence/tmp/` on the same filesystem, flushed, then renamed: the rename is atomic, so a
 * crash leaves a stray temporary file at worst, never a truncated evidence file.
 */
export async function storeEvidence(dataDir: string, bytes: Buffer): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const target = evidencePath(dataDir, sha256)
  if (await exists(target)) return sha256
  const tmpDir = path.join(dataDir, 'evidence', 'tmp')
  await fs.mkdir(tmpDir, { recursive: true })
  await fs.mkdir(path.dirname(target), { recursive: true })
  const tmp = path.join(tmpDir, `${sha256}.${randomUUID()}`)
  const handle = await fs.open(tmp, 'wx', 0o640)
  try {
    await handle.writeFile(bytes)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, target)
  } catch (error) {
    await fs.rm(tmp, { force: true })
    throw error
  }
  return sha256
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file)
    return true
  } catch {
    return false
  }
}
