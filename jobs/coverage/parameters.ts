import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { FACILITY_TYPES } from '../../server/db/facilities.ts'
import {
  CampaignRegionMismatchError,
  DiagnosisParameterError,
  UnknownCampaignError,
  UnknownRegionError,
} from '../runs/errors.ts'
import type { RunChangeRecorder } from '../runs/rows.ts'
import type { DistanceModel, FacilityRule } from './engine/index.ts'
import {
  InvalidRadiusOverrideError,
  MissingServiceRadiusError,
  UnknownDistanceModelError,
  UnsupportedFacilityTypeError,
} from './errors.ts'
import { type EditionTypeSettings, ruleFor } from './rules.ts'

export const DISTANCE_MODELS: readonly DistanceModel[] = ['euclidean', 'network']

/** @defaultValue the cells above which a run fans out when its runner can */
export const DEFAULT_MAX_CELLS_PER_PART = 50_000

/** What a caller (the GraphQL mutation) asks for. */
export interface CoverageRunRequest {
  regionCode: string
  /** Links the run and its problems to a campaign and takes the radii from the campaign's indicator edition. */
  campaignId?: number | null
  /** @defaultValue every type the indicator edition (or `radiusOverrides`) gives a service radius */
  facilityTypes?: readonly string[] | null
  /** @defaultValue both: `['euclidean', 'network']` */
  distanceModels?: readonly DistanceModel[] | null
  /** Service radius in metres per facility type, replacing the edition's. */
  radiusOverrides?: Readonly<Record<string, number>> | null
  /** Who asked, for the run row. */
  requestedBy?: string | null
  /** Records the new run in the transaction that inserts it (the API's audit log). */
  onCreated?: RunChangeRecorder | undefined
  /**
   * A region with more population cells is split into part runs of at most this many cells, computed by any
   * worker and joined (the outputs are the same). @defaultValue {@link DEFAULT_MAX_CELLS_PER_PART}
   */
  maxCellsPerPart?: number | null
}

/** The parameters stored on the run: the request resolved against the edition, so later edits do not change it. */
export interface CoverageRunParameters {
  regionCode: string
  campaignId: number | null
  systemId: number
  distanceModels: DistanceModel[]
  rules: FacilityRule[]
  radiusOverrides: Record<string, number>
  /** Cells per part when the run fans out; absent on runs from before fan-out (the default applies). */
  maxCellsPerPart?: number
}

/** The region a request covers and the campaign it belongs to. */
export interface RequestScope {
  prefix: string
  campaignYear: number | null
  systemId: number | null
}

