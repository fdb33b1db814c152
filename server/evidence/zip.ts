/**
 * A look at a zip's central directory without inflating anything: the entry names (is this an .xlsx or a .docx?)
 * and the total uncompressed size, so that a small upload that would inflate to gigabytes (a zip bomb) is refused
 * before exceljs or anyone unpacks it.
 */

export interface ZipListing {
  names: string[]
  uncompressedBytes: number
}

const LOCAL_HEADER = 0x04034b50
const CENTRAL_HEADER = 0x02014b50
const END_OF_DIRECTORY = 0x06054b50
/** The end record is 22 bytes plus a comment of up to 65,535. */
const END_SEARCH = 22 + 0xffff

export function startsAsZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL_HEADER
}

/**
 * The entries of a zip, or null when its directory cannot be read. A zip64 archive (sizes beyond 4 GB, or more
 * than 65,535 entries) is null too: no workbook or document we accept needs one.
 */
export function listZip(bytes: Buffer): ZipListing | null {
  if (!startsAsZip(bytes)) return null
  const end = findEnd(bytes)
  if (end < 0) return null
  const count = bytes.readUInt16LE(end + 10)
  const offset = bytes.readUInt32LE(end + 16)
  if (count === 0xffff || offset === 0xffffffff) return null
  const names: string[] = []
  let uncompressedBytes = 0
  let at = offset
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_HEADER) return null
    const size = bytes.readUInt32LE(at + 24)
    if (size === 0xffffffff) return null
    const nameLength = bytes.readUInt16LE(at + 28)
    const extraLength = bytes.readUInt16LE(at + 30)
    const commentLength = bytes.readUInt16LE(at + 32)
    if (at + 46 + nameLength > bytes.length) return null
    names.push(bytes.toString('utf8', at + 46, at + 46 + nameLength))
    uncompressedBytes += size
    at += 46 + nameLength + extraLength + commentLength
  }
  return { names, uncompressedBytes }
}

function findEnd(bytes: Buffer): number {
  const stop = Math.max(0, bytes.length - END_SEARCH)
  for (let at = bytes.length - 22; at >= stop; at -= 1) {
    if (bytes.readUInt32LE(at) === END_OF_DIRECTORY) return at
  }
  return -1
}

/** An Office Open XML package of the given kind: `xl/` for a workbook, `word/` for a document. */
export function officeKind(listing: ZipListing): 'xlsx' | 'docx' | null {
  if (!listing.names.includes('[Content_Types].xml')) return null
  if (listing.names.some((n) => n.startsWith('xl/'))) return 'xlsx'
  if (listing.names.some((n) => n.startsWith('word/'))) return 'docx'
  return null
}
