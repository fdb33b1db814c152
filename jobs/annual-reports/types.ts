import type { ReportFormat } from '../../server/db/annual-reports.ts'
import type { Database } from '../../server/db/client.ts'

/** What a report run was asked for; stored as the run's parameters. */
export interface ReportRunParameters {
  campaignId: number
  regionCode: string
  /** The template version the run prints (null: the national outline), fixed when the run is started. */
  templateId: number | null
  /** Whose read scope the report is assembled in: the requester's token claims. */
  identity: ReportIdentity
}

/** A token's claims as the run keeps them (the auth module's type is the API's, not the jobs'). */
export interface ReportIdentity {
  subject: string
  role: string
  regionCode: string | null
  department: string | null
}

export interface RenderedFile {
  format: ReportFormat
  fileName: string
  data: Buffer
}

/** Reports progress between 0 and 1 with a message for the run row. */
export type ReportProgress = (fraction: number, message: string) => Promise<void>

/**
 * Assembles and draws a report. The API's composition roots provide it (it reads through the GraphQL schema,
 * which jobs/ may not import); the job owns the run, the files and the retries.
 */
export type ReportRenderer = (
  database: Database,
  parameters: ReportRunParameters,
  progress: ReportProgress,
) => Promise<RenderedFile[]>
