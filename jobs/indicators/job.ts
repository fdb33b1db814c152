import crypto from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { FACILITY_TYPES } from '../../server/db/facilities.ts'
import {
  CellGrid,
  type CoverageOptions,
  computeCoverage,
  type DistanceModel,
  type FacilityRule,
  findBlindSpots,
  type PopulationCell,
  type TypeCoverage,
} from '../coverage/engine/index.ts'
import { loadInputs, readInputVersions, type StartedRun } from '../coverage/job.ts'
import { type EditionTypeSettings, ruleFor } from '../coverage/rules.ts'
import { UnknownCampaignError } from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import { getRun, lockRunningRun, markRunSucceeded, queueRun, RunNotFoundError } from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import {
  type ComputedValue,
  type IndicatorRow,
  ROAD_DENSITY_KINDS,
  type SkippedValue,
  STOCK_SHARE_KINDS,
} from './definitions.ts'
import { gradeValue, parseStandardValues } from './grading.ts'
import { computeSmallUnitValues, type SmallUnitType } from './small-units.ts'

/**
 * Computed indicators (issue 4, item 4): every indicator of the campaign's edition whose method is computable
 * gets a value per spatial unit, written in one transaction and linked to the run that produced it.
 *
 * Units are the campaign's region and the districts under it (`unit_type` 'region'; rows belong to a region unit by
 * `region_code` prefix), and the compounds and blocks in it (`unit_type` 'compound' / 'block', `unit_key` their
 * id): see `indicators/small-units.ts` for how residents are apportioned to them and which calculators are left
 * out there and why. Calculators, by the catalogue's `method`:
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
 * outputs list why. Reported or imported values of the same unit are never overwritten. Every value is graded
 * against the indicator's standard values (`indicators/grading.ts`) at every unit level alike.
 *
 * Values are upserted on (campaign, indicator, unit type, unit key) and carry the run's id; afterwards the
 * campaign's computed values that this run did not write — of units that vanished (a district, compound or block
 * deleted or re-derived with new ids) or that could no longer be computed — are deleted, at every unit level.
 */

export const INDICATORS_JOB_KIND = 'indicators'
export const INDICATOR_CALCULATORS = [
  'coverage',
  'capacity',
  'per_capita',
  'road_density',
  'stock_share',
] as const

export interface IndicatorRunResult {
  runId: number
  /** Values written (inserted or updated). */
  values: number
  distanceModel: DistanceModel
  /** Indicator and unit combinations that could not be computed, with the reason. */
  skipped: SkippedValue[]
  /** Compounds and blocks of the campaign's region that values were computed for. */
  smallUnits: Record<SmallUnitType, number>
}

interface RegionUnit {
  code: string
  prefix: string
  /** Area of the region's boundary in km², null when it has none. */
  areaKm2: number | null
}

/** What a caller asks for. */
export interface IndicatorRunRequest {
  campaignId: number
  /** Who asked, for the run row. */
  requestedBy?: string | null
}

/**
 * Queues a computation of every computable indicator of a campaign, as a run of kind
 * {@link INDICATORS_JOB_KIND}, or returns the one for the same campaign that is queued or running already.
 * Values depend on more inputs than the run can fingerprint cheaply (edition settings, stock resources…), so a
 * finished run is never reused: asking again recomputes, updating the same rows.
 *
 * @throws UnknownCampaignError when there is no such campaign.
 */
export async function startIndicatorRun(
  database: Database,
  runner: JobRunner,
  request: IndicatorRunRequest,
): Promise<StartedRun> {
  const campaign = await campaignScope(database, request.campaignId)
  const inputVersions = await readInputVersions(database, campaign.prefix)
  const parameters = { campaignId: request.campaignId, systemId: campaign.system_id }
  const idempotencyKey = crypto
    .createHash('sha256')
    .update(JSON.stringify({ kind: INDICATORS_JOB_KIND, campaignId: request.campaignId }))
    .digest('hex')
  return queueRun(database, runner, {
    kind: INDICATORS_JOB_KIND,
    regionCode: campaign.region_code,
    campaignId: request.campaignId,
    parameters,
    inputVersions: inputVersions as unknown as Record<string, unknown>,
    idempotencyKey,
    reuseStates: ['queued', 'running'],
    requestedBy: request.requestedBy ?? null,
  })
}

