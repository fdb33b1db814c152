import type { Database } from '../../server/db/client.ts'
import type { FacilityRule, PopulationCell } from '../coverage/engine/index.ts'
import { ruleFor } from '../coverage/rules.ts'
import { countBlindSpots, type RunCoverage } from './coverage.ts'
import {
  type ComputedValue,
  facilityTypeOf,
  type IndicatorRow,
  methodOf,
  ROAD_DENSITY_KINDS,
  type SkippedValue,
  STOCK_SHARE_KINDS,
  type UnitOutcome,
} from './definitions.ts'
import type { IndicatorInputs } from './inputs.ts'
import {
  cellShares,
  SMALL_UNIT_TYPES,
  type SmallUnit,
  type SmallUnitType,
  sridFromUnits,
  type UnitFacilities,
  unitFacilities,
  unitRoadKm,
  unitStockM2,
  unitsOf,
} from './small-unit-figures.ts'

/**
 * Computed indicators per compound (小区, `unit_key` = `compounds.id`) and per block (街区, `blocks.id`): the same
 * calculators as for regions, on units whose `region_code` lies in the campaign's region.
 *
 * Residents of a unit. Population cells (100 m) are coarser than most compounds, so a cell is split between units
 * by where its residents live: the unit's share of a cell is the residents of the unit's buildings
 * (`buildings.compound_id` / `buildings.block_id`) whose interior point lies in the cell, over the residents of all
 * buildings in the cell. A cell without building residents (a census or signal grid over unmapped housing) goes
 * wholly to the unit holding its centre. Compound-level `compounds.residents` is not used: coverage is judged on
 * the cells, and a figure from another source would not add up with them.
 *
 * Calculators per level:
 * - `coverage`, unit `%`: both levels. Share-weighted served residents covered by the run's coverage of the type
 *   (the cell's coverage, so a compound is judged at the resolution of its cells).
 * - `coverage`, count unit: both levels. Blind spots (connected uncovered cells with served residents) among the
 *   unit's cells, with cell residents scaled by the unit's share — for a compound 0 or 1, i.e. whether it lacks
 *   the facility within the service radius.
 * - `capacity`: both levels, only for types the edition gives no service radius (parking, charging points), which
 *   a compound or block provides for its own residents. Schools and care facilities serve a catchment wider than
 *   a block, so seats inside the unit against demand inside the unit would show a gap wherever no school happens
 *   to stand on the unit's own land: skipped.
 * - `per_capita`: blocks only (facility site area inside the block / block residents). Compounds are skipped:
 *   their residents use parks, sports grounds and shelters outside the compound, whose own land rarely holds one.
 * - `road_density`: blocks only. Blocks are bounded by streets, so a road at the edge belongs to the block on either
 *   side: road length within the block counts fully, road length just outside its edge counts half (see
 *   `small-unit-figures.ts`). Compounds are skipped: city roads bound compounds rather than cross them, so the
 *   density inside one is no measure of the network.
 * - `stock_share`: blocks only (idle and low-efficiency land inside the block / block area, a resource's area
 *   shared by the share of its polygon inside the block). Compounds are skipped: they are residential parcels, so
 *   idle land is by definition beside them, not in them.
 */
export async function computeSmallUnitValues(
  database: Database,
  inputs: IndicatorInputs,
  coverage: RunCoverage,
): Promise<{ values: ComputedValue[]; skipped: SkippedValue[]; units: Record<SmallUnitType, number> }> {
  const values: ComputedValue[] = []
  const skipped: SkippedValue[] = []
  const units: Record<SmallUnitType, number> = { compound: 0, block: 0 }
  const srid = inputs.srid ?? (await sridFromUnits(database, inputs.like))
  if (srid === null) return { values, skipped, units }
  for (const level of SMALL_UNIT_TYPES) {
    const plan = inputs.indicators.map((indicator) => ({
      indicator,
      skip: levelSkip(level, indicator, inputs),
    }))
    for (const { indicator, skip } of plan) {
      if (skip) skipped.push({ code: indicator.code, unitKey: null, reason: skip })
    }
    const unitRows = await unitsOf(database, level, inputs.like, srid)
    units[level] = unitRows.length
    if (unitRows.length === 0) continue
    const runs = (calculator: string) => plan.some((p) => !p.skip && p.indicator.calculator === calculator)
    const figures = await levelFigures(database, level, inputs, srid, unitRows, runs)
    for (const { indicator, skip } of plan) {
      if (skip) continue
      const out = indicatorValues(indicator, level, unitRows, figures, { inputs, coverage })
      values.push(...out.values)
      skipped.push(...out.skipped)
    }
  }
  return { values, skipped, units }
}

