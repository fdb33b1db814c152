/**
 * Plane geometry of one block, in projected metres: the block is cut into parcels (the compounds), each parcel
 * gets buildings packed in rows and columns, and the gaps between them carry the footpaths.
 */

import type { Random } from './random.ts'

export type Xy = [number, number]

export interface Rect {
  x0: number
  y0: number
  x1: number
  y1: number
}

/** Rounds to a number of decimals; stored figures carry no more precision than the model has. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

export const rectWidth = (r: Rect): number => r.x1 - r.x0
export const rectHeight = (r: Rect): number => r.y1 - r.y0
export const rectArea = (r: Rect): number => rectWidth(r) * rectHeight(r)
export const rectCentre = (r: Rect): Xy => [(r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2]

export function shrinkRect(r: Rect, byM: number): Rect {
  return { x0: r.x0 + byM, y0: r.y0 + byM, x1: r.x1 - byM, y1: r.y1 - byM }
}

/** Counter-clockwise closed ring of a rectangle (RFC 7946 exterior orientation). */
export function rectRing(r: Rect): Xy[] {
  return [
    [r.x0, r.y0],
    [r.x1, r.y0],
    [r.x1, r.y1],
    [r.x0, r.y1],
    [r.x0, r.y0],
  ]
}

/** Width of the lane (fire lane, internal branch road) left between neighbouring parcels of a block. */
export const PARCEL_LANE_M = 10

/**
 * Cuts a block into 1–6 parcels: at most one cut across the longer side, then each half into strips across
 * the other. Every strip spans from the middle cut to the block's outer side, so every parcel has a street
 * frontage for its gate.
 */
export function subdivideBlock(block: Rect, rng: Random): Rect[] {
  const wide = rectWidth(block) >= rectHeight(block)
  const longSide = wide ? rectWidth(block) : rectHeight(block)
  const halves: Rect[] = []
  if (longSide > 240 && rng.chance(0.85)) {
    const cut = rng.range(0.4, 0.6) * longSide
    const half = PARCEL_LANE_M / 2
    if (wide) {
      const x = block.x0 + cut
      halves.push({ ...block, x1: x - half }, { ...block, x0: x + half })
    } else {
      const y = block.y0 + cut
      halves.push({ ...block, y1: y - half }, { ...block, y0: y + half })
    }
  } else {
    halves.push(block)
  }
  const parcels: Rect[] = []
  for (const half of halves) {
    const side = wide ? rectHeight(half) : rectWidth(half)
    const strips = Math.max(1, Math.min(3, Math.round(side / rng.range(110, 190))))
    const usable = side - PARCEL_LANE_M * (strips - 1)
    const weights: number[] = []
    for (let s = 0; s < strips; s++) weights.push(rng.range(0.8, 1.2))
    const sum = weights.reduce((a, b) => a + b, 0)
    let at = wide ? half.y0 : half.x0
    for (let s = 0; s < strips; s++) {
      const size = ((weights[s] as number) / sum) * usable
      const end = s === strips - 1 ? (wide ? half.y1 : half.x1) : at + size
      parcels.push(wide ? { ...half, y0: at, y1: end } : { ...half, x0: at, x1: end })
      at = end + PARCEL_LANE_M
    }
  }
  return parcels
}

/** How the buildings of one parcel look and how densely they are packed. */
export interface LayoutStyle {
  /** Distance from the parcel boundary (wall) to the nearest building. */
  setbackM: number
  lengthM: [number, number]
  depthM: [number, number]
  /** Gap between columns of buildings. */
  gapXM: [number, number]
  /** Gap between rows: `gapYFactor` × building height (sunlight spacing), clamped to `gapYM`. */
  gapYFactor: number
  gapYM: [number, number]
  floors: [number, number]
  /** Floors vary around the compound's base by this many (the base is drawn once per parcel). */
  floorJitter: number
  lShapeChance: number
  /** Share of grid cells left empty (greens, courts, car parks). */
  skipChance: number
  /** Largest ratio of floor area to parcel area (容积率), enforced by dropping buildings. */
  maxFloorAreaRatio: number
  /** 'planned': one orientation per compound, often due south; 'organic': each building on its own. */
  rotation: 'planned' | 'organic'
  /** Lay buildings out in the northern share of the parcel only (schools keep their sports field south). */
  northShare?: number
  maxBuildings?: number
}

export interface BuildingShape {
  /** Closed, counter-clockwise ring in metres. */
  ring: Xy[]
  /** A point inside the footprint (the centre of its largest rectangle, also for L-shapes). */
  inside: Xy
  areaM2: number
  floors: number
  lShape: boolean
}

export interface ParcelLayout {
  buildings: BuildingShape[]
  /** x positions of north–south corridors free of buildings (margins and column gaps), west to east. */
  corridorsX: number[]
  /** y positions of east–west corridors free of buildings, south to north. */
  corridorsY: number[]
}

