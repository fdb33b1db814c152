import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import validator, { type ValidationReport } from 'gltf-validator'
import {
  ecefToGeodetic,
  multiplyMatrices,
  transformPoint,
  Y_UP_TO_Z_UP,
} from '../../../jobs/tiles/geodesy.ts'
import { type DecodedGlb, decodeGlb, readAccessor, readBufferView } from '../../../jobs/tiles/glb.ts'
import type { Footprint, Region, TileBuilding } from '../../../jobs/tiles/types.ts'

export const LON0_DEG = 121.49
export const LAT0_DEG = 31.24
const M_PER_DEG_LAT = 110_900
const M_PER_DEG_LON = 111_320 * Math.cos(LAT0_DEG * (Math.PI / 180))

const tempDirs: string[] = []

export function tempDir(prefix = 'citycheck-tiles-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** Deletes every directory made by {@link tempDir}; call from `afterAll`. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}

/** Deterministic pseudo-random numbers in [0, 1) so fixtures are reproducible. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

type RingM = [number, number][]

function toLonLat(ring: RingM, originLonDeg: number, originLatDeg: number, close: boolean): number[][] {
  const out = ring.map(([x, y]) => [originLonDeg + x / M_PER_DEG_LON, originLatDeg + y / M_PER_DEG_LAT])
  if (close) out.push([...out[0]!])
  return out
}

export type ShapeKind = 'rect' | 'rectUnclosed' | 'lShape' | 'courtyard' | 'multi' | 'clockwise' | 'uShape'
export const SHAPES: ShapeKind[] = [
  'rect',
  'rectUnclosed',
  'lShape',
  'courtyard',
  'multi',
  'clockwise',
  'uShape',
]

/** A counter-clockwise rectangle from its south-west to its north-east corner. */
const ccwRect = (x0: number, y0: number, x1: number, y1: number): RingM => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
]

/** A clockwise rectangle from its south-west to its north-east corner. */
const cwRect = (x0: number, y0: number, x1: number, y1: number): RingM => [
  [x0, y0],
  [x0, y1],
  [x1, y1],
  [x1, y0],
]

/** Each kind's polygons, rings unclosed in metres, `w` × `d` with the south-west corner at the origin. */
const SHAPE_POLYGONS: Record<ShapeKind, (w: number, d: number) => RingM[][]> = {
  rect: (w, d) => [[ccwRect(0, 0, w, d)]],
  rectUnclosed: (w, d) => [[ccwRect(0, 0, w, d)]],
  lShape: (w, d) => [
    [
      [
        [0, 0],
        [w, 0],
        [w, d / 2],
        [w / 2, d / 2],
        [w / 2, d],
        [0, d],
      ],
    ],
  ],
  courtyard: (w, d) => [[ccwRect(0, 0, w, d), cwRect(w / 4, d / 4, (3 * w) / 4, (3 * d) / 4)]],
  multi: (w, d) => [[ccwRect(0, 0, w / 3, d)], [ccwRect((2 * w) / 3, 0, w, d)]],
  clockwise: (w, d) => [[cwRect(0, 0, w, d)]],
  uShape: (w, d) => [
    [
      [
        [0, 0],
        [w, 0],
        [w, d],
        [(2 * w) / 3, d],
        [(2 * w) / 3, d / 3],
        [w / 3, d / 3],
        [w / 3, d],
        [0, d],
      ],
    ],
  ],
}

/** A footprint of the given kind, `w` × `d` metres, with its south-west corner at the origin. */
export function footprintOf(
  kind: ShapeKind,
  lonDeg: number,
  latDeg: number,
  w: number,
  d: number,
): Footprint {
  const close = kind !== 'rectUnclosed'
  const polygons = SHAPE_POLYGONS[kind](w, d).map((rings) =>
    rings.map((ring) => toLonLat(ring, lonDeg, latDeg, close)),
  )
  return kind === 'multi'
    ? { type: 'MultiPolygon', coordinates: polygons }
    : { type: 'Polygon', coordinates: polygons[0]! }
}

/** Footprint area in m² of a fixture shape (planar, as built). */
export function shapeAreaM2(kind: ShapeKind, w: number, d: number): number {
  switch (kind) {
    case 'lShape':
      return 0.75 * w * d
    case 'courtyard':
      return 0.75 * w * d
    case 'multi':
      return (2 / 3) * w * d
    case 'uShape':
      return w * d - (w / 3) * ((2 * d) / 3)
    default:
      return w * d
  }
}

