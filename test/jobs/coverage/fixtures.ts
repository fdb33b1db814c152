import type {
  CoverageInput,
  Facility,
  FacilityRule,
  PopulationCell,
  Road,
} from '../../../jobs/coverage/engine/index.ts'

/**
 * Hand-built town: 6 × 4 cells of 100 m, centres (50 + 100c, 50 + 100r). A river runs north-south
 * between x = 260 and x = 340; the only walkable crossing is the bridge F–G at the north edge, the
 * riverside motorway C–J at y = 50 is not walkable.
 *
 * ```
 *  y=350  F(260,350)──bridge──G(340,350)
 *           │                   │
 *  y=250  E(260,250)          H(340,250)
 *           │                   │
 *  y=150  D(260,150)    river   I(340,150)──M(450,150)──N(550,150)
 *           │                   │
 *  y=50   A(50,50)─B(150,50)─C(260,50)┄┄motorway┄┄J(340,50)─K(450,50)─L(550,50)
 * ```
 * Kindergartens: KW id 1 at (120, 70), capacity 20; KE id 2 at (380, 160), capacity 50.
 * Children: 10 per cell, except cell (c5, r0) with 0 and cell (c0, r3) with 30.
 * Elderly: 5 per cell, except cell (c2, r1) with 0; the town has no elderly-care facility.
 */
export function handTown(model: CoverageInput['model']): CoverageInput {
  const cells: PopulationCell[] = []
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 6; c++) {
      cells.push({
        id: cellId(c, r),
        x: 50 + 100 * c,
        y: 50 + 100 * r,
        sizeM: 100,
        children: c === 5 && r === 0 ? 0 : c === 0 && r === 3 ? 30 : 10,
        working: 20,
        elderly: c === 2 && r === 1 ? 0 : 5,
      })
    }
  }
  const facilities: Facility[] = [
    { id: 1, type: 'kindergarten', x: 120, y: 70, capacity: 20 },
    { id: 2, type: 'kindergarten', x: 380, y: 160, capacity: 50 },
  ]
  return {
    cells,
    facilities,
    roads: handTownRoads(),
    rules: handTownRules(),
    model,
    facilityTypes: ['kindergarten', 'elderly_care'],
  }
}

/** The bridge F–G is the only walkable way across the river; the motorway C–J is not walkable. */
function handTownRoads(): Road[] {
  return [
    {
      id: 11,
      walkable: true,
      coords: [
        [50, 50],
        [150, 50],
        [260, 50],
        [260, 150],
        [260, 250],
        [260, 350],
      ],
    },
    {
      id: 12,
      walkable: true,
      coords: [
        [260, 350],
        [340, 350],
      ],
    },
    {
      id: 13,
      walkable: true,
      coords: [
        [340, 350],
        [340, 250],
        [340, 150],
        [340, 50],
        [450, 50],
        [550, 50],
      ],
    },
    {
      id: 14,
      walkable: false,
      coords: [
        [260, 50],
        [340, 50],
      ],
    },
    {
      id: 15,
      walkable: true,
      coords: [
        [340, 150],
        [450, 150],
        [550, 150],
      ],
    },
  ]
}

function handTownRules(): FacilityRule[] {
  return [
    {
      type: 'kindergarten',
      radiusM: 300,
      servedGroups: ['children'],
      perCapitaNorm: 0.5,
      vulnerabilityWeight: 1.5,
    },
    { type: 'elderly_care', radiusM: 300, servedGroups: ['elderly'], vulnerabilityWeight: 2 },
  ]
}

/** Cell ids of the hand town: row-major from the south-west, starting at 1. */
export function cellId(c: number, r: number): number {
  return r * 6 + c + 1
}

/** Deterministic PRNG (mulberry32) so that the random city is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface RandomCityOptions {
  seed: number
  /** Grid columns and rows of population cells. */
  cols: number
  rows: number
  cellSizeM: number
  facilitiesPerType: number
  /** Mean spacing of the jittered street grid. */
  streetSpacingM: number
}

/**
 * A seeded random city: a population grid with empty patches, facilities of four types and a
 * jittered street grid whose streets share vertices at junctions, with missing blocks, intermediate
 * vertices, some non-walkable motorway links, near-duplicate vertices, streets that cross without a
 * junction and a lake without streets (unreachable cells and facilities).
 */
export function randomCity(o: RandomCityOptions, model: CoverageInput['model']): CoverageInput {
  // One stream of random numbers, drawn in this order, so the city is the same for the same seed.
  const rand = mulberry32(o.seed)
  const frame = { x0: 500_000, y0: 3_450_000, widthM: o.cols * o.cellSizeM, heightM: o.rows * o.cellSizeM }
  const cells = randomCells(o, frame, rand)
  const facilities = randomFacilities(o, frame, rand)
  const roads = randomStreets(o, frame, rand)
  return { cells, facilities, roads, rules: randomCityRules(), model }
}

/** Where the random city lies: a projected CRS origin far from zero, as in a Gauss-Krüger zone with its false easting. */
interface CityFrame {
  x0: number
  y0: number
  widthM: number
  heightM: number
}

