import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { Facility, FacilityRule, PopulationCell } from '../coverage/engine/index.ts'
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

interface RegionUnit {
  code: string
  prefix: string
  /** Area of the region's boundary in km², null when it has none. */
  areaKm2: number | null
}

/** What the calculators of one region unit read. */
interface RegionUnitFigures {
  unit: RegionUnit
  /** The unit's cells, as indices into the run's cells. */
  cellIndices: readonly number[]
  /** Road length and idle-land area, from SQL. */
  sqlFigures: { roadKm: number; stockM2: number } | undefined
}

/** What the calculators of every region unit share. */
interface RegionContext {
  inputs: IndicatorInputs
  coverage: RunCoverage
  facilitiesIn: (unit: RegionUnit, type: string) => Facility[]
  /** Facility site areas, which are not part of the coverage inputs. */
  areas: ReadonlyMap<number, number | null>
}

/**
 * Values of every computable indicator for the campaign's region and the districts under it that have population
 * cells (`unit_type` 'region'). A cell or facility belongs to a region unit by its `region_code` prefix, wholly.
 * Calculators, by the catalogue's `method`:
 * - `coverage:<type>` with unit `%`: share of the type's served residents whose population cell is within the
 *   service radius of a facility of the type, × 100 (walking distance on the road network when the region has
 *   walkable roads, straight-line otherwise — the same core and definitions as the coverage run).
 * - `coverage:<type>` with a count unit (`个`, "facilities below provision standard"): the number of blind spots
 *   (connected groups of uncovered cells with served residents) inside the unit, one missing facility each.
 * - `capacity:<type>`: max(0, served residents × the edition's `perCapitaNorm` − summed facility capacity);
 *   skipped when the edition gives no norm for the type.
 * - `per_capita:<type>`: summed `area_m2` of the type's facilities / residents (m² per resident).
 * - `road_density`: km of urban roads (kinds {@link ROAD_DENSITY_KINDS}) / km² of the unit's boundary.
 * - `stock_share`: area of idle and low-efficiency land (stock resources of kinds {@link STOCK_SHARE_KINDS}, not
 *   rejected) / area of the unit's boundary × 100.
 * A value that cannot be computed for a unit (no residents, no boundary, no norm) is not written; the run's
 * outputs list why.
 */
export async function computeRegionValues(
  database: Database,
  campaign: { region_code: string; prefix: string },
  inputs: IndicatorInputs,
  coverage: RunCoverage,
): Promise<{ values: ComputedValue[]; skipped: SkippedValue[]; units: string[] }> {
  const units = await regionUnits(database, campaign)
  const [cellRegion, facilityRegion, areas, sqlFigures] = await Promise.all([
    regionCodes(database, sql`population_cells`, inputs.like),
    regionCodes(database, sql`facilities`, inputs.like),
    facilityAreas(database, inputs.like),
    unitSqlFigures(database, units),
  ])
  const unitCells = new Map<string, number[]>(units.map((u) => [u.code, []]))
  inputs.cells.forEach((cell, i) => {
    const code = cellRegion.get(cell.id) ?? ''
    for (const u of units) if (code.startsWith(u.prefix)) unitCells.get(u.code)?.push(i)
  })
  const context: RegionContext = {
    inputs,
    coverage,
    areas,
    facilitiesIn: (unit, type) =>
      inputs.facilities.filter(
        (f) => f.type === type && (facilityRegion.get(f.id) ?? '').startsWith(unit.prefix),
      ),
  }
  const values: ComputedValue[] = []
  const skipped: SkippedValue[] = []
  for (const indicator of inputs.indicators) {
    for (const unit of units) {
      const figures = {
        unit,
        cellIndices: unitCells.get(unit.code) ?? [],
        sqlFigures: sqlFigures.get(unit.code),
      }
      const outcome = regionOutcome(indicator, figures, context)
      if (!outcome) continue
      if ('skip' in outcome) {
        skipped.push({ code: indicator.code, unitKey: unit.code, reason: outcome.skip })
        continue
      }
      values.push({
        indicator_id: indicator.id,
        unit_type: 'region',
        unit_key: unit.code,
        region_code: unit.code,
        value: outcome.value,
        details: { method: methodOf(indicator), ...outcome.details },
      })
    }
  }
  return { values, skipped, units: units.map((u) => u.code) }
}

