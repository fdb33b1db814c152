import { booleanValid, polygon } from '@turf/turf'
import { describe, expect, it } from 'vitest'
import {
  diagnoseServiceCoverage,
  type PolygonM,
  signedRingAreaM2,
  traceGridOutline,
} from '../../../jobs/coverage/engine/index.ts'
import { mulberry32 } from './fixtures.ts'

const UNIT = { sizeM: 1, originXM: 0, originYM: 0 }

/** Parses a picture (north row first, 'X' = square) into [col, row] pairs. */
function squares(...rows: string[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  rows.forEach((line, k) => {
    for (let c = 0; c < line.length; c++) if (line[c] === 'X') out.push([c, rows.length - 1 - k])
  })
  return out
}

function netArea(outline: PolygonM): number {
  return outline.reduce((s, ring) => s + signedRingAreaM2(ring), 0)
}

/** Structural checks every outline must pass, whatever the shape. */
function expectWellFormed(outline: PolygonM, squareCount: number, sizeM: number): void {
  expect(signedRingAreaM2(outline[0]!)).toBeGreaterThan(0)
  for (const hole of outline.slice(1)) expect(signedRingAreaM2(hole)).toBeLessThan(0)
  expect(netArea(outline)).toBeCloseTo(squareCount * sizeM * sizeM, 6)
  for (const ring of outline) {
    expect(ring[0]).toEqual(ring[ring.length - 1])
    const open = ring.slice(0, -1).map(([x, y]) => `${x},${y}`)
    expect(new Set(open).size).toBe(open.length)
    for (let k = 1; k < ring.length; k++) {
      const [ax, ay] = ring[k - 1]!
      const [bx, by] = ring[k]!
      expect(ax === bx || ay === by).toBe(true)
    }
  }
  expect(booleanValid(polygon(outline))).toBe(true)
}

describe('traceGridOutline', () => {
  it('outlines one square counter-clockwise in metres', () => {
    const outline = traceGridOutline([[3, 2]], { sizeM: 100, originXM: 500_000, originYM: 3_400_000 })
    expect(outline).toEqual([
      [
        [500_300, 3_400_200],
        [500_400, 3_400_200],
        [500_400, 3_400_300],
        [500_300, 3_400_300],
        [500_300, 3_400_200],
      ],
    ])
    expect(signedRingAreaM2(outline[0]!)).toBe(10_000)
  })

  it('drops collinear vertices of an L shape', () => {
    const outline = traceGridOutline(squares('X..', 'X..', 'XXX'), UNIT)
    expect(outline).toEqual([
      [
        [0, 0],
        [3, 0],
        [3, 1],
        [1, 1],
        [1, 3],
        [0, 3],
        [0, 0],
      ],
    ])
    expectWellFormed(outline, 5, 1)
  })

  it('returns a clockwise hole for an enclosed gap', () => {
    const outline = traceGridOutline(squares('XXX', 'X.X', 'XXX'), UNIT)
    expect(outline).toHaveLength(2)
    expect(outline[1]).toEqual([
      [1, 1],
      [1, 2],
      [2, 2],
      [2, 1],
      [1, 1],
    ])
    expectWellFormed(outline, 8, 1)
  })

  it('keeps a hole that touches the outer ring at a corner as a separate ring', () => {
    // (1,2) and (2,1) touch only at vertex (2,2); the gap (1,1) is enclosed, the corner (2,2) is not.
    const outline = traceGridOutline(squares('XX.', 'X.X', 'XXX'), UNIT)
    expect(outline).toEqual([
      [
        [0, 0],
        [3, 0],
        [3, 2],
        [2, 2],
        [2, 3],
        [0, 3],
        [0, 0],
      ],
      [
        [1, 1],
        [1, 2],
        [2, 2],
        [2, 1],
        [1, 1],
      ],
    ])
    expectWellFormed(outline, 7, 1)
  })

  it('handles several holes and nested shapes', () => {
    const outline = traceGridOutline(
      squares(
        'XXXXXXX', //
        'X.X...X',
        'XXX.X.X',
        'X...X.X',
        'XXXXXXX',
      ),
      UNIT,
    )
    expect(outline).toHaveLength(3)
    expectWellFormed(outline, 25, 1)
  })

  it('outlines random blobs with net area = squares × cell area', () => {
    const rand = mulberry32(99)
    for (let trial = 0; trial < 40; trial++) {
      const side = 4 + Math.floor(rand() * 12)
      const density = 0.45 + rand() * 0.3
      const filled = new Set<string>()
      for (let c = 0; c < side; c++)
        for (let r = 0; r < side; r++) if (rand() < density) filled.add(`${c},${r}`)
      const component = largestComponent(filled)
      if (component.length === 0) continue
      const outline = traceGridOutline(component, { sizeM: 50, originXM: 12_345, originYM: -678 })
      expectWellFormed(outline, component.length, 50)
    }
  })

  it('rejects squares that are not one 4-connected set', () => {
    expect(() => traceGridOutline(squares('X.', '.X'), UNIT)).toThrow(RangeError)
    expect(() => traceGridOutline([], UNIT)).toThrow(RangeError)
    expect(() =>
      traceGridOutline(
        [
          [0, 0],
          [0, 0],
        ],
        UNIT,
      ),
    ).toThrow(RangeError)
  })
})

describe('blind-spot outlines', () => {
  it('splits diagonal neighbours and keeps areas equal to cell count × cell area', () => {
    // Elderly live in a checkerboard-like pattern; nothing covers them (no facility).
    const pattern = squares('X.XX', '.X.X', 'XX..')
    const cells = []
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) {
        const lives = pattern.some(([pc, pr]) => pc === c && pr === r)
        cells.push({
          id: r * 4 + c,
          x: 25 + 50 * c,
          y: 25 + 50 * r,
          sizeM: 50,
          children: 0,
          working: 0,
          elderly: lives ? 3 : 0,
        })
      }
    }
    const d = diagnoseServiceCoverage({
      cells,
      facilities: [],
      rules: [{ type: 'elderly_care', radiusM: 300, servedGroups: ['elderly'], vulnerabilityWeight: 2 }],
      model: 'euclidean',
      facilityTypes: ['elderly_care'],
    })
    const spots = d.types[0]!.blindSpots
    // Components: {(0,0),(1,0),(1,1)}, {(0,2)}, {(2,2),(3,2),(3,1)}.
    expect(spots.map((s) => s.cellIds)).toEqual([[0, 1, 5], [7, 10, 11], [8]])
    for (const s of spots) {
      expect(s.areaM2).toBe(s.cellIds.length * 2500)
      expect(netArea(s.outline)).toBe(s.areaM2)
    }
  })
})

function largestComponent(filled: Set<string>): Array<[number, number]> {
  const seen = new Set<string>()
  let best: Array<[number, number]> = []
  for (const start of filled) {
    if (seen.has(start)) continue
    const comp: Array<[number, number]> = []
    const stack = [start]
    seen.add(start)
    while (stack.length) {
      const key = stack.pop()!
      const [c, r] = key.split(',').map(Number) as [number, number]
      comp.push([c, r])
      for (const [dc, dr] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const) {
        const next = `${c + dc},${r + dr}`
        if (filled.has(next) && !seen.has(next)) {
          seen.add(next)
          stack.push(next)
        }
      }
    }
    if (comp.length > best.length) best = comp
  }
  return best
}