const DEG = Math.PI / 180

function rotationOf(style: LayoutStyle, rng: Random): number {
  if (style.rotation === 'organic') return rng.range(-6, 6) * DEG
  const r = rng.next()
  const sign = rng.chance(0.5) ? 1 : -1
  // Most compounds face due south for sunlight; some follow a river or an older street pattern.
  if (r < 0.6) return 0
  if (r < 0.9) return sign * rng.range(3, 15) * DEG
  return sign * rng.range(20, 40) * DEG
}

function boundingSize(lengthM: number, depthM: number, angle: number): [number, number] {
  const c = Math.abs(Math.cos(angle))
  const s = Math.abs(Math.sin(angle))
  return [lengthM * c + depthM * s, lengthM * s + depthM * c]
}

/** A rectangle or L-shape centred on the origin, rotated by `angle`, moved to `centre`. */
function makeShape(
  lengthM: number,
  depthM: number,
  angle: number,
  centre: Xy,
  notch: { a: number; b: number; sx: number; sy: number } | undefined,
): Omit<BuildingShape, 'floors'> {
  const hl = lengthM / 2
  const hd = depthM / 2
  let local: Xy[]
  let inside: Xy = [0, 0]
  let areaM2 = lengthM * depthM
  if (notch) {
    const { a, b, sx, sy } = notch
    // Built for a notch in the (+x, +y) corner, then mirrored; one mirror flips the winding, so reverse it.
    local = [
      [-hl, -hd],
      [hl, -hd],
      [hl, hd - b],
      [hl - a, hd - b],
      [hl - a, hd],
      [-hl, hd],
    ]
    local = local.map(([x, y]) => [x * sx, y * sy] as Xy)
    if (sx * sy < 0) local.reverse()
    inside = [(-a / 2) * sx, 0]
    areaM2 -= a * b
  } else {
    local = [
      [-hl, -hd],
      [hl, -hd],
      [hl, hd],
      [-hl, hd],
    ]
  }
  const c = Math.cos(angle)
  const s = Math.sin(angle)
  const place = ([x, y]: Xy): Xy => [centre[0] + x * c - y * s, centre[1] + x * s + y * c]
  const ring = local.map(place)
  ring.push(ring[0] as Xy)
  return { ring, inside: place(inside), areaM2, lShape: notch !== undefined }
}

/** The grid a parcel's buildings are packed in: one cell per building, sized to the rotated footprint. */
interface PackingGrid {
  angle: number
  lengthM: number
  depthM: number
  baseFloors: number
  gapX: number
  gapY: number
  /** Width and height of a cell: the bounding box of the rotated footprint. */
  bw: number
  bh: number
  cols: number
  rows: number
  gridW: number
  gridH: number
  /** South-west corner of the grid. */
  gx0: number
  gy0: number
}

/**
 * Packs buildings into a parcel in a grid of equal cells sized to the rotated footprint plus spacing, varies
 * each building within its cell, then drops buildings until the floor-area ratio is within the style's limit.
 */
export function layoutParcel(parcel: Rect, style: LayoutStyle, rng: Random): ParcelLayout {
  const inner = shrinkRect(parcel, style.setbackM)
  if (style.northShare !== undefined) inner.y0 = inner.y1 - rectHeight(inner) * style.northShare
  const grid = packingGrid(inner, style, rng)
  if (!grid) {
    const [cx, cy] = rectCentre(parcel)
    const m = style.setbackM / 2
    return {
      buildings: [],
      corridorsX: [parcel.x0 + m, cx, parcel.x1 - m],
      corridorsY: [parcel.y0 + m, cy, parcel.y1 - m],
    }
  }
  const buildings = placeBuildings(grid, style, rng)
  const keep = withinFloorAreaRatio(buildings, style, style.maxFloorAreaRatio * rectArea(parcel), rng)
  return { buildings: buildings.filter((_, i) => keep[i]), ...corridors(parcel, grid) }
}

