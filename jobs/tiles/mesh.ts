import earcut from 'earcut'
import { FlatFootprint, flattenFootprint } from './flat-footprint.ts'
import { flattenWkb } from './footprint-wkb.ts'
import { DEG_TO_RAD, type EnuFrame, WGS84_A_M, WGS84_E2 } from './geodesy.ts'
import type { Region, TileBuilding } from './types.ts'

/** What the mesh needs of a building besides its footprint. */
type Extrusion = Pick<TileBuilding, 'baseM' | 'heightM'>

/** Consecutive footprint vertices closer than this are merged (float32 resolves ~0.1 mm). */
const MERGE_DISTANCE_M = 1e-3
/** Rings with less area are dropped as degenerate. */
const MIN_RING_AREA_M2 = 0.01

/**
 * Geometry of one tile in glTF axes (y up): position = (east, up, -north) in the tile's ENU
 * frame, so that the y-up→z-up rotation 3D Tiles applies to glTF content turns it back into
 * ENU before `tile.transform` (ENU→ECEF) places it on the globe.
 */
export interface TileMesh {
  positions: Float32Array
  featureIds: Float32Array
  indices: Uint32Array
  vertexCount: number
  positionMin: [number, number, number]
  positionMax: [number, number, number]
  /** Bounds of the emitted vertices (unpadded), or null when nothing was emitted. */
  region: Region | null
  /** Largest absolute local coordinate, to size the float32 rounding margin. */
  maxAbsCoordM: number
}

type Scratch = Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer>

/** `a` when it holds `need` elements, else a copy of it at least twice as long. */
function grow<T extends Scratch>(a: T, need: number): T {
  if (need <= a.length) return a
  const b = new (a.constructor as new (length: number) => T)(Math.max(need, a.length * 2))
  b.set(a as ArrayLike<number>)
  return b
}

/**
 * Builds extruded LOD1 geometry for the buildings of one tile into reusable typed buffers.
 * A builder is reused across tiles: `begin` resets it, `finish` returns views of its buffers
 * that stay valid until the next `begin`.
 */
export class TileMeshBuilder {
  private positions = new Float32Array(3 * 65536)
  private featureIds = new Float32Array(65536)
  private indices = new Uint32Array(3 * 65536)
  private vertexCount = 0
  private indexCount = 0

  // Per-polygon scratch: ENU base and top of every ring vertex, and the base xy for triangulation.
  private base = new Float64Array(3 * 256)
  private top = new Float64Array(3 * 256)
  private xy = new Float64Array(2 * 256)
  private ringStarts: number[] = []
  /** West, south, east, north (radians) of the tile's region with the polygon being loaded. */
  private readonly polygonBounds = new Float64Array(4)
  /** The footprint being meshed. */
  private readonly flat = new FlatFootprint()

  private frame: EnuFrame | null = null
  private west = 0
  private south = 0
  private east = 0
  private north = 0
  private minH = 0
  private maxH = 0

  begin(frame: EnuFrame): void {
    this.frame = frame
    this.vertexCount = 0
    this.indexCount = 0
    this.west = Number.POSITIVE_INFINITY
    this.south = Number.POSITIVE_INFINITY
    this.east = Number.NEGATIVE_INFINITY
    this.north = Number.NEGATIVE_INFINITY
    this.minH = Number.POSITIVE_INFINITY
    this.maxH = Number.NEGATIVE_INFINITY
  }

  /**
   * Appends one building with the given feature id. Returns null on success or the reason it
   * was skipped (then nothing was appended). Coordinates must already be finite lon/lat.
   */
  addBuilding(b: TileBuilding, featureId: number): string | null {
    return this.addFootprint(flattenFootprint(b.footprint, this.flat), b, featureId)
  }

  /** {@link addBuilding} for a footprint given as WKB (a Polygon or MultiPolygon). */
  addWkb(wkb: Uint8Array, b: Extrusion, featureId: number): string | null {
    return this.addFootprint(flattenWkb(wkb, this.flat), b, featureId)
  }

  private addFootprint(footprint: FlatFootprint, b: Extrusion, featureId: number): string | null {
    if (!Number.isFinite(b.baseM)) return 'baseM is not finite'
    if (!(b.heightM > 0 && Number.isFinite(b.heightM))) return 'heightM is not a positive number'
    let emitted = false
    let ring = 0
    for (const rings of footprint.polygonRings) {
      if (this.loadPolygon(footprint, ring, ring + rings, b.baseM, b.baseM + b.heightM)) {
        this.emitPolygon(featureId)
        emitted = true
      }
      ring += rings
    }
    if (!emitted) return 'degenerate footprint'
    if (b.baseM < this.minH) this.minH = b.baseM
    if (b.baseM + b.heightM > this.maxH) this.maxH = b.baseM + b.heightM
    return null
  }