/**
 * Processes one indicator run: computes every value, then writes the values and the run's success in one
 * transaction, so a crash leaves either nothing or everything and a retry finishes the run once.
 */
export async function processIndicatorRun(
  database: Database,
  context: JobContext,
  options: { coverageOptions?: CoverageOptions } = {},
): Promise<void> {
  const { runId } = context
  const run = await getRun(database, runId)
  if (!run) throw new RunNotFoundError(`diagnostic run ${runId} does not exist`)
  if (run.state !== 'queued' && run.state !== 'running') return
  const campaignId = (run.parameters as { campaignId?: unknown }).campaignId
  if (typeof campaignId !== 'number') {
    throw new RunNotFoundError(`diagnostic run ${runId} has no indicator parameters`)
  }
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0,
      message = '计算指标 / computing indicators'
    where id = ${runId} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  let campaign: CampaignScope
  try {
    campaign = await campaignScope(database, campaignId)
  } catch (error) {
    if (error instanceof UnknownCampaignError) throw new RunNotFoundError(error.message)
    throw error
  }
  await computeForRun(database, runId, campaignId, campaign, options.coverageOptions)
}

/**
 * Computes every computable indicator of a campaign right away, in this process: creates the run row and
 * processes it (a failure marks the run failed and is rethrown). Running it again updates the same rows (unique
 * per campaign, indicator and unit) instead of adding new ones.
 *
 * @throws UnknownCampaignError when there is no such campaign.
 */
export async function computeCampaignIndicators(
  database: Database,
  campaignId: number,
  options: { requestedBy?: string | null; coverageOptions?: CoverageOptions } = {},
): Promise<IndicatorRunResult> {
  // Nothing to enqueue: this process runs it right below.
  const { run } = await startIndicatorRun(
    database,
    { enqueue: async () => {}, close: async () => {} },
    { campaignId, requestedBy: options.requestedBy ?? null },
  )
  try {
    await processIndicatorRun(
      database,
      { runId: run.id, attempt: 1, maxAttempts: 1 },
      { coverageOptions: options.coverageOptions },
    )
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    await database.rows(
      updateAndNotify(sql`
      update diagnostic_runs set state = 'failed', error = ${message}, finished_at = now()
      where id = ${run.id} and state in ('queued', 'running')`),
    )
    throw error
  }
  const done = await getRun(database, run.id)
  if (done?.state !== 'succeeded')
    throw new Error(`indicator run ${run.id} ended ${done?.state ?? 'missing'}`)
  const outputs = done.outputs as unknown as IndicatorOutputs
  return {
    runId: run.id,
    values: outputs.values,
    distanceModel: outputs.distanceModel,
    skipped: outputs.skipped,
    smallUnits: outputs.smallUnits,
  }
}

interface CampaignScope {
  region_code: string
  system_id: number
  prefix: string
}

async function campaignScope(database: Database, campaignId: number): Promise<CampaignScope> {
  const [campaign] = await database.rows<CampaignScope>(sql`
    select c.region_code, c.system_id, r.scope_prefix as prefix
    from campaigns c join regions r on r.code = c.region_code where c.id = ${campaignId}`)
  if (!campaign) throw new UnknownCampaignError(campaignId)
  return campaign
}

/** What a succeeded indicator run stores in `outputs`. */
export interface IndicatorOutputs {
  values: number
  distanceModel: DistanceModel
  units: string[]
  smallUnits: IndicatorRunResult['smallUnits']
  skipped: IndicatorRunResult['skipped']
  /** `smallUnits`: the compound and block part of `compute`. */
  timingsMs: { compute: number; smallUnits: number }
}

