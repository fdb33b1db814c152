/** Geographic extent in degrees (EPSG:4326). */
export interface ExtentDeg {
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
}

const RAD_TO_DEG = 180 / Math.PI

/** Extent of a 3D Tiles bounding region ([w, s, e, n] radians, then heights). */
export function extentOfRegion(region: readonly number[]): ExtentDeg {
  const [w = 0, s = 0, e = 0, n = 0] = region
  return {
    westDeg: w * RAD_TO_DEG,
    southDeg: s * RAD_TO_DEG,
    eastDeg: e * RAD_TO_DEG,
    northDeg: n * RAD_TO_DEG,
  }
}

export function padExtent(extent: ExtentDeg, fraction: number): ExtentDeg {
  const dx = (extent.eastDeg - extent.westDeg) * fraction
  const dy = (extent.northDeg - extent.southDeg) * fraction
  return {
    westDeg: extent.westDeg - dx,
    southDeg: extent.southDeg - dy,
    eastDeg: extent.eastDeg + dx,
    northDeg: extent.northDeg + dy,
  }
}

/** Bounding box of every position in a GeoJSON geometry, or null when it has none. */
export function extentOfGeometry(geometry: { type: string; coordinates?: unknown } | null): ExtentDeg | null {
  if (!geometry) return null
  const box = [Infinity, Infinity, -Infinity, -Infinity]
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return
    if (typeof value[0] === 'number' && typeof value[1] === 'number') {
      box[0] = Math.min(box[0]!, value[0])
      box[1] = Math.min(box[1]!, value[1])
      box[2] = Math.max(box[2]!, value[0])
      box[3] = Math.max(box[3]!, value[1])
    } else for (const v of value) visit(v)
  }
  visit(geometry.coordinates)
  if (!Number.isFinite(box[0])) return null
  return { westDeg: box[0]!, southDeg: box[1]!, eastDeg: box[2]!, northDeg: box[3]! }
}

/** The smallest extent holding all of them, or null for none. */
export function unionExtent(extents: readonly ExtentDeg[]): ExtentDeg | null {
  if (extents.length === 0) return null
  return {
    westDeg: Math.min(...extents.map((e) => e.westDeg)),
    southDeg: Math.min(...extents.map((e) => e.southDeg)),
    eastDeg: Math.max(...extents.map((e) => e.eastDeg)),
    northDeg: Math.max(...extents.map((e) => e.northDeg)),
  }
}

export function extentContains(extent: ExtentDeg, lonDeg: number, latDeg: number): boolean {
  return (
    lonDeg >= extent.westDeg &&
    lonDeg <= extent.eastDeg &&
    latDeg >= extent.southDeg &&
    latDeg <= extent.northDeg
  )
}

type Position = readonly [number, number]

/**
 * The box of an area, widened where needed so that its centre lies inside the area: a camera aimed at the
 * centre of what it frames then looks at the area, not at a river beside it (a district along a bend has the
 * centre of its box outside). Null for a geometry without positions.
 */
export function extentCentredInside(
  geometry: { type: string; coordinates?: unknown } | null,
): ExtentDeg | null {
  const box = extentOfGeometry(geometry)
  if (!box || !geometry) return null
  const centre: Position = [(box.westDeg + box.eastDeg) / 2, (box.southDeg + box.northDeg) / 2]
  const inside = interiorPointNear(ringsOf(geometry.coordinates), centre)
  if (!inside) return box
  const [westDeg, eastDeg] = centredOn(box.westDeg, box.eastDeg, inside[0])
  const [southDeg, northDeg] = centredOn(box.southDeg, box.northDeg, inside[1])
  return { westDeg, southDeg, eastDeg, northDeg }
}

/** The smallest range centred on `at` that holds [low, high]; [low, high] itself when `at` is its middle. */
function centredOn(low: number, high: number, at: number): [number, number] {
  if (at === (low + high) / 2) return [low, high]
  const half = Math.max(at - low, high - at)
  return [at - half, at + half]
}

/** Every ring of a Polygon's or MultiPolygon's coordinates (any nesting of position arrays). */
function ringsOf(coordinates: unknown): Position[][] {
  if (!Array.isArray(coordinates) || coordinates.length === 0) return []
  const first: unknown = coordinates[0]
  if (Array.isArray(first) && typeof first[0] === 'number') {
    return [coordinates.filter((p): p is Position => Array.isArray(p) && typeof p[0] === 'number')]
  }
  return coordinates.flatMap(ringsOf)
}

/**
 * `near` when it lies inside the rings (even-odd, so holes and parts count right), otherwise the middle of the
 * stretch of the area nearest to it along the east-west or the north-south line through it; null when neither
 * line crosses the area. The middle of a stretch stays clear of the boundary, unlike the nearest boundary point.
 */
function interiorPointNear(rings: readonly Position[][], near: Position): Position | null {
  const cosLat = Math.cos((near[1] * Math.PI) / 180)
  let best: Position | null = null
  let bestDistance = Number.POSITIVE_INFINITY
  for (const axis of [0, 1] as const) {
    for (const [from, to] of insideStretches(rings, near, axis)) {
      if (near[axis] >= from && near[axis] <= to) return near
      const middle = (from + to) / 2
      const distance = Math.abs(middle - near[axis]) * (axis === 0 ? cosLat : 1)
      if (distance < bestDistance) {
        bestDistance = distance
        best = axis === 0 ? [middle, near[1]] : [near[0], middle]
      }
    }
  }
  return best
}

/**
 * Where the line through `through` along `axis` (0: east-west, 1: north-south) is inside the rings, as
 * [from, to] pairs of that axis's coordinate. An edge counts when its ends lie on either side of the line,
 * one of them possibly on it: a vertex on the line is crossed once.
 */
function insideStretches(rings: readonly Position[][], through: Position, axis: 0 | 1): [number, number][] {
  const other = axis === 0 ? 1 : 0
  const level = through[other]
  const crossings: number[] = []
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!
      const b = ring[(i + 1) % ring.length]!
      if (a[other] > level === b[other] > level) continue
      const t = (level - a[other]) / (b[other] - a[other])
      crossings.push(a[axis] + t * (b[axis] - a[axis]))
    }
  }
  crossings.sort((x, y) => x - y)
  const stretches: [number, number][] = []
  for (let i = 0; i + 1 < crossings.length; i += 2) stretches.push([crossings[i]!, crossings[i + 1]!])
  return stretches
}
