import type { JobRunner } from '../jobs/api.ts'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'

/** What every HTTP handler is given: configuration, the database and the job runner. */
export interface AppContext {
  config: Config
  database: Database
  /** Background-job runner for diagnoses and tiles refreshes; absent on a read-only server, which queues nothing. */
  jobs?: JobRunner | undefined
}
