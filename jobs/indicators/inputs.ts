import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { FACILITY_TYPES } from '../../server/db/facilities.ts'
import type { DistanceModel } from '../coverage/engine/index.ts'
import { type CoverageInputs, loadInputs } from '../coverage/inputs.ts'
import type { EditionTypeSettings } from '../coverage/rules.ts'
import type { IndicatorRow } from './definitions.ts'

/** What every unit level of an indicator run reads. */
export interface IndicatorInputs extends CoverageInputs {
  /** The edition's computable indicators, in catalogue order. */
  indicators: IndicatorRow[]
  /** The edition's settings per facility type (service radius, norms). */
  byType: Record<string, EditionTypeSettings>
  /** `like` pattern of the campaign region's codes. */
  like: string
  /** Metric CRS of the population grid; null when the region has no cells. */
  srid: number | null
  /** Walking on the road network when the region has walkable roads, straight-line otherwise. */
  distanceModel: DistanceModel
}

/** The edition's computable indicators and settings, and the region's cells, facilities and roads in metres. */
export async function loadIndicatorInputs(
  database: Database,
  campaign: { system_id: number; prefix: string },
): Promise<IndicatorInputs> {
  const indicators = await computableIndicators(database, campaign.system_id)
  const byType = await editionSettings(database, campaign.system_id)
  const like = `${campaign.prefix}%`
  const [crs] = await database.rows<{ srid: number | null }>(
    sql`select min(metric_srid)::int as srid from population_cells where region_code like ${like}`,
  )
  const srid = crs?.srid ?? null
  const needsCoverage = indicators.some((i) => i.calculator === 'coverage')
  const inputs =
    srid === null
      ? { cells: [], facilities: [], roads: [] }
      : await loadInputs(database, like, srid, [...FACILITY_TYPES], needsCoverage)
  const distanceModel: DistanceModel = inputs.roads.some((r) => r.walkable) ? 'network' : 'euclidean'
  return { ...inputs, indicators, byType, like, srid, distanceModel }
}

async function computableIndicators(database: Database, systemId: number): Promise<IndicatorRow[]> {
  const rows = await database.rows<
    Omit<IndicatorRow, 'parameters'> & { parameters: Record<string, unknown> | string }
  >(sql`
    select id, code, unit, direction, calculator, parameters, standard_values from indicators
    where system_id = ${systemId} and method_kind = 'computed' and calculator is not null
    order by sort_order, id`)
  return rows.map((i) => ({
    ...i,
    parameters: (typeof i.parameters === 'string' ? JSON.parse(i.parameters) : i.parameters) as Record<
      string,
      unknown
    >,
  }))
}

async function editionSettings(
  database: Database,
  systemId: number,
): Promise<Record<string, EditionTypeSettings>> {
  const [system] = await database.rows<{ settings: Record<string, unknown> | string }>(
    sql`select settings from indicator_systems where id = ${systemId}`,
  )
  const settings = (typeof system?.settings === 'string' ? JSON.parse(system.settings) : system?.settings) as
    | { serviceRadii?: { byFacilityType?: Record<string, EditionTypeSettings> } }
    | undefined
  return settings?.serviceRadii?.byFacilityType ?? {}
}
