/** The exchange package's container (ADR 0017): a zip of JSON lines, a manifest, schemas and two layers of sha256. */
import crypto from 'node:crypto'
import JSZip from 'jszip'

export const FORMAT = 'citycheck-exchange'
/** major.minor: an importer takes packages of its own major and any minor up to its own. */
export const FORMAT_VERSION = '1.0'
/** The zip comment holds the sha256 (hex) of every byte of the archive before it. */
const DIGEST_HEX_LENGTH = 64
const END_OF_DIRECTORY = 0x06054b50
const END_RECORD_BYTES = 22

export interface Producer {
  /** The producing install's UUID: the namespace of its ids. */
  install: string
  software: string
  /** Who ran the export (token subject or operator). */
  exportedBy: string
}

export interface ManifestFile {
  path: string
  kind: string
  records: number
  bytes: number
  sha256: string
}

export interface Manifest {
  format: typeof FORMAT
  formatVersion: string
  createdAt: string
  producer: Producer
  campaign: { id: number; year: number; kind: string; name: string; regionCode: string }
  edition: { code: string; year: number }
  /** Record files in import order, each with its count and checksum. */
  files: ManifestFile[]
  /** One JSON Schema per record kind, at `schemas/<kind>.schema.json`. */
  schemas: Record<string, string>
}

/** A package refused whole: why, in both languages. Nothing was written. */
export class PackageRefused extends Error {
  override name = 'PackageRefused'
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
  }
}

export function sha256(bytes: Buffer | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex')
}

export interface RecordFile {
  kind: string
  records: readonly unknown[]
}

