import type { Direction } from '../../server/domain/grading.ts'

/** Road kinds counted as urban road network (footpaths, rail and ferries are not). */
export const ROAD_DENSITY_KINDS: readonly string[] = ['major_road', 'minor_road']
/** Stock-resource kinds counted as idle or low-efficiency land. */
export const STOCK_SHARE_KINDS: readonly string[] = ['idle_land', 'low_efficiency_land']

/** Spatial unit levels the indicator run writes values for. */
export type ComputedUnitType = 'region' | 'block' | 'compound'

/** One value before grading. */
export interface ComputedValue {
  indicator_id: number
  unit_type: ComputedUnitType
  unit_key: string
  region_code: string
  value: number
  details: Record<string, unknown>
}

/** A computable indicator of the edition, as the run reads it. */
export interface IndicatorRow {
  id: number
  code: string
  unit: string | null
  direction: Direction
  calculator: string
  parameters: Record<string, unknown>
  standard_values: unknown
}

/** An indicator and unit (or unit level) that could not be computed, with the reason. */
export interface SkippedValue {
  code: string
  unitKey: string | null
  reason: string
}

/** What a calculator gives for one unit: a value with its details, or the reason it has none. */
export type UnitOutcome = { value: number; details: Record<string, unknown> } | { skip: string }

/** The `method` a value's details name: the calculator, and the facility type it is about. */
export function methodOf(indicator: IndicatorRow): string {
  const type = facilityTypeOf(indicator)
  return `${indicator.calculator}${type ? `:${type}` : ''}`
}

/** The facility type an indicator is about; '' for those about no type (road density, stock share). */
export function facilityTypeOf(indicator: IndicatorRow): string {
  return String(indicator.parameters.facilityType ?? '')
}
