/**
 * Block massings: the coarse content of the inner tiles (hierarchical level of detail).
 *
 * Without them a view of a whole city must load and draw every building: under software GL a 100,000-building
 * city costs about 0.6 s a frame and some thirty frames to load. With them, an inner tile holds a few hundred
 * boxes that stand for every building below it, refined by REPLACE, so a far view stops at the upper levels and a
 * near view still draws each building from the leaves.
 *
 * An inner cell at level L is cut into the 2^depth × 2^depth cells of level L + depth (the same quadtree, so the
 * grouping depends only on a building's anchor). The buildings anchored in one such cell become one box: centred
 * on their footprints' joint bounding box, shrunk so its area matches the footprints' bounding-box area (streets
 * stay open), from the lowest base to the area-weighted mean roof. A box carries the attributes the themes style
 * by: the use covering the most footprint area, the worst open-problem severity, the open problems summed, the
 * area-weighted mean year built and floors, and how many buildings it stands for. Its `id` is 0, which no
 * building has (database ids start at 1), so the viewer can tell a massing from a building.
 *
 * The massing's geometric error is the farthest a building it stands for can lie from it: the diagonal of the
 * buildings' joint bounding box, or the height difference between a roof and the box's roof when that is larger.
 */
import { cellIndex, footprintBoundsDeg, normalisedX, normalisedY, type TileCoord } from './quadtree.ts'
import type { ExtentDeg, TileBuilding } from './types.ts'

/** A building's attributes as a massing sums them (its footprint stays with the leaf). */
export type MassingAttributes = Omit<TileBuilding, 'id' | 'footprint' | 'buildings' | 'members'>

/** What a massing needs of one building: its id, anchor, footprint's bounding box and attributes. */
export interface MassingSource extends MassingAttributes {
  /** Listed in the box's `members`, so by-id themes reach the massing. */
  id: number
  /** Anchor: the centre of the footprint's bounding box, as in the quadtree. */
  lonDeg: number
  latDeg: number
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
  /** Area of the bounding box, m² (at least 1): the weight of its attributes, computed once for every level. */
  areaM2: number
}

export interface Massing {
  /** One box per occupied cell, as buildings with id 0 and `buildings` set. */
  boxes: TileBuilding[]
  /** The farthest a building can lie from its box, metres. */
  geometricErrorM: number
}

const M_PER_DEG_LAT = 110_574
const M_PER_DEG_LON_EQUATOR = 111_320
/** Boxes never shrink below this share of their buildings' joint bounding box (scattered buildings). */
const MIN_BOX_SHARE = 0.25

/**
 * A building as a massing source, or null when it would not be drawn (no positive finite height, or a footprint
 * without extent in longitude or latitude): the same buildings count in a full build and in an update.
 */
export function massingSourceOf(b: TileBuilding): MassingSource | null {
  const box = footprintBoundsDeg(b.footprint)
  if (!box) return null
  return massingSource(box, b, b.id)
}

/** The same from a bounding box read from the database (`ST_XMin` …), which equals {@link footprintBoundsDeg}. */
export function massingSource(
  box: readonly [number, number, number, number],
  b: MassingAttributes,
  id: number,
): MassingSource | null {
  const [westDeg, southDeg, eastDeg, northDeg] = box
  if (!(eastDeg > westDeg && northDeg > southDeg)) return null
  if (!Number.isFinite(b.baseM) || !(b.heightM > 0 && Number.isFinite(b.heightM))) return null
  return {
    id,
    lonDeg: (westDeg + eastDeg) / 2,
    latDeg: (southDeg + northDeg) / 2,
    westDeg,
    southDeg,
    eastDeg,
    northDeg,
    areaM2: Math.max(boxAreaM2(westDeg, southDeg, eastDeg, northDeg), 1),
    baseM: b.baseM,
    heightM: b.heightM,
    floors: b.floors,
    use: b.use,
    yearBuilt: b.yearBuilt,
    openProblems: b.openProblems,
    worstSeverity: b.worstSeverity,
  }
}

/** What one cell's box is made of: sums and extremes over the buildings anchored in it, in id order. */
export interface MassingGroup {
  west: number
  south: number
  east: number
  north: number
  minBase: number
  minTop: number
  maxTop: number
  area: number
  topArea: number
  count: number
  /** Footprint area per use, [use, area] in first-seen order. */
  useArea: [string | null, number][]
  yearArea: number
  yearWeight: number
  floorsArea: number
  floorsWeight: number
  openProblems: number
  worstSeverity: number
  /** Ids of the buildings, in the order added (id order). */
  ids: number[]
}

/** The groups of an inner cell's massing, by cell index `gy × 2^depth + gx` within the cell. */
export type MassingGroups = Map<number, MassingGroup>

/**
 * Groups the buildings anchored in an inner cell by the cells `depth` levels down (others are ignored; with
 * `only`, so are the cells it rejects). Sources must come in id order: sums then add up in the same order
 * whichever way the buildings were read, so a full build and an update write the same bytes.
 */
