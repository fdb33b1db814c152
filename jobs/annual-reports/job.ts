import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { UnrecoverableError } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { CampaignRegionMismatchError, UnknownCampaignError, UnknownRegionError } from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import {
  lockRunningRun,
  markRunSucceeded,
  queueRequestOnce,
  type RunChangeRecorder,
  RunNotFoundError,
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import type { RenderedFile, ReportIdentity, ReportRenderer, ReportRunParameters } from './types.ts'

export const ANNUAL_REPORT_JOB_KIND = 'annual_report'

export interface ReportRunRequest {
  campaignId: number
  regionCode: string
  templateId: number | null
  identity: ReportIdentity
  requestedBy?: string | null
  onCreated?: RunChangeRecorder
}

/**
 * Queues a report of a campaign for a region (the campaign's own or one within it), or returns the same
 * request's run while it is queued or running. A finished report is never reused: asking again prints the data
 * as it is now.
 *
 * @throws UnknownCampaignError, UnknownRegionError, CampaignRegionMismatchError for parameters that cannot work.
 */
export async function startReportRun(database: Database, runner: JobRunner, request: ReportRunRequest) {
  const [campaign] = await database.rows<{ region_code: string; prefix: string }>(
    sql`select k.region_code, r.scope_prefix as prefix from campaigns k join regions r on r.code = k.region_code
      where k.id = ${request.campaignId}`,
  )
  if (!campaign) throw new UnknownCampaignError(request.campaignId)
  const [region] = await database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${request.regionCode}`,
  )
  if (!region) throw new UnknownRegionError(request.regionCode)
  if (!region.prefix.startsWith(campaign.prefix)) {
    throw new CampaignRegionMismatchError(request.campaignId, request.regionCode)
  }
  const parameters: ReportRunParameters = {
    campaignId: request.campaignId,
    regionCode: request.regionCode,
    templateId: request.templateId,
    identity: request.identity,
  }
  return queueRequestOnce(database, runner, {
    kind: ANNUAL_REPORT_JOB_KIND,
    regionCode: request.regionCode,
    campaignId: request.campaignId,
    parameters,
    inputVersions: {},
    requestedBy: request.requestedBy ?? null,
    onCreated: request.onCreated,
  })
}

/** The process was started without a renderer (a worker without the report module); retrying cannot help. */
export class ReportRendererMissingError extends UnrecoverableError {
  override name = 'ReportRendererMissingError'
}

/** Where report files live: `<dataDir>/reports/run-<id>/`. */
export const reportDir = (dataDir: string, runId: number) => path.join(dataDir, 'reports', `run-${runId}`)

/**
 * Processes one report run: renders, writes the files under the data directory, then records them and the run's
 * success in one transaction. A retry renders again and overwrites the same paths; a run cancelled meanwhile
 * records nothing and its files are removed.
 */
export async function processReportRun(
  database: Database,
  context: JobContext,
  options: { render?: ReportRenderer | undefined; dataDir: string },
): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  if (!options.render) throw new ReportRendererMissingError('no report renderer in this process')
  const parameters = run.parameters as unknown as ReportRunParameters
  if (typeof parameters.campaignId !== 'number' || typeof parameters.regionCode !== 'string') {
    throw new RunNotFoundError(`diagnostic run ${run.id} has no report parameters`)
  }
  const progress = (fraction: number, message: string) =>
    database
      .rows(
        updateAndNotify(sql`update diagnostic_runs set progress = ${fraction}, message = ${message}
          where id = ${run.id} and state = 'running'`),
      )
      .then(() => undefined)
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
      progress = 0, message = '生成体检报告 / generating the report'
    where id = ${run.id} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  const files = await options.render(database, parameters, progress)
  await progress(0.9, '保存文件 / saving the files')
  const dir = reportDir(options.dataDir, run.id)
  const written = files.map((file) => writeFile(dir, file))
  const recorded = await database.db.transaction(async (tx) => {
    if (!(await lockRunningRun(tx, run.id))) return false
    for (const file of written) {
      await tx.execute(sql`
        insert into annual_reports (run_id, campaign_id, region_code, template_id, format, file_name, path, byte_size, sha256)
        values (${run.id}, ${parameters.campaignId}, ${parameters.regionCode}, ${parameters.templateId}, ${file.format},
          ${file.fileName}, ${path.relative(options.dataDir, file.fullPath)}, ${file.byteSize}, ${file.sha256})
        on conflict (run_id, format) do update set file_name = excluded.file_name, path = excluded.path,
          byte_size = excluded.byte_size, sha256 = excluded.sha256, created_at = now()`)
    }
    await markRunSucceeded(tx, run.id, {
      files: written.map((f) => ({ format: f.format, fileName: f.fileName, byteSize: f.byteSize })),
    })
    return true
  })
  if (!recorded) fs.rmSync(dir, { recursive: true, force: true })
}

interface WrittenFile {
  format: RenderedFile['format']
  fileName: string
  fullPath: string
  byteSize: number
  sha256: string
}

/** Writes through a temporary name and a rename, so a crash never leaves half a file under the real name. */
function writeFile(dir: string, file: RenderedFile): WrittenFile {
  fs.mkdirSync(dir, { recursive: true })
  const fullPath = path.join(dir, `report.${file.format}`)
  fs.writeFileSync(`${fullPath}.tmp`, file.data)
  fs.renameSync(`${fullPath}.tmp`, fullPath)
  return {
    format: file.format,
    fileName: file.fileName,
    fullPath,
    byteSize: file.data.length,
    sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
  }
}
