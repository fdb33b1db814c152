import type { JobRunner } from '../jobs/api.ts'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'

/** What every HTTP handler is given: configuration, the database and the job runner. */
export interface AppContext {
  config: Config
  database: Database
  /** Background-job runner for GraphQL mutations that start diagnoses; optional for read-only servers. */
  jobs?: JobRunner | undefined
}
