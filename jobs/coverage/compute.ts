import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { updateAndNotify } from '../runs/events.ts'
import type { JobContext } from '../runs/types.ts'
import {
  type CoverageDiagnosis,
  type CoverageInput,
  CoverageInputError,
  type CoverageResult,
  type DistanceModel,
  diagnoseFromCoverage,
  diagnoseServiceCoverage,
  type FacilityRule,
  type PreparedWalkNetwork,
  prepareWalkNetwork,
  type SharedCoverageState,
  type TypeDiagnosis,
} from './engine/index.ts'
import { CoverageJobInputError } from './errors.ts'
import type { GapStager } from './gap-staging.ts'
import { gapRows, type UnrankedGap } from './gaps.ts'
import type { CoverageJobHooks } from './hooks.ts'
import type { CoverageInputs } from './inputs.ts'
import type { CoverageRunParameters } from './parameters.ts'
import { FACILITY_TYPE_NAMES_ZH } from './rules.ts'

/** The run's inputs with one rule: the job diagnoses one type at a time. */
type TypeInput = CoverageInputs & CoverageInput & { rules: [FacilityRule] }

/** One facility type's diagnosis under one distance model. */
export interface TypeResult {
  model: DistanceModel
  diagnosis: TypeDiagnosis
  unreachableCells: number
}

export interface DiagnosedRun {
  results: TypeResult[]
  gaps: UnrankedGap[]
}

/** What a run's diagnosis works on; `joined` is the parts' per-cell coverage when the run fanned out. */
export interface DiagnosisWork {
  context: JobContext
  parameters: CoverageRunParameters
  inputs: CoverageInputs
  joined: Map<DistanceModel, CoverageResult> | null
  /** The walk network of the run's roads and cells when the caller prepared it (cached across runs). */
  network?: PreparedWalkNetwork
  /** Where each step's gaps go while the next step computes. */
  stager?: GapStager
}

/**
 * Diagnoses every distance model × facility type in turn, announcing progress after each; null when the run
 * stopped running meanwhile (cancelled). The walking graph and the cells' snaps do not depend on the facility
 * type, so they are built once for the whole run.
 */
export async function diagnoseRun(
  database: Database,
  work: DiagnosisWork,
  hooks: CoverageJobHooks = {},
): Promise<DiagnosedRun | null> {
  const { context, parameters } = work
  const types = parameters.rules.map((r) => r.type)
  const steps = parameters.distanceModels.length * parameters.rules.length
  const results: TypeResult[] = []
  const gaps: UnrankedGap[] = []
  let step = 0
  const shared: SharedCoverageState = work.network ? { network: work.network } : {}
  for (const model of parameters.distanceModels) {
    for (const [r, rule] of parameters.rules.entries()) {
      if (await isCancelled(database, context.runId)) return null
      const input: TypeInput = { ...work.inputs, rules: [rule], model, facilityTypes: types }
      const diagnosis = diagnoseType(input, r, work.joined?.get(model), shared, hooks)
      const typeDiagnosis = diagnosis.types[0]
      if (!typeDiagnosis) throw new Error(`coverage core returned no result for ${rule.type}`)
      results.push({ model, diagnosis: typeDiagnosis, unreachableCells: diagnosis.unreachableCells })
      const rows = gapRows(model, typeDiagnosis, diagnosis.demandPoints)
      work.stager?.add(rows)
      gaps.push(...rows)
      step++
      await reportStep(database, context.runId, work.joined !== null, rule, model, step, steps)
      await hooks.afterStep?.(context, step, steps)
    }
  }
  if (await isCancelled(database, context.runId)) return null
  return { results, gaps }
}

/**
 * The diagnosis of rule `r` of the run: on the parts' coverage when they computed it, otherwise here (the walking
 * network built on first use and kept in `shared` for the other types).
 */
function diagnoseType(
  input: TypeInput,
  r: number,
  partial: CoverageResult | undefined,
  shared: SharedCoverageState,
  hooks: CoverageJobHooks,
): CoverageDiagnosis {
  try {
    if (partial) {
      const coverage = partial.types[r]
      if (!coverage) throw new Error(`the joined parts have no result for ${input.rules[0].type}`)
      return diagnoseFromCoverage(input, { ...partial, types: [coverage] }, hooks.coverageOptions)
    }
    if (input.model === 'network') {
      shared.network ??= prepareWalkNetwork(input.cells, input.roads, hooks.coverageOptions)
    }
    return diagnoseServiceCoverage(input, hooks.coverageOptions, shared)
  } catch (error) {
    if (error instanceof CoverageInputError) throw new CoverageJobInputError(error.message)
    throw error
  }
}

/** A joined run's progress continues from where the parts left it (0.85). */
async function reportStep(
  database: Database,
  runId: number,
  joining: boolean,
  rule: FacilityRule,
  model: DistanceModel,
  step: number,
  steps: number,
): Promise<void> {
  const done = joining ? 0.85 + (0.05 * step) / steps : (0.9 * step) / steps
  await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs set progress = ${done},
      message = ${`${FACILITY_TYPE_NAMES_ZH[rule.type] ?? rule.type} ${model} (${step}/${steps})`}
    where id = ${runId} and state = 'running'`),
  )
}

/** Whether the run stopped running (cancelled, or finished by another attempt). */
export async function isCancelled(database: Database, runId: number): Promise<boolean> {
  const [row] = await database.rows<{ state: string }>(
    sql`select state from diagnostic_runs where id = ${runId}`,
  )
  return row?.state !== 'running'
}