/** Writes the zip: manifest, schemas, one `records/<kind>.jsonl` per kind; then seals it with the digest. */
export async function writePackage(
  head: Omit<Manifest, 'files' | 'schemas' | 'format' | 'formatVersion'>,
  files: readonly RecordFile[],
  schemas: Record<string, object>,
): Promise<Buffer> {
  const zip = new JSZip()
  const manifestFiles: ManifestFile[] = []
  for (const file of files) {
    const text = file.records.map((r) => `${JSON.stringify(r)}\n`).join('')
    const path = `records/${file.kind}.jsonl`
    zip.file(path, text)
    const bytes = Buffer.byteLength(text)
    manifestFiles.push({ path, kind: file.kind, records: file.records.length, bytes, sha256: sha256(text) })
  }
  const schemaPaths: Record<string, string> = {}
  for (const [kind, schema] of Object.entries(schemas)) {
    const path = `schemas/${kind}.schema.json`
    zip.file(path, `${JSON.stringify(schema, null, 2)}\n`)
    schemaPaths[kind] = path
  }
  const manifest: Manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    ...head,
    files: manifestFiles,
    schemas: schemaPaths,
  }
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`)
  return sealPackage(zip)
}

/** Writes the zip with a placeholder comment, then replaces it by the digest of every byte before it. */
export async function sealPackage(zip: JSZip): Promise<Buffer> {
  const unsealed = await zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    comment: '0'.repeat(DIGEST_HEX_LENGTH),
  })
  const body = unsealed.subarray(0, unsealed.length - DIGEST_HEX_LENGTH)
  return Buffer.concat([body, Buffer.from(sha256(body), 'ascii')])
}

/** The archive digest a sealed package carries in its last bytes: the package's identity. */
export function packageDigest(bytes: Buffer): string {
  return bytes.subarray(bytes.length - DIGEST_HEX_LENGTH).toString('ascii')
}

export interface ReadPackage {
  manifest: Manifest
  /** The archive's digest: the package's identity in `exchange_imports`. */
  sha256: string
  /** Parsed records of each kind, in the manifest's order. */
  records: Map<string, unknown[]>
}

/**
 * Opens and verifies a package: the archive digest (any byte changed anywhere), the format and its version, each
 * record file's sha256 and count. Throws PackageRefused; writes nothing.
 */
export async function readPackage(bytes: Buffer): Promise<ReadPackage> {
  const digest = verifyDigest(bytes)
  let zip: JSZip
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: true })
  } catch (error) {
    throw new PackageRefused(
      `交换包无法解压：${(error as Error).message}`,
      `The package cannot be unzipped: ${(error as Error).message}`,
    )
  }
  const manifest = await readManifest(zip)
  const records = new Map<string, unknown[]>()
  for (const file of manifest.files) {
    const entry = zip.file(file.path)
    if (!entry) throw missing(file.path)
    const text = await entry.async('nodebuffer')
    if (sha256(text) !== file.sha256) {
      throw new PackageRefused(
        `交换包校验失败：${file.path} 的 sha256 与清单不符`,
        `Checksum mismatch: ${file.path} does not match the sha256 in the manifest`,
      )
    }
    const lines = text
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0)
    if (lines.length !== file.records) {
      throw new PackageRefused(
        `交换包不完整：${file.path} 有 ${lines.length} 条记录，清单写 ${file.records} 条`,
        `Incomplete package: ${file.path} holds ${lines.length} records, the manifest says ${file.records}`,
      )
    }
    records.set(file.kind, lines.map(parseLine(file.path)))
  }
  return { manifest, sha256: digest, records }
}

function verifyDigest(bytes: Buffer): string {
  const end = bytes.length - DIGEST_HEX_LENGTH - END_RECORD_BYTES
  const sealed =
    end >= 0 &&
    bytes.readUInt32LE(end) === END_OF_DIRECTORY &&
    bytes.readUInt16LE(end + 20) === DIGEST_HEX_LENGTH
  if (!sealed) {
    throw new PackageRefused(
      '这不是 CityCheck 数据交换包（缺少封存校验和）',
      'Not a CityCheck exchange package: the sealing checksum is missing',
    )
  }
  const body = bytes.subarray(0, bytes.length - DIGEST_HEX_LENGTH)
  const stated = bytes.subarray(bytes.length - DIGEST_HEX_LENGTH).toString('ascii')
  const actual = sha256(body)
  if (stated !== actual) {
    throw new PackageRefused(
      '交换包校验失败：文件已被改动或损坏',
      'Checksum mismatch: the package was altered or damaged',
    )
  }
  return actual
}

async function readManifest(zip: JSZip): Promise<Manifest> {
  const entry = zip.file('manifest.json')
  if (!entry) throw missing('manifest.json')
  let manifest: Manifest
  try {
    manifest = JSON.parse(await entry.async('string')) as Manifest
  } catch {
    throw new PackageRefused('manifest.json 不是有效的 JSON', 'manifest.json is not valid JSON')
  }
  if (manifest.format !== FORMAT) {
    throw new PackageRefused(
      `不支持的交换包格式：${String(manifest.format)}`,
      `Unsupported package format: ${String(manifest.format)}`,
    )
  }
  if (!versionAccepted(String(manifest.formatVersion))) {
    throw new PackageRefused(
      `不支持的交换包格式版本 ${String(manifest.formatVersion)}（本系统支持 ${FORMAT_VERSION} 及以下的同主版本）`,
      `Unsupported package format version ${String(manifest.formatVersion)} (this install reads ${FORMAT_VERSION} and earlier minors of its major)`,
    )
  }
  if (!Array.isArray(manifest.files) || typeof manifest.producer?.install !== 'string') {
    throw new PackageRefused('manifest.json 缺少必需字段', 'manifest.json lacks required fields')
  }
  return manifest
}

export function versionAccepted(version: string): boolean {
  const [major, minor] = version.split('.').map(Number)
  const [ourMajor, ourMinor] = FORMAT_VERSION.split('.').map(Number)
  return major === ourMajor && minor !== undefined && Number.isInteger(minor) && minor <= (ourMinor ?? 0)
}

function missing(path: string): PackageRefused {
  return new PackageRefused(`交换包缺少文件 ${path}`, `The package lacks ${path}`)
}

function parseLine(path: string): (line: string, index: number) => unknown {
  return (line, index) => {
    try {
      return JSON.parse(line)
    } catch {
      throw new PackageRefused(
        `${path} 第 ${index + 1} 行不是有效的 JSON`,
        `${path} line ${index + 1} is not valid JSON`,
      )
    }
  }
}
