/** The street grid of a synthetic city: where its lines run, how wide they are, and the roads along them. */

import { type Rect, round, type Xy } from './layout.ts'
import { type LineClass, streetName } from './names.ts'
import { unitHash } from './random.ts'
import type { LonLatFrame, SyntheticRoad } from './rows.ts'

export type Axis = 'x' | 'y'

export const mod = (a: number, m: number): number => ((a % m) + m) % m

export function lineClass(k: number): LineClass {
  // Expressways ring the centre about 2 km out rather than crossing at the centre block.
  if (mod(k, 12) === 6) return 'trunk'
  if (mod(k, 4) === 0) return 'primary'
  if (mod(k, 2) === 0) return 'secondary'
  return 'branch'
}

/** Half the red-line width (道路红线) of a grid street. */
export const HALF_WIDTH_M: Record<LineClass, number> = { trunk: 30, primary: 20, secondary: 15, branch: 10 }

export function streetNameOf(axis: Axis, line: number): string {
  return streetName(axis, line, lineClass(line))
}

/** Street grid with varied spacing: line k's position is the sum of seeded pitches (300–400 m) from the centre. */
export class StreetGrid {
  private readonly memo = { x: new Map<number, number>(), y: new Map<number, number>() }

  constructor(
    private readonly seed: number,
    private readonly origin: Xy,
  ) {}

  pitch(axis: Axis, k: number): number {
    return 300 + Math.floor(unitHash(this.seed, 'pitch', axis, k) * 101)
  }

  line(axis: Axis, k: number): number {
    const memo = this.memo[axis]
    const known = memo.get(k)
    if (known !== undefined) return known
    let value: number
    if (k === 0) value = this.origin[axis === 'x' ? 0 : 1] - this.pitch(axis, 0) / 2
    else if (k > 0) value = this.line(axis, k - 1) + this.pitch(axis, k - 1)
    else value = this.line(axis, k + 1) - this.pitch(axis, k)
    memo.set(k, value)
    return value
  }

  blockRect(i: number, j: number): Rect {
    return {
      x0: this.line('x', i) + HALF_WIDTH_M[lineClass(i)],
      x1: this.line('x', i + 1) - HALF_WIDTH_M[lineClass(i + 1)],
      y0: this.line('y', j) + HALF_WIDTH_M[lineClass(j)],
      y1: this.line('y', j + 1) - HALF_WIDTH_M[lineClass(j + 1)],
    }
  }
}

/** Blocks ordered by distance from the centre block (then by angle), ring after ring, without end. */
export function* blockOrder(): Generator<[number, number]> {
  for (let r = 0; ; r++) {
    const band: [number, number, number, number][] = []
    for (let i = -r - 1; i <= r + 1; i++) {
      for (let j = -r - 1; j <= r + 1; j++) {
        const d2 = i * i + j * j
        if (d2 >= r * r && d2 < (r + 1) * (r + 1)) band.push([i, j, d2, Math.atan2(j, i)])
      }
    }
    band.sort((a, b) => a[2] - b[2] || a[3] - b[3])
    for (const [i, j] of band) yield [i, j]
  }
}

/** An edge of the street grid between two crossings: x-axis edges run north–south along line x = k. */
export interface StreetEdge {
  axis: Axis
  line: number
  segment: number
  regionCode: string
  /** Where footpaths from compound gates join, as a coordinate along the edge. */
  junctions: number[]
}

/** The street edges around the generated blocks, in the order the blocks first claimed them. */
export class StreetEdges {
  private readonly edges = new Map<string, StreetEdge>()

  constructor(private readonly grid: StreetGrid) {}

  /** The edge, created for the first block to border it: that block's region owns the street. */
  edge(axis: Axis, line: number, segment: number, regionCode: string): StreetEdge {
    const key = `${axis}:${line}:${segment}`
    let edge = this.edges.get(key)
    if (!edge) {
      edge = { axis, line, segment, regionCode, junctions: [] }
      this.edges.set(key, edge)
    }
    return edge
  }

  /** Every edge as roads, split where compound footpaths join it. */
  roads(frame: LonLatFrame): SyntheticRoad[] {
    const roads: SyntheticRoad[] = []
    for (const edge of this.edges.values()) roads.push(...this.roadsOf(edge, frame))
    return roads
  }

  private roadsOf(edge: StreetEdge, frame: LonLatFrame): SyntheticRoad[] {
    const cls = lineClass(edge.line)
    const along = edge.axis === 'x' ? 'y' : 'x'
    const from = this.grid.line(along, edge.segment)
    const to = this.grid.line(along, edge.segment + 1)
    const at = this.grid.line(edge.axis, edge.line)
    const stops = [from, ...[...edge.junctions].sort((a, b) => a - b), to]
    const name = streetNameOf(edge.axis, edge.line)
    const roads: SyntheticRoad[] = []
    for (let n = 0; n < stops.length - 1; n++) {
      const a = stops[n] as number
      const b = stops[n + 1] as number
      const line: Xy[] =
        edge.axis === 'x'
          ? [
              [at, a],
              [at, b],
            ]
          : [
              [a, at],
              [b, at],
            ]
      roads.push({
        sourceId: `street:${edge.axis}:${edge.line}:${edge.segment}:${n}`,
        regionCode: edge.regionCode,
        kind: cls === 'branch' ? 'minor_road' : 'major_road',
        kindDetail: cls === 'branch' ? 'residential' : cls,
        name,
        line: frame.ring(line),
        lengthM: round(b - a, 2),
        walkable: cls !== 'trunk',
      })
    }
    return roads
  }
}