  /**
   * Projects a polygon's rings (`firstRing` up to `endRing` of `footprint`) into the scratch arrays (merged
   * duplicates, closing vertex dropped, outer ring counter-clockwise and holes clockwise seen from above).
   * Degenerate holes are dropped; returns false when the outer ring is degenerate.
   */
  private loadPolygon(
    footprint: FlatFootprint,
    firstRing: number,
    endRing: number,
    baseM: number,
    topM: number,
  ): boolean {
    const starts = this.ringStarts
    starts.length = 0
    const bounds = this.polygonBounds
    bounds[0] = this.west
    bounds[1] = this.south
    bounds[2] = this.east
    bounds[3] = this.north
    let count = 0
    for (let r = firstRing; r < endRing; r++) {
      const from = r === 0 ? 0 : footprint.ringEnds[r - 1]!
      const to = footprint.ringEnds[r]!
      const start = count
      this.reserveScratch(count + to - from)
      count = this.trimClosingVertices(
        start,
        this.projectRing(footprint.coords, from, to, start, baseM, topM - baseM),
      )
      const area = count - start >= 3 ? this.ringArea(start, count) : 0
      if (Math.abs(area) < MIN_RING_AREA_M2) {
        count = start
        if (r === firstRing) return false
        continue
      }
      if (r === firstRing ? area < 0 : area > 0) this.reverseRange(start, count)
      starts.push(start)
    }
    if (starts.length === 0) return false
    starts.push(count)
    // Only a drawn polygon widens the tile's region; a dropped one leaves it as it was.
    this.west = bounds[0]
    this.south = bounds[1]
    this.east = bounds[2]
    this.north = bounds[3]
    return true
  }

  private reserveScratch(vertices: number): void {
    if (3 * vertices <= this.base.length) return
    this.base = grow(this.base, 3 * vertices)
    this.top = grow(this.top, 3 * vertices)
    this.xy = grow(this.xy, 2 * vertices)
  }

