import type { JobContext } from '../runs/types.ts'
import type { CoverageOptions } from './engine/index.ts'

/** Test seams of the coverage run and its parts: a hook that throws simulates a crash at that point. */
export interface CoverageJobHooks {
  /** After everything is computed, before the output transaction starts. */
  afterCompute?: (context: JobContext) => void | Promise<void>
  /** Inside the output transaction after every write, before commit: a throw here must roll everything back. */
  beforeCommit?: (context: JobContext) => void | Promise<void>
  /** After each facility type × distance model (cancellation tests cancel from here). */
  afterStep?: (context: JobContext, step: number, steps: number) => void | Promise<void>
  /** Options for the coverage core. */
  coverageOptions?: CoverageOptions
}
