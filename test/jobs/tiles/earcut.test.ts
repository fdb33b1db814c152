import { describe, expect, it } from 'vitest'
import { EarClipper, triangulatePolygon } from '../../../jobs/tiles/earcut.ts'
import { lcg } from './helpers.ts'

/** Signed areas of the triangles (positive = counter-clockwise). */
function triangleAreas(coords: number[], tris: number[]): number[] {
  const areas: number[] = []
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t]!, tris[t + 1]!, tris[t + 2]!]
    const ax = coords[2 * a]!
    const ay = coords[2 * a + 1]!
    areas.push(
      ((coords[2 * b]! - ax) * (coords[2 * c + 1]! - ay) -
        (coords[2 * c]! - ax) * (coords[2 * b + 1]! - ay)) /
        2,
    )
  }
  return areas
}

function ringArea(ring: number[][]): number {
  let twice = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += ring[j]![0]! * ring[i]![1]! - ring[i]![0]! * ring[j]![1]!
  }
  return Math.abs(twice / 2)
}

function flatten(rings: number[][][]): { coords: number[]; holes: number[] } {
  const coords: number[] = []
  const holes: number[] = []
  rings.forEach((ring, r) => {
    if (r > 0) holes.push(coords.length / 2)
    for (const [x, y] of ring) coords.push(x!, y!)
  })
  return { coords, holes }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}

describe('ear clipping', () => {
  it('triangulates a square with a hole into 8 triangles of total area 84', () => {
    const { coords, holes } = flatten([
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
    ])
    const tris = triangulatePolygon(coords, holes)
    expect(tris.length / 3).toBe(8)
    const areas = triangleAreas(coords, tris)
    expect(sum(areas)).toBeCloseTo(84, 9)
    for (const a of areas) expect(a).toBeGreaterThan(0)
  })

  it('triangulates a concave L into 4 counter-clockwise triangles of area 75', () => {
    const ring = [
      [0, 0],
      [10, 0],
      [10, 5],
      [5, 5],
      [5, 10],
      [0, 10],
    ]
    for (const input of [ring, [...ring].reverse()]) {
      const { coords } = flatten([input])
      const tris = triangulatePolygon(coords)
      expect(tris.length / 3).toBe(4)
      const areas = triangleAreas(coords, tris)
      expect(sum(areas)).toBeCloseTo(75, 9)
      for (const a of areas) expect(a).toBeGreaterThan(0)
    }
  })

  it('handles several holes given in either orientation', () => {
    const rings = [
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
    const { coords, holes } = flatten(rings)
    const tris = triangulatePolygon(coords, holes)
    const expected = 600 - 36 - 84 - 18
    // n + 2h - 2 triangles for a simple polygon with h holes.
    expect(tris.length / 3).toBe(15 + 2 * 3 - 2)
    expect(sum(triangleAreas(coords, tris))).toBeCloseTo(expected, 9)
  })

  it('matches the shoelace area of random star polygons', () => {
    const rnd = lcg(7)
    const clipper = new EarClipper()
    for (let k = 0; k < 200; k++) {
      const n = 5 + Math.floor(rnd() * 40)
      const ring: number[][] = []
      for (let i = 0; i < n; i++) {
        const angle = (2 * Math.PI * i) / n
        const r = 5 + rnd() * 20
        ring.push([r * Math.cos(angle), r * Math.sin(angle)])
      }
      const { coords } = flatten([ring])
      const tris = clipper.triangulate(coords)
      expect(tris.length / 3).toBe(n - 2)
      expect(sum(triangleAreas(coords, tris))).toBeCloseTo(ringArea(ring), 6)
    }
  })

  it('ignores duplicate and collinear vertices and degenerate input', () => {
    const { coords } = flatten([
      [
        [0, 0],
        [5, 0],
        [5, 0],
        [10, 0],
        [10, 10],
        [0, 10],
        [0, 0],
      ],
    ])
    expect(sum(triangleAreas(coords, triangulatePolygon(coords)))).toBeCloseTo(100, 9)
    expect(triangulatePolygon([0, 0, 1, 1])).toEqual([])
    expect(triangulatePolygon([0, 0, 1, 1, 2, 2])).toEqual([])
  })
})