function randomCells(o: RandomCityOptions, { x0, y0 }: CityFrame, rand: () => number): PopulationCell[] {
  const cells: PopulationCell[] = []
  for (let r = 0; r < o.rows; r++) {
    for (let c = 0; c < o.cols; c++) {
      const empty = rand() < 0.15
      cells.push({
        id: 1000 + r * o.cols + c,
        x: x0 + (c + 0.5) * o.cellSizeM,
        y: y0 + (r + 0.5) * o.cellSizeM,
        sizeM: o.cellSizeM,
        children: empty ? 0 : Math.floor(rand() * 40),
        working: empty ? 0 : Math.floor(rand() * 200),
        elderly: empty ? 0 : Math.floor(rand() * 60),
      })
    }
  }
  return cells
}

function randomFacilities(o: RandomCityOptions, f: CityFrame, rand: () => number): Facility[] {
  const types = ['kindergarten', 'elderly_care', 'primary_school', 'clinic']
  const facilities: Facility[] = []
  let fid = 1
  for (const type of types) {
    for (let k = 0; k < o.facilitiesPerType; k++) {
      facilities.push({
        id: fid++,
        type,
        x: f.x0 + rand() * f.widthM,
        y: f.y0 + rand() * f.heightM,
        capacity: rand() < 0.1 ? null : Math.floor(rand() * 300),
      })
    }
  }
  return facilities
}

/** The jittered street grid with its gaps, motorway links and the lake, then the flyovers. */
function randomStreets(o: RandomCityOptions, f: CityFrame, rand: () => number): Road[] {
  const { x0, y0, widthM, heightM } = f
  const roads: Road[] = []
  const nx = Math.ceil(widthM / o.streetSpacingM) + 1
  const ny = Math.ceil(heightM / o.streetSpacingM) + 1
  const jx: number[][] = []
  const jy: number[][] = []
  for (let i = 0; i < nx; i++) {
    jx.push([])
    jy.push([])
    for (let j = 0; j < ny; j++) {
      jx[i]!.push(x0 + (i + (rand() - 0.5) * 0.4) * o.streetSpacingM)
      jy[i]!.push(y0 + (j + (rand() - 0.5) * 0.4) * o.streetSpacingM)
    }
  }
  // A lake without streets, wide enough that its middle is beyond the snap distance of any road.
  const lake = {
    x0: x0 + 0.3 * widthM,
    y0: y0 + 0.3 * heightM,
    x1: x0 + 0.3 * widthM + 1400,
    y1: y0 + 0.3 * heightM + 1100,
  }
  const inLake = (x: number, y: number): boolean => x > lake.x0 && x < lake.x1 && y > lake.y0 && y < lake.y1
  let rid = 1
  const link = (ax: number, ay: number, bx: number, by: number): void => {
    if (rand() < 0.12 || inLake(ax, ay) || inLake(bx, by)) return
    const coords: Array<[number, number]> = [[ax, ay]]
    const inner = Math.floor(rand() * 3)
    for (let k = 1; k <= inner; k++) {
      const t = k / (inner + 1)
      coords.push([ax + (bx - ax) * t + (rand() - 0.5) * 10, ay + (by - ay) * t + (rand() - 0.5) * 10])
    }
    // Digitising noise below the merge tolerance must still join the junction.
    coords.push([bx + (rand() - 0.5) * 0.4, by + (rand() - 0.5) * 0.4])
    roads.push({ id: rid++, coords, walkable: rand() > 0.05 })
  }
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      if (i + 1 < nx) link(jx[i]![j]!, jy[i]![j]!, jx[i + 1]![j]!, jy[i + 1]![j]!)
      if (j + 1 < ny) link(jx[i]![j]!, jy[i]![j]!, jx[i]![j + 1]!, jy[i]![j + 1]!)
    }
  }
  // Diagonal flyovers that cross streets without sharing a vertex.
  for (let k = 0; k < 5; k++) {
    roads.push({
      id: rid++,
      walkable: true,
      coords: [
        [x0 + rand() * widthM, y0 + rand() * heightM],
        [x0 + rand() * widthM, y0 + rand() * heightM],
      ],
    })
  }
  return roads
}

function randomCityRules(): FacilityRule[] {
  return [
    {
      type: 'kindergarten',
      radiusM: 300,
      servedGroups: ['children'],
      perCapitaNorm: 0.9,
      vulnerabilityWeight: 1.5,
    },
    {
      type: 'elderly_care',
      radiusM: 300,
      servedGroups: ['elderly'],
      perCapitaNorm: 0.04,
      vulnerabilityWeight: 2,
    },
    {
      type: 'primary_school',
      radiusM: 500,
      servedGroups: ['children'],
      perCapitaNorm: 0.6,
      vulnerabilityWeight: 1.2,
    },
    {
      type: 'clinic',
      radiusM: 1000,
      servedGroups: ['children', 'working', 'elderly'],
      vulnerabilityWeight: 1,
    },
  ]
}