/** Why a calculator is not run for a whole unit level; null when it is. */
function levelSkip(level: SmallUnitType, indicator: IndicatorRow, inputs: IndicatorInputs): string | null {
  const type = facilityTypeOf(indicator)
  switch (indicator.calculator) {
    case 'coverage':
      return null
    case 'capacity': {
      const radiusM = inputs.byType[type]?.radiusM
      return typeof radiusM === 'number' && radiusM > 0
        ? `not computed per ${level}: '${type}' serves a ${radiusM} m catchment wider than the unit, so capacity inside it is no measure of provision`
        : null
    }
    case 'per_capita':
      return level === 'compound'
        ? `not computed per compound: residents use '${type}' sites outside the compound`
        : null
    case 'road_density':
      return level === 'compound'
        ? 'not computed per compound: city roads bound compounds rather than cross them'
        : null
    case 'stock_share':
      return level === 'compound'
        ? 'not computed per compound: idle land lies beside residential compounds, not in them'
        : null
    default:
      return `no calculator '${indicator.calculator}'`
  }
}

/** A unit's cells (indices into the run's cells) and its share of each. */
interface UnitCells {
  index: number[]
  share: number[]
}

/** The figures of one unit level that the calculators it runs need. */
interface LevelFigures {
  unitCells: Map<number, UnitCells>
  facilities: Map<string, UnitFacilities>
  roads: Map<number, { insideKm: number; edgeKm: number }>
  stock: Map<number, number>
}

async function levelFigures(
  database: Database,
  level: SmallUnitType,
  inputs: IndicatorInputs,
  srid: number,
  unitRows: readonly SmallUnit[],
  runs: (calculator: string) => boolean,
): Promise<LevelFigures> {
  const facilityTypes = [
    ...new Set(
      inputs.indicators
        .filter((i) => i.calculator === 'capacity' || i.calculator === 'per_capita')
        .map(facilityTypeOf),
    ),
  ]
  const needsPeople = runs('coverage') || runs('capacity') || runs('per_capita')
  // Independent statements: on PostgreSQL they run side by side on separate connections.
  const [shares, facilities, roads, stock] = await Promise.all([
    needsPeople ? cellShares(database, level, inputs.like) : [],
    runs('capacity') || runs('per_capita')
      ? unitFacilities(database, level, inputs.like, facilityTypes)
      : new Map<string, UnitFacilities>(),
    runs('road_density')
      ? unitRoadKm(database, level, inputs.like, srid)
      : new Map<number, { insideKm: number; edgeKm: number }>(),
    runs('stock_share') ? unitStockM2(database, level, inputs.like, srid) : new Map<number, number>(),
  ])
  const cellIndex = new Map(inputs.cells.map((c, i) => [c.id, i]))
  const unitCells = new Map<number, UnitCells>(unitRows.map((u) => [u.id, { index: [], share: [] }]))
  for (const s of shares) {
    const index = cellIndex.get(s.cell_id)
    const entry = unitCells.get(s.unit_id)
    if (index === undefined || !entry || !(s.share > 0)) continue
    entry.index.push(index)
    entry.share.push(s.share)
  }
  return { unitCells, facilities, roads, stock }
}

/** What the calculators of every unit share. */
interface RunContext {
  inputs: IndicatorInputs
  coverage: RunCoverage
}

/** One unit as its calculators see it. */
interface SmallUnitFigures {
  unit: SmallUnit
  cells: UnitCells
  level: LevelFigures
}

/**
 * The indicator's values for every unit of a level. Units without a value are not listed one by one: the run's
 * outputs say how many of the level's units each reason left out.
 */
function indicatorValues(
  indicator: IndicatorRow,
  level: SmallUnitType,
  units: readonly SmallUnit[],
  figures: LevelFigures,
  context: RunContext,
): { values: ComputedValue[]; skipped: SkippedValue[] } {
  const method = methodOf(indicator)
  const values: ComputedValue[] = []
  const unitSkips = new Map<string, number>()
  for (const unit of units) {
    const cells = figures.unitCells.get(unit.id) ?? { index: [], share: [] }
    const outcome = smallUnitOutcome(indicator, { unit, cells, level: figures }, context)
    if (!outcome) continue
    if ('skip' in outcome) {
      unitSkips.set(outcome.skip, (unitSkips.get(outcome.skip) ?? 0) + 1)
      continue
    }
    values.push({
      indicator_id: indicator.id,
      unit_type: level,
      unit_key: String(unit.id),
      region_code: unit.region_code,
      value: outcome.value,
      details: { method, ...outcome.details },
    })
  }
  const skipped = [...unitSkips].map(([reason, n]) => ({
    code: indicator.code,
    unitKey: null,
    reason: `${n} of ${units.length} ${level}s: ${reason}`,
  }))
  return { values, skipped }
}

/** The indicator's value for one unit; null when its type has no coverage to judge by. */
function smallUnitOutcome(
  indicator: IndicatorRow,
  figures: SmallUnitFigures,
  context: RunContext,
): UnitOutcome | null {
  const type = facilityTypeOf(indicator)
  switch (indicator.calculator) {
    case 'coverage':
      return coverageOutcome(indicator, type, figures.cells, context)
    case 'capacity':
      return capacityOutcome(type, figures, context.inputs)
    case 'per_capita':
      return perCapitaOutcome(type, figures, context.inputs)
    case 'road_density':
      return roadDensityOutcome(figures)
    case 'stock_share':
      return stockShareOutcome(figures)
    default:
      return null
  }
}

