import { IrregularGridError } from './errors.ts'
import type { PolygonM, PopulationCell, RingM } from './types.ts'

/** Position of the square lattice in metres: cell (col, row) spans `origin + [col, col + 1] × sizeM`. */
export interface GridFrame {
  sizeM: number
  originXM: number
  originYM: number
}

/** Relative tolerance for sizes and centre alignment; CRS round trips leave micrometre noise. */
const GRID_TOLERANCE = 1e-3

/**
 * Lookup from lattice slot to item index. A city grid fills most of its bounding box, so slots are
 * kept in a dense array whenever that costs at most a few times the item count; sparse sets (two
 * districts far apart) fall back to a hash map.
 */
class LatticeIndex {
  /** Two items in one slot, as [first, second] item indices; null when every slot is unique. */
  readonly duplicate: readonly [number, number] | null = null
  private readonly minCol: number
  private readonly minRow: number
  private readonly colSpan: number
  private readonly rowSpan: number
  private readonly dense: Int32Array | null
  private readonly sparse: Map<number, number> | null

  constructor(col: ArrayLike<number>, row: ArrayLike<number>) {
    let minCol = Number.POSITIVE_INFINITY
    let minRow = Number.POSITIVE_INFINITY
    let maxCol = Number.NEGATIVE_INFINITY
    let maxRow = Number.NEGATIVE_INFINITY
    for (let i = 0; i < col.length; i++) {
      minCol = Math.min(minCol, col[i]!)
      maxCol = Math.max(maxCol, col[i]!)
      minRow = Math.min(minRow, row[i]!)
      maxRow = Math.max(maxRow, row[i]!)
    }
    this.minCol = minCol
    this.minRow = minRow
    this.colSpan = col.length ? maxCol - minCol + 1 : 0
    this.rowSpan = col.length ? maxRow - minRow + 1 : 0
    const slots = this.colSpan * this.rowSpan
    this.dense = slots <= 4 * col.length + 4096 ? new Int32Array(slots).fill(-1) : null
    this.sparse = this.dense ? null : new Map()
    for (let i = 0; i < col.length; i++) {
      const key = (col[i]! - minCol) * this.rowSpan + (row[i]! - minRow)
      const other = this.dense ? this.dense[key]! : (this.sparse!.get(key) ?? -1)
      if (other >= 0) {
        this.duplicate ??= [other, i]
        continue
      }
      if (this.dense) this.dense[key] = i
      else this.sparse!.set(key, i)
    }
  }

  indexAt(col: number, row: number): number {
    const c = col - this.minCol
    const r = row - this.minRow
    if (c < 0 || r < 0 || c >= this.colSpan || r >= this.rowSpan) return -1
    const key = c * this.rowSpan + r
    return this.dense ? this.dense[key]! : (this.sparse!.get(key) ?? -1)
  }
}

/**
 * The population cells placed on their regular lattice. Columns are `floor((x − originXM) / sizeM)`;
 * the origin is taken from the first cell so that grids whose lines are not multiples of the cell
 * size (a grid clipped to a district) are indexed the same way as aligned ones.
 */
export class CellGrid implements GridFrame {
  readonly sizeM: number
  readonly originXM: number
  readonly originYM: number
  readonly col: Int32Array
  readonly row: Int32Array
  /** Cell indices sorted by row, then column: the scan order that makes outputs deterministic. */
  readonly scanOrder: Int32Array
  /** Position of each cell in {@link scanOrder}. */
  readonly scanRank: Int32Array
  private readonly slots: LatticeIndex

