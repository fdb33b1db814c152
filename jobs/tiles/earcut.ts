/**
 * Ear-clipping triangulation of polygons with holes, after the algorithm of mapbox/earcut
 * (hole bridging, local intersection curing, split fallback) but with the linked list kept in
 * reusable typed arrays so that triangulating hundreds of thousands of footprints allocates
 * almost nothing. Footprints are small, so the z-order hashing earcut uses for large inputs is
 * left out.
 *
 * Orientation is handled internally: the outer ring is walked counter-clockwise and holes
 * clockwise regardless of input order, and emitted triangles are counter-clockwise (y up).
 */
export class EarClipper {
  // Node storage: coordinates, source vertex index and the doubly linked ring.
  private x = new Float64Array(64)
  private y = new Float64Array(64)
  private vi = new Int32Array(64)
  private prev = new Int32Array(64)
  private next = new Int32Array(64)
  private size = 0
  private out: number[] = []
  private holeQueue: number[] = []

  /**
   * Triangulates `coords` (flat x,y pairs). `holeStarts` holds the vertex index where each hole
   * begins; the outer ring runs from vertex 0 to the first hole. Returns vertex indices into
   * `coords`, three per triangle. The returned array is reused by the next call.
   */
  triangulate(coords: ArrayLike<number>, holeStarts: ArrayLike<number> = []): number[] {
    this.size = 0
    this.out.length = 0
    const vertexCount = coords.length >> 1
    this.reserve(vertexCount + 4 * holeStarts.length + 8)
    const outerEnd = holeStarts.length > 0 ? holeStarts[0]! : vertexCount
    let outer = this.linkRing(coords, 0, outerEnd, true)
    if (outer < 0 || this.next[outer] === this.prev[outer]) return this.out
    if (holeStarts.length > 0) outer = this.eliminateHoles(coords, holeStarts, vertexCount, outer)
    this.earcutLinked(outer, 0)
    return this.out
  }