export function groupMassing(
  coord: TileCoord,
  root: ExtentDeg,
  depth: number,
  sources: Iterable<MassingSource>,
  only?: (cell: number) => boolean,
): MassingGroups {
  const level = coord.level + depth
  const side = 2 ** depth
  const x0 = coord.x * side
  const y0 = coord.y * side
  const groups: MassingGroups = new Map()
  for (const s of sources) {
    const tx = normalisedX(s.lonDeg, root)
    const ty = normalisedY(s.latDeg, root)
    if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) continue
    const gx = cellIndex(tx, level) - x0
    const gy = cellIndex(ty, level) - y0
    if (gx < 0 || gx >= side || gy < 0 || gy >= side) continue
    const cell = gy * side + gx
    if (only && !only(cell)) continue
    const area = s.areaM2
    const top = s.baseM + s.heightM
    let g = groups.get(cell)
    if (!g) {
      g = {
        west: s.westDeg,
        south: s.southDeg,
        east: s.eastDeg,
        north: s.northDeg,
        minBase: s.baseM,
        minTop: top,
        maxTop: top,
        area: 0,
        topArea: 0,
        count: 0,
        useArea: [],
        yearArea: 0,
        yearWeight: 0,
        floorsArea: 0,
        floorsWeight: 0,
        openProblems: 0,
        worstSeverity: 0,
        ids: [],
      }
      groups.set(cell, g)
    }
    g.west = Math.min(g.west, s.westDeg)
    g.south = Math.min(g.south, s.southDeg)
    g.east = Math.max(g.east, s.eastDeg)
    g.north = Math.max(g.north, s.northDeg)
    g.minBase = Math.min(g.minBase, s.baseM)
    g.minTop = Math.min(g.minTop, top)
    g.maxTop = Math.max(g.maxTop, top)
    g.area += area
    g.topArea += top * area
    g.count++
    g.ids.push(s.id)
    const use = g.useArea.find((u) => u[0] === s.use)
    if (use) use[1] += area
    else g.useArea.push([s.use, area])
    if (s.yearBuilt !== null && Number.isFinite(s.yearBuilt)) {
      g.yearArea += s.yearBuilt * area
      g.yearWeight += area
    }
    if (s.floors !== null && Number.isFinite(s.floors)) {
      g.floorsArea += s.floors * area
      g.floorsWeight += area
    }
    if (Number.isFinite(s.openProblems)) g.openProblems += Math.max(0, s.openProblems)
    if (Number.isFinite(s.worstSeverity)) g.worstSeverity = Math.max(g.worstSeverity, s.worstSeverity)
  }
  return groups
}

/** One box per group, in cell order (south to north, west to east), and the massing's geometric error. */
export function massingOf(groups: MassingGroups): Massing {
  const boxes: TileBuilding[] = []
  let geometricErrorM = 0
  for (const cell of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(cell)!
    const meanTop = g.topArea / g.area
    const jointArea = boxAreaM2(g.west, g.south, g.east, g.north)
    const share = jointArea > 0 ? Math.min(1, Math.max(MIN_BOX_SHARE, g.area / jointArea)) : 1
    const shrink = Math.sqrt(share)
    const lon = (g.west + g.east) / 2
    const lat = (g.south + g.north) / 2
    const halfLon = ((g.east - g.west) / 2) * shrink
    const halfLat = ((g.north - g.south) / 2) * shrink
    const w = lon - halfLon
    const e = lon + halfLon
    const s = lat - halfLat
    const n = lat + halfLat
    boxes.push({
      id: 0,
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [w, s],
            [e, s],
            [e, n],
            [w, n],
            [w, s],
          ],
        ],
      },
      baseM: g.minBase,
      heightM: meanTop - g.minBase,
      floors: g.floorsWeight > 0 ? Math.round(g.floorsArea / g.floorsWeight) : null,
      use: dominantUse(g.useArea),
      yearBuilt: g.yearWeight > 0 ? Math.round(g.yearArea / g.yearWeight) : null,
      openProblems: g.openProblems,
      worstSeverity: g.worstSeverity,
      buildings: g.count,
      members: g.ids,
    })
    const diagonalM = Math.hypot(
      (g.east - g.west) * M_PER_DEG_LON_EQUATOR * Math.cos(lat * (Math.PI / 180)),
      (g.north - g.south) * M_PER_DEG_LAT,
    )
    // Every building lies within half the joint box's diagonal of the box's centre, which the box holds.
    geometricErrorM = Math.max(geometricErrorM, diagonalM / 2, g.maxTop - meanTop, meanTop - g.minTop)
  }
  return { boxes, geometricErrorM }
}

function boxAreaM2(west: number, south: number, east: number, north: number): number {
  const lat = ((south + north) / 2) * (Math.PI / 180)
  return (east - west) * M_PER_DEG_LON_EQUATOR * Math.cos(lat) * ((north - south) * M_PER_DEG_LAT)
}

/** The use covering the most footprint area; ties go to the name first in sort order, no data last. */
function dominantUse(useArea: readonly [string | null, number][]): string | null {
  let best: string | null = null
  let bestArea = -1
  for (const [use, area] of [...useArea].sort(([a], [b]) => compareUse(a, b))) {
    if (area > bestArea) {
      best = use
      bestArea = area
    }
  }
  return best
}

function compareUse(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}
