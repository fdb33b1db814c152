import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import { describeCoverageJob } from './job-cases.ts'

// The embedded default: no Redis, jobs on the event loop; runs on both database backends.
describeCoverageJob('in-process', async (database, processors) => {
  const runner = new InProcessRunner(database, processors, { backoffMs: 5, onError: () => {} })
  return { runner, dispose: () => runner.close() }
})
