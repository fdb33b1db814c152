import { type CellGrid, traceSquares } from './grid.ts'
import type { BlindSpot, FacilityRule, PopulationCell, TypeCoverage } from './types.ts'
import { servedResidents } from './validate.ts'

/**
 * Dissolves uncovered cells into blind spots: 4-neighbour connected components of the cells that are
 * uncovered and have at least one resident of the served groups. Empty cells (water, parks) are left
 * out so that they neither count as blind area nor bridge two separate blind spots; an empty or
 * covered cell enclosed by a blind spot becomes a hole of its outline.
 *
 * Components are numbered in scan order (row, then column) of their lowest, leftmost cell, and
 * `cellIds` follow the same order.
 */
export function findBlindSpots(
  cells: readonly PopulationCell[],
  grid: CellGrid,
  coverage: TypeCoverage,
  rule: FacilityRule,
): BlindSpot[] {
  const n = cells.length
  const served = new Float64Array(n)
  const blind = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    served[i] = servedResidents(cells[i]!, rule)
    blind[i] = coverage.covered[i] === 0 && served[i]! > 0 ? 1 : 0
  }
  const component = new Int32Array(n).fill(-1)
  const stack = new Int32Array(n)
  const usedSides = new Uint8Array(n)
  const spots: BlindSpot[] = []
  for (const seed of grid.scanOrder) {
    if (!blind[seed] || component[seed]! >= 0) continue
    const current = spots.length
    const visit = (j: number, top: number): number => {
      if (j < 0 || !blind[j] || component[j]! >= 0) return top
      component[j] = current
      stack[top] = j
      return top + 1
    }
    const members: number[] = []
    let top = 0
    stack[top++] = seed
    component[seed] = current
    while (top > 0) {
      const i = stack[--top]!
      members.push(i)
      const c = grid.col[i]!
      const r = grid.row[i]!
      // Four calls rather than a loop over an array of the four: this runs once per uncovered cell and type.
      top = visit(grid.indexAt(c + 1, r), top)
      top = visit(grid.indexAt(c - 1, r), top)
      top = visit(grid.indexAt(c, r + 1), top)
      top = visit(grid.indexAt(c, r - 1), top)
    }
    members.sort((a, b) => grid.scanRank[a]! - grid.scanRank[b]!)
    const squareAt = (c: number, r: number): number => {
      const i = grid.indexAt(c, r)
      return i >= 0 && component[i] === current ? i : -1
    }

    const uncovered = { children: 0, working: 0, elderly: 0 }
    let weight = 0
    let wx = 0
    let wy = 0
    for (const i of members) {
      const cell = cells[i]!
      uncovered.children += cell.children
      uncovered.working += cell.working
      uncovered.elderly += cell.elderly
      const w = served[i]!
      weight += w
      wx += w * cell.x
      wy += w * cell.y
    }
    const uncoveredServed = servedResidents(uncovered, rule)
    spots.push({
      id: `${rule.type}/${spots.length + 1}`,
      type: rule.type,
      cellIds: members.map((i) => cells[i]!.id),
      areaM2: members.length * grid.sizeM * grid.sizeM,
      uncovered,
      uncoveredServed,
      gap: rule.perCapitaNorm === undefined ? null : uncoveredServed * rule.perCapitaNorm,
      centroid: { x: wx / weight, y: wy / weight },
      outline: traceSquares(members, grid.col, grid.row, squareAt, usedSides, grid),
    })
  }
  return spots
}
