/**
 * A massing's summary: the groups its boxes were made of, written beside its GLB so an update recomputes only the
 * boxes it touches (ADR 0008). Binary rather than JSON: a city's build writes a summary for every massing, each
 * listing every building below it, and formatting those numbers as text was a tenth of the build's thread time.
 *
 * Layout (typed arrays in the machine's order: little-endian on x86 and ARM): the byte length of a JSON header, the
 * header (the version, the group, use and id counts and the use names) padded to 8 bytes, then one Float64Array —
 * each group's cell and {@link NUMBERS}, then each use entry's area — and one Uint32Array — each group's use-entry
 * and id counts, then each use entry's name index, then the ids. Every number is stored as it was, so a summary read
 * back gives the same boxes byte for byte.
 */
import type { MassingGroup, MassingGroups } from './massing.ts'

const VERSION = 2
const NUMBERS = [
  'west',
  'south',
  'east',
  'north',
  'minBase',
  'minTop',
  'maxTop',
  'area',
  'topArea',
  'count',
  'yearArea',
  'yearWeight',
  'floorsArea',
  'floorsWeight',
  'openProblems',
  'worstSeverity',
] as const satisfies readonly (keyof MassingGroup)[]
const STRIDE = 1 + NUMBERS.length

interface Header {
  version: number
  groups: number
  useEntries: number
  ids: number
  useNames: (string | null)[]
}

export class MassingSummaryError extends Error {
  override name = 'MassingSummaryError'
}

const align8 = (n: number) => Math.ceil(n / 8) * 8

export function encodeMassingSummary(groups: MassingGroups): Uint8Array {
  const sorted = [...groups].sort(([a], [b]) => a - b)
  const useNames: (string | null)[] = []
  const nameIndex = new Map<string | null, number>()
  let useEntries = 0
  let ids = 0
  for (const [, g] of sorted) {
    useEntries += g.useArea.length
    ids += g.ids.length
    for (const [use] of g.useArea) {
      if (!nameIndex.has(use)) nameIndex.set(use, useNames.push(use) - 1)
    }
  }
  const header: Header = { version: VERSION, groups: sorted.length, useEntries, ids, useNames }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const floatsAt = align8(4 + json.length)
  const floats = new Float64Array(sorted.length * STRIDE + useEntries)
  const uints = new Uint32Array(2 * sorted.length + useEntries + ids)
  let f = sorted.length * STRIDE
  let u = 2 * sorted.length
  sorted.forEach(([cell, g], k) => {
    floats[k * STRIDE] = cell
    NUMBERS.forEach((name, n) => {
      floats[k * STRIDE + 1 + n] = g[name]
    })
    uints[2 * k] = g.useArea.length
    uints[2 * k + 1] = g.ids.length
    for (const [use, area] of g.useArea) {
      floats[f++] = area
      uints[u++] = nameIndex.get(use)!
    }
  })
  for (const [, g] of sorted) for (const id of g.ids) uints[u++] = id
  const out = Buffer.alloc(floatsAt + floats.byteLength + uints.byteLength)
  new DataView(out.buffer, out.byteOffset).setUint32(0, json.length, true)
  json.copy(out, 4)
  out.set(new Uint8Array(floats.buffer), floatsAt)
  out.set(new Uint8Array(uints.buffer), floatsAt + floats.byteLength)
  return out
}

/** @throws MassingSummaryError when `bytes` are not a summary of this version. */
export function decodeMassingSummary(bytes: Uint8Array): MassingGroups {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let header: Header
  try {
    const length = view.getUint32(0, true)
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 4, length).toString('utf8'))
  } catch {
    throw new MassingSummaryError('not a massing summary')
  }
  if (header.version !== VERSION) throw new MassingSummaryError(`massing summary version ${header.version}`)
  const floatsAt = align8(4 + view.getUint32(0, true))
  const floatCount = header.groups * STRIDE + header.useEntries
  const uintCount = 2 * header.groups + header.useEntries + header.ids
  if (bytes.byteLength !== floatsAt + 8 * floatCount + 4 * uintCount)
    throw new MassingSummaryError('a massing summary of the wrong length')
  // Copied: a file's bytes need not sit at an offset a Float64Array can view.
  const floats = new Float64Array(floatCount)
  new Uint8Array(floats.buffer).set(bytes.subarray(floatsAt, floatsAt + 8 * floatCount))
  const uints = new Uint32Array(uintCount)
  new Uint8Array(uints.buffer).set(bytes.subarray(floatsAt + 8 * floatCount))
  const groups: MassingGroups = new Map()
  let f = header.groups * STRIDE
  let u = 2 * header.groups
  let id = 2 * header.groups + header.useEntries
  for (let k = 0; k < header.groups; k++) {
    const at = k * STRIDE
    const numbers = Object.fromEntries(NUMBERS.map((name, n) => [name, floats[at + 1 + n]!]))
    const useArea: [string | null, number][] = []
    for (let e = 0; e < uints[2 * k]!; e++) useArea.push([header.useNames[uints[u++]!]!, floats[f++]!])
    const ids = Array.from(uints.subarray(id, id + uints[2 * k + 1]!))
    id += ids.length
    groups.set(floats[at]!, { ...(numbers as Record<(typeof NUMBERS)[number], number>), useArea, ids })
  }
  return groups
}
