import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { metricSridFor } from '../../server/domain/crs.ts'
import {
  CellGrid,
  type DistanceModel,
  type FacilityRule,
  findBlindSpots,
  type PopulationCell,
  type TypeCoverage,
} from '../coverage/engine/index.ts'
import { type EditionTypeSettings, ruleFor } from '../coverage/rules.ts'
import {
  type ComputedValue,
  type IndicatorRow,
  ROAD_DENSITY_KINDS,
  type SkippedValue,
  STOCK_SHARE_KINDS,
} from './definitions.ts'

/**
 * Computed indicators per compound (小区, `unit_key` = `compounds.id`) and per block (街区, `blocks.id`): the same
 * calculators as for regions, on units whose `region_code` lies in the campaign's region. Every figure comes from
 * one statement (or one in-memory pass) per calculator and unit level, never from a query per unit.
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
 *   side: road length within the block (more than {@link EDGE_INSIDE_M} inside its edge) counts fully, road length
 *   within {@link EDGE_OUTSIDE_M} outside its edge counts half. Compounds are skipped: city roads bound compounds
 *   rather than cross them, so the density inside one is no measure of the network.
 * - `stock_share`: blocks only (idle and low-efficiency land inside the block / block area, a resource's area
 *   shared by the share of its polygon inside the block). Compounds are skipped: they are residential parcels, so
 *   idle land is by definition beside them, not in them.
 * Areas and lengths are computed in the metric CRS of the population grid.
 */

export type SmallUnitType = 'compound' | 'block'
export const SMALL_UNIT_TYPES: readonly SmallUnitType[] = ['compound', 'block']

/**
 * Road length up to this far outside a block's edge counts half for the block: centre lines of roads that bound
 * it, whether they lie on the edge (blocks polygonized from the centre lines) or up to a branch or secondary road's
 * red-line half width away (blocks drawn on red lines), and both carriageways of a divided road whose median strip
 * (narrower than the 20 m a derived block must be wide) was dropped.
 */
export const EDGE_OUTSIDE_M = 20
/** Road length more than this far inside a block's edge counts fully; between, half. */
export const EDGE_INSIDE_M = 1

export interface SmallUnitInputs {
  like: string
  /** Metric CRS of the population grid; null when the region has no cells. */
  srid: number | null
  indicators: readonly IndicatorRow[]
  byType: Record<string, EditionTypeSettings>
  cells: readonly PopulationCell[]
  coverageRules: ReadonlyMap<string, FacilityRule>
  coverageByType: ReadonlyMap<string, TypeCoverage>
  distanceModel: DistanceModel
}

interface Unit {
  id: number
  region_code: string
  area_km2: number
}

interface UnitFacilities {
  count: number
  areaM2: number
  withoutArea: number
  capacity: number
  withoutCapacity: number
}

const TABLES = {
  compound: { table: sql.raw('compounds'), column: sql.raw('compound_id') },
  block: { table: sql.raw('blocks'), column: sql.raw('block_id') },
} as const