/** The indicator's value for one region unit; null when its type has no coverage to judge by. */
function regionOutcome(
  indicator: IndicatorRow,
  figures: RegionUnitFigures,
  context: RegionContext,
): UnitOutcome | null {
  const type = facilityTypeOf(indicator)
  switch (indicator.calculator) {
    case 'coverage':
      return coverageOutcome(indicator, type, figures.cellIndices, context)
    case 'capacity':
      return capacityOutcome(type, figures, context)
    case 'per_capita':
      return perCapitaOutcome(type, figures, context)
    case 'road_density':
      return landOutcome(figures, (f, areaKm2) => ({
        value: f.roadKm / areaKm2,
        details: { roadKm: f.roadKm, areaKm2, roadKinds: ROAD_DENSITY_KINDS },
      }))
    case 'stock_share':
      return landOutcome(figures, (f, areaKm2) => ({
        value: (100 * f.stockM2) / (areaKm2 * 1e6),
        details: { stockAreaM2: f.stockM2, areaKm2, stockKinds: STOCK_SHARE_KINDS },
      }))
    default:
      return { skip: `no calculator '${indicator.calculator}'` }
  }
}

const served = (cell: PopulationCell, rule: Pick<FacilityRule, 'servedGroups'>) =>
  rule.servedGroups.reduce((sum, g) => sum + cell[g], 0)

/** Share of served residents covered (unit `%`), or blind spots among the unit's cells (a count unit). */
function coverageOutcome(
  indicator: IndicatorRow,
  type: string,
  cellIndices: readonly number[],
  { inputs, coverage }: RegionContext,
): UnitOutcome | null {
  const rule = coverage.rules.get(type)
  const cov = coverage.byType.get(type)
  if (!rule || !cov) return null
  let servedTotal = 0
  let uncovered = 0
  for (const i of cellIndices) {
    const s = served(inputs.cells[i]!, rule)
    servedTotal += s
    if (!cov.covered[i]) uncovered += s
  }
  const common = { distanceModel: inputs.distanceModel, radiusM: rule.radiusM }
  if (indicator.unit === '%') {
    if (!(servedTotal > 0)) return { skip: 'no served residents in the unit' }
    return {
      value: (100 * (servedTotal - uncovered)) / servedTotal,
      details: { ...common, servedResidents: servedTotal, uncoveredResidents: uncovered },
    }
  }
  if (cellIndices.length === 0) return { skip: 'no population cells in the unit' }
  const cells = cellIndices.map((i) => inputs.cells[i]!)
  const blindSpots = countBlindSpots(cells, cellIndices, cov, rule)
  return { value: blindSpots, details: { ...common, blindSpots, uncoveredResidents: uncovered } }
}

/** Missing capacity: served residents × the edition's norm − summed facility capacity, at least 0. */
function capacityOutcome(
  type: string,
  { unit, cellIndices }: RegionUnitFigures,
  context: RegionContext,
): UnitOutcome {
  const norm = context.inputs.byType[type]?.perCapitaNorm
  if (typeof norm !== 'number' || !(norm > 0))
    return { skip: `the edition gives no perCapitaNorm for '${type}'` }
  const rule = ruleFor(type, 1, context.inputs.byType[type])
  let demandResidents = 0
  for (const i of cellIndices) demandResidents += served(context.inputs.cells[i]!, rule)
  const fs = context.facilitiesIn(unit, type)
  const supply = fs.reduce((sum, f) => sum + (f.capacity ?? 0), 0)
  const demand = demandResidents * norm
  return {
    value: Math.max(0, demand - supply),
    details: {
      demand,
      supply,
      perCapitaNorm: norm,
      facilities: fs.length,
      facilitiesWithoutCapacity: fs.filter((f) => f.capacity === null).length,
    },
  }
}

