import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { ProblemFacts, SiteFacts } from './scores.ts'

// What a generation proposes, read from the campaign's coverage gaps and problems, the one-map's resources
// (rejected ones excluded) and the renewal areas: which project on which site, addressing which problems.

/** Community facilities a building or plot can take, by resource kind (a vacated factory becomes a care station…). */
const BUILDING_USES = ['elderly_care', 'infant_care', 'kindergarten', 'clinic', 'culture_center']
const FACILITY_USES: Record<string, readonly string[]> = {
  idle_land: [...BUILDING_USES, 'sports_ground'],
  idle_building: BUILDING_USES,
  underused_building: BUILDING_USES,
  vacated_factory: [...BUILDING_USES, 'sports_ground'],
  under_bridge_space: ['sports_ground'],
}
/** 口袋公园 on leftover corners and under bridges; 停车 on car parks, and on idle land or bridges in a parking gap. */
const POCKET_PARK_KINDS = ['corner_space', 'under_bridge_space']
const PARKING_ALWAYS = ['parking']
const PARKING_IN_GAP = ['idle_land', 'under_bridge_space']
/** Problems a housing upgrade (成套改造, 加装电梯, 适老化) in a renewal area takes on. */
const HOUSING_PROBLEM_TYPES = [
  'facade_safety',
  'lift_failure',
  'waterlogging',
  'illegal_construction',
  'indicator',
]

export type ProposalKind = 'facility' | 'pocket_park' | 'parking' | 'housing_upgrade'

export interface Proposal {
  key: string
  kind: ProposalKind
  facilityType: string | null
  programme: 'pocket_park' | 'parking' | 'ageing_friendly' | null
  regionCode: string
  name: string
  description: string
  /** Where the project is drawn: the resource's or the renewal area's geometry. */
  geometryOf: { table: 'stock_resources' | 'renewal_areas'; id: number }
  resourceIds: number[]
  problemIds: number[]
  /** The facility's site in the run's metric CRS; null for projects that add no facility. */
  site: { x: number; y: number } | null
  siteFacts: SiteFacts
}

export interface ResourceRow {
  id: number
  code: string | null
  kind: string
  name: string | null
  regionCode: string
  areaM2: number | null
  ownership: string | null
  verificationState: string
  x: number
  y: number
  /** Blind spots of the coverage run the resource lies in: `{ type, gapKey }`. */
  gaps: { type: string; gapKey: string }[]
  /** Open parking problems within 300 m. */
  parkingProblemIds: number[]
}

/** Resources of the region that are not rejected, with the run's blind spots they lie in; sites in metres. */
export async function readResources(
  database: Database,
  like: string,
  runLike: string,
  runId: number,
  srid: number,
): Promise<ResourceRow[]> {
  const rows = await database.rows<ResourceRow & { gaps: unknown; parkingProblemIds: unknown }>(sql`
    select r.id, r.code, r.kind, r.name, r.region_code as "regionCode", r.area_m2 as "areaM2", r.ownership,
      r.verification_state as "verificationState", ST_X(r.p) as x, ST_Y(r.p) as y,
      coalesce((select json_agg(json_build_object('type', g.facility_type, 'gapKey', g.gap_key) order by g.gap_key)
        from coverage_gaps g where g.run_id = ${runId} and g.kind = 'blind_spot'
          and ST_Intersects(g.geom, r.geom)), '[]'::json) as gaps,
      coalesce((select json_agg(p.id order by p.id) from problems p
        where p.type = 'parking' and p.state <> 'closed' and p.region_code like ${runLike}
          and ST_DWithin(p.geom::geography, r.geom::geography, 300)), '[]'::json) as "parkingProblemIds"
    from (select *, ST_Transform(ST_PointOnSurface(geom), ${srid}::int) as p from stock_resources
      where region_code like ${like} and region_code like ${runLike} and verification_state <> 'rejected') r
    order by r.id`)
  return rows.map((r) => ({
    ...r,
    gaps: parseJson(r.gaps) as ResourceRow['gaps'],
    parkingProblemIds: parseJson(r.parkingProblemIds) as number[],
  }))
}

const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v)

/**
 * Proposals on resources: a facility of every type whose blind spot the resource lies in and that its kind can
 * take, a pocket park on corner and under-bridge spaces, parking on car parks (and on idle land in a parking gap).
 * Problems are linked by the gap keys of the coverage run (`gapProblem`), resolved by the caller.
 */
export function resourceProposals(resource: ResourceRow, names: Record<string, string>): ProposalDraft[] {
  const drafts: ProposalDraft[] = []
  const gapsOf = (type: string) => resource.gaps.filter((g) => g.type === type).map((g) => g.gapKey)
  const label = resource.name ?? resource.code ?? `#${resource.id}`
  for (const type of FACILITY_USES[resource.kind] ?? []) {
    const gapKeys = gapsOf(type)
    if (gapKeys.length === 0) continue
    drafts.push({
      resource,
      key: `facility:${type}:resource:${resource.id}`,
      kind: 'facility',
      facilityType: type,
      programme: null,
      name: `${label}新建${names[type] ?? type}`,
      description: `在存量资源 ${label} 上新建${names[type] ?? type}，补服务盲区 / a new ${type} on the resource, in a blind spot`,
      gapKeys,
      extraProblemIds: [],
    })
  }
  if (POCKET_PARK_KINDS.includes(resource.kind)) {
    drafts.push({
      resource,
      key: `pocket_park:resource:${resource.id}`,
      kind: 'pocket_park',
      facilityType: 'park',
      programme: 'pocket_park',
      name: `${label}口袋公园`,
      description: `利用 ${label} 建设口袋公园 / a pocket park on the space`,
      gapKeys: gapsOf('park'),
      extraProblemIds: [],
    })
  }
  const parkingGaps = gapsOf('parking')
  if (
    PARKING_ALWAYS.includes(resource.kind) ||
    (PARKING_IN_GAP.includes(resource.kind) &&
      (parkingGaps.length > 0 || resource.parkingProblemIds.length > 0))
  ) {
    drafts.push({
      resource,
      key: `parking:resource:${resource.id}`,
      kind: 'parking',
      facilityType: 'parking',
      programme: 'parking',
      name: `${label}停车设施`,
      description: `利用 ${label} 增设停车泊位 / parking spaces on the resource`,
      gapKeys: parkingGaps,
      extraProblemIds: resource.parkingProblemIds,
    })
  }
  return drafts
}