  /** @throws IrregularGridError when sizes differ, centres are off the lattice or two cells share a slot. */
  constructor(cells: readonly PopulationCell[]) {
    const first = cells[0]
    if (!first) throw new RangeError('CellGrid needs at least one cell')
    const s = first.sizeM
    this.sizeM = s
    this.originXM = first.x - (Math.floor(first.x / s) + 0.5) * s
    this.originYM = first.y - (Math.floor(first.y / s) + 0.5) * s
    const n = cells.length
    this.col = new Int32Array(n)
    this.row = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const cell = cells[i]!
      if (Math.abs(cell.sizeM - s) > GRID_TOLERANCE * s) {
        throw new IrregularGridError(cell.id, `sizeM ${cell.sizeM} differs from the grid's ${s}`)
      }
      const fx = (cell.x - this.originXM) / s - 0.5
      const fy = (cell.y - this.originYM) / s - 0.5
      const c = Math.round(fx)
      const r = Math.round(fy)
      if (Math.abs(fx - c) > GRID_TOLERANCE || Math.abs(fy - r) > GRID_TOLERANCE) {
        throw new IrregularGridError(cell.id, 'centre is not on the lattice of the first cell')
      }
      this.col[i] = c
      this.row[i] = r
    }
    this.slots = new LatticeIndex(this.col, this.row)
    if (this.slots.duplicate) {
      const [a, b] = this.slots.duplicate
      throw new IrregularGridError(cells[b]!.id, `same grid slot as cell ${cells[a]!.id}`)
    }
    const order = Array.from({ length: n }, (_, i) => i)
    order.sort((a, b) => this.row[a]! - this.row[b]! || this.col[a]! - this.col[b]!)
    this.scanOrder = Int32Array.from(order)
    this.scanRank = new Int32Array(n)
    for (let k = 0; k < n; k++) this.scanRank[order[k]!] = k
  }

  /** Index of the cell in slot (col, row), or -1. */
  indexAt(col: number, row: number): number {
    return this.slots.indexAt(col, row)
  }
}

/**
 * Outline of the union of lattice squares as GeoJSON polygon rings in metres: outer ring
 * counter-clockwise, holes clockwise, collinear vertices dropped, each ring starting at its lowest,
 * then leftmost vertex, holes sorted by that vertex.
 *
 * @param squares `[col, row]` pairs forming one 4-connected set without duplicates.
 * @throws RangeError when the squares are empty, duplicated or not 4-connected.
 */
export function traceGridOutline(
  squares: ReadonlyArray<readonly [number, number]>,
  frame: GridFrame,
): PolygonM {
  if (squares.length === 0) throw new RangeError('traceGridOutline needs at least one square')
  const col = Int32Array.from(squares, (s) => s[0])
  const row = Int32Array.from(squares, (s) => s[1])
  const index = new LatticeIndex(col, row)
  if (index.duplicate) throw new RangeError('traceGridOutline: duplicate squares')
  // Squares meeting only at a corner would be traced as one figure-eight ring, so check explicitly.
  const reached = new Uint8Array(squares.length)
  const stack = [0]
  reached[0] = 1
  let count = 1
  while (stack.length > 0) {
    const i = stack.pop()!
    const c = col[i]!
    const r = row[i]!
    for (const j of [
      index.indexAt(c + 1, r),
      index.indexAt(c - 1, r),
      index.indexAt(c, r + 1),
      index.indexAt(c, r - 1),
    ]) {
      if (j >= 0 && !reached[j]) {
        reached[j] = 1
        count++
        stack.push(j)
      }
    }
  }
  if (count !== squares.length) throw new RangeError('traceGridOutline: squares are not 4-connected')
  return traceSquares(
    Int32Array.from(squares, (_, i) => i),
    col,
    row,
    (c, r) => index.indexAt(c, r),
    new Uint8Array(squares.length),
    frame,
  )
}

// Directions of lattice edges, counter-clockwise: east, north, west, south.
const DX = [1, 0, -1, 0] as const
const DY = [0, 1, 0, -1] as const
// A square's side walked in direction d faces the square at this offset.
const ACROSS_DX = [0, 1, 0, -1] as const
const ACROSS_DY = [-1, 0, 1, 0] as const

/**
 * Traces the boundary of one 4-connected set of squares (see {@link traceGridOutline} for the
 * output). Boundary edges are directed with the squares on their left; square k owns its bottom
 * (east-going), right (north-going), top (west-going) and left (south-going) side, bit `1 << dir`
 * of `usedSides[k]`. The outgoing edges at a vertex follow from the four squares around it, so no
 * edge table is needed. Where two squares touch only diagonally the trace turns right, i.e. keeps
 * following the empty quadrant: every ring then bounds one 4-connected piece of the complement, no
 * ring touches itself, and a hole meets the outer ring at most in single points (valid OGC).
 *
 * @param members indices of the set's squares into `col`/`row`/`usedSides`.
 * @param squareAt index of the set's square in a lattice slot, -1 when the slot is not in the set.
 * @param usedSides per-square bit set, zero for the members on entry.
 */
