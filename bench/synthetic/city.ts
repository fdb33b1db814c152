/**
 * The synthetic city, without a database: a seeded street grid around a centre, blocks filled outwards ring by
 * ring until the building count is reached, compounds and buildings per block, facilities on planning lattices
 * with deliberate gaps, and a population grid derived from residential floor area. Rows come out in lon/lat
 * (EPSG:4326) with areas and lengths computed in the metric CRS the layout is drawn in.
 *
 * Every block draws from its own seeded stream (seed, i, j), and blocks are visited in a fixed order, so the
 * same options give identical rows, independent of batch sizes or the database they are written to.
 */

import type { BuildingUse } from '../../server/db/buildings.ts'
import { FACILITY_TYPES, type FacilityType } from '../../server/db/facilities.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import {
  drawCapacity,
  FACILITY_SPECS,
  latticeHosts,
  PARCEL_PRIORITY,
  UNDER_SERVABLE_TYPES,
} from './facilities.ts'
import {
  type AgeShares,
  ageSharesFor,
  BASE_AGE_SHARES,
  type BlockCharacter,
  compoundName,
  type HeightClass,
  heightClassOf,
  LAND_USE,
  type LandUse,
  PARCEL_USES,
  type ParcelUse,
  RESIDENTIAL_HEIGHTS,
  RESIDENTIAL_STYLES,
  STYLES,
  structureFor,
  yearFor,
} from './land-use.ts'
import {
  layoutParcel,
  lineLength,
  type ParcelLayout,
  type Rect,
  rectArea,
  rectCentre,
  rectRing,
  round,
  shrinkRect,
  subdivideBlock,
  type Xy,
} from './layout.ts'
import { FACILITY_NAME_ZH, type LineClass, streetName } from './names.ts'
import { type TransverseMercator, transverseMercatorFor } from './projection.ts'
import { hash32, Random, unitHash } from './random.ts'
import { type CityRegions, resolveCityRegions } from './regions.ts'

export type SyntheticSize = 'S' | 'M' | 'L'

/** Building counts of the size classes. */
export const SYNTHETIC_SIZES: Record<SyntheticSize, number> = { S: 10_000, M: 100_000, L: 500_000 }

/** Bumped whenever a change to the generator changes its output for the same options. */
export const GENERATOR_VERSION = 1

export const STOREY_HEIGHT_M = 3
export const FLOOR_AREA_PER_RESIDENT_M2 = 36
/** Share of a mixed-use building's floor area that is housing (the importer's default too). */
export const MIXED_USE_RESIDENTIAL_SHARE = 0.5
export const CELL_SIZE_M = 100
export const POPULATION_METHOD = 'synthetic:floor_area'

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

export type LonLat = [number, number]

export interface SyntheticBlock {
  sourceId: string
  regionCode: string
  name: string
  /** Exterior ring, closed, counter-clockwise. */
  ring: LonLat[]
  areaM2: number
}

export interface SyntheticCompound {
  sourceId: string
  blockSourceId: string
  regionCode: string
  name: string
  kind: 'compound' | 'self_built_cluster'
  ring: LonLat[]
  areaM2: number
  yearBuilt: number
  households: number
  residents: number
  attributes: {
    landUse: LandUse
    parcelUse: ParcelUse
    character: BlockCharacter
    ageShares: AgeShares
  }
}

export interface SyntheticBuilding {
  sourceId: string
  compoundSourceId: string
  blockSourceId: string
  regionCode: string
  ring: LonLat[]
  /** A point inside the footprint. */
  centroid: LonLat
  footprintAreaM2: number
  heightM: number
  floors: number
  floorAreaM2: number
  use: BuildingUse
  yearBuilt: number
  structure: string
  standardAddress: string
  residents: number
  attributes: { heightClass: HeightClass; shape: 'rectangle' | 'l_shape' }
}

export interface SyntheticFacility {
  sourceId: string
  regionCode: string
  type: FacilityType
  name: string
  point: LonLat
  capacity: number | null
  capacityUnit: string | null
  areaM2: number | null
  attributes: Record<string, unknown>
}

