/**
 * The synthetic city, without a database: a seeded street grid around a centre, blocks filled outwards ring by
 * ring until the building count is reached, compounds and buildings per block, facilities on planning lattices
 * with deliberate gaps, and a population grid derived from residential floor area. Rows come out in lon/lat
 * (EPSG:4326) with areas and lengths computed in the metric CRS the layout is drawn in.
 *
 * Every block draws from its own seeded stream (seed, i, j), and blocks are visited in a fixed order, so the
 * same options give identical rows, independent of batch sizes or the database they are written to.
 */

import type { FacilityType } from '../../server/db/facilities.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import { buildBlock } from './block.ts'
import { STOREY_HEIGHT_M } from './compound.ts'
import { round } from './layout.ts'
import { type BuildingPeople, HOUSEHOLD_SIZE, PopulationGrid, populationParameters } from './population.ts'
import { transverseMercatorFor } from './projection.ts'
import { type CityRegions, resolveCityRegions } from './regions.ts'
import {
  type LonLatFrame,
  lonLatFrame,
  type SyntheticBlock,
  type SyntheticBlockChunk,
  type SyntheticBuilding,
  type SyntheticCell,
  type SyntheticCompound,
  type SyntheticFacility,
  type SyntheticRoad,
} from './rows.ts'
import type { CityContext } from './site.ts'
import { blockOrder, StreetEdges, StreetGrid } from './streets.ts'
import { drawUnderServedPatches } from './under-served.ts'

export type SyntheticSize = 'S' | 'M' | 'L'

/** Building counts of the size classes. */
export const SYNTHETIC_SIZES: Record<SyntheticSize, number> = { S: 10_000, M: 100_000, L: 500_000 }

/** Bumped whenever a change to the generator changes its output for the same options. */
export const GENERATOR_VERSION = 1

export interface SyntheticCityOptions {
  /** Size class: about 10k (S), 100k (M) or 500k (L) buildings. @defaultValue 'S' */
  size?: SyntheticSize
  /** Seed of every random draw; the same seed and size give identical data. @defaultValue 1 */
  seed?: number
  /** Exact number of buildings, overriding the size class. */
  buildings?: number
  /** Longitude of the city centre. @defaultValue 114.3 (Wuhan) */
  centerLonDeg?: number
  /** Latitude of the city centre. @defaultValue 30.6 (Wuhan) */
  centerLatDeg?: number
  /**
   * GB/T 2260 city or district code the city is filed under; a city's first seven districts share it out by
   * sector and their streets by ring. @defaultValue '420100' (武汉市)
   */
  regionCode?: string
}

/** An area where some everyday facilities were deliberately left out, for diagnostics to find. */
export interface UnderServedArea {
  centerLonDeg: number
  centerLatDeg: number
  radiusM: number
  types: FacilityType[]
}

export interface SyntheticCityPlan {
  size: SyntheticSize
  seed: number
  targetBuildings: number
  centerLonDeg: number
  centerLatDeg: number
  regionCode: string
  cityName: string
  metricSrid: number
  /** Radius the zoning (core, inner, outer) is scaled to. */
  cityRadiusM: number
  underServedAreas: UnderServedArea[]
}

/** Average buildings per block, measured on generated cities; sizes the zoning before generation. */
const BUILDINGS_PER_BLOCK = 24
const MEAN_PITCH_M = 350

/** The options with their defaults, checked. */
function resolveOptions(options: SyntheticCityOptions) {
  const size = options.size ?? 'S'
  if (!(size in SYNTHETIC_SIZES)) throw new RangeError(`size must be S, M or L, got "${size}"`)
  const targetBuildings = options.buildings ?? SYNTHETIC_SIZES[size]
  if (!Number.isInteger(targetBuildings) || targetBuildings < 1) {
    throw new RangeError(`buildings must be a positive integer`)
  }
  const seed = options.seed ?? 1
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
  const centerLonDeg = options.centerLonDeg ?? 114.3
  const centerLatDeg = options.centerLatDeg ?? 30.6
  if (Math.abs(centerLatDeg) > 80 || Math.abs(centerLonDeg) > 180) {
    throw new RangeError(`centre ${centerLonDeg}, ${centerLatDeg} is not a lon/lat position`)
  }
  return {
    size,
    targetBuildings,
    seed,
    centerLonDeg,
    centerLatDeg,
    regionCode: options.regionCode ?? '420100',
  }
}

/** The generator. Iterate `blocks()` once; then `streets()` and `populationCells()` give the rest. */
export class SyntheticCity {
  readonly plan: SyntheticCityPlan
  /** The city (or district) the city is filed under, with the districts and streets its rows use. */
  readonly regions: CityRegions
  private readonly context: CityContext
  private readonly population = new PopulationGrid()
  private finished = false
  private started = false
  readonly counts = { blocks: 0, compounds: 0, buildings: 0, facilities: 0, footways: 0, residents: 0 }