/** Share-weighted residents of the groups in a unit, leaving out the cells flagged in `except`. */
function weighted(
  runCells: readonly PopulationCell[],
  cells: UnitCells,
  groups: FacilityRule['servedGroups'],
  except?: Uint8Array,
): number {
  let sum = 0
  cells.index.forEach((i, k) => {
    if (except?.[i]) return
    const cell = runCells[i]!
    for (const g of groups) sum += cell[g] * cells.share[k]!
  })
  return sum
}

/** Share of served residents covered (unit `%`), or blind spots among the unit's shares of cells (a count unit). */
function coverageOutcome(
  indicator: IndicatorRow,
  type: string,
  cells: UnitCells,
  { inputs, coverage }: RunContext,
): UnitOutcome | null {
  const rule = coverage.rules.get(type)
  const cov = coverage.byType.get(type)
  if (!rule || !cov) return null
  const served = weighted(inputs.cells, cells, rule.servedGroups)
  const uncovered = weighted(inputs.cells, cells, rule.servedGroups, cov.covered)
  const common = { distanceModel: inputs.distanceModel, radiusM: rule.radiusM }
  if (indicator.unit === '%') {
    if (!(served > 0)) return { skip: 'no served residents in the unit' }
    return {
      value: (100 * (served - uncovered)) / served,
      details: {
        ...common,
        servedResidents: served,
        uncoveredResidents: uncovered,
        cells: cells.index.length,
      },
    }
  }
  if (cells.index.length === 0) return { skip: 'no population cells in the unit' }
  const unitCells = cells.index.map((i, k) => {
    const c = inputs.cells[i]!
    const s = cells.share[k]!
    return { ...c, children: c.children * s, working: c.working * s, elderly: c.elderly * s }
  })
  const blindSpots = countBlindSpots(unitCells, cells.index, cov, rule)
  return { value: blindSpots, details: { ...common, blindSpots, uncoveredResidents: uncovered } }
}

/** Missing capacity: served residents × the edition's norm − capacity inside the unit, at least 0. */
function capacityOutcome(
  type: string,
  { unit, cells, level }: SmallUnitFigures,
  inputs: IndicatorInputs,
): UnitOutcome {
  const norm = inputs.byType[type]?.perCapitaNorm
  if (typeof norm !== 'number' || !(norm > 0))
    return { skip: `the edition gives no perCapitaNorm for '${type}'` }
  const rule = ruleFor(type, 1, inputs.byType[type])
  const f = level.facilities.get(`${unit.id}:${type}`)
  const demand = weighted(inputs.cells, cells, rule.servedGroups) * norm
  const supply = f?.capacity ?? 0
  return {
    value: Math.max(0, demand - supply),
    details: {
      demand,
      supply,
      perCapitaNorm: norm,
      facilities: f?.count ?? 0,
      facilitiesWithoutCapacity: f?.withoutCapacity ?? 0,
    },
  }
}

/** Site area of the type's facilities inside the unit per resident, in m². */
function perCapitaOutcome(
  type: string,
  { unit, cells, level }: SmallUnitFigures,
  inputs: IndicatorInputs,
): UnitOutcome {
  const people = weighted(inputs.cells, cells, ['children', 'working', 'elderly'])
  if (!(people > 0)) return { skip: 'no residents in the unit' }
  const f = level.facilities.get(`${unit.id}:${type}`)
  const area = f?.areaM2 ?? 0
  return {
    value: area / people,
    details: {
      areaM2: area,
      residents: people,
      facilities: f?.count ?? 0,
      facilitiesWithoutArea: f?.withoutArea ?? 0,
    },
  }
}

/** Road length per km², road length at the unit's edge counting half (it bounds the unit beside it too). */
function roadDensityOutcome({ unit, level }: SmallUnitFigures): UnitOutcome {
  if (!(unit.area_km2 > 0)) return { skip: 'the unit has no area' }
  const r = level.roads.get(unit.id) ?? { insideKm: 0, edgeKm: 0 }
  const roadKm = r.insideKm + r.edgeKm / 2
  return {
    value: roadKm / unit.area_km2,
    details: {
      roadKm,
      insideKm: r.insideKm,
      edgeKm: r.edgeKm,
      areaKm2: unit.area_km2,
      roadKinds: ROAD_DENSITY_KINDS,
    },
  }
}

/** Idle and low-efficiency land as a share of the unit's area, in %. */
function stockShareOutcome({ unit, level }: SmallUnitFigures): UnitOutcome {
  if (!(unit.area_km2 > 0)) return { skip: 'the unit has no area' }
  const stockM2 = level.stock.get(unit.id) ?? 0
  return {
    value: (100 * stockM2) / (unit.area_km2 * 1e6),
    details: { stockAreaM2: stockM2, areaKm2: unit.area_km2, stockKinds: STOCK_SHARE_KINDS },
  }
}