/** Why a calculator is not run for a whole unit level; null when it is. */
function levelSkip(level: SmallUnitType, indicator: IndicatorRow, inputs: SmallUnitInputs): string | null {
  const type = String(indicator.parameters.facilityType ?? '')
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

/** Values of every computable indicator for every compound and block of the campaign's region. */
export async function computeSmallUnitValues(
  database: Database,
  inputs: SmallUnitInputs,
): Promise<{ values: ComputedValue[]; skipped: SkippedValue[]; units: Record<SmallUnitType, number> }> {
  const values: ComputedValue[] = []
  const skipped: SkippedValue[] = []
  const units: Record<SmallUnitType, number> = { compound: 0, block: 0 }
  const srid = inputs.srid ?? (await sridFromUnits(database, inputs.like))
  if (srid === null) return { values, skipped, units }
  const cellIndex = new Map(inputs.cells.map((c, i) => [c.id, i]))
  const facilityTypes = [
    ...new Set(
      inputs.indicators
        .filter((i) => i.calculator === 'capacity' || i.calculator === 'per_capita')
        .map((i) => String(i.parameters.facilityType ?? '')),
    ),
  ]

  for (const level of SMALL_UNIT_TYPES) {
    const plan = inputs.indicators.map((indicator) => ({
      indicator,
      skip: levelSkip(level, indicator, inputs),
    }))
    for (const { indicator, skip } of plan) {
      if (skip) skipped.push({ code: indicator.code, unitKey: null, reason: skip })
    }
    const runs = (calculator: string) => plan.some((p) => !p.skip && p.indicator.calculator === calculator)
    const unitRows = await unitsOf(database, level, inputs.like, srid)
    units[level] = unitRows.length
    if (unitRows.length === 0) continue
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
    // Each unit's cells (indices into the run's cells) and its share of each.
    const unitCells = new Map<number, { index: number[]; share: number[] }>(
      unitRows.map((u) => [u.id, { index: [], share: [] }]),
    )
    for (const s of shares) {
      const index = cellIndex.get(s.cell_id)
      const entry = unitCells.get(s.unit_id)
      if (index === undefined || !entry || !(s.share > 0)) continue
      entry.index.push(index)
      entry.share.push(s.share)
    }

    for (const { indicator, skip } of plan) {
      if (skip) continue
      const type = String(indicator.parameters.facilityType ?? '')
      const method = `${indicator.calculator}${type ? `:${type}` : ''}`
      const unitSkips = new Map<string, number>()
      for (const unit of unitRows) {
        const cells = unitCells.get(unit.id) ?? { index: [], share: [] }
        const push = (value: number, details: Record<string, unknown>) =>
          values.push({
            indicator_id: indicator.id,
            unit_type: level,
            unit_key: String(unit.id),
            region_code: unit.region_code,
            value,
            details: { method, ...details },
          })
        const skipUnit = (reason: string) => unitSkips.set(reason, (unitSkips.get(reason) ?? 0) + 1)
        // Share-weighted residents of the groups, leaving out the cells flagged in `except`.
        const weighted = (groups: FacilityRule['servedGroups'], except?: Uint8Array) => {
          let sum = 0
          cells.index.forEach((i, k) => {
            if (except?.[i]) return
            const cell = inputs.cells[i]!
            for (const g of groups) sum += cell[g] * cells.share[k]!
          })
          return sum
        }
        switch (indicator.calculator) {
          case 'coverage': {
            const rule = inputs.coverageRules.get(type)
            const cov = inputs.coverageByType.get(type)
            if (!rule || !cov) break
            const served = weighted(rule.servedGroups)
            const uncovered = weighted(rule.servedGroups, cov.covered)
            if (indicator.unit === '%') {
              if (!(served > 0)) {
                skipUnit('no served residents in the unit')
                break
              }
              push((100 * (served - uncovered)) / served, {
                distanceModel: inputs.distanceModel,
                radiusM: rule.radiusM,
                servedResidents: served,
                uncoveredResidents: uncovered,
                cells: cells.index.length,
              })
            } else {
              if (cells.index.length === 0) {
                skipUnit('no population cells in the unit')
                break
              }
              const subCells = cells.index.map((i, k) => {
                const c = inputs.cells[i]!
                const s = cells.share[k]!
                return { ...c, children: c.children * s, working: c.working * s, elderly: c.elderly * s }
              })
              const subCoverage: TypeCoverage = {
                ...cov,
                covered: Uint8Array.from(cells.index, (i) => cov.covered[i]!),
                distanceM: Float64Array.from(cells.index, (i) => cov.distanceM[i]!),
                nearestFacilityId: Float64Array.from(cells.index, (i) => cov.nearestFacilityId[i]!),
              }
              const spots = findBlindSpots(subCells, new CellGrid(subCells), subCoverage, rule)
              push(spots.length, {
                distanceModel: inputs.distanceModel,
                radiusM: rule.radiusM,
                blindSpots: spots.length,
                uncoveredResidents: uncovered,
              })
            }
            break
          }
          case 'capacity': {
            const norm = inputs.byType[type]?.perCapitaNorm
            if (typeof norm !== 'number' || !(norm > 0)) {
              skipUnit(`the edition gives no perCapitaNorm for '${type}'`)
              break
            }
            const rule = ruleFor(type, 1, inputs.byType[type])
            const f = facilities.get(`${unit.id}:${type}`)
            const demand = weighted(rule.servedGroups) * norm
            const supply = f?.capacity ?? 0
            push(Math.max(0, demand - supply), {
              demand,
              supply,
              perCapitaNorm: norm,
              facilities: f?.count ?? 0,
              facilitiesWithoutCapacity: f?.withoutCapacity ?? 0,
            })
            break
          }
          case 'per_capita': {
            const people = weighted(['children', 'working', 'elderly'])
            if (!(people > 0)) {
              skipUnit('no residents in the unit')
              break
            }
            const f = facilities.get(`${unit.id}:${type}`)
            const area = f?.areaM2 ?? 0
            push(area / people, {
              areaM2: area,
              residents: people,
              facilities: f?.count ?? 0,
              facilitiesWithoutArea: f?.withoutArea ?? 0,
            })
            break
          }
          case 'road_density': {
            if (!(unit.area_km2 > 0)) {
              skipUnit('the unit has no area')
              break
            }
            const r = roads.get(unit.id) ?? { insideKm: 0, edgeKm: 0 }
            const roadKm = r.insideKm + r.edgeKm / 2
            push(roadKm / unit.area_km2, {
              roadKm,
              insideKm: r.insideKm,
              edgeKm: r.edgeKm,
              areaKm2: unit.area_km2,
              roadKinds: ROAD_DENSITY_KINDS,
            })
            break
          }
          case 'stock_share': {
            if (!(unit.area_km2 > 0)) {
              skipUnit('the unit has no area')
              break
            }
            const stockM2 = stock.get(unit.id) ?? 0
            push((100 * stockM2) / (unit.area_km2 * 1e6), {
              stockAreaM2: stockM2,
              areaKm2: unit.area_km2,
              stockKinds: STOCK_SHARE_KINDS,
            })
            break
          }
        }
      }
      for (const [reason, n] of unitSkips) {
        skipped.push({
          code: indicator.code,
          unitKey: null,
          reason: `${n} of ${unitRows.length} ${level}s: ${reason}`,
        })
      }
    }
  }
  return { values, skipped, units }
}

/** The metric CRS for a region without population cells, from its blocks' extent. */
async function sridFromUnits(database: Database, like: string): Promise<number | null> {
  const [extent] = await database.rows<{ lon: number | null; lat: number | null }>(sql`
    select ST_X(ST_Centroid(ST_Extent(geom))) as lon, ST_Y(ST_Centroid(ST_Extent(geom))) as lat
    from blocks where region_code like ${like}`)
  return extent?.lon == null ? null : metricSridFor(extent.lon, extent.lat ?? 30)
}

async function unitsOf(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<Unit[]> {
  return database.rows<Unit>(sql`
    select id, region_code, (ST_Area(ST_Transform(geom, ${srid}::int)) / 1e6)::float8 as area_km2
    from ${TABLES[level].table} where region_code like ${like} order by id`)
}

/**
 * Each unit's share of each population cell: residents of the unit's buildings in the cell over residents of all
 * buildings in the cell; a cell without building residents goes wholly to the unit holding its centre.
 */
async function cellShares(
  database: Database,
  level: SmallUnitType,
  like: string,
): Promise<Array<{ cell_id: number; unit_id: number; share: number }>> {
  const { table, column } = TABLES[level]
  return database.rows(sql`
    with cells as (
      select id, geom, centroid from population_cells where region_code like ${like}
    ), located as (
      select c.id as cell_id, b.${column} as unit_id, b.residents
      from cells c join buildings b on ST_Intersects(c.geom, b.centroid)
      where b.residents > 0
    ), cell_totals as (
      select cell_id, sum(residents) as total from located group by cell_id
    )
    select l.cell_id, l.unit_id, (sum(l.residents) / t.total)::float8 as share
    from located l
      join cell_totals t on t.cell_id = l.cell_id
      join ${table} u on u.id = l.unit_id and u.region_code like ${like}
    group by l.cell_id, l.unit_id, t.total
    union all
    select c.id, u.id, 1::float8
    from cells c join ${table} u on ST_Intersects(u.geom, c.centroid)
    where u.region_code like ${like} and not exists (select 1 from cell_totals t where t.cell_id = c.id)`)
}

/** Facility count, site area and capacity per unit and type (facility points inside the unit's polygon). */
async function unitFacilities(
  database: Database,
  level: SmallUnitType,
  like: string,
  types: readonly string[],
): Promise<Map<string, UnitFacilities>> {
  const rows = await database.rows<{
    unit_id: number
    type: string
    n: number
    area_m2: number
    without_area: number
    capacity: number
    without_capacity: number
  }>(sql`
    select u.id as unit_id, f.type, count(*)::int as n, coalesce(sum(f.area_m2), 0)::float8 as area_m2,
      (count(*) - count(f.area_m2))::int as without_area, coalesce(sum(f.capacity), 0)::float8 as capacity,
      (count(*) - count(f.capacity))::int as without_capacity
    from ${TABLES[level].table} u join facilities f on ST_Intersects(u.geom, f.geom)
    where u.region_code like ${like} and f.region_code like ${like}
      and f.type = any(${`{${types.join(',')}}`}::text[])
    group by u.id, f.type`)
  return new Map(
    rows.map((r) => [
      `${r.unit_id}:${r.type}`,
      {
        count: r.n,
        areaM2: r.area_m2,
        withoutArea: r.without_area,
        capacity: r.capacity,
        withoutCapacity: r.without_capacity,
      },
    ]),
  )
}

/**
 * Road length per unit: `insideKm` more than {@link EDGE_INSIDE_M} inside the unit's edge, `edgeKm` from there to
 * {@link EDGE_OUTSIDE_M} outside it (zones with mitred corners). Candidate roads are found on the stored geometry's
 * index, with a margin in degrees of longitude at the unit's latitude a little wider than {@link EDGE_OUTSIDE_M}.
 */
async function unitRoadKm(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<Map<number, { insideKm: number; edgeKm: number }>> {
  const rows = await database.rows<{ unit_id: number; inside_km: number; edge_km: number }>(sql`
    with zones as materialized (
      select id, geom, ST_Buffer(g, ${-EDGE_INSIDE_M}, 'join=mitre mitre_limit=2') as inner_g,
        ST_Buffer(g, ${EDGE_OUTSIDE_M}, 'join=mitre mitre_limit=2') as outer_g
      from (select id, geom, ST_Transform(geom, ${srid}::int) as g from ${TABLES[level].table}
        where region_code like ${like}) u
    ), nearby as (
      select z.id, ST_Collect(ST_Transform(r.geom, ${srid}::int)) as lines
      from zones z join roads r
        on ST_DWithin(z.geom, r.geom, ${EDGE_OUTSIDE_M * 1.1} / (111320 * cos(radians(ST_Y(ST_Centroid(z.geom))))))
      where r.region_code like ${like} and r.kind = any(${`{${ROAD_DENSITY_KINDS.join(',')}}`}::text[])
      group by z.id
    ), lengths as (
      -- One overlay per unit and zone on all its nearby roads at once: far cheaper than one per road.
      select z.id, ST_Length(ST_Intersection(n.lines, z.inner_g)) as inner_m,
        ST_Length(ST_Intersection(n.lines, z.outer_g)) as outer_m
      from nearby n join zones z on z.id = n.id
    )
    select id as unit_id, (inner_m / 1000)::float8 as inside_km, ((outer_m - inner_m) / 1000)::float8 as edge_km
    from lengths`)
  return new Map(rows.map((r) => [r.unit_id, { insideKm: r.inside_km, edgeKm: r.edge_km }]))
}

/**
 * Idle and low-efficiency land per unit in m²: each resource's area (`area_m2`, else its polygon's) times the share
 * of its polygon inside the unit; a resource without area (a point or line) counts wholly where its interior point
 * lies.
 */
async function unitStockM2(
  database: Database,
  level: SmallUnitType,
  like: string,
  srid: number,
): Promise<Map<number, number>> {
  const rows = await database.rows<{ unit_id: number; stock_m2: number }>(sql`
    with pairs as (
      select u.id, ST_Transform(u.geom, ${srid}::int) as ug, ST_Transform(s.geom, ${srid}::int) as sg, s.area_m2
      from ${TABLES[level].table} u join stock_resources s on ST_Intersects(u.geom, s.geom)
      where u.region_code like ${like} and s.region_code like ${like}
        and s.kind = any(${`{${STOCK_SHARE_KINDS.join(',')}}`}::text[])
        and s.verification_state is distinct from 'rejected'
    )
    select id as unit_id, coalesce(sum(case
        when ST_Dimension(sg) = 2 and ST_Area(sg) > 0
          then coalesce(area_m2, ST_Area(sg)) * ST_Area(ST_Intersection(sg, ug)) / ST_Area(sg)
        when ST_Intersects(ug, ST_PointOnSurface(sg)) then coalesce(area_m2, 0)
        else 0 end), 0)::float8 as stock_m2
    from pairs group by id`)
  return new Map(rows.map((r) => [r.unit_id, r.stock_m2]))
}