/** The grid for the parcel's inner area, or undefined when not even one shortened building fits. */
function packingGrid(inner: Rect, style: LayoutStyle, rng: Random): PackingGrid | undefined {
  const innerW = rectWidth(inner)
  const innerH = rectHeight(inner)
  if (style.maxBuildings === 0 || innerW < 8 || innerH < 8) return undefined

  const angle = rotationOf(style, rng)
  let lengthM = rng.range(style.lengthM[0], style.lengthM[1])
  const depthM = rng.range(style.depthM[0], style.depthM[1])
  const baseFloors = rng.int(style.floors[0], style.floors[1])
  const maxFloors = Math.min(style.floors[1], baseFloors + style.floorJitter)
  const gapX = rng.range(style.gapXM[0], style.gapXM[1])
  const gapY = Math.min(style.gapYM[1], Math.max(style.gapYM[0], style.gapYFactor * maxFloors * 3))

  // Shorten the building until one fits; a parcel too small even for a short one stays open ground.
  const c = Math.abs(Math.cos(angle))
  const s = Math.abs(Math.sin(angle))
  if (c > 1e-9) lengthM = Math.min(lengthM, (innerW - depthM * s) / c)
  if (s > 1e-9) lengthM = Math.min(lengthM, (innerH - depthM * c) / s)
  if (lengthM < Math.max(depthM * 0.8, style.lengthM[0] * 0.5)) return undefined
  const [bw, bh] = boundingSize(lengthM, depthM, angle)
  if (bw > innerW || bh > innerH) return undefined
  const cols = Math.max(1, Math.floor((innerW + gapX) / (bw + gapX)))
  const rows = Math.max(1, Math.floor((innerH + gapY) / (bh + gapY)))
  const gridW = cols * bw + (cols - 1) * gapX
  const gridH = rows * bh + (rows - 1) * gapY
  const gx0 = inner.x0 + (innerW - gridW) / 2
  const gy0 = inner.y0 + (innerH - gridH) / 2
  return { angle, lengthM, depthM, baseFloors, gapX, gapY, bw, bh, cols, rows, gridW, gridH, gx0, gy0 }
}

/** One building per grid cell (some cells left empty), each varied in size, turn, place and floors. */
function placeBuildings(g: PackingGrid, style: LayoutStyle, rng: Random): BuildingShape[] {
  const buildings: BuildingShape[] = []
  for (let row = 0; row < g.rows; row++) {
    for (let col = 0; col < g.cols; col++) {
      if (rng.chance(style.skipChance)) continue
      let len = g.lengthM * rng.range(0.85, 1)
      let dep = g.depthM * rng.range(0.92, 1)
      const a = g.angle + rng.range(-1.5, 1.5) * DEG
      const [w, h] = boundingSize(len, dep, a)
      const fit = Math.min(1, g.bw / w, g.bh / h)
      len *= fit
      dep *= fit
      const [fw, fh] = boundingSize(len, dep, a)
      const centre: Xy = [
        g.gx0 + col * (g.bw + g.gapX) + g.bw / 2 + rng.range(-0.5, 0.5) * (g.bw - fw),
        g.gy0 + row * (g.bh + g.gapY) + g.bh / 2 + rng.range(-0.5, 0.5) * (g.bh - fh),
      ]
      const notch = rng.chance(style.lShapeChance)
        ? {
            a: len * rng.range(0.3, 0.5),
            b: dep * rng.range(0.3, 0.5),
            sx: rng.chance(0.5) ? 1 : -1,
            sy: rng.chance(0.5) ? 1 : -1,
          }
        : undefined
      const floors = Math.max(
        style.floors[0],
        Math.min(style.floors[1], g.baseFloors + rng.int(-style.floorJitter, style.floorJitter)),
      )
      buildings.push({ ...makeShape(len, dep, a, centre, notch), floors })
    }
  }
  return buildings
}

/**
 * Planning control: which buildings stay when they are dropped, in a seeded order, until the floor area is
 * within `limitM2` and the count within the style's maximum. One building always stays.
 */
function withinFloorAreaRatio(
  buildings: BuildingShape[],
  style: LayoutStyle,
  limitM2: number,
  rng: Random,
): boolean[] {
  let floorArea = buildings.reduce((sum, b) => sum + b.areaM2 * b.floors, 0)
  const keep = buildings.map(() => true)
  const order = buildings.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[order[i], order[j]] = [order[j] as number, order[i] as number]
  }
  let kept = buildings.length
  for (const i of order) {
    const tooMany = style.maxBuildings !== undefined && kept > style.maxBuildings
    if ((floorArea <= limitM2 && !tooMany) || kept <= 1) break
    const b = buildings[i] as BuildingShape
    keep[i] = false
    floorArea -= b.areaM2 * b.floors
    kept--
  }
  return keep
}

/** The margins and the gaps between columns and rows, where footpaths can run. */
function corridors(parcel: Rect, g: PackingGrid): Pick<ParcelLayout, 'corridorsX' | 'corridorsY'> {
  const corridorsX = [(parcel.x0 + g.gx0) / 2]
  for (let col = 1; col < g.cols; col++) corridorsX.push(g.gx0 + col * (g.bw + g.gapX) - g.gapX / 2)
  corridorsX.push((g.gx0 + g.gridW + parcel.x1) / 2)
  const corridorsY = [(parcel.y0 + g.gy0) / 2]
  for (let row = 1; row < g.rows; row++) corridorsY.push(g.gy0 + row * (g.bh + g.gapY) - g.gapY / 2)
  corridorsY.push((g.gy0 + g.gridH + parcel.y1) / 2)
  return { corridorsX, corridorsY }
}

/** Planar length of a polyline in metres. */
export function lineLength(points: Xy[]): number {
  let length = 0
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as Xy
    const b = points[i] as Xy
    length += Math.hypot(b[0] - a[0], b[1] - a[1])
  }
  return length
}