  /**
   * Writes the ENU base and top of each position `from` up to `to` of `coords` from scratch index `start`, skipping vertices closer than
   * MERGE_DISTANCE_M to the previous one, and widens `polygonBounds` (radians). Returns the end index.
   */
  private projectRing(
    coords: Float64Array,
    from: number,
    to: number,
    start: number,
    baseM: number,
    heightM: number,
  ): number {
    const [ox, oy, oz] = this.frame!.origin
    const [ex, ey] = this.frame!.east
    const [nx, ny, nz] = this.frame!.north
    const [ux, uy, uz] = this.frame!.up
    const { base, top, xy, polygonBounds: bounds } = this
    let count = start
    for (let k = from; k < to; k++) {
      const lonRad = coords[2 * k]! * DEG_TO_RAD
      const latRad = coords[2 * k + 1]! * DEG_TO_RAD
      const sinLat = Math.sin(latRad)
      const cosLat = Math.cos(latRad)
      const sinLon = Math.sin(lonRad)
      const cosLon = Math.cos(lonRad)
      const primeVerticalM = WGS84_A_M / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat)
      const rb = (primeVerticalM + baseM) * cosLat
      const dx = rb * cosLon - ox
      const dy = rb * sinLon - oy
      const dz = (primeVerticalM * (1 - WGS84_E2) + baseM) * sinLat - oz
      const be = ex * dx + ey * dy
      const bn = nx * dx + ny * dy + nz * dz
      if (count > start) {
        const pe = xy[2 * count - 2]! - be
        const pn = xy[2 * count - 1]! - bn
        if (pe * pe + pn * pn < MERGE_DISTANCE_M * MERGE_DISTANCE_M) continue
      }
      const bu = ux * dx + uy * dy + uz * dz
      // Top = base moved along the ellipsoid normal, which is exactly geodetic height + heightM.
      const upE = cosLat * (ex * cosLon + ey * sinLon)
      const upN = cosLat * (nx * cosLon + ny * sinLon) + nz * sinLat
      const upU = cosLat * (ux * cosLon + uy * sinLon) + uz * sinLat
      base[3 * count] = be
      base[3 * count + 1] = bn
      base[3 * count + 2] = bu
      top[3 * count] = be + heightM * upE
      top[3 * count + 1] = bn + heightM * upN
      top[3 * count + 2] = bu + heightM * upU
      xy[2 * count] = be
      xy[2 * count + 1] = bn
      if (lonRad < bounds[0]!) bounds[0] = lonRad
      if (latRad < bounds[1]!) bounds[1] = latRad
      if (lonRad > bounds[2]!) bounds[2] = lonRad
      if (latRad > bounds[3]!) bounds[3] = latRad
      count++
    }
    return count
  }

  /** Closed rings repeat the first vertex; unclosed ones may end next to it. Returns the new end index. */
  private trimClosingVertices(start: number, end: number): number {
    const xy = this.xy
    let count = end
    while (count - start > 1) {
      const de = xy[2 * count - 2]! - xy[2 * start]!
      const dn = xy[2 * count - 1]! - xy[2 * start + 1]!
      if (de * de + dn * dn >= MERGE_DISTANCE_M * MERGE_DISTANCE_M) break
      count--
    }
    return count
  }

  private ringArea(start: number, end: number): number {
    const xy = this.xy
    let twice = 0
    for (let i = start, j = end - 1; i < end; j = i++) {
      twice += xy[2 * j]! * xy[2 * i + 1]! - xy[2 * i]! * xy[2 * j + 1]!
    }
    return twice / 2
  }

  private reverseRange(start: number, end: number): void {
    const { base, top, xy } = this
    for (let i = start, j = end - 1; i < j; i++, j--) {
      for (let k = 0; k < 3; k++) {
        const tb = base[3 * i + k]!
        base[3 * i + k] = base[3 * j + k]!
        base[3 * j + k] = tb
        const tt = top[3 * i + k]!
        top[3 * i + k] = top[3 * j + k]!
        top[3 * j + k] = tt
      }
      for (let k = 0; k < 2; k++) {
        const t = xy[2 * i + k]!
        xy[2 * i + k] = xy[2 * j + k]!
        xy[2 * j + k] = t
      }
    }
  }

  private ensure(vertices: number, indices: number): void {
    const v = this.vertexCount + vertices
    if (3 * v > this.positions.length) {
      this.positions = grow(this.positions, 3 * v)
      this.featureIds = grow(this.featureIds, v)
    }
    this.indices = grow(this.indices, this.indexCount + indices)
  }

  /** Writes a vertex given in ENU, converting to glTF axes (east, up, -north). */
  private vertex(e: number, n: number, u: number, featureId: number): void {
    const v = this.vertexCount++
    const p = this.positions
    p[3 * v] = e
    p[3 * v + 1] = u
    p[3 * v + 2] = -n
    this.featureIds[v] = featureId
  }

  /**
   * The polygon's base and top rings as vertices (walls, roof and floor share them: without normals a corner is
   * one vertex), then one quad per ring edge, the roof and the floor. Outer rings run counter-clockwise and holes
   * clockwise seen from above, so a wall's triangles (base i, base j, top j) and (base i, top j, top i) face out.
   */
  private emitPolygon(featureId: number): void {
    const starts = this.ringStarts
    const total = starts[starts.length - 1]!
    const { base, top } = this
    // earcut emits counter-clockwise triangles (seen from above) whatever the rings' order.
    const tris = earcut(this.xy.subarray(0, 2 * total), starts.slice(1, -1))
    this.ensure(2 * total, 6 * total + 2 * tris.length)
    const b = this.vertexCount
    for (let i = 0; i < total; i++) this.vertex(base[3 * i]!, base[3 * i + 1]!, base[3 * i + 2]!, featureId)
    const t = this.vertexCount
    for (let i = 0; i < total; i++) this.vertex(top[3 * i]!, top[3 * i + 1]!, top[3 * i + 2]!, featureId)
    let k = this.indexCount
    for (let r = 0; r + 1 < starts.length; r++) {
      const start = starts[r]!
      const end = starts[r + 1]!
      for (let i = start; i < end; i++) {
        const j = i + 1 < end ? i + 1 : start
        k = this.triangle(k, b + i, b + j, t + j)
        k = this.triangle(k, b + i, t + j, t + i)
      }
    }
    for (let q = 0; q < tris.length; q += 3) {
      k = this.triangle(k, t + tris[q]!, t + tris[q + 1]!, t + tris[q + 2]!)
      // The floor faces down, so its winding is reversed.
      k = this.triangle(k, b + tris[q]!, b + tris[q + 2]!, b + tris[q + 1]!)
    }
    this.indexCount = k
  }

  /** Writes a triangle's indices from position `k`; returns the position after them. */
  private triangle(k: number, v0: number, v1: number, v2: number): number {
    const ix = this.indices
    ix[k] = v0
    ix[k + 1] = v1
    ix[k + 2] = v2
    return k + 3
  }

  finish(): TileMesh {
    const n = this.vertexCount
    const positions = this.positions.subarray(0, 3 * n)
    // Scalars rather than indexed arrays: this loop runs over every vertex of a city.
    let minX = Number.POSITIVE_INFINITY
    let minY = Number.POSITIVE_INFINITY
    let minZ = Number.POSITIVE_INFINITY
    let maxX = Number.NEGATIVE_INFINITY
    let maxY = Number.NEGATIVE_INFINITY
    let maxZ = Number.NEGATIVE_INFINITY
    for (let i = 0; i < 3 * n; i += 3) {
      const x = positions[i]!
      const y = positions[i + 1]!
      const z = positions[i + 2]!
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (z < minZ) minZ = z
      if (z > maxZ) maxZ = z
    }
    const min: [number, number, number] = [minX, minY, minZ]
    const max: [number, number, number] = [maxX, maxY, maxZ]
    const maxAbsCoordM = n > 0 ? Math.max(...min.map(Math.abs), ...max.map(Math.abs)) : 0
    return {
      positions,
      featureIds: this.featureIds.subarray(0, n),
      indices: this.indices.subarray(0, this.indexCount),
      vertexCount: n,
      positionMin: min,
      positionMax: max,
      region: n > 0 ? [this.west, this.south, this.east, this.north, this.minH, this.maxH] : null,
      maxAbsCoordM,
    }
  }
}