export function traceSquares(
  members: ArrayLike<number>,
  col: ArrayLike<number>,
  row: ArrayLike<number>,
  squareAt: (col: number, row: number) => number,
  usedSides: Uint8Array,
  frame: GridFrame,
): PolygonM {
  const outers: RingM[] = []
  const holes: RingM[] = []
  for (let m = 0; m < members.length; m++) {
    const k = members[m]!
    const c = col[k]!
    const r = row[k]!
    for (let dir = 0; dir < 4; dir++) {
      if (usedSides[k]! & (1 << dir)) continue
      // A side shared with another square of the set is interior.
      if (squareAt(c + ACROSS_DX[dir]!, r + ACROSS_DY[dir]!) >= 0) continue
      const startI = c + (dir === 1 || dir === 2 ? 1 : 0)
      const startJ = r + (dir === 2 || dir === 3 ? 1 : 0)
      const corners = traceRing(startI, startJ, dir, k, squareAt, usedSides)
      const ring = canonicalRing(corners, frame)
      if (latticeArea(corners) > 0) outers.push(ring)
      else holes.push(ring)
    }
  }
  if (outers.length !== 1) throw new RangeError('boundary does not close into one outer ring')
  holes.sort((a, b) => a[0]![1] - b[0]![1] || a[0]![0] - b[0]![0])
  return [outers[0]!, ...holes]
}

/** Follows the boundary from one directed edge back to it; returns the corner vertices. */
function traceRing(
  startI: number,
  startJ: number,
  startDir: number,
  startSquare: number,
  squareAt: (col: number, row: number) => number,
  usedSides: Uint8Array,
): Array<[number, number]> {
  const corners: Array<[number, number]> = []
  let i = startI
  let j = startJ
  let dir = startDir
  let square = startSquare
  for (;;) {
    usedSides[square]! |= 1 << dir
    i += DX[dir]!
    j += DY[dir]!
    const ne = squareAt(i, j)
    const nw = squareAt(i - 1, j)
    const sw = squareAt(i - 1, j - 1)
    const se = squareAt(i, j - 1)
    // Outgoing boundary edge per direction (its owning square, or -1): east along the bottom of the
    // north-east square, north along the right of the north-west one, and so on round the vertex.
    const owners = [se < 0 ? ne : -1, ne < 0 ? nw : -1, nw < 0 ? sw : -1, sw < 0 ? se : -1]
    let next = -1
    // Right turn first, then straight on, then left.
    for (const turn of [3, 0, 1]) {
      const d = (dir + turn) % 4
      if (owners[d]! >= 0) {
        next = d
        break
      }
    }
    if (next < 0) throw new RangeError('boundary is open')
    if (next !== dir) corners.push([i, j])
    dir = next
    square = owners[next]!
    if (i === startI && j === startJ && dir === startDir) return corners
  }
}

function latticeArea(corners: ReadonlyArray<readonly [number, number]>): number {
  let twice = 0
  for (let k = 0; k < corners.length; k++) {
    const a = corners[k]!
    const b = corners[(k + 1) % corners.length]!
    twice += a[0] * b[1] - b[0] * a[1]
  }
  return twice / 2
}

function canonicalRing(corners: ReadonlyArray<readonly [number, number]>, frame: GridFrame): RingM {
  let first = 0
  for (let k = 1; k < corners.length; k++) {
    const c = corners[k]!
    const f = corners[first]!
    if (c[1] < f[1] || (c[1] === f[1] && c[0] < f[0])) first = k
  }
  const ring: RingM = []
  for (let k = 0; k <= corners.length; k++) {
    const [i, j] = corners[(first + k) % corners.length]!
    ring.push([frame.originXM + i * frame.sizeM, frame.originYM + j * frame.sizeM])
  }
  return ring
}