export interface GridOptions {
  count: number
  firstId?: number
  spacingM?: number
  seed?: number
}

export interface Fixture {
  buildings: TileBuilding[]
  areaM2: Map<number, number>
}

/** Buildings on a square grid around (LON0_DEG, LAT0_DEG), cycling through every shape kind. */
export function gridBuildings(opts: GridOptions): Fixture {
  const rnd = lcg(opts.seed ?? 1)
  const spacingM = opts.spacingM ?? 40
  const side = Math.ceil(Math.sqrt(opts.count))
  const buildings: TileBuilding[] = []
  const areaM2 = new Map<number, number>()
  const uses = [
    'residential',
    'commercial',
    'office',
    'public',
    'industrial',
    'mixed',
    'other',
    'temple',
    null,
  ]
  for (let i = 0; i < opts.count; i++) {
    const id = (opts.firstId ?? 1) + i
    const col = i % side
    const row = Math.floor(i / side)
    const kind = SHAPES[i % SHAPES.length]!
    const w = 8 + rnd() * 25
    const d = 8 + rnd() * 25
    const lonDeg = LON0_DEG + ((col - side / 2) * spacingM) / M_PER_DEG_LON
    const latDeg = LAT0_DEG + ((row - side / 2) * spacingM) / M_PER_DEG_LAT
    const heightM = 3 + Math.round(rnd() * 1200) / 10
    buildings.push({
      id,
      footprint: footprintOf(kind, lonDeg, latDeg, w, d),
      baseM: 0,
      heightM,
      floors: i % 5 === 0 ? null : Math.max(1, Math.round(heightM / 3)),
      use: uses[i % uses.length]!,
      yearBuilt: i % 4 === 0 ? null : 1950 + (i % 70),
      openProblems: i % 6,
      worstSeverity: i % 4,
    })
    areaM2.set(id, shapeAreaM2(kind, w, d))
  }
  return { buildings, areaM2 }
}

export function lonLatBbox(f: Footprint): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  const polygons = f.type === 'Polygon' ? [f.coordinates] : f.coordinates
  for (const rings of polygons) {
    for (const ring of rings) {
      for (const p of ring) {
        box[0] = Math.min(box[0], p[0]!)
        box[1] = Math.min(box[1], p[1]!)
        box[2] = Math.max(box[2], p[0]!)
        box[3] = Math.max(box[3], p[1]!)
      }
    }
  }
  return box
}

export interface TileJson {
  boundingVolume: { region: Region }
  geometricError: number
  refine?: string
  transform?: number[]
  content?: { uri: string }
  children?: TileJson[]
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON under test
export function readTileset(dir: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, 'tileset.json'), 'utf8'))
}

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

export interface TileVisit {
  tile: TileJson
  parent: TileJson | null
  /** Product of `transform`s from the root down to this tile. */
  worldTransform: number[]
}

export function walkTiles(root: TileJson): TileVisit[] {
  const out: TileVisit[] = []
  const visit = (tile: TileJson, parent: TileJson | null, parentTransform: number[]) => {
    const worldTransform = tile.transform
      ? multiplyMatrices(parentTransform, tile.transform)
      : parentTransform
    out.push({ tile, parent, worldTransform })
    for (const child of tile.children ?? []) visit(child, tile, worldTransform)
  }
  visit(root, null, IDENTITY)
  return out
}

/** Local matrix of a glTF node (matrix, or translation·rotation·scale). */
// biome-ignore lint/suspicious/noExplicitAny: glTF node JSON
function nodeMatrix(node: any): number[] {
  if (node.matrix) return node.matrix
  const [tx, ty, tz] = node.translation ?? [0, 0, 0]
  const [qx, qy, qz, qw] = node.rotation ?? [0, 0, 0, 1]
  const [sx, sy, sz] = node.scale ?? [1, 1, 1]
  return [
    (1 - 2 * (qy * qy + qz * qz)) * sx,
    2 * (qx * qy + qz * qw) * sx,
    2 * (qx * qz - qy * qw) * sx,
    0,
    2 * (qx * qy - qz * qw) * sy,
    (1 - 2 * (qx * qx + qz * qz)) * sy,
    2 * (qy * qz + qx * qw) * sy,
    0,
    2 * (qx * qz + qy * qw) * sz,
    2 * (qy * qz - qx * qw) * sz,
    (1 - 2 * (qx * qx + qy * qy)) * sz,
    0,
    tx,
    ty,
    tz,
    1,
  ]
}

