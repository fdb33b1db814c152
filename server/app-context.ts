import type { Registry } from 'prom-client'
import type { JobRunner } from '../jobs/api.ts'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import type { Logger } from './observability/logger.ts'

/** What every HTTP handler is given: configuration, the database and the job runner. */
export interface AppContext {
  config: Config
  database: Database
  /** Background-job runner for diagnoses and tiles refreshes; absent on a read-only server, which queues nothing. */
  jobs?: JobRunner | undefined
  /** JSON logs; the composition root makes it from LOG_LEVEL. @defaultValue warnings and errors on stderr */
  logger?: Logger | undefined
  /** Where `/metrics` reads from; the in-process runner's job metrics may already be in it. @defaultValue a new one */
  registry?: Registry | undefined
}
