/**
 * Uncovered-population overlay: the population cells of the latest coverage run left uncovered for one facility
 * type and distance model (their centres lie in the run's blind spots), each a point sized and coloured by the
 * uncovered residents of the groups the type serves (children for schools, the elderly for elderly care…).
 */
import type { MessageKey } from './i18n.ts'

export interface UncoveredCell {
  databaseId: number
  centroid: { type: string; coordinates?: unknown }
  children: number
  working: number
  elderly: number
  /** Uncovered residents of the groups the type serves. */
  served: number
}

/** Classes by served residents per cell (a 100 m cell of the Bund holds about 55 children on average). */
export const CELL_CLASSES = [
  { min: 100, colour: '#54278f', pixelSize: 18, label: 'cells.100' },
  { min: 50, colour: '#756bb1', pixelSize: 14, label: 'cells.50' },
  { min: 20, colour: '#9e9ac8', pixelSize: 10, label: 'cells.20' },
  { min: 0, colour: '#cbc9e2', pixelSize: 7, label: 'cells.0' },
] as const satisfies readonly { min: number; colour: string; pixelSize: number; label: MessageKey }[]

export function cellClass(served: number): (typeof CELL_CLASSES)[number] {
  return CELL_CLASSES.find((c) => served >= c.min) ?? CELL_CLASSES[CELL_CLASSES.length - 1]!
}

export interface CellMarker {
  lonDeg: number
  latDeg: number
  served: number
  colour: string
  pixelSize: number
}

export interface CellOverlay {
  markers: CellMarker[]
  /** Uncovered residents of the served groups over all cells. */
  served: number
}

export const EMPTY_CELLS: CellOverlay = { markers: [], served: 0 }

/** One marker per cell with a point centre, largest first so small ones are drawn on top. */
export function cellOverlay(cells: readonly UncoveredCell[]): CellOverlay {
  const markers: CellMarker[] = []
  let served = 0
  for (const cell of cells) {
    const c = cell.centroid.type === 'Point' ? cell.centroid.coordinates : null
    if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') continue
    const k = cellClass(cell.served)
    markers.push({
      lonDeg: c[0],
      latDeg: c[1],
      served: cell.served,
      colour: k.colour,
      pixelSize: k.pixelSize,
    })
    served += cell.served
  }
  markers.sort((a, b) => b.served - a.served)
  return { markers, served }
}