/** Summed site area of the type's facilities per resident, in m². */
function perCapitaOutcome(
  type: string,
  { unit, cellIndices }: RegionUnitFigures,
  context: RegionContext,
): UnitOutcome {
  const people = cellIndices.reduce((sum, i) => {
    const c = context.inputs.cells[i]!
    return sum + c.children + c.working + c.elderly
  }, 0)
  if (!(people > 0)) return { skip: 'no residents in the unit' }
  const fs = context.facilitiesIn(unit, type)
  const area = fs.reduce((sum, f) => sum + (context.areas.get(f.id) ?? 0), 0)
  return {
    value: area / people,
    details: {
      areaM2: area,
      residents: people,
      facilities: fs.length,
      facilitiesWithoutArea: fs.filter((f) => context.areas.get(f.id) == null).length,
    },
  }
}

/** A figure per km² of the unit's boundary, which it needs. */
function landOutcome(
  { unit, sqlFigures }: RegionUnitFigures,
  outcome: (figures: { roadKm: number; stockM2: number }, areaKm2: number) => UnitOutcome,
): UnitOutcome {
  if (!unit.areaKm2 || !sqlFigures) return { skip: 'the unit has no boundary' }
  return outcome(sqlFigures, unit.areaKm2)
}

/** The campaign's region and the districts under it that have population cells. */
async function regionUnits(
  database: Database,
  campaign: { region_code: string; prefix: string },
): Promise<RegionUnit[]> {
  const like = `${campaign.prefix}%`
  return database.rows<RegionUnit>(sql`
    select r.code, r.scope_prefix as prefix,
      case when r.boundary is null then null else ST_Area(r.boundary::geography) / 1e6 end as "areaKm2"
    from regions r
    where r.code = ${campaign.region_code}
      or (r.level = 'district' and r.scope_prefix like ${like} and r.code <> ${campaign.region_code}
        and exists (select 1 from population_cells c where c.region_code like r.scope_prefix || '%'))
    order by (r.code = ${campaign.region_code}) desc, r.code`)
}

/** The region code of every row of `table` (cells or facilities) in the campaign's region, by id. */
async function regionCodes(database: Database, table: SQL, like: string): Promise<Map<number, string>> {
  const rows = await database.rows<{ id: number; region_code: string }>(
    sql`select id, region_code from ${table} where region_code like ${like}`,
  )
  return new Map(rows.map((r) => [r.id, r.region_code]))
}

async function facilityAreas(database: Database, like: string): Promise<Map<number, number | null>> {
  const rows = await database.rows<{ id: number; area_m2: number | null }>(
    sql`select id, area_m2 from facilities where region_code like ${like}`,
  )
  return new Map(rows.map((r) => [r.id, r.area_m2]))
}

/** Road length and idle-land area per region unit, one query each. */
async function unitSqlFigures(
  database: Database,
  units: readonly RegionUnit[],
): Promise<Map<string, { roadKm: number; stockM2: number }>> {
  const codes = units.map((u) => u.code)
  const prefixes = units.map((u) => u.prefix)
  const rows = await database.rows<{ code: string; road_km: number; stock_m2: number }>(sql`
    select u.code,
      (select coalesce(sum(coalesce(r.length_m, ST_Length(r.geom::geography))), 0) / 1000 from roads r
        where r.region_code like u.prefix || '%'
          and r.kind = any(${`{${ROAD_DENSITY_KINDS.join(',')}}`}::text[]))::float8 as road_km,
      (select coalesce(sum(coalesce(s.area_m2, ST_Area(s.geom::geography))), 0) from stock_resources s
        where s.region_code like u.prefix || '%'
          and s.kind = any(${`{${STOCK_SHARE_KINDS.join(',')}}`}::text[])
          and s.verification_state is distinct from 'rejected')::float8 as stock_m2
    from unnest(${`{${codes.join(',')}}`}::text[], ${`{${prefixes.join(',')}}`}::text[]) as u(code, prefix)`)
  return new Map(rows.map((r) => [r.code, { roadKm: r.road_km, stockM2: r.stock_m2 }]))
}
