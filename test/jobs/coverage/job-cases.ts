import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe } from 'vitest'
import type { CoverageJobHooks } from '../../../jobs/coverage/hooks.ts'
import { startCoverageRun } from '../../../jobs/coverage/job.ts'
import type { JobRunner, Processors } from '../../../jobs/runs/types.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { failureCases } from './job-cases/failures.ts'
import {
  type CoverageJobSuite,
  REGION,
  type SetUpRunner,
  trackedProcessors,
  waitForRun,
} from './job-cases/helpers.ts'
import { outputCases } from './job-cases/outputs.ts'
import { partCases } from './job-cases/parts.ts'

/** A runner under test and how to tear it down (BullMQ obliterates its test queue). */
export interface TestRunner {
  runner: JobRunner
  dispose(): Promise<void>
}

export type RunnerFactory = (database: Database, processors: Processors) => Promise<TestRunner>

/** The coverage job's behaviour, shared by the BullMQ and in-process runners. */
export function describeCoverageJob(name: string, makeRunner: RunnerFactory): void {
  describe(`coverage job (${name})`, () => {
    let database: Database
    let testRunner: TestRunner | null = null

    // One database per file (an embedded one takes seconds to load); each test starts with no runs or problems.
    beforeAll(async () => {
      database = await openTestDatabase()
    })
    afterAll(async () => {
      await database?.close()
    })
    afterEach(async () => {
      await testRunner?.dispose()
      testRunner = null
      await database.rows(sql`delete from problems where source = 'diagnosis'`)
      await database.rows(sql`delete from diagnostic_runs`)
    })

    const suite: CoverageJobSuite = {
      get database() {
        return database
      },
      async setUp(hooks: CoverageJobHooks = {}): Promise<SetUpRunner> {
        const tracked = trackedProcessors(hooks)
        testRunner = await makeRunner(database, tracked.processors)
        const runner = testRunner.runner
        return {
          runner,
          start: (request = {}) => startCoverageRun(database, runner, { regionCode: REGION, ...request }),
          wait: (runId) => waitForRun(database, runId, tracked.inFlight),
        }
      },
    }
    outputCases(suite)
    failureCases(suite)
    partCases(suite)
  })
}
