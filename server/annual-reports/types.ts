import type { ReportSection } from '../db/annual-reports.ts'
import type { Dimension } from '../domain/report-outline.ts'

// What a report says, assembled once from the API's own fields and drawn twice: as DOCX and as PDF.

export interface StandardValues {
  poor?: number
  fair?: number
  good?: number
  red?: number
  yellow?: number
  source?: string
}

/** One year of an indicator's trend for the report's region. */
export interface TrendPoint {
  year: number
  value: number | null
  grade: string | null
  source: string
  /** The documented rule a derived value came from (推算). */
  derivation: string | null
}

/** One unit (a district of a city, or the region itself) with its value of an indicator. */
export interface UnitValue {
  name: string
  value: number | null
  grade: string | null
  warning: string | null
}

export interface IndicatorEntry {
  code: string
  name: string
  dimension: Dimension
  group: string | null
  unit: string | null
  direction: string
  methodKind: string
  method: string
  calculator: string | null
  standard: StandardValues | null
  department: string | null
  renewalTheme: string | null
  /** The report region's value in this campaign; null when there is none. */
  value: number | null
  grade: string | null
  warning: string | null
  source: string | null
  derivation: string | null
  /** Annual checks before and including this one, oldest first. */
  trend: TrendPoint[]
  units: UnitValue[]
}

/** Blind spots of one facility type (one distance model), summed by age group. */
export interface CoverageRow {
  facilityType: string
  label: string
  spots: number
  cells: number
  children: number
  working: number
  elderly: number
}

export interface GapShape {
  facilityType: string
  children: number
  working: number
  elderly: number
  geom: GeoJSON
}

// biome-ignore lint/suspicious/noExplicitAny: GeoJSON geometry as the API answers it
export type GeoJSON = { type: string; coordinates: any }

export interface CoverageSection {
  runId: number
  distanceModel: string
  finishedAt: string | null
  rows: CoverageRow[]
  gaps: GapShape[]
}

export interface ProblemLine {
  id: number
  title: string
  type: string
  state: string
  severity: number
  regionCode: string
  yearFound: number
  overdue: boolean
  department: string | null
}

export interface ProblemSection {
  total: number
  open: number
  overdue: number
  byState: { state: string; count: number }[]
  byType: { type: string; name: string; count: number }[]
  lines: ProblemLine[]
}

export interface ProjectLine {
  code: string | null
  name: string
  kind: string
  phase: string
  state: string
  year: number | null
  budget: number | null
}

export interface RunLine {
  id: number
  kind: string
  state: string
  finishedAt: string | null
  inputVersions: unknown
  parameters: unknown
}

export interface MapRegion {
  code: string
  name: string
  boundary: GeoJSON | null
}

export interface ReportContent {
  generatedAt: Date
  campaign: {
    id: number
    name: string
    year: number
    kind: string
    status: string
    editionName: string
    editionYear: number
  }
  region: { code: string; name: string; level: string }
  /** Child regions whose boundaries the maps draw. */
  mapRegions: MapRegion[]
  indicators: IndicatorEntry[]
  coverage: CoverageSection | null
  problems: ProblemSection
  projects: ProjectLine[]
  runs: RunLine[]
  outline: ReportSection[]
  /** Which template: null for the national default. */
  template: { id: number; name: string; version: number } | null
}
