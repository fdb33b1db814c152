import type { Database } from '../../server/db/client.ts'
import type { ProjectBenefit } from '../../server/db/projects.ts'
import {
  type CoverageResult,
  computeCoverage,
  type DistanceModel,
  type Facility,
  type FacilityRule,
  type GroupCounts,
  prepareWalkNetwork,
  type SharedCoverageState,
} from '../coverage/engine/index.ts'
import { type CoverageInputs, loadInputs, readMetricSrid } from '../coverage/inputs.ts'
import type { CoverageRunParameters } from '../coverage/parameters.ts'

// The measured benefit of a proposed facility: the coverage engine run again over the same cells, facilities and
// roads with the facility added at the site, and the residents of the cells it newly covers counted by age group.

/** Newly covered cells listed in the basis up to this many, so that a figure can be checked cell by cell. */
const LISTED_CELLS = 2000

/** A coverage run's inputs read once for all candidates of a generation, with each type's baseline coverage. */
export interface BenefitContext {
  runId: number
  srid: number
  inputs: CoverageInputs
  rules: FacilityRule[]
  models: DistanceModel[]
  /** The model the headline figure uses: the straight-line service radius when the run has it (ADR 0021). */
  headline: DistanceModel
  shared: SharedCoverageState
  baseline: Map<string, CoverageResult>
  /** An id no facility has, for the proposed one. */
  newFacilityId: number
}

export interface RunRef {
  id: number
  regionCode: string
  parameters: CoverageRunParameters
}

/** Reads the cells, facilities and (for the network model) roads the run computed on, in its metric CRS. */
export async function loadBenefitContext(
  database: Database,
  run: RunRef,
  like: string,
): Promise<BenefitContext> {
  const srid = await readMetricSrid(database, like, run.regionCode)
  const models = [...run.parameters.distanceModels]
  const rules = run.parameters.rules
  const inputs = await loadInputs(
    database,
    like,
    srid,
    rules.map((r) => r.type),
    models.includes('network'),
  )
  const newFacilityId = inputs.facilities.reduce((m, f) => Math.max(m, f.id), 0) + 1
  return {
    runId: run.id,
    srid,
    inputs,
    rules,
    models,
    headline: models.includes('euclidean') ? 'euclidean' : 'network',
    shared: {},
    baseline: new Map(),
    newFacilityId,
  }
}

function coverageOf(context: BenefitContext, rule: FacilityRule, model: DistanceModel, extra: Facility[]) {
  const { cells, facilities, roads } = context.inputs
  if (model === 'network') context.shared.network ??= prepareWalkNetwork(cells, roads)
  return computeCoverage(
    {
      cells,
      facilities: extra.length ? [...facilities, ...extra] : facilities,
      roads,
      rules: [rule],
      model,
      facilityTypes: context.rules.map((r) => r.type),
    },
    {},
    context.shared,
  )
}

function baselineOf(context: BenefitContext, rule: FacilityRule, model: DistanceModel): CoverageResult {
  const key = `${model}:${rule.type}`
  let result = context.baseline.get(key)
  if (!result) {
    result = coverageOf(context, rule, model, [])
    context.baseline.set(key, result)
  }
  return result
}

interface ModelFigure {
  total: number
  byAgeGroup: GroupCounts
  cellIds: number[]
}

/**
 * Residents newly covered when a facility of `type` opens at (`x`, `y`) metres: per model, the cells covered with
 * it and not without it; the total counts the groups the type serves, the breakdown every group in those cells.
 * Null when the run has no rule for the type (nothing to measure against).
 */
export function measureBenefit(
  context: BenefitContext,
  type: string,
  site: { x: number; y: number },
): ProjectBenefit | null {
  const rule = context.rules.find((r) => r.type === type)
  if (!rule) return null
  const facility: Facility = { id: context.newFacilityId, type, x: site.x, y: site.y, capacity: null }
  const byModel: Partial<Record<DistanceModel, ModelFigure>> = {}
  for (const model of context.models) {
    const before = baselineOf(context, rule, model).types[0]?.covered
    const after = coverageOf(context, rule, model, [facility]).types[0]?.covered
    if (!before || !after) continue
    byModel[model] = newlyCovered(context, rule, before, after)
  }
  const headline = byModel[context.headline]
  if (!headline) return null
  return {
    facilityType: type,
    newlyCoveredTotal: round(headline.total),
    newlyCoveredByAgeGroup: {
      children: round(headline.byAgeGroup.children),
      working: round(headline.byAgeGroup.working),
      elderly: round(headline.byAgeGroup.elderly),
    },
    basis: {
      coverageRunId: context.runId,
      distanceModel: context.headline,
      radiusM: rule.radiusM,
      servedGroups: rule.servedGroups,
      site: { x: site.x, y: site.y, srid: context.srid },
      newlyCoveredCellIds: headline.cellIds.slice(0, LISTED_CELLS),
      byModel: Object.fromEntries(
        Object.entries(byModel).map(([m, f]) => [m, { total: round(f.total), byAgeGroup: f.byAgeGroup }]),
      ),
    },
  }
}

function newlyCovered(
  context: BenefitContext,
  rule: FacilityRule,
  before: Uint8Array,
  after: Uint8Array,
): ModelFigure {
  const cells = context.inputs.cells
  const byAgeGroup: GroupCounts = { children: 0, working: 0, elderly: 0 }
  const cellIds: number[] = []
  let total = 0
  for (let i = 0; i < cells.length; i++) {
    if (!after[i] || before[i]) continue
    const cell = cells[i]
    if (!cell) continue
    cellIds.push(cell.id)
    byAgeGroup.children += cell.children
    byAgeGroup.working += cell.working
    byAgeGroup.elderly += cell.elderly
    for (const group of rule.servedGroups) total += cell[group]
  }
  return { total, byAgeGroup, cellIds }
}

const round = (x: number) => Math.round(x * 100) / 100