export interface SyntheticRoad {
  sourceId: string
  regionCode: string
  /** Tilezen kinds, as the importer stores OpenStreetMap roads: major_road, minor_road, path. */
  kind: 'major_road' | 'minor_road' | 'path'
  kindDetail: string
  name: string | null
  line: LonLat[]
  lengthM: number
  walkable: boolean
}

export interface SyntheticCell {
  cellKey: string
  regionCode: string
  sizeM: number
  metricSrid: number
  ring: LonLat[]
  centroid: LonLat
  children: number
  working: number
  elderly: number
  total: number
}

/** Rows of one block, complete: every compound and building of the block, its facilities and footpaths. */
export interface SyntheticBlockChunk {
  block: SyntheticBlock
  compounds: SyntheticCompound[]
  buildings: SyntheticBuilding[]
  facilities: SyntheticFacility[]
  footways: SyntheticRoad[]
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
const HOUSEHOLD_SIZE = 2.62

const mod = (a: number, m: number): number => ((a % m) + m) % m

function lineClass(k: number): LineClass {
  // Expressways ring the centre about 2 km out rather than crossing at the centre block.
  if (mod(k, 12) === 6) return 'trunk'
  if (mod(k, 4) === 0) return 'primary'
  if (mod(k, 2) === 0) return 'secondary'
  return 'branch'
}

/** Half the red-line width (道路红线) of a grid street. */
const HALF_WIDTH_M: Record<LineClass, number> = { trunk: 30, primary: 20, secondary: 15, branch: 10 }

/** Street grid with varied spacing: line k's position is the sum of seeded pitches (300–400 m) from the centre. */
class StreetGrid {
  private readonly memo = { x: new Map<number, number>(), y: new Map<number, number>() }

  constructor(
    private readonly seed: number,
    private readonly origin: Xy,
  ) {}

  pitch(axis: 'x' | 'y', k: number): number {
    return 300 + Math.floor(unitHash(this.seed, 'pitch', axis, k) * 101)
  }