  constructor(options: SyntheticCityOptions = {}) {
    const { size, targetBuildings, seed, centerLonDeg, centerLatDeg, regionCode } = resolveOptions(options)
    const regions = resolveCityRegions(regionCode)
    this.regions = regions
    const metricSrid = metricSridFor(centerLonDeg, centerLatDeg)
    const tm = transverseMercatorFor(metricSrid)
    const frame = lonLatFrame(tm)
    const centre = tm.forward(centerLonDeg, centerLatDeg)
    const grid = new StreetGrid(seed, centre)
    const estimatedBlocks = Math.max(1, targetBuildings / BUILDINGS_PER_BLOCK)
    const cityRadiusM = Math.sqrt(estimatedBlocks / Math.PI) * MEAN_PITCH_M
    const underServed = drawUnderServedPatches(seed, centre, cityRadiusM, estimatedBlocks)
    const streets = new StreetEdges(grid)
    // Blocks are zoned by the radius the plan records, rounded, so the recorded plan reproduces the city.
    const zoningRadiusM = round(cityRadiusM, 1)
    this.context = { seed, centre, cityRadiusM: zoningRadiusM, regions, grid, streets, frame, underServed }
    this.plan = {
      size,
      seed,
      targetBuildings,
      centerLonDeg,
      centerLatDeg,
      regionCode: regions.code,
      cityName: regions.name,
      metricSrid,
      cityRadiusM: zoningRadiusM,
      underServedAreas: underServed.map((p) => {
        const [lon, lat] = frame.toLonLat(p.centre)
        return { centerLonDeg: lon, centerLatDeg: lat, radiusM: p.radiusM, types: [...p.types] }
      }),
    }
  }

  private get frame(): LonLatFrame {
    return this.context.frame
  }

  /** What the dataset row records: enough to regenerate the same city and to interpret it. */
  datasetParameters(): Record<string, unknown> {
    return {
      generator: 'citycheck-synthetic',
      generatorVersion: GENERATOR_VERSION,
      size: this.plan.size,
      seed: this.plan.seed,
      buildings: this.plan.targetBuildings,
      centerLonDeg: this.plan.centerLonDeg,
      centerLatDeg: this.plan.centerLatDeg,
      regionCode: this.plan.regionCode,
      metricSrid: this.plan.metricSrid,
      cityRadiusM: this.plan.cityRadiusM,
      storeyHeightM: STOREY_HEIGHT_M,
      population: this.populationParameters(),
      underServedAreas: this.plan.underServedAreas,
    }
  }

  populationParameters(): Record<string, unknown> {
    return populationParameters(this.plan.metricSrid)
  }

  /** Blocks in order until the target building count; the last block is cut to hit it exactly. */
  *blocks(): Generator<SyntheticBlockChunk> {
    if (this.started) throw new Error('SyntheticCity.blocks() can be iterated once')
    this.started = true
    const target = this.plan.targetBuildings
    for (const [i, j] of blockOrder()) {
      if (this.counts.buildings >= target) break
      const { chunk, people } = buildBlock(this.context, i, j)
      const room = target - this.counts.buildings
      if (chunk.buildings.length > room) {
        chunk.buildings.length = room
        recountCompounds(chunk)
      }
      chunk.buildings.forEach((building, b) => {
        this.population.add(building, people[b] as BuildingPeople)
      })
      this.counts.blocks++
      this.counts.compounds += chunk.compounds.length
      this.counts.buildings += chunk.buildings.length
      this.counts.facilities += chunk.facilities.length
      this.counts.footways += chunk.footways.length
      for (const c of chunk.compounds) this.counts.residents += c.residents
      yield chunk
    }
    this.counts.residents = round(this.counts.residents, 2)
    this.finished = true
  }

  /** The grid streets bordering the generated blocks, split where compound footpaths join them. */
  streets(): SyntheticRoad[] {
    if (!this.finished) throw new Error('SyntheticCity.streets() needs blocks() to have run to the end')
    return this.context.streets.roads(this.frame)
  }

  /** The 100 m population grid in the metric CRS, cells ordered by row then column. */
  populationCells(): SyntheticCell[] {
    if (!this.finished)
      throw new Error('SyntheticCity.populationCells() needs blocks() to have run to the end')
    return this.population.rows(this.frame, this.plan.metricSrid)
  }
}

/** Residents and households of the compounds after the last block lost the buildings past the target. */
function recountCompounds(chunk: SyntheticBlockChunk): void {
  const residents = new Map<string, number>()
  for (const b of chunk.buildings) {
    residents.set(b.compoundSourceId, (residents.get(b.compoundSourceId) ?? 0) + b.residents)
  }
  for (const c of chunk.compounds) {
    c.residents = round(residents.get(c.sourceId) ?? 0, 2)
    c.households = Math.round(c.residents / HOUSEHOLD_SIZE)
  }
}

export interface SyntheticCityData {
  plan: SyntheticCityPlan
  blocks: SyntheticBlock[]
  compounds: SyntheticCompound[]
  buildings: SyntheticBuilding[]
  facilities: SyntheticFacility[]
  roads: SyntheticRoad[]
  cells: SyntheticCell[]
}

/** The whole city in memory: for tests and small cities (an L city is better streamed through `SyntheticCity`). */
export function generateCityData(options: SyntheticCityOptions = {}): SyntheticCityData {
  const city = new SyntheticCity(options)
  const data: SyntheticCityData = {
    plan: city.plan,
    blocks: [],
    compounds: [],
    buildings: [],
    facilities: [],
    roads: [],
    cells: [],
  }
  for (const chunk of city.blocks()) {
    data.blocks.push(chunk.block)
    data.compounds.push(...chunk.compounds)
    data.buildings.push(...chunk.buildings)
    data.facilities.push(...chunk.facilities)
    data.roads.push(...chunk.footways)
  }
  data.roads.push(...city.streets())
  data.cells = city.populationCells()
  return data
}