async function computeForRun(
  database: Database,
  runId: number,
  campaignId: number,
  campaign: CampaignScope,
  coverageOptions: CoverageOptions | undefined,
): Promise<void> {
  const t0 = performance.now()
  const indicators = (
    await database.rows<
      Omit<IndicatorRow, 'parameters'> & { parameters: Record<string, unknown> | string }
    >(sql`
      select id, code, unit, direction, calculator, parameters, standard_values from indicators
      where system_id = ${campaign.system_id} and method_kind = 'computed' and calculator is not null
      order by sort_order, id`)
  ).map((i) => ({
    ...i,
    parameters: (typeof i.parameters === 'string' ? JSON.parse(i.parameters) : i.parameters) as Record<
      string,
      unknown
    >,
  }))
  const [system] = await database.rows<{ settings: Record<string, unknown> | string }>(
    sql`select settings from indicator_systems where id = ${campaign.system_id}`,
  )
  const settings = (typeof system?.settings === 'string' ? JSON.parse(system.settings) : system?.settings) as
    | { serviceRadii?: { byFacilityType?: Record<string, EditionTypeSettings> } }
    | undefined
  const byType = settings?.serviceRadii?.byFacilityType ?? {}
  const units = await regionUnits(database, campaign)
  const like = `${campaign.prefix}%`
  const skipped: IndicatorRunResult['skipped'] = []
  const values: ComputedValue[] = []

  // Population cells in metres, each with the units it belongs to.
  const [crs] = await database.rows<{ srid: number | null }>(
    sql`select min(metric_srid)::int as srid from population_cells where region_code like ${like}`,
  )
  const srid = crs?.srid ?? null
  const facilityTypes = [...FACILITY_TYPES]
  const needsCoverage = indicators.some((i) => i.calculator === 'coverage')
  const inputs =
    srid === null
      ? { cells: [], facilities: [], roads: [] }
      : await loadInputs(database, like, srid, facilityTypes, needsCoverage)
  const cellRegion = new Map(
    (
      await database.rows<{ id: number; region_code: string }>(
        sql`select id, region_code from population_cells where region_code like ${like}`,
      )
    ).map((r) => [r.id, r.region_code]),
  )
  const facilityRegion = new Map(
    (
      await database.rows<{ id: number; region_code: string }>(
        sql`select id, region_code from facilities where region_code like ${like}`,
      )
    ).map((r) => [r.id, r.region_code]),
  )
  const unitCells = new Map<string, number[]>(units.map((u) => [u.code, []]))
  inputs.cells.forEach((cell, i) => {
    const code = cellRegion.get(cell.id) ?? ''
    for (const u of units) if (code.startsWith(u.prefix)) unitCells.get(u.code)?.push(i)
  })
  const distanceModel: DistanceModel = inputs.roads.some((r) => r.walkable) ? 'network' : 'euclidean'

  // Coverage of every type a coverage indicator names, in one call (one walk graph for all types).
  const coverageRules = new Map<string, FacilityRule>()
  for (const i of indicators) {
    if (i.calculator !== 'coverage') continue
    const type = String(i.parameters.facilityType ?? '')
    const radiusM = byType[type]?.radiusM
    if (typeof radiusM !== 'number' || !(radiusM > 0)) {
      skipped.push({
        code: i.code,
        unitKey: null,
        reason: `the edition gives no service radius for '${type}'`,
      })
      continue
    }
    coverageRules.set(type, ruleFor(type, radiusM, byType[type]))
  }
  const coverageByType = new Map<string, TypeCoverage>()
  if (coverageRules.size > 0 && inputs.cells.length > 0) {
    const rules = [...coverageRules.values()]
    const result = computeCoverage({ ...inputs, rules, model: distanceModel, facilityTypes }, coverageOptions)
    rules.forEach((rule, k) => {
      const cov = result.types[k]
      if (cov) coverageByType.set(rule.type, cov)
    })
  }

  const served = (cell: PopulationCell, rule: Pick<FacilityRule, 'servedGroups'>) =>
    rule.servedGroups.reduce((sum, g) => sum + cell[g], 0)
  const residents = (cellIndices: readonly number[]) =>
    cellIndices.reduce((sum, i) => {
      const c = inputs.cells[i]!
      return sum + c.children + c.working + c.elderly
    }, 0)
  const facilitiesIn = (unit: RegionUnit, type: string) =>
    inputs.facilities.filter(
      (f) => f.type === type && (facilityRegion.get(f.id) ?? '').startsWith(unit.prefix),
    )

  // Facility areas are not part of the coverage inputs.
  const areas = new Map(
    (
      await database.rows<{ id: number; area_m2: number | null }>(
        sql`select id, area_m2 from facilities where region_code like ${like}`,
      )
    ).map((r) => [r.id, r.area_m2]),
  )
  const sqlFigures = await unitSqlFigures(database, units)

  for (const indicator of indicators) {
    const type = String(indicator.parameters.facilityType ?? '')
    for (const unit of units) {
      const cellIndices = unitCells.get(unit.code) ?? []
      const push = (value: number, details: Record<string, unknown>) =>
        values.push({
          indicator_id: indicator.id,
          unit_type: 'region',
          unit_key: unit.code,
          region_code: unit.code,
          value,
          details: { method: `${indicator.calculator}${type ? `:${type}` : ''}`, ...details },
        })
      const skip = (reason: string) => skipped.push({ code: indicator.code, unitKey: unit.code, reason })
      switch (indicator.calculator) {
        case 'coverage': {
          const rule = coverageRules.get(type)
          const cov = coverageByType.get(type)
          if (!rule || !cov) break
          let servedTotal = 0
          let uncovered = 0
          for (const i of cellIndices) {
            const s = served(inputs.cells[i]!, rule)
            servedTotal += s
            if (!cov.covered[i]) uncovered += s
          }
          if (indicator.unit === '%') {
            if (!(servedTotal > 0)) {
              skip('no served residents in the unit')
              break
            }
            push((100 * (servedTotal - uncovered)) / servedTotal, {
              distanceModel,
              radiusM: rule.radiusM,
              servedResidents: servedTotal,
              uncoveredResidents: uncovered,
            })
          } else {
            if (cellIndices.length === 0) {
              skip('no population cells in the unit')
              break
            }
            const subCells = cellIndices.map((i) => inputs.cells[i]!)
            const subCoverage: TypeCoverage = {
              ...cov,
              covered: Uint8Array.from(cellIndices, (i) => cov.covered[i]!),
              distanceM: Float64Array.from(cellIndices, (i) => cov.distanceM[i]!),
              nearestFacilityId: Float64Array.from(cellIndices, (i) => cov.nearestFacilityId[i]!),
            }
            const spots = findBlindSpots(subCells, new CellGrid(subCells), subCoverage, rule)
            push(spots.length, {
              distanceModel,
              radiusM: rule.radiusM,
              blindSpots: spots.length,
              uncoveredResidents: uncovered,
            })
          }
          break
        }
        case 'capacity': {
          const norm = byType[type]?.perCapitaNorm
          if (typeof norm !== 'number' || !(norm > 0)) {
            skip(`the edition gives no perCapitaNorm for '${type}'`)
            break
          }
          const rule = ruleFor(type, 1, byType[type])
          let demandResidents = 0
          for (const i of cellIndices) demandResidents += served(inputs.cells[i]!, rule)
          const fs = facilitiesIn(unit, type)
          const supply = fs.reduce((sum, f) => sum + (f.capacity ?? 0), 0)
          const demand = demandResidents * norm
          push(Math.max(0, demand - supply), {
            demand,
            supply,
            perCapitaNorm: norm,
            facilities: fs.length,
            facilitiesWithoutCapacity: fs.filter((f) => f.capacity === null).length,
          })
          break
        }
        case 'per_capita': {
          const people = residents(cellIndices)
          if (!(people > 0)) {
            skip('no residents in the unit')
            break
          }
          const fs = facilitiesIn(unit, type)
          const area = fs.reduce((sum, f) => sum + (areas.get(f.id) ?? 0), 0)
          push(area / people, {
            areaM2: area,
            residents: people,
            facilities: fs.length,
            facilitiesWithoutArea: fs.filter((f) => areas.get(f.id) == null).length,
          })
          break
        }
        case 'road_density': {
          const figures = sqlFigures.get(unit.code)
          if (!unit.areaKm2 || !figures) {
            skip('the unit has no boundary')
            break
          }
          push(figures.roadKm / unit.areaKm2, {
            roadKm: figures.roadKm,
            areaKm2: unit.areaKm2,
            roadKinds: ROAD_DENSITY_KINDS,
          })
          break
        }
        case 'stock_share': {
          const figures = sqlFigures.get(unit.code)
          if (!unit.areaKm2 || !figures) {
            skip('the unit has no boundary')
            break
          }
          push((100 * figures.stockM2) / (unit.areaKm2 * 1e6), {
            stockAreaM2: figures.stockM2,
            areaKm2: unit.areaKm2,
            stockKinds: STOCK_SHARE_KINDS,
          })
          break
        }
        default:
          skip(`no calculator '${indicator.calculator}'`)
      }
    }
  }
  const tSmall = performance.now()
  const small = await computeSmallUnitValues(database, {
    like,
    srid,
    indicators,
    byType,
    cells: inputs.cells,
    coverageRules,
    coverageByType,
    distanceModel,
  })
  const smallUnitsMs = performance.now() - tSmall
  values.push(...small.values)
  skipped.push(...small.skipped)
  const byId = new Map(indicators.map((i) => [i.id, i]))
  const graded = values.map((v) => {
    const indicator = byId.get(v.indicator_id)
    return {
      ...v,
      ...gradeValue(v.value, indicator?.direction ?? 'none', parseStandardValues(indicator?.standard_values)),
    }
  })
  const computeMs = performance.now() - t0

  await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, runId))) return
    // Reported and imported values are the departments' data: a computed value never replaces them.
    const written = (
      (await tx.execute(sql`
        insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade,
          warning, source, run_id, details)
        select ${campaignId}, v.indicator_id, v.unit_type, v.unit_key, v.region_code, v.value, v.grade, v.warning,
          'computed', ${runId}, v.details
        from json_to_recordset(${JSON.stringify(graded)}::json) as v(indicator_id int, unit_type text,
          unit_key text, region_code text, value float8, grade text, warning text, details jsonb)
        on conflict (campaign_id, indicator_id, unit_type, unit_key) do update
          set value = excluded.value, grade = excluded.grade, warning = excluded.warning, run_id = excluded.run_id,
            region_code = excluded.region_code, details = excluded.details, updated_at = now()
          where indicator_values.source = 'computed'
        returning id`)) as unknown as { rows: { id: number }[] }
    ).rows.length
    // Computed values an earlier run wrote that this one could not compute any more are stale.
    await tx.execute(sql`
      delete from indicator_values
      where campaign_id = ${campaignId} and source = 'computed' and run_id is distinct from ${runId}`)
    const outputs: IndicatorOutputs = {
      values: written,
      distanceModel,
      units: units.map((u) => u.code),
      smallUnits: small.units,
      skipped,
      timingsMs: { compute: computeMs, smallUnits: smallUnitsMs },
    }
    await markRunSucceeded(tx, runId, outputs)
  })
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
