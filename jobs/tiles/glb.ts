/** Minimal GLB container encode/decode (glTF 2.0 binary, one JSON and one BIN chunk). */

import { TilesError } from './errors.ts'

const GLB_MAGIC = 0x46546c67
const CHUNK_JSON = 0x4e4f534a
const CHUNK_BIN = 0x004e4942

export class GlbFormatError extends TilesError {
  override name = 'GlbFormatError'
}

/**
 * Lays out binary blocks in one buffer. Every block starts on an 8-byte boundary because
 * EXT_structural_metadata requires it for property-table buffer views, and it keeps every
 * accessor aligned to its component size.
 */
export class BinLayout {
  private readonly blocks: { data: ArrayBufferView; offset: number }[] = []
  byteLength = 0

  /** Reserves space for `data` (copied at encode time) and returns its offset. */
  add(data: ArrayBufferView): number {
    const offset = this.byteLength
    this.blocks.push({ data, offset })
    this.byteLength = align(offset + data.byteLength, 8)
    return offset
  }

  copyInto(target: Uint8Array, at: number): void {
    for (const { data, offset } of this.blocks) {
      target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at + offset)
    }
  }
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to
}

/**
 * Encodes a GLB. The JSON chunk is space-padded so the BIN payload starts at a file offset
 * that is a multiple of 8, letting readers view it with typed arrays in place.
 */
export function encodeGlb(json: unknown, bin: BinLayout): Buffer {
  const jsonBytes = Buffer.from(JSON.stringify(json), 'utf8')
  let jsonLength = align(jsonBytes.length, 4)
  if ((20 + jsonLength + 8) % 8 !== 0) jsonLength += 4
  const binLength = bin.byteLength
  const total = 12 + 8 + jsonLength + (binLength > 0 ? 8 + binLength : 0)
  const out = Buffer.alloc(total)
  out.writeUInt32LE(GLB_MAGIC, 0)
  out.writeUInt32LE(2, 4)
  out.writeUInt32LE(total, 8)
  out.writeUInt32LE(jsonLength, 12)
  out.writeUInt32LE(CHUNK_JSON, 16)
  jsonBytes.copy(out, 20)
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLength)
  if (binLength > 0) {
    const binHeader = 20 + jsonLength
    out.writeUInt32LE(binLength, binHeader)
    out.writeUInt32LE(CHUNK_BIN, binHeader + 4)
    bin.copyInto(out, binHeader + 8)
  }
  return out
}

export interface DecodedGlb {
  // biome-ignore lint/suspicious/noExplicitAny: glTF JSON is open-ended; readers narrow what they use
  json: any
  bin: Uint8Array
}

export function decodeGlb(bytes: Uint8Array): DecodedGlb {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.byteLength < 20 || view.getUint32(0, true) !== GLB_MAGIC) throw new GlbFormatError('not a GLB')
  if (view.getUint32(4, true) !== 2) throw new GlbFormatError('unsupported GLB version')
  const jsonLength = view.getUint32(12, true)
  if (view.getUint32(16, true) !== CHUNK_JSON) throw new GlbFormatError('first chunk is not JSON')
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)))
  let bin: Uint8Array = new Uint8Array(0)
  const binHeader = 20 + jsonLength
  if (binHeader + 8 <= bytes.byteLength && view.getUint32(binHeader + 4, true) === CHUNK_BIN) {
    const binLength = view.getUint32(binHeader, true)
    bin = bytes.subarray(binHeader + 8, binHeader + 8 + binLength)
  }
  return { json, bin }
}

const COMPONENT_ARRAYS = {
  5120: Int8Array,
  5121: Uint8Array,
  5122: Int16Array,
  5123: Uint16Array,
  5125: Uint32Array,
  5126: Float32Array,
} as const

const TYPE_SIZES: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT4: 16 }

export type ComponentArray = InstanceType<(typeof COMPONENT_ARRAYS)[keyof typeof COMPONENT_ARRAYS]>

/** Copies a (tightly packed) buffer view of the BIN chunk into a typed array of `componentType`. */
export function readBufferView(glb: DecodedGlb, bufferView: number, componentType: number): ComponentArray {
  const bv = glb.json.bufferViews[bufferView]
  const Ctor = COMPONENT_ARRAYS[componentType as keyof typeof COMPONENT_ARRAYS]
  if (!bv || !Ctor) throw new GlbFormatError(`cannot read bufferView ${bufferView}`)
  const start = bv.byteOffset ?? 0
  return new Ctor(copyBytes(glb.bin, start, bv.byteLength).buffer, 0, bv.byteLength / Ctor.BYTES_PER_ELEMENT)
}

/** Reads a non-interleaved accessor as a flat typed array (count × components). */
export function readAccessor(glb: DecodedGlb, accessor: number): ComponentArray {
  const acc = glb.json.accessors[accessor]
  const Ctor = COMPONENT_ARRAYS[acc?.componentType as keyof typeof COMPONENT_ARRAYS]
  const size = TYPE_SIZES[acc?.type as string]
  if (!acc || !Ctor || !size) throw new GlbFormatError(`cannot read accessor ${accessor}`)
  const bv = glb.json.bufferViews[acc.bufferView]
  const start = (bv.byteOffset ?? 0) + (acc.byteOffset ?? 0)
  const length = acc.count * size
  return new Ctor(copyBytes(glb.bin, start, length * Ctor.BYTES_PER_ELEMENT).buffer, 0, length)
}

/** Copies into a fresh, aligned ArrayBuffer; `Buffer#slice` would alias Node's shared pool. */
function copyBytes(src: Uint8Array, start: number, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length)
  out.set(src.subarray(start, start + length))
  return out
}
