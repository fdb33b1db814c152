import { describe, expect, it } from 'vitest'
import { encodeTileGlb } from '../../../jobs/tiles/content.ts'
import { DEG_TO_RAD, ecefToGeodetic, enuFrame } from '../../../jobs/tiles/geodesy.ts'
import { type TileMesh, TileMeshBuilder } from '../../../jobs/tiles/mesh.ts'
import type { Footprint, TileBuilding } from '../../../jobs/tiles/types.ts'
import { formatIssues, LAT0_DEG, LON0_DEG, lcg, validateGlbBytes } from './helpers.ts'

/** Footprint rings in metres east and north of the tile's origin, as rings are given: unclosed, any order. */
type RingsM = number[][][]

const HEIGHT_M = 12
const frame = enuFrame(LON0_DEG * DEG_TO_RAD, LAT0_DEG * DEG_TO_RAD, 0)
const builder = new TileMeshBuilder()

/** Rings in metres of the tile's frame to lon/lat, exactly, so the mesh's areas are the rings' own. */
function footprintOfRingsM(polygons: RingsM[]): Footprint {
  const { origin, east, north } = frame
  const toLonLat = ([e, n]: number[]) => {
    const c = ecefToGeodetic(
      origin[0] + e! * east[0] + n! * north[0],
      origin[1] + e! * east[1] + n! * north[1],
      origin[2] + e! * east[2] + n! * north[2],
    )
    return [c.lonRad / DEG_TO_RAD, c.latRad / DEG_TO_RAD]
  }
  return {
    type: 'MultiPolygon',
    coordinates: polygons.map((rings) => rings.map((ring) => ring.map(toLonLat))),
  }
}

function building(id: number, ...polygons: RingsM[]): TileBuilding {
  return {
    id,
    footprint: footprintOfRingsM(polygons),
    baseM: 0,
    heightM: HEIGHT_M,
    floors: 4,
    use: 'residential',
    yearBuilt: 2000,
    openProblems: 0,
    worstSeverity: 0,
  }
}

/** The mesh of one tile holding `buildings`, and why any was skipped. */
function meshOf(...buildings: TileBuilding[]): { mesh: TileMesh; skipped: (string | null)[] } {
  builder.begin(frame)
  const skipped = buildings.map((b, featureId) => builder.addBuilding(b, featureId))
  return { mesh: builder.finish(), skipped }
}

interface Faces {
  /** Areas seen from above (positive = counter-clockwise) of the level triangles at the top / at the base. */
  roofAreasM2: number[]
  floorAreasM2: number[]
  /** Enclosed volume by the divergence theorem: right only if every face winds outwards. */
  volumeM3: number
  /** Triangles neither level nor standing on one level with an edge on the other: a wall must span the height. */
  slantedWalls: number
}

function facesOf(mesh: TileMesh): Faces {
  const { positions: p, indices } = mesh
  const faces: Faces = { roofAreasM2: [], floorAreasM2: [], volumeM3: 0, slantedWalls: 0 }
  for (let t = 0; t < indices.length; t += 3) {
    const [a, b, c] = [3 * indices[t]!, 3 * indices[t + 1]!, 3 * indices[t + 2]!]
    const u = [p[b]! - p[a]!, p[b + 1]! - p[a + 1]!, p[b + 2]! - p[a + 2]!]
    const w = [p[c]! - p[a]!, p[c + 1]! - p[a + 1]!, p[c + 2]! - p[a + 2]!]
    const cross = [
      u[1]! * w[2]! - u[2]! * w[1]!,
      u[2]! * w[0]! - u[0]! * w[2]!,
      u[0]! * w[1]! - u[1]! * w[0]!,
    ]
    faces.volumeM3 += (p[a]! * cross[0]! + p[a + 1]! * cross[1]! + p[a + 2]! * cross[2]!) / 6
    // The tiles carry no normals (the viewer shades each face by its winding): a face is told by its heights.
    // glTF axes are (east, up, -north): seen from above, counter-clockwise is x × (-z) positive.
    const areaFromAboveM2 = -(u[0]! * w[2]! - u[2]! * w[0]!) / 2
    const atTop = [a, b, c].filter((v) => Math.abs(p[v + 1]! - HEIGHT_M) < 1e-3).length
    const atBase = [a, b, c].filter((v) => Math.abs(p[v + 1]!) < 1e-3).length
    if (atTop === 3) faces.roofAreasM2.push(areaFromAboveM2)
    else if (atBase === 3) faces.floorAreasM2.push(areaFromAboveM2)
    else if (atTop + atBase !== 3) faces.slantedWalls++
  }
  return faces
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0)
const relativeError = (x: number, expected: number) => Math.abs(x - expected) / Math.abs(expected)