  private reserve(n: number): void {
    if (n <= this.x.length) return
    let cap = this.x.length
    while (cap < n) cap *= 2
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (len: number) => T): T => {
      const b = make(cap)
      b.set(a)
      return b
    }
    this.x = grow(this.x, (len) => new Float64Array(len))
    this.y = grow(this.y, (len) => new Float64Array(len))
    this.vi = grow(this.vi, (len) => new Int32Array(len))
    this.prev = grow(this.prev, (len) => new Int32Array(len))
    this.next = grow(this.next, (len) => new Int32Array(len))
  }

  private createNode(i: number, x: number, y: number): number {
    if (this.size >= this.x.length) this.reserve(this.size + 1)
    const p = this.size++
    this.vi[p] = i
    this.x[p] = x
    this.y[p] = y
    this.prev[p] = p
    this.next[p] = p
    return p
  }

  private insertNode(i: number, x: number, y: number, last: number): number {
    const p = this.createNode(i, x, y)
    if (last >= 0) {
      const after = this.next[last]!
      this.next[p] = after
      this.prev[p] = last
      this.prev[after] = p
      this.next[last] = p
    }
    return p
  }

  private removeNode(p: number): void {
    const a = this.prev[p]!
    const b = this.next[p]!
    this.next[a] = b
    this.prev[b] = a
  }

  private linkRing(coords: ArrayLike<number>, start: number, end: number, counterClockwise: boolean): number {
    let twiceArea = 0
    for (let i = start, j = end - 1; i < end; j = i++) {
      twiceArea += (coords[2 * j]! - coords[2 * i]!) * (coords[2 * i + 1]! + coords[2 * j + 1]!)
    }
    let last = -1
    if (counterClockwise === twiceArea > 0) {
      for (let i = start; i < end; i++) last = this.insertNode(i, coords[2 * i]!, coords[2 * i + 1]!, last)
    } else {
      for (let i = end - 1; i >= start; i--)
        last = this.insertNode(i, coords[2 * i]!, coords[2 * i + 1]!, last)
    }
    if (last >= 0 && this.equals(last, this.next[last]!)) {
      const n = this.next[last]!
      this.removeNode(last)
      last = n
    }
    return last
  }

  private earcutLinked(start: number, pass: number): void {
    let ear = start
    if (ear < 0) return
    let stop = ear
    while (this.prev[ear] !== this.next[ear]) {
      const p = this.prev[ear]!
      const n = this.next[ear]!
      if (this.isEar(ear)) {
        this.out.push(this.vi[p]!, this.vi[ear]!, this.vi[n]!)
        this.removeNode(ear)
        ear = this.next[n]!
        stop = ear
        continue
      }
      ear = n
      if (ear === stop) {
        // No ear found in a full loop: progressively more forgiving passes.
        if (pass === 0) {
          this.earcutLinked(this.filterPoints(ear, -1), 1)
        } else if (pass === 1) {
          ear = this.cureLocalIntersections(this.filterPoints(ear, -1))
          this.earcutLinked(ear, 2)
        } else {
          this.splitEarcut(ear)
        }
        break
      }
    }
  }

  private isEar(ear: number): boolean {
    const a = this.prev[ear]!
    const c = this.next[ear]!
    if (this.area(a, ear, c) >= 0) return false
    const ax = this.x[a]!
    const ay = this.y[a]!
    const bx = this.x[ear]!
    const by = this.y[ear]!
    const cx = this.x[c]!
    const cy = this.y[c]!
    const x0 = Math.min(ax, bx, cx)
    const y0 = Math.min(ay, by, cy)
    const x1 = Math.max(ax, bx, cx)
    const y1 = Math.max(ay, by, cy)
    let p = this.next[c]!
    while (p !== a) {
      const px = this.x[p]!
      const py = this.y[p]!
      if (
        px >= x0 &&
        px <= x1 &&
        py >= y0 &&
        py <= y1 &&
        !(ax === px && ay === py) &&
        pointInTriangle(ax, ay, bx, by, cx, cy, px, py) &&
        this.area(this.prev[p]!, p, this.next[p]!) >= 0
      ) {
        return false
      }
      p = this.next[p]!
    }
    return true
  }

  private cureLocalIntersections(startNode: number): number {
    let start = startNode
    let p = start
    do {
      const a = this.prev[p]!
      const b = this.next[this.next[p]!]!
      if (
        !this.equals(a, b) &&
        this.intersects(a, p, this.next[p]!, b) &&
        this.locallyInside(a, b) &&
        this.locallyInside(b, a)
      ) {
        this.out.push(this.vi[a]!, this.vi[p]!, this.vi[b]!)
        this.removeNode(p)
        this.removeNode(this.next[p]!)
        p = b
        start = b
      }
      p = this.next[p]!
    } while (p !== start)
    return this.filterPoints(p, -1)
  }

  private splitEarcut(start: number): void {
    let a = start
    do {
      let b = this.next[this.next[a]!]!
      while (b !== this.prev[a]) {
        if (this.vi[a] !== this.vi[b] && this.isValidDiagonal(a, b)) {
          let c = this.splitPolygon(a, b)
          a = this.filterPoints(a, this.next[a]!)
          c = this.filterPoints(c, this.next[c]!)
          this.earcutLinked(a, 0)
          this.earcutLinked(c, 0)
          return
        }
        b = this.next[b]!
      }
      a = this.next[a]!
    } while (a !== start)
  }

  private eliminateHoles(
    coords: ArrayLike<number>,
    holeStarts: ArrayLike<number>,
    vertexCount: number,
    outerNode: number,
  ): number {
    const queue = this.holeQueue
    queue.length = 0
    for (let h = 0; h < holeStarts.length; h++) {
      const start = holeStarts[h]!
      const end = h < holeStarts.length - 1 ? holeStarts[h + 1]! : vertexCount
      const list = this.linkRing(coords, start, end, false)
      // A hole needs area; points and segments are ignored rather than bridged.
      if (list < 0 || this.next[list] === list || this.next[this.next[list]!] === list) continue
      queue.push(this.leftmost(list))
    }
    queue.sort((a, b) => this.x[a]! - this.x[b]! || this.y[a]! - this.y[b]! || this.vi[a]! - this.vi[b]!)
    let outer = outerNode
    for (const hole of queue) outer = this.eliminateHole(hole, outer)
    return outer
  }

  private eliminateHole(hole: number, outerNode: number): number {
    const bridge = this.findHoleBridge(hole, outerNode)
    if (bridge < 0) return outerNode
    const bridgeReverse = this.splitPolygon(bridge, hole)
    this.filterPoints(bridgeReverse, this.next[bridgeReverse]!)
    return this.filterPoints(bridge, this.next[bridge]!)
  }

  /** Finds an outer-ring vertex visible from the hole's leftmost vertex (David Eberly's method). */
  private findHoleBridge(hole: number, outerNode: number): number {
    const hx = this.x[hole]!
    const hy = this.y[hole]!
    let p = outerNode
    let qx = Number.NEGATIVE_INFINITY
    let m = -1
    if (this.equals(hole, p)) return p
    do {
      const n = this.next[p]!
      if (this.equals(hole, n)) return n
      const py = this.y[p]!
      const ny = this.y[n]!
      if (hy <= py && hy >= ny && ny !== py) {
        const px = this.x[p]!
        const nx = this.x[n]!
        const x = px + ((hy - py) * (nx - px)) / (ny - py)
        if (x <= hx && x > qx) {
          qx = x
          m = px < nx ? p : n
          if (x === hx) return m
        }
      }
      p = n
    } while (p !== outerNode)
    if (m < 0) return -1

    const stop = m
    const mx = this.x[m]!
    const my = this.y[m]!
    let tanMin = Number.POSITIVE_INFINITY
    p = m
    do {
      const px = this.x[p]!
      const py = this.y[p]!
      if (
        hx >= px &&
        px >= mx &&
        hx !== px &&
        pointInTriangle(hy < my ? hx : qx, hy, mx, my, hy < my ? qx : hx, hy, px, py)
      ) {
        const tan = Math.abs(hy - py) / (hx - px)
        if (
          this.locallyInside(p, hole) &&
          (tan < tanMin ||
            (tan === tanMin && (px > this.x[m]! || (px === this.x[m]! && this.sectorContainsSector(m, p)))))
        ) {
          m = p
          tanMin = tan
        }
      }
      p = this.next[p]!
    } while (p !== stop)
    return m
  }

  private sectorContainsSector(m: number, p: number): boolean {
    return this.area(this.prev[m]!, m, this.prev[p]!) < 0 && this.area(this.next[p]!, m, this.next[m]!) < 0
  }

  /** Removes duplicate and collinear points between `start` and `end` (whole ring if end < 0). */
  private filterPoints(start: number, endNode: number): number {
    if (start < 0) return start
    let end = endNode < 0 ? start : endNode
    let p = start
    let again: boolean
    do {
      again = false
      if (this.equals(p, this.next[p]!) || this.area(this.prev[p]!, p, this.next[p]!) === 0) {
        const before = this.prev[p]!
        this.removeNode(p)
        p = before
        end = before
        if (p === this.next[p]) break
        again = true
      } else {
        p = this.next[p]!
      }
    } while (again || p !== end)
    return end
  }

  private leftmost(start: number): number {
    let p = start
    let best = start
    do {
      if (this.x[p]! < this.x[best]! || (this.x[p] === this.x[best] && this.y[p]! < this.y[best]!)) best = p
      p = this.next[p]!
    } while (p !== start)
    return best
  }

  private isValidDiagonal(a: number, b: number): boolean {
    const an = this.next[a]!
    const ap = this.prev[a]!
    const bn = this.next[b]!
    const bp = this.prev[b]!
    return (
      this.vi[an] !== this.vi[b] &&
      this.vi[ap] !== this.vi[b] &&
      !this.intersectsPolygon(a, b) &&
      ((this.locallyInside(a, b) &&
        this.locallyInside(b, a) &&
        this.middleInside(a, b) &&
        (this.area(ap, a, bp) !== 0 || this.area(a, bp, b) !== 0)) ||
        (this.equals(a, b) && this.area(ap, a, an) > 0 && this.area(bp, b, bn) > 0))
    )
  }

  /** Twice the signed area of triangle p,q,r; negative when counter-clockwise. */
  private area(p: number, q: number, r: number): number {
    const { x, y } = this
    return (y[q]! - y[p]!) * (x[r]! - x[q]!) - (x[q]! - x[p]!) * (y[r]! - y[q]!)
  }

  private equals(a: number, b: number): boolean {
    return this.x[a] === this.x[b] && this.y[a] === this.y[b]
  }

  private intersects(p1: number, q1: number, p2: number, q2: number): boolean {
    const o1 = Math.sign(this.area(p1, q1, p2))
    const o2 = Math.sign(this.area(p1, q1, q2))
    const o3 = Math.sign(this.area(p2, q2, p1))
    const o4 = Math.sign(this.area(p2, q2, q1))
    if (o1 !== o2 && o3 !== o4) return true
    if (o1 === 0 && this.onSegment(p1, p2, q1)) return true
    if (o2 === 0 && this.onSegment(p1, q2, q1)) return true
    if (o3 === 0 && this.onSegment(p2, p1, q2)) return true
    if (o4 === 0 && this.onSegment(p2, q1, q2)) return true
    return false
  }

  /** For collinear p, q, r: whether q lies on segment pr. */
  private onSegment(p: number, q: number, r: number): boolean {
    const { x, y } = this
    return (
      x[q]! <= Math.max(x[p]!, x[r]!) &&
      x[q]! >= Math.min(x[p]!, x[r]!) &&
      y[q]! <= Math.max(y[p]!, y[r]!) &&
      y[q]! >= Math.min(y[p]!, y[r]!)
    )
  }

  private intersectsPolygon(a: number, b: number): boolean {
    const ia = this.vi[a]!
    const ib = this.vi[b]!
    let p = a
    do {
      const n = this.next[p]!
      const ip = this.vi[p]!
      const inn = this.vi[n]!
      if (ip !== ia && inn !== ia && ip !== ib && inn !== ib && this.intersects(p, n, a, b)) return true
      p = n
    } while (p !== a)
    return false
  }

  private locallyInside(a: number, b: number): boolean {
    const ap = this.prev[a]!
    const an = this.next[a]!
    return this.area(ap, a, an) < 0
      ? this.area(a, b, an) >= 0 && this.area(a, ap, b) >= 0
      : this.area(a, b, ap) < 0 || this.area(a, an, b) < 0
  }

  private middleInside(a: number, b: number): boolean {
    const { x, y } = this
    const px = (x[a]! + x[b]!) / 2
    const py = (y[a]! + y[b]!) / 2
    let inside = false
    let p = a
    do {
      const n = this.next[p]!
      if (
        y[p]! > py !== y[n]! > py &&
        y[n] !== y[p] &&
        px < ((x[n]! - x[p]!) * (py - y[p]!)) / (y[n]! - y[p]!) + x[p]!
      ) {
        inside = !inside
      }
      p = n
    } while (p !== a)
    return inside
  }

  /** Links a and b with a bridge, duplicating both; returns the duplicate of b. */
  private splitPolygon(a: number, b: number): number {
    const a2 = this.createNode(this.vi[a]!, this.x[a]!, this.y[a]!)
    const b2 = this.createNode(this.vi[b]!, this.x[b]!, this.y[b]!)
    const an = this.next[a]!
    const bp = this.prev[b]!
    this.next[a] = b
    this.prev[b] = a
    this.next[a2] = an
    this.prev[an] = a2
    this.next[b2] = a2
    this.prev[a2] = b2
    this.next[bp] = b2
    this.prev[b2] = bp
    return b2
  }
}

function pointInTriangle(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  px: number,
  py: number,
): boolean {
  return (
    (cx - px) * (ay - py) >= (ax - px) * (cy - py) &&
    (ax - px) * (by - py) >= (bx - px) * (ay - py) &&
    (bx - px) * (cy - py) >= (cx - px) * (by - py)
  )
}

/**
 * Convenience wrapper: triangulates one polygon given as flat x,y pairs with hole start
 * indices. Returns a fresh array of vertex indices (three per counter-clockwise triangle).
 */
export function triangulatePolygon(coords: ArrayLike<number>, holeStarts: ArrayLike<number> = []): number[] {
  return new EarClipper().triangulate(coords, holeStarts).slice()
}