/** @throws DiagnosisParameterError subclasses for a region or campaign that does not exist or does not match. */
export async function resolveScope(database: Database, request: CoverageRunRequest): Promise<RequestScope> {
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${request.regionCode}`,
  )
  if (!region) throw new UnknownRegionError(request.regionCode)
  if (request.campaignId === undefined || request.campaignId === null) {
    return { prefix: region.prefix, campaignYear: null, systemId: null }
  }
  const [campaign] = await database.rows<{ region_code: string; year: number; system_id: number }>(
    sql`select region_code, year, system_id from campaigns where id = ${request.campaignId}`,
  )
  if (!campaign) throw new UnknownCampaignError(request.campaignId)
  const [inside] = await database.rows<{ ok: boolean }>(
    sql`select ${request.regionCode} like scope_prefix || '%' as ok from regions where code = ${campaign.region_code}`,
  )
  if (!inside?.ok) throw new CampaignRegionMismatchError(request.campaignId, request.regionCode)
  return { prefix: region.prefix, campaignYear: campaign.year, systemId: campaign.system_id }
}

/**
 * The request resolved against the indicator edition: models and types checked and sorted, one rule per type.
 *
 * @throws DiagnosisParameterError subclasses for parameters a user must correct.
 */
export async function resolveParameters(
  database: Database,
  request: CoverageRunRequest,
  scope: RequestScope,
): Promise<CoverageRunParameters> {
  const models = resolveDistanceModels(request.distanceModels)
  const overrides = resolveRadiusOverrides(request.radiusOverrides)
  const edition = await editionRadii(database, scope.systemId)
  const types = resolveFacilityTypes(
    request.facilityTypes,
    (type) => edition.radiusM(type) !== undefined || overrides[type] !== undefined,
  )
  const rules = types.map((type) => {
    const radiusM = overrides[type] ?? edition.radiusM(type)
    if (radiusM === undefined) throw new MissingServiceRadiusError(type)
    return ruleFor(type, radiusM, edition.byType[type])
  })
  return {
    regionCode: request.regionCode,
    campaignId: request.campaignId ?? null,
    systemId: edition.systemId,
    distanceModels: models,
    rules,
    radiusOverrides: Object.fromEntries(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))),
    maxCellsPerPart: resolvePartSize(request.maxCellsPerPart),
  }
}

function resolveDistanceModels(requested: CoverageRunRequest['distanceModels']): DistanceModel[] {
  const models = [...new Set(requested ?? DISTANCE_MODELS)]
  if (models.length === 0) throw new DiagnosisParameterError('至少选择一种距离模型 / choose a distance model')
  for (const model of models) {
    if (!DISTANCE_MODELS.includes(model)) throw new UnknownDistanceModelError(String(model))
  }
  return models.sort()
}

function resolveRadiusOverrides(requested: CoverageRunRequest['radiusOverrides']): Record<string, number> {
  const known: readonly string[] = FACILITY_TYPES
  const overrides: Record<string, number> = {}
  for (const [type, radiusM] of Object.entries(requested ?? {})) {
    if (!known.includes(type)) throw new UnsupportedFacilityTypeError(type, known)
    if (typeof radiusM !== 'number' || !(radiusM > 0 && Number.isFinite(radiusM))) {
      throw new InvalidRadiusOverrideError(type, radiusM)
    }
    overrides[type] = radiusM
  }
  return overrides
}

/** The requested types checked and sorted, or every type that has a radius when none are named. */
function resolveFacilityTypes(
  requested: CoverageRunRequest['facilityTypes'],
  hasRadius: (type: string) => boolean,
): string[] {
  const known: readonly string[] = FACILITY_TYPES
  if (requested === undefined || requested === null) return known.filter(hasRadius)
  if (requested.length === 0) {
    throw new DiagnosisParameterError('至少选择一种设施类型 / choose a facility type')
  }
  for (const type of requested) {
    if (!known.includes(type)) throw new UnsupportedFacilityTypeError(type, known)
  }
  return [...new Set(requested)].sort()
}

/** The campaign's edition, otherwise the newest national one; radii are data that staff edit. */
async function editionRadii(database: Database, systemId: number | null) {
  const [system] = await database.rows<{ id: number; settings: Record<string, unknown> | string }>(
    systemId === null
      ? sql`select id, settings from indicator_systems where level = 'national'
          order by (status <> 'draft') desc, year desc, id desc limit 1`
      : sql`select id, settings from indicator_systems where id = ${systemId}`,
  )
  if (!system) throw new DiagnosisParameterError('没有可用的指标体系 / no indicator edition is loaded')
  const settings = typeof system.settings === 'string' ? JSON.parse(system.settings) : system.settings
  const byType = (settings?.serviceRadii?.byFacilityType ?? {}) as Record<string, EditionTypeSettings>
  const radiusM = (type: string): number | undefined => {
    const r = byType[type]?.radiusM
    return typeof r === 'number' && r > 0 ? r : undefined
  }
  return { systemId: system.id, byType, radiusM }
}

function resolvePartSize(requested: number | null | undefined): number {
  if (requested === undefined || requested === null) return DEFAULT_MAX_CELLS_PER_PART
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw new DiagnosisParameterError(
      `分片网格数须为正整数 / maxCellsPerPart must be a positive integer, got ${requested}`,
    )
  }
  return requested
}