/** Checks a closed extrusion of a footprint of `areaM2` with `roofTriangles` triangles in its roof. */
function expectExtrusion(mesh: TileMesh, areaM2: number, roofTriangles?: number): void {
  const faces = facesOf(mesh)
  if (roofTriangles !== undefined) expect(faces.roofAreasM2).toHaveLength(roofTriangles)
  expect(faces.floorAreasM2).toHaveLength(faces.roofAreasM2.length)
  for (const a of faces.roofAreasM2) expect(a).toBeGreaterThan(0)
  for (const a of faces.floorAreasM2) expect(a).toBeLessThan(0)
  // Float32 positions: relative errors of about 1e-7; a missing or doubled triangle is far more.
  expect(relativeError(sum(faces.roofAreasM2), areaM2)).toBeLessThan(1e-5)
  expect(relativeError(sum(faces.floorAreasM2), -areaM2)).toBeLessThan(1e-5)
  expect(relativeError(faces.volumeM3, areaM2 * HEIGHT_M)).toBeLessThan(1e-5)
  expect(faces.slantedWalls).toBe(0)
}

const SQUARE_WITH_HOLE: RingsM = [
  [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
  ],
  [
    [3, 3],
    [3, 7],
    [7, 7],
    [7, 3],
  ],
]

const CONCAVE_L = [
  [0, 0],
  [10, 0],
  [10, 5],
  [5, 5],
  [5, 10],
  [0, 10],
]

/** 30 × 20 with three holes, two clockwise and one counter-clockwise, of 36, 84 and 18 m². */
const THREE_HOLES: RingsM = [
  [
    [0, 0],
    [0, 20],
    [30, 20],
    [30, 0],
  ],
  [
    [2, 2],
    [8, 2],
    [8, 8],
    [2, 8],
  ],
  [
    [12, 3],
    [12, 17],
    [18, 17],
    [18, 3],
  ],
  [
    [22, 10],
    [28, 10],
    [25, 16],
  ],
]

function randomStar(rnd: () => number): { ring: number[][]; areaM2: number } {
  const n = 5 + Math.floor(rnd() * 40)
  const ring: number[][] = []
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n
    const r = 5 + rnd() * 20
    ring.push([r * Math.cos(angle), r * Math.sin(angle)])
  }
  let twice = 0
  for (let i = 0, j = n - 1; i < n; j = i++) {
    twice += ring[j]![0]! * ring[i]![1]! - ring[i]![0]! * ring[j]![1]!
  }
  return { ring, areaM2: twice / 2 }
}

describe('extruded footprints (roofs and floors triangulated by earcut)', () => {
  it('roofs a square with a hole with 8 triangles of 84 m², floor and walls closing it', () => {
    expectExtrusion(meshOf(building(1, SQUARE_WITH_HOLE)).mesh, 84, 8)
  })

  it('roofs a concave L with 4 upward triangles of 75 m², whichever way the ring runs', () => {
    expectExtrusion(meshOf(building(1, [CONCAVE_L])).mesh, 75, 4)
    expectExtrusion(meshOf(building(1, [[...CONCAVE_L].reverse()])).mesh, 75, 4)
  })

  it('cuts several holes given in either orientation: n + 2h − 2 triangles', () => {
    expectExtrusion(meshOf(building(1, THREE_HOLES)).mesh, 600 - 36 - 84 - 18, 15 + 2 * 3 - 2)
  })

  it('roofs 200 random star polygons with n − 2 triangles of their shoelace area', () => {
    const rnd = lcg(7)
    for (let k = 0; k < 200; k++) {
      const { ring, areaM2 } = randomStar(rnd)
      expectExtrusion(meshOf(building(k + 1, [ring])).mesh, areaM2, ring.length - 2)
    }
  })

  it('merges duplicate and collinear vertices and the closing vertex', () => {
    const ring = [
      [0, 0],
      [5, 0],
      [5, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ]
    expectExtrusion(meshOf(building(1, [ring])).mesh, 100)
  })

  it('skips footprints without area and drops holes without area', () => {
    const { mesh, skipped } = meshOf(
      building(1, [
        [
          [0, 0],
          [10, 10],
        ],
      ]),
      building(2, [
        [
          [0, 0],
          [5, 5],
          [10, 10],
        ],
      ]),
      building(3, [
        ...SQUARE_WITH_HOLE,
        [
          [4, 4],
          [6, 6],
          [8, 8],
        ],
      ]),
    )
    expect(skipped).toEqual(['degenerate footprint', 'degenerate footprint', null])
    expectExtrusion(mesh, 84, 8)
  })

  it('encodes a tile of these footprints into a GLB that passes the Khronos validator', async () => {
    const rnd = lcg(11)
    const shifted = (rings: RingsM, e: number) => rings.map((ring) => ring.map(([x, y]) => [x! + e, y!]))
    const buildings = [
      building(1, SQUARE_WITH_HOLE),
      building(2, shifted([CONCAVE_L], 20)),
      building(3, shifted([[...CONCAVE_L].reverse()], 40)),
      building(4, shifted(THREE_HOLES, 60)),
      ...Array.from({ length: 20 }, (_, k) => building(5 + k, shifted([randomStar(rnd).ring], 120 + 50 * k))),
    ]
    const { mesh, skipped } = meshOf(...buildings)
    expect(skipped.every((reason) => reason === null)).toBe(true)
    const report = await validateGlbBytes(encodeTileGlb(mesh, buildings), 'mesh.glb')
    expect(report.issues.numErrors, formatIssues(report)).toBe(0)
  })
})
