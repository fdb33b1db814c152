/** Residents of a synthetic city: from residential floor area per building, summed into a 100 m grid. */

import { type AgeShares, BASE_AGE_SHARES } from './land-use.ts'
import { rectRing, round, type Xy } from './layout.ts'
import type { LonLatFrame, SyntheticBuilding, SyntheticCell } from './rows.ts'

export const FLOOR_AREA_PER_RESIDENT_M2 = 36
/** Share of a mixed-use building's floor area that is housing (the importer's default too). */
export const MIXED_USE_RESIDENTIAL_SHARE = 0.5
export const HOUSEHOLD_SIZE = 2.62
export const CELL_SIZE_M = 100
export const POPULATION_METHOD = 'synthetic:floor_area'

/** What the grid needs of a building that its row does not carry. */
export interface BuildingPeople {
  shares: AgeShares
  inside: Xy
}

/** How the population cells were derived, as the dataset and every cell record it. */
export function populationParameters(metricSrid: number): Record<string, unknown> {
  return {
    floorAreaPerResidentM2: FLOOR_AREA_PER_RESIDENT_M2,
    mixedUseResidentialShare: MIXED_USE_RESIDENTIAL_SHARE,
    baseAgeShares: BASE_AGE_SHARES,
    ageShareVariation:
      'per compound: +0.10 elderly before 1980, +0.05 before 2000, −0.06 from 2010; ' +
      'children +0.04 from 2010, −0.04 before 1990; villages +0.03 children, −0.05 elderly; ±0.02–0.03 noise',
    cellSizeM: CELL_SIZE_M,
    metricSrid,
    assignment: "each building's residents go to the cell holding its interior point",
  }
}

interface CellAccumulator {
  col: number
  row: number
  children: number
  working: number
  elderly: number
  total: number
  regionCode: string
  largest: number
}

/** The population grid in the metric CRS, filled building by building. */
export class PopulationGrid {
  private readonly cells = new Map<string, CellAccumulator>()

  add(building: SyntheticBuilding, { shares, inside }: BuildingPeople): void {
    if (building.residents <= 0) return
    const col = Math.floor(inside[0] / CELL_SIZE_M)
    const row = Math.floor(inside[1] / CELL_SIZE_M)
    const key = `${col}:${row}`
    let cell = this.cells.get(key)
    if (!cell) {
      cell = {
        col,
        row,
        children: 0,
        working: 0,
        elderly: 0,
        total: 0,
        regionCode: building.regionCode,
        largest: 0,
      }
      this.cells.set(key, cell)
    }
    const r = building.residents
    cell.children += r * shares.children
    cell.working += r * shares.working
    cell.elderly += r * shares.elderly
    cell.total += r
    // A cell on a district border belongs to the region of its most populous building.
    if (r > cell.largest) {
      cell.largest = r
      cell.regionCode = building.regionCode
    }
  }

  /** The cells ordered by row then column. */
  rows(frame: LonLatFrame, metricSrid: number): SyntheticCell[] {
    const cells = [...this.cells.values()].sort((a, b) => a.row - b.row || a.col - b.col)
    return cells.map((c) => {
      const x0 = c.col * CELL_SIZE_M
      const y0 = c.row * CELL_SIZE_M
      return {
        cellKey: `${CELL_SIZE_M}:${c.col}:${c.row}`,
        regionCode: c.regionCode,
        sizeM: CELL_SIZE_M,
        metricSrid,
        ring: frame.ring(rectRing({ x0, y0, x1: x0 + CELL_SIZE_M, y1: y0 + CELL_SIZE_M })),
        centroid: frame.toLonLat([x0 + CELL_SIZE_M / 2, y0 + CELL_SIZE_M / 2]),
        children: round(c.children, 2),
        working: round(c.working, 2),
        elderly: round(c.elderly, 2),
        total: round(c.total, 2),
      }
    })
  }
}