/** A proposal on a resource before its problems are resolved from gap keys. */
export interface ProposalDraft {
  resource: ResourceRow
  key: string
  kind: ProposalKind
  facilityType: string
  programme: Proposal['programme']
  name: string
  description: string
  gapKeys: string[]
  extraProblemIds: number[]
}

/** The open problems of the run's gaps, by gap key (the problems' dedupe keys are `coverage:<run region>:<gap key>`). */
export async function gapProblems(
  database: Database,
  runRegionCode: string,
  gapKeys: readonly string[],
): Promise<Map<string, number>> {
  if (gapKeys.length === 0) return new Map()
  const keys = [...new Set(gapKeys)].map((k) => `coverage:${runRegionCode}:${k}`)
  const rows = await database.rows<{ id: number; dedupeKey: string }>(sql`
    select id, dedupe_key as "dedupeKey" from problems
    where dedupe_key = any(${sql.param(keys)}::text[]) and state <> 'closed'`)
  const prefix = `coverage:${runRegionCode}:`
  return new Map(rows.map((r) => [r.dedupeKey.slice(prefix.length), r.id]))
}

export function fromDraft(draft: ProposalDraft, problemOfGap: Map<string, number>): Proposal {
  const r = draft.resource
  const problemIds = [
    ...new Set([
      ...draft.gapKeys.flatMap((k) => {
        const id = problemOfGap.get(k)
        return id === undefined ? [] : [id]
      }),
      ...draft.extraProblemIds,
    ]),
  ].sort((a, b) => a - b)
  return {
    key: draft.key,
    kind: draft.kind,
    facilityType: draft.facilityType,
    programme: draft.programme,
    regionCode: r.regionCode,
    name: draft.name,
    description: draft.description,
    geometryOf: { table: 'stock_resources', id: r.id },
    resourceIds: [r.id],
    problemIds,
    site: { x: r.x, y: r.y },
    siteFacts: {
      kind: r.kind,
      areaM2: r.areaM2,
      ownership: r.ownership,
      verificationState: r.verificationState,
    },
  }
}

/** One housing upgrade (适老化 programme) per old-housing renewal area, with its open problems and resources. */
export async function housingProposals(database: Database, like: string): Promise<Proposal[]> {
  const rows = await database.rows<{
    id: number
    name: string
    regionCode: string
    problemIds: number[] | string
    resourceIds: number[] | string
  }>(sql`
    select a.id, a.name, a.region_code as "regionCode",
      coalesce((select json_agg(p.id order by p.id) from problems p where p.region_code like ${like}
        and p.state <> 'closed' and p.type = any(${sql.param(HOUSING_PROBLEM_TYPES)}::text[])
        and ST_Intersects(p.geom, a.geom)), '[]'::json) as "problemIds",
      coalesce((select json_agg(r.id order by r.id) from stock_resources r where r.verification_state <> 'rejected'
        and r.region_code like ${like} and ST_Intersects(r.geom, a.geom)), '[]'::json) as "resourceIds"
    from renewal_areas a
    where a.region_code like ${like} and a.kind in ('housing_upgrade', 'old_lilong')
    order by a.id`)
  return rows.map((a) => ({
    key: `housing_upgrade:area:${a.id}`,
    kind: 'housing_upgrade',
    facilityType: null,
    programme: 'ageing_friendly',
    regionCode: a.regionCode,
    name: `${a.name}适老化与成套改造`,
    description:
      '更新片区内旧住房的成套改造、加装电梯与适老化改造 / housing upgrade, lifts and ageing-friendly works',
    geometryOf: { table: 'renewal_areas', id: a.id },
    resourceIds: parseJson(a.resourceIds) as number[],
    problemIds: parseJson(a.problemIds) as number[],
    site: null,
    // Works on occupied buildings of a delineated area: no land to find; ownership is the residents' (unknown).
    siteFacts: { kind: 'existing_housing', areaM2: null, ownership: null, verificationState: 'verified' },
  }))
}

/** Severity, years open and appeals of the problems proposals address, by id. */
export async function problemFacts(
  database: Database,
  ids: readonly number[],
  campaignYear: number,
): Promise<Map<number, ProblemFacts>> {
  if (ids.length === 0) return new Map()
  // Years open: since it was found, or the checks it was carried into (结转) when that says more.
  const rows = await database.rows<{ id: number; severity: number; yearsOpen: number; appeals: number }>(sql`
    select p.id, p.severity,
      greatest(0, ${campaignYear}::int - p.year_found,
        (select count(*) from problem_carryovers c where c.problem_id = p.id))::int as "yearsOpen",
      (p.report_count - 1 + (select count(*) from opinions o where o.problem_id = p.id))::int as appeals
    from problems p where p.id = any(${sql.param([...new Set(ids)])}::int[])`)
  return new Map(
    rows.map((r) => [r.id, { severity: r.severity, yearsOpen: r.yearsOpen, appeals: r.appeals }]),
  )
}
