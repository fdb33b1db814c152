import type { ProjectScore } from '../../server/db/projects.ts'

// Feasibility and urgency of a proposed project: plain weighted sums whose formula and terms are stored with the
// score, so whoever ranks projects sees why one scores higher (ADR 0021).

/** How readily a kind of resource takes a new use: vacant land and empty buildings need no one to move out. */
const LAND_READINESS: Record<string, number> = {
  idle_land: 1,
  vacated_factory: 0.9,
  idle_building: 0.9,
  corner_space: 0.8,
  parking: 0.8,
  under_bridge_space: 0.7,
  underused_building: 0.6,
  /** Works on occupied housing: nothing to acquire, but residents live on site. */
  existing_housing: 0.8,
}

/** Smallest site in m² each kind of project needs (a 6-class kindergarten, a 社区养老服务站, a 口袋公园…). */
export const MIN_SITE_M2: Record<string, number> = {
  kindergarten: 1800,
  infant_care: 200,
  elderly_care: 300,
  clinic: 1000,
  culture_center: 800,
  sports_ground: 800,
  park: 400,
  parking: 500,
}

export interface SiteFacts {
  kind: string
  areaM2: number | null
  ownership: string | null
  verificationState: string
}

/** State and public land is the city's to use; collective land needs an agreement; private land a purchase. */
export function ownershipTerm(ownership: string | null): number {
  const o = (ownership ?? '').toLowerCase()
  if (!o) return 0.5
  if (/国有|政府|公有|state|public|government|municipal/.test(o)) return 1
  if (/集体|collective/.test(o)) return 0.7
  if (/私|个人|企业|private|company/.test(o)) return 0.4
  return 0.5
}

const FEASIBILITY_FORMULA =
  'feasibility = 0.3 × land + 0.25 × ownership + 0.2 × size + 0.25 × verification; ' +
  'land by resource kind (idle land 1 … under-used building 0.6), ownership (state 1, collective 0.7, ' +
  'private 0.4, unknown 0.5), size = min(1, area / smallest site of the project type), unknown area 0.5; ' +
  'verification: verified 1, reported 0.5'

/** Feasibility of building `projectType` on a site (a resource, or an existing building for upgrades). */
export function feasibility(site: SiteFacts, projectType: string | null): ProjectScore {
  const land = LAND_READINESS[site.kind] ?? 0.5
  const ownership = ownershipTerm(site.ownership)
  const need = projectType ? MIN_SITE_M2[projectType] : undefined
  const size =
    need === undefined
      ? 1
      : site.areaM2 === null || !(site.areaM2 > 0)
        ? 0.5
        : Math.min(1, site.areaM2 / need)
  const verification = site.verificationState === 'verified' ? 1 : 0.5
  const value = 0.3 * land + 0.25 * ownership + 0.2 * size + 0.25 * verification
  return { value: round(value), formula: FEASIBILITY_FORMULA, terms: { land, ownership, size, verification } }
}

export interface ProblemFacts {
  severity: number
  /** Years the problem has stayed open: the campaign's year minus the year found, or its carry-overs if more. */
  yearsOpen: number
  /** Reports it stands for (duplicates joined) plus opinions linked to it. */
  appeals: number
}

const URGENCY_FORMULA =
  'urgency = 0.5 × severity + 0.3 × persistence + 0.2 × appeals; severity = highest linked severity / 3, ' +
  'persistence = min(1, longest years open / 3), appeals = min(1, Σ reports and opinions / 10); ' +
  'no linked problem: 0'

/** Urgency from the problems a project addresses: how severe, how long open, how often raised by residents. */
export function urgency(problems: readonly ProblemFacts[]): ProjectScore {
  if (problems.length === 0) {
    return {
      value: 0,
      formula: URGENCY_FORMULA,
      terms: { severity: 0, persistence: 0, appeals: 0, problems: 0 },
    }
  }
  const severity = Math.max(...problems.map((p) => p.severity)) / 3
  const persistence = Math.min(1, Math.max(...problems.map((p) => p.yearsOpen)) / 3)
  const appeals = Math.min(1, problems.reduce((s, p) => s + p.appeals, 0) / 10)
  const value = 0.5 * severity + 0.3 * persistence + 0.2 * appeals
  return {
    value: round(value),
    formula: URGENCY_FORMULA,
    terms: { severity: round(severity), persistence: round(persistence), appeals, problems: problems.length },
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4