  line(axis: 'x' | 'y', k: number): number {
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
function* blockOrder(): Generator<[number, number]> {
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
interface StreetEdge {
  axis: 'x' | 'y'
  line: number
  segment: number
  regionCode: string
  /** Where footpaths from compound gates join, as a coordinate along the edge. */
  junctions: number[]
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

type Side = 'south' | 'west' | 'east' | 'north'
const SIDES: readonly Side[] = ['south', 'west', 'east', 'north']

interface ParcelPlan {
  rect: Rect
  use: ParcelUse
  hosted?: FacilityType
  touches: { west: boolean; east: boolean; south: boolean; north: boolean }
}

/** The generator. Iterate `blocks()` once; then `streets()` and `populationCells()` give the rest. */
export class SyntheticCity {
  readonly plan: SyntheticCityPlan
  readonly regions: CityRegions
  private readonly tm: TransverseMercator
  private readonly centre: Xy
  private readonly grid: StreetGrid
  private readonly patches: { centre: Xy; radiusM: number; types: Set<FacilityType> }[]
  private readonly edges = new Map<string, StreetEdge>()
  private readonly cells = new Map<string, CellAccumulator>()
  private finished = false
  private started = false
  readonly counts = { blocks: 0, compounds: 0, buildings: 0, facilities: 0, footways: 0, residents: 0 }

  constructor(options: SyntheticCityOptions = {}) {
    const size = options.size ?? 'S'
    if (!(size in SYNTHETIC_SIZES)) throw new RangeError(`size must be S, M or L, got "${size}"`)
    const target = options.buildings ?? SYNTHETIC_SIZES[size]
    if (!Number.isInteger(target) || target < 1) throw new RangeError(`buildings must be a positive integer`)
    const seed = options.seed ?? 1
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
    const centerLonDeg = options.centerLonDeg ?? 114.3
    const centerLatDeg = options.centerLatDeg ?? 30.6
    if (Math.abs(centerLatDeg) > 80 || Math.abs(centerLonDeg) > 180) {
      throw new RangeError(`centre ${centerLonDeg}, ${centerLatDeg} is not a lon/lat position`)
    }
    this.regions = resolveCityRegions(options.regionCode ?? '420100')
    const metricSrid = metricSridFor(centerLonDeg, centerLatDeg)
    this.tm = transverseMercatorFor(metricSrid)
    this.centre = this.tm.forward(centerLonDeg, centerLatDeg)
    this.grid = new StreetGrid(seed, this.centre)
    const estimatedBlocks = Math.max(1, target / BUILDINGS_PER_BLOCK)
    const cityRadiusM = Math.sqrt(estimatedBlocks / Math.PI) * MEAN_PITCH_M

    const rng = new Random(hash32(seed, 'under-served'))
    const patchCount = Math.max(2, Math.round(estimatedBlocks / 60))
    this.patches = []
    for (let p = 0; p < patchCount; p++) {
      const distance = rng.range(0.25, 0.85) * cityRadiusM
      const angle = rng.range(0, 2 * Math.PI)
      const radiusM = Math.round(rng.range(550, 900))
      const types = new Set<FacilityType>()
      if (rng.chance(0.7)) types.add('kindergarten')
      if (rng.chance(0.7)) types.add('elderly_care')
      const wanted = rng.int(3, 6)
      while (types.size < wanted) types.add(rng.pick(UNDER_SERVABLE_TYPES))
      this.patches.push({
        centre: [this.centre[0] + distance * Math.cos(angle), this.centre[1] + distance * Math.sin(angle)],
        radiusM,
        types: new Set(FACILITY_TYPES.filter((t) => types.has(t))),
      })
    }

    this.plan = {
      size,
      seed,
      targetBuildings: target,
      centerLonDeg,
      centerLatDeg,
      regionCode: this.regions.code,
      cityName: this.regions.name,
      metricSrid,
      cityRadiusM: round(cityRadiusM, 1),
      underServedAreas: this.patches.map((p) => {
        const [lon, lat] = this.toLonLat(p.centre)
        return { centerLonDeg: lon, centerLatDeg: lat, radiusM: p.radiusM, types: [...p.types] }
      }),
    }
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
    return {
      floorAreaPerResidentM2: FLOOR_AREA_PER_RESIDENT_M2,
      mixedUseResidentialShare: MIXED_USE_RESIDENTIAL_SHARE,
      baseAgeShares: BASE_AGE_SHARES,
      ageShareVariation:
        'per compound: +0.10 elderly before 1980, +0.05 before 2000, −0.06 from 2010; ' +
        'children +0.04 from 2010, −0.04 before 1990; villages +0.03 children, −0.05 elderly; ±0.02–0.03 noise',
      cellSizeM: CELL_SIZE_M,
      metricSrid: this.plan.metricSrid,
      assignment: "each building's residents go to the cell holding its interior point",
    }
  }

  private toLonLat(xy: Xy): LonLat {
    const [lon, lat] = this.tm.inverse(xy[0], xy[1])
    // 1e-8° is about 1 mm: stored areas of the smallest houses then agree with PostGIS to 0.02 %, and the
    // text stays shorter than full doubles.
    return [round(lon, 8), round(lat, 8)]
  }

  private ring(points: Xy[]): LonLat[] {
    return points.map((p) => this.toLonLat(p))
  }

  private regionFor(xy: Xy, rel: number): string {
    const districts = this.regions.districts
    const angle = Math.atan2(xy[1] - this.centre[1], xy[0] - this.centre[0]) + Math.PI
    const position = (angle / (2 * Math.PI)) * districts.length
    const index = Math.min(districts.length - 1, Math.floor(position))
    const district = districts[index] ?? districts[0]
    if (!district) throw new Error('no districts')
    const streets = district.streets
    if (streets.length === 0) return district.code
    // Streets tile the district's sector: a few sub-sectors across, rings outwards.
    const across = Math.ceil(Math.sqrt(streets.length))
    const rings = Math.ceil(streets.length / across)
    const sub = Math.min(across - 1, Math.floor((position - index) * across))
    const ring = Math.min(rings - 1, Math.floor(Math.min(0.999, rel) * rings))
    return (streets[(ring * across + sub) % streets.length] as { code: string }).code
  }

  private characterFor(rel: number, rng: Random): BlockCharacter {
    if (rel < 0.3) return rng.chance(0.85) ? 'core' : 'inner'
    if (rel < 0.65) return rng.weighted<BlockCharacter>({ inner: 0.95, village: 0.02, industrial: 0.03 })
    return rng.weighted<BlockCharacter>({ outer: 0.74, industrial: 0.2, village: 0.06 })
  }

  private suppressed(type: FacilityType, xy: Xy): boolean {
    for (const p of this.patches) {
      if (p.types.has(type) && Math.hypot(xy[0] - p.centre[0], xy[1] - p.centre[1]) <= p.radiusM) return true
    }
    return false
  }

  private edge(axis: 'x' | 'y', line: number, segment: number, regionCode: string): StreetEdge {
    const key = `${axis}:${line}:${segment}`
    let edge = this.edges.get(key)
    if (!edge) {
      edge = { axis, line, segment, regionCode, junctions: [] }
      this.edges.set(key, edge)
    }
    return edge
  }

  private streetNameOf(axis: 'x' | 'y', line: number): string {
    return streetName(axis, line, lineClass(line))
  }

  /** Blocks in order until the target building count; the last block is cut to hit it exactly. */
  *blocks(): Generator<SyntheticBlockChunk> {
    if (this.started) throw new Error('SyntheticCity.blocks() can be iterated once')
    this.started = true
    const target = this.plan.targetBuildings
    for (const [i, j] of blockOrder()) {
      if (this.counts.buildings >= target) break
      const { chunk, people } = this.buildBlock(i, j)
      const room = target - this.counts.buildings
      if (chunk.buildings.length > room) {
        chunk.buildings.length = room
        this.recountCompounds(chunk)
      }
      for (let b = 0; b < chunk.buildings.length; b++) {
        const { shares, inside } = people[b] as { shares: AgeShares; inside: Xy }
        this.addToCell(chunk.buildings[b] as SyntheticBuilding, shares, inside)
      }
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

  private recountCompounds(chunk: SyntheticBlockChunk): void {
    const residents = new Map<string, number>()
    for (const b of chunk.buildings) {
      residents.set(b.compoundSourceId, (residents.get(b.compoundSourceId) ?? 0) + b.residents)
    }
    for (const c of chunk.compounds) {
      c.residents = round(residents.get(c.sourceId) ?? 0, 2)
      c.households = Math.round(c.residents / HOUSEHOLD_SIZE)
    }
  }

  private addToCell(building: SyntheticBuilding, shares: AgeShares, inside: Xy): void {
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

  /** One block's rows, plus per building what the population grid needs but the rows do not carry. */
  private buildBlock(
    i: number,
    j: number,
  ): { chunk: SyntheticBlockChunk; people: { shares: AgeShares; inside: Xy }[] } {
    const seed = this.plan.seed
    const rng = new Random(hash32(seed, 'block', i, j))
    const rect = this.grid.blockRect(i, j)
    const centre = rectCentre(rect)
    const rel = Math.hypot(centre[0] - this.centre[0], centre[1] - this.centre[1]) / this.plan.cityRadiusM
    const character = this.characterFor(rel, rng)
    const regionCode = this.regionFor(centre, rel)
    const district =
      this.regions.districts.find((d) => regionCode.startsWith(d.code)) ?? this.regions.districts[0]
    const addressPrefix = `${this.regions.addressPrefix}${district?.name ?? ''}`
    const blockId = `block:${i}:${j}`
    const block: SyntheticBlock = {
      sourceId: blockId,
      regionCode,
      name: `街区 ${i >= 0 ? `E${i}` : `W${-i}`}${j >= 0 ? `N${j}` : `S${-j}`}`,
      ring: this.ring(rectRing(rect)),
      areaM2: round(rectArea(rect), 2),
    }
    const edges = {
      west: this.edge('x', i, j, regionCode),
      east: this.edge('x', i + 1, j, regionCode),
      south: this.edge('y', j, i, regionCode),
      north: this.edge('y', j + 1, i, regionCode),
    }

    // Facilities of this block, before parcels: parcel-hosted ones claim parcels first.
    const hosted: FacilityType[] = []
    for (const type of FACILITY_TYPES) {
      const spec = FACILITY_SPECS[type]
      if (spec.host === 'road' || spec.host === 'station') continue
      if (spec.residential && character === 'industrial') continue
      if (!latticeHosts(seed, type, i, j)) continue
      if (this.suppressed(type, centre)) continue
      hosted.push(type)
    }

    const eps = 1e-6
    // Parcels stop a metre short of the block outline: a straight edge in metres is slightly curved in lon/lat,
    // and the margin keeps every compound inside its block after projection and rounding.
    const site = shrinkRect(rect, 1)
    const parcels: ParcelPlan[] = subdivideBlock(site, rng).map((p) => ({
      rect: p,
      use: 'residential',
      touches: {
        west: p.x0 <= site.x0 + eps,
        east: p.x1 >= site.x1 - eps,
        south: p.y0 <= site.y0 + eps,
        north: p.y1 >= site.y1 - eps,
      },
    }))
    // Keep at least one parcel for the block's own use; campuses go to the biggest parcels.
    const free = [...parcels].sort((a, b) => rectArea(b.rect) - rectArea(a.rect))
    let claimable = parcels.length > 1 ? parcels.length - 1 : 0
    const pointHosted: FacilityType[] = []
    for (const type of PARCEL_PRIORITY) {
      if (!hosted.includes(type)) continue
      const parcel = claimable > 0 ? free.shift() : undefined
      if (parcel) {
        claimable--
        parcel.hosted = type
        parcel.use =
          type === 'park' || type === 'sports_ground' ? 'green' : type === 'hospital' ? 'hospital' : 'school'
      } else {
        pointHosted.push(type)
      }
    }
    for (const parcel of parcels) {
      if (!parcel.hosted) parcel.use = rng.weighted(PARCEL_USES[character])
    }

    const compounds: SyntheticCompound[] = []
    const buildings: SyntheticBuilding[] = []
    const people: { shares: AgeShares; inside: Xy }[] = []
    const footways: SyntheticRoad[] = []
    const facilities: SyntheticFacility[] = []
    const layouts: {
      parcel: ParcelPlan
      layout: ParcelLayout
      compoundId: string
      name: string
      inside: Xy[]
    }[] = []

    parcels.forEach((parcel, p) => {
      const heightClass: HeightClass =
        parcel.use === 'residential' ? rng.weighted(RESIDENTIAL_HEIGHTS[character]) : 'low'
      const style = parcel.use === 'residential' ? RESIDENTIAL_STYLES[heightClass] : STYLES[parcel.use]
      const layout = layoutParcel(parcel.rect, style, rng)
      const year = yearFor(parcel.use, heightClass, character, rng)
      const ageShares = ageSharesFor(parcel.use, year, rng)
      const compoundId = `compound:${i}:${j}:${p}`
      const name = compoundName(parcel.use, year, rng, parcel.hosted)

      // Gate on a street the parcel fronts, avoiding expressways that pedestrians cannot walk along.
      const sides = SIDES.filter((s) => parcel.touches[s])
      const walkableSides = sides.filter((s) => lineClass(edges[s].line) !== 'trunk')
      const gateSide = rng.pick<Side>(
        walkableSides.length > 0 ? walkableSides : sides.length > 0 ? sides : ['south'],
      )
      const gateEdge = edges[gateSide]
      const xs = layout.corridorsX
      const ys = layout.corridorsY
      const spineY = (ys.length >= 3 ? ys[Math.floor(ys.length / 2)] : ys[0]) as number
      const x0 = xs[0] as number
      const x1 = xs[xs.length - 1] as number
      // Two gates meeting one street at (nearly) the same point share the junction: no zero-length pieces.
      const joinAt = (at: number): number => {
        const near = gateEdge.junctions.find((v) => Math.abs(v - at) < 1)
        if (near !== undefined) return near
        gateEdge.junctions.push(at)
        return at
      }
      const paths: Xy[][] = []
      let junction: number
      if (gateSide === 'west' || gateSide === 'east') {
        const roadX = this.grid.line('x', gateSide === 'west' ? i : i + 1)
        junction = joinAt(spineY)
        paths.push([
          [x0, spineY],
          [x1, spineY],
        ])
        paths.push([
          [gateSide === 'west' ? x0 : x1, spineY],
          [roadX, junction],
        ])
      } else {
        const gateX = (xs.length >= 3 ? xs[Math.floor(xs.length / 2)] : x0) as number
        const roadY = this.grid.line('y', gateSide === 'south' ? j : j + 1)
        junction = joinAt(gateX)
        if (gateX > x0 && gateX < x1) {
          paths.push([
            [x0, spineY],
            [gateX, spineY],
          ])
          paths.push([
            [gateX, spineY],
            [x1, spineY],
          ])
        } else {
          paths.push([
            [x0, spineY],
            [x1, spineY],
          ])
        }
        paths.push([
          [gateX, spineY],
          [junction, roadY],
        ])
      }
      paths.forEach((path, n) => {
        footways.push({
          sourceId: `path:${i}:${j}:${p}:${n}`,
          regionCode,
          kind: 'path',
          kindDetail: 'footway',
          name: null,
          line: this.ring(path),
          lengthM: round(lineLength(path), 2),
          walkable: true,
        })
      })

      // House numbers: odd on one side of the street, even on the other, 20 m apart from the centre outwards.
      const along = gateEdge.axis === 'x' ? junction - this.centre[1] : junction - this.centre[0]
      const oddSide = gateSide === 'west' || gateSide === 'south'
      const houseNumber = 2 * Math.floor(Math.abs(along) / 20) + (oddSide ? 1 : 2)
      const road = this.streetNameOf(gateEdge.axis, gateEdge.line)

      let compoundResidents = 0
      const inside: Xy[] = []
      layout.buildings.forEach((shape, n) => {
        let use: BuildingUse
        switch (parcel.use) {
          case 'residential':
            use = rng.chance(character === 'core' ? 0.15 : 0.06) ? 'mixed' : 'residential'
            break
          case 'village':
            use = rng.chance(0.15) ? 'mixed' : 'residential'
            break
          case 'commercial':
            use = 'commercial'
            break
          case 'office':
            use = 'office'
            break
          case 'industrial':
            use = rng.weighted<BuildingUse>({ industrial: 0.85, other: 0.1, office: 0.05 })
            break
          default:
            use = 'public'
        }
        const floors = shape.floors
        const footprintAreaM2 = round(shape.areaM2, 2)
        const floorAreaM2 = round(footprintAreaM2 * floors, 2)
        const housing = use === 'residential' ? 1 : use === 'mixed' ? MIXED_USE_RESIDENTIAL_SHARE : 0
        const residents = round((floorAreaM2 * housing) / FLOOR_AREA_PER_RESIDENT_M2, 2)
        const yearBuilt =
          parcel.use === 'village'
            ? rng.int(Math.max(1980, year - 10), Math.min(2020, year + 10))
            : Math.min(2024, year + rng.int(0, 2))
        compoundResidents += residents
        const building: SyntheticBuilding = {
          sourceId: `building:${i}:${j}:${p}:${n}`,
          compoundSourceId: compoundId,
          blockSourceId: blockId,
          regionCode,
          ring: this.ring(shape.ring),
          centroid: this.toLonLat(shape.inside),
          footprintAreaM2,
          heightM: floors * STOREY_HEIGHT_M,
          floors,
          floorAreaM2,
          use,
          yearBuilt,
          structure: structureFor(use, floors, yearBuilt, rng),
          standardAddress: `${addressPrefix}${road}${houseNumber}号${n + 1}栋`,
          residents,
          attributes: { heightClass: heightClassOf(floors), shape: shape.lShape ? 'l_shape' : 'rectangle' },
        }
        buildings.push(building)
        people.push({ shares: ageShares, inside: shape.inside })
        inside.push(shape.inside)
      })
      compoundResidents = round(compoundResidents, 2)
      compounds.push({
        sourceId: compoundId,
        blockSourceId: blockId,
        regionCode,
        name,
        kind: parcel.use === 'village' ? 'self_built_cluster' : 'compound',
        ring: this.ring(rectRing(parcel.rect)),
        areaM2: round(rectArea(parcel.rect), 2),
        yearBuilt: year,
        households: Math.round(compoundResidents / HOUSEHOLD_SIZE),
        residents: compoundResidents,
        attributes: { landUse: LAND_USE[parcel.use], parcelUse: parcel.use, character, ageShares },
      })
      layouts.push({ parcel, layout, compoundId, name, inside })
    })

    const southRoad = this.streetNameOf('y', j)
    const facility = (
      type: FacilityType,
      n: number,
      point: Xy,
      name: string,
      areaM2: number | null,
      attributes: Record<string, unknown> = {},
    ): void => {
      const spec = FACILITY_SPECS[type]
      let capacity = drawCapacity(spec, unitHash(seed, 'capacity', type, i, j, n))
      let capacityUnit = spec.capacity?.unit ?? null
      if (type === 'elderly_care' && unitHash(seed, 'nursing-home', i, j) < 0.15) {
        // One in seven is a nursing home (养老院) rather than a day-care station (日间照料中心).
        capacity = 150 + 10 * Math.floor(unitHash(seed, 'nursing-home-beds', i, j) * 26)
        capacityUnit = 'beds'
        attributes = { ...attributes, kind: 'nursing_home' }
      }
      facilities.push({
        sourceId: `facility:${type}:${i}:${j}:${n}`,
        regionCode,
        type,
        name,
        point: this.toLonLat(point),
        capacity,
        capacityUnit,
        areaM2: areaM2 === null ? null : round(areaM2, 2),
        attributes,
      })
    }
    const drawArea = (range: [number, number] | undefined): number | null =>
      range ? round(rng.range(range[0], range[1]), 0) : null

    // Campuses, hospitals, parks and sports grounds at the centre of their parcel.
    for (const l of layouts) {
      if (!l.parcel.hosted) continue
      facility(l.parcel.hosted, 0, rectCentre(l.parcel.rect), l.name, rectArea(l.parcel.rect), {
        compoundSourceId: l.compoundId,
      })
    }
    // Everything else inside a compound: at one of its buildings (a ground floor) or the parcel's centre.
    const residentialLayouts = layouts.filter(
      (l) => l.parcel.use === 'residential' || l.parcel.use === 'village',
    )
    const pointTypes = [
      ...pointHosted,
      ...hosted.filter((t) => FACILITY_SPECS[t].host === 'point' && t !== 'shelter'),
    ]
    for (const type of pointTypes) {
      const pool =
        FACILITY_SPECS[type].residential && residentialLayouts.length > 0 ? residentialLayouts : layouts
      const l = rng.pick(pool)
      const point = l.inside.length > 0 ? rng.pick(l.inside) : rectCentre(l.parcel.rect)
      const fallbackArea: Partial<Record<FacilityType, [number, number]>> = {
        park: [2000, 8000],
        sports_ground: [3000, 10000],
        primary_school: [8000, 20000],
        middle_school: [10000, 25000],
        hospital: [5000, 20000],
      }
      facility(
        type,
        0,
        point,
        `${southRoad}${FACILITY_NAME_ZH[type]}`,
        drawArea(FACILITY_SPECS[type].areaM2 ?? fallbackArea[type]),
        { compoundSourceId: l.compoundId },
      )
    }
    if (hosted.includes('shelter')) {
      // Emergency shelters use open ground: a park, a sports ground or a school field when the block has one.
      const open =
        layouts.find((l) => l.parcel.use === 'green') ?? layouts.find((l) => l.parcel.use === 'school')
      const at = open ? rectCentre(open.parcel.rect) : centre
      facility(
        'shelter',
        0,
        at,
        `${open ? open.name : southRoad}${FACILITY_NAME_ZH.shelter}`,
        open ? rectArea(open.parcel.rect) : drawArea(FACILITY_SPECS.shelter.areaM2),
      )
    }
    // Bus stops on the pavement of the block's south and west streets (each street edge has one owner block).
    const stopOn = (side: 'south' | 'west'): void => {
      const e = edges[side]
      if (lineClass(e.line) === 'trunk') return
      if (unitHash(seed, 'bus_stop', side, i, j) >= FACILITY_SPECS.bus_stop.chance) return
      const point: Xy =
        side === 'south'
          ? [rect.x0 + 0.3 * (rect.x1 - rect.x0), rect.y0 - 3]
          : [rect.x0 - 3, rect.y0 + 0.3 * (rect.y1 - rect.y0)]
      facility(
        'bus_stop',
        side === 'south' ? 0 : 1,
        point,
        `${this.streetNameOf(e.axis, e.line)}公交站`,
        null,
      )
    }
    stopOn('south')
    stopOn('west')
    // Metro stations at arterial crossings in the built-up centre, one entrance on each corner.
    if (
      mod(i, 4) === 0 &&
      mod(j, 4) === 0 &&
      rel < 0.7 &&
      unitHash(seed, 'subway', i, j) < FACILITY_SPECS.subway_entrance.chance
    ) {
      const cx = this.grid.line('x', i)
      const cy = this.grid.line('y', j)
      const dx = HALF_WIDTH_M[lineClass(i)] + 2
      const dy = HALF_WIDTH_M[lineClass(j)] + 2
      const station = `${this.streetNameOf('x', i)}${this.streetNameOf('y', j)}站`
      const corners: [Xy, string][] = [
        [[cx + dx, cy + dy], 'A'],
        [[cx - dx, cy + dy], 'B'],
        [[cx - dx, cy - dy], 'C'],
        [[cx + dx, cy - dy], 'D'],
      ]
      corners.forEach(([point, letter], n) => {
        facility('subway_entrance', n, point, `${station}${letter}口`, null, { station })
      })
    }

    return { chunk: { block, compounds, buildings, facilities, footways }, people }
  }

  /** The grid streets bordering the generated blocks, split where compound footpaths join them. */
  streets(): SyntheticRoad[] {
    if (!this.finished) throw new Error('SyntheticCity.streets() needs blocks() to have run to the end')
    const roads: SyntheticRoad[] = []
    for (const edge of this.edges.values()) {
      const cls = lineClass(edge.line)
      const along = edge.axis === 'x' ? 'y' : 'x'
      const from = this.grid.line(along, edge.segment)
      const to = this.grid.line(along, edge.segment + 1)
      const at = this.grid.line(edge.axis, edge.line)
      const stops = [from, ...[...edge.junctions].sort((a, b) => a - b), to]
      const name = this.streetNameOf(edge.axis, edge.line)
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
          line: this.ring(line),
          lengthM: round(b - a, 2),
          walkable: cls !== 'trunk',
        })
      }
    }
    return roads
  }

  /** The 100 m population grid in the metric CRS, cells ordered by row then column. */
  populationCells(): SyntheticCell[] {
    if (!this.finished)
      throw new Error('SyntheticCity.populationCells() needs blocks() to have run to the end')
    const cells = [...this.cells.values()].sort((a, b) => a.row - b.row || a.col - b.col)
    return cells.map((c) => {
      const x0 = c.col * CELL_SIZE_M
      const y0 = c.row * CELL_SIZE_M
      return {
        cellKey: `${CELL_SIZE_M}:${c.col}:${c.row}`,
        regionCode: c.regionCode,
        sizeM: CELL_SIZE_M,
        metricSrid: this.plan.metricSrid,
        ring: this.ring(rectRing({ x0, y0, x1: x0 + CELL_SIZE_M, y1: y0 + CELL_SIZE_M })),
        centroid: this.toLonLat([x0 + CELL_SIZE_M / 2, y0 + CELL_SIZE_M / 2]),
        children: round(c.children, 2),
        working: round(c.working, 2),
        elderly: round(c.elderly, 2),
        total: round(c.total, 2),
      }
    })
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