/** Matrix from glTF mesh coordinates of node 0's mesh to ECEF: tile · yUp→zUp · node chain. */
function meshToEcef(glb: DecodedGlb, tileWorld: number[]): number[] {
  const scene = glb.json.scenes[glb.json.scene ?? 0]
  let found: number[] | null = null
  const visit = (index: number, parent: number[]) => {
    const node = glb.json.nodes[index]
    const m = multiplyMatrices(parent, nodeMatrix(node))
    if (node.mesh === 0 && !found) found = m
    for (const c of node.children ?? []) visit(c, m)
  }
  for (const n of scene.nodes) visit(n, IDENTITY)
  if (!found) throw new Error('mesh 0 is not in the scene')
  return multiplyMatrices(multiplyMatrices(tileWorld, Y_UP_TO_Z_UP), found)
}

export interface DecodedTile {
  glb: DecodedGlb
  vertexCount: number
  /** glTF-space positions as stored (the tiles carry no normals: faces are shaded flat by the viewer). */
  positions: Float32Array
  indices: Uint32Array | Uint16Array
  featureIds: Float32Array
  /** Per vertex ECEF position (x, y, z) and geodetic (lonRad, latRad, heightM). */
  ecef: Float64Array
  carto: Float64Array
  /** Mesh-to-ECEF matrix (for directions use its upper 3x3). */
  toEcef: number[]
  /** Property table columns by property name. */
  // biome-ignore lint/suspicious/noExplicitAny: typed array per property
  columns: Record<string, any>
}

export function decodeTile(bytes: Uint8Array, tileWorld: number[]): DecodedTile {
  const glb = decodeGlb(bytes)
  const prim = glb.json.meshes[0].primitives[0]
  const positions = readAccessor(glb, prim.attributes.POSITION) as Float32Array
  if (prim.attributes.NORMAL !== undefined) throw new Error('a tile carries normals')
  const featureIds = readAccessor(glb, prim.attributes._FEATURE_ID_0) as Float32Array
  const indices = readAccessor(glb, prim.indices) as Uint32Array | Uint16Array
  const toEcef = meshToEcef(glb, tileWorld)
  const n = positions.length / 3
  const ecef = new Float64Array(3 * n)
  const carto = new Float64Array(3 * n)
  for (let i = 0; i < n; i++) {
    const p = transformPoint(toEcef, positions[3 * i]!, positions[3 * i + 1]!, positions[3 * i + 2]!)
    ecef.set(p, 3 * i)
    const c = ecefToGeodetic(p[0], p[1], p[2])
    carto[3 * i] = c.lonRad
    carto[3 * i + 1] = c.latRad
    carto[3 * i + 2] = c.heightM
  }
  const meta = glb.json.extensions.EXT_structural_metadata
  const table = meta.propertyTables[0]
  const classProps = meta.schema.classes[table.class].properties
  const componentTypes: Record<string, number> = {
    UINT8: 5121,
    INT16: 5122,
    UINT16: 5123,
    UINT32: 5125,
    FLOAT32: 5126,
  }
  const columns: Record<string, unknown> = {}
  for (const [name, prop] of Object.entries<{ values: number }>(table.properties)) {
    const def = classProps[name]
    const componentType =
      def.type === 'ENUM'
        ? componentTypes[meta.schema.enums[def.enumType].valueType]
        : componentTypes[def.componentType]
    columns[name] = readBufferView(glb, prop.values, componentType!)
  }
  return { glb, vertexCount: n, positions, indices, featureIds, ecef, carto, toEcef, columns }
}

export function validateGlbBytes(bytes: Uint8Array, uri: string): Promise<ValidationReport> {
  return validator.validateBytes(new Uint8Array(bytes), { uri, maxIssues: 0, writeTimestamp: false })
}

export function validateGlbFile(file: string): Promise<ValidationReport> {
  return validateGlbBytes(fs.readFileSync(file), path.basename(file))
}

export function formatIssues(report: ValidationReport): string {
  return report.issues.messages
    .map(
      (m) => `${['ERROR', 'WARNING', 'INFO', 'HINT'][m.severity]} ${m.code} ${m.pointer ?? ''}: ${m.message}`,
    )
    .join('\n')
}

export function regionContains(outer: Region, inner: Region, eps = 1e-12): boolean {
  return (
    inner[0] >= outer[0] - eps &&
    inner[1] >= outer[1] - eps &&
    inner[2] <= outer[2] + eps &&
    inner[3] <= outer[3] + eps &&
    inner[4] >= outer[4] - 1e-9 &&
    inner[5] <= outer[5] + 1e-9
  )
}
