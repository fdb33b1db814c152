import { UnrecoverableError } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { DiagnosisParameterError, UnknownCampaignError } from '../runs/errors.ts'
import { updateAndNotify } from '../runs/events.ts'
import {
  lockRunningRun,
  markRunSucceeded,
  queueRequestOnce,
  type RunChangeRecorder,
  RunNotFoundError,
  type RunRow,
  unfinishedRun,
} from '../runs/rows.ts'
import type { JobContext, JobRunner } from '../runs/types.ts'
import type { BuiltPackage, PackageSender, UpstreamAnswer } from './types.ts'

// 上报 as a job (ADR 0017): each attempt exports the campaign's package and posts it once to the upstream; the
// runner's retries with backoff are the retries of the send. The upstream's import is idempotent, so an attempt
// after one whose answer was lost simply sends again; the receipt goes into exchange_sends and the run's outputs
// in one transaction, so it is recorded once.

export const EXCHANGE_SEND_JOB_KIND = 'exchange_send'

export interface ExchangeSendRunRequest {
  campaign: number | 'latest'
  /** The campaign's region, when the caller named one: a campaign of another region is refused. */
  regionCode?: string | null
  requestedBy?: string | null
  onCreated?: RunChangeRecorder
}

interface ExchangeSendParameters {
  campaignId: number
}

/** No upstream is configured where the run is processed; retrying cannot help. */
export class UpstreamNotConfiguredError extends UnrecoverableError {
  override name = 'UpstreamNotConfiguredError'
  constructor() {
    super(
      '未配置上级平台：请设置 CITYCHECK_UPSTREAM_URL 与 CITYCHECK_UPSTREAM_TOKEN / no upstream is configured: ' +
        'set CITYCHECK_UPSTREAM_URL and CITYCHECK_UPSTREAM_TOKEN',
    )
  }
}

/** The upstream refused the package (4xx): sending the same again would be refused again. */
export class UpstreamRefusedError extends UnrecoverableError {
  override name = 'UpstreamRefusedError'
}

/** No answer, or a 5xx, 408 or 429: the runner tries again after its backoff. */
export class UpstreamUnavailableError extends Error {
  override name = 'UpstreamUnavailableError'
}

/** The campaign named is not the region's. */
export class CampaignOfOtherRegionError extends DiagnosisParameterError {
  override name = 'CampaignOfOtherRegionError'
  constructor(campaignId: number, campaignRegion: string, regionCode: string) {
    super(
      `体检任务 ${campaignId} 属于行政区划 ${campaignRegion}，不是 ${regionCode} / campaign ${campaignId} is ` +
        `region ${campaignRegion}'s, not ${regionCode}'s`,
    )
  }
}

/**
 * Queues the send of a campaign's package, or returns the send of it still queued or running. A finished send is
 * never reused: asking again sends the campaign as it is now.
 */
export async function startExchangeSendRun(
  database: Database,
  runner: JobRunner,
  request: ExchangeSendRunRequest,
) {
  const which =
    request.campaign === 'latest' ? sql`true order by year desc, id desc` : sql`id = ${request.campaign}`
  const [campaign] = await database.rows<{ id: number; regionCode: string }>(
    sql`select id, region_code as "regionCode" from campaigns where ${which} limit 1`,
  )
  if (!campaign) {
    if (request.campaign === 'latest') {
      throw new DiagnosisParameterError('还没有任何体检任务 / there is no campaign yet')
    }
    throw new UnknownCampaignError(request.campaign)
  }
  if (request.regionCode && request.regionCode !== campaign.regionCode) {
    throw new CampaignOfOtherRegionError(campaign.id, campaign.regionCode, request.regionCode)
  }
  const parameters: ExchangeSendParameters = { campaignId: campaign.id }
  return queueRequestOnce(database, runner, {
    kind: EXCHANGE_SEND_JOB_KIND,
    regionCode: campaign.regionCode,
    campaignId: campaign.id,
    parameters,
    inputVersions: {},
    requestedBy: request.requestedBy ?? null,
    onCreated: request.onCreated,
  })
}

interface SendRow {
  id: number
  state: string
  attempts: number
  packageSha256: string | null
  receipt: Record<string, unknown> | null
}

/** What a succeeded run's outputs say: the send row, how many posts it took, what was sent and the receipt. */
const outputsOf = (send: SendRow) => ({
  sendId: send.id,
  attempts: send.attempts,
  packageSha256: send.packageSha256,
  receipt: send.receipt,
})

/**
 * One attempt: export, post once, record. A success commits the receipt and the run's outputs together; a refusal
 * fails the run for good with the upstream's message; anything else is thrown for the runner to retry.
 */
export async function processExchangeSendRun(
  database: Database,
  context: JobContext,
  sender: PackageSender | null,
): Promise<void> {
  const run = await unfinishedRun(database, context.runId)
  if (!run) return
  const p = run.parameters as unknown as ExchangeSendParameters
  if (typeof p.campaignId !== 'number') {
    throw new RunNotFoundError(`diagnostic run ${run.id} has no exchange parameters`)
  }
  const claimed = await database.rows(
    updateAndNotify(sql`
    update diagnostic_runs
    set state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), progress = 0,
      message = '导出数据交换包 / exporting the package'
    where id = ${run.id} and state in ('queued', 'running')`),
  )
  if (claimed.length === 0) return
  if (!sender) throw new UpstreamNotConfiguredError()
  // The receipt and the run's success commit together, so a run still running has no acknowledged send.
  let send = await sendOfRun(database, run.id)
  const built = await sender.build(database, p.campaignId, run.requestedBy ?? `run:${run.id}`)
  send = await recordPackage(database, run, send, sender.url, built)
  await database.rows(
    updateAndNotify(sql`update diagnostic_runs set progress = 0.5, message = '发送中 / sending'
      where id = ${run.id} and state = 'running'`),
  )
  const answer = await sender.post(built.bytes)
  if (answer.ok) return acknowledge(database, run, send.id, answer.body)
  await recordFailure(database, send.id, answer, context)
  if (isFinalRefusal(answer))
    throw new UpstreamRefusedError(`上级平台拒绝接收 / the upstream refused the package: ${answer.error}`)
  throw new UpstreamUnavailableError(answer.error)
}

/**
 * The upstream refused the package in a way sending it again would not change (a bad token, a foreign region, a
 * refused package); 408 and 429 are worth another try, like 5xx and network errors.
 */
function isFinalRefusal(answer: UpstreamAnswer): boolean {
  const { status } = answer
  return status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429
}

const SEND_COLUMNS = sql`id, state, attempts, package_sha256 as "packageSha256", receipt`

async function sendOfRun(database: Database, runId: number): Promise<SendRow | undefined> {
  const [send] = await database.rows<SendRow>(
    sql`select ${SEND_COLUMNS} from exchange_sends where run_id = ${runId} order by id desc limit 1`,
  )
  return send
}

/** The run's send row, created on its first attempt; a retry records the package it sends this time. */
async function recordPackage(
  database: Database,
  run: RunRow,
  send: SendRow | undefined,
  url: string,
  built: BuiltPackage,
): Promise<SendRow> {
  const [row] = send
    ? await database.rows<SendRow>(sql`update exchange_sends set upstream_url = ${url},
        package_sha256 = ${built.sha256}, package_bytes = ${built.bytes.length}, state = 'sending'
      where id = ${send.id} returning ${SEND_COLUMNS}`)
    : await database.rows<SendRow>(sql`insert into exchange_sends
        (run_id, campaign_id, upstream_url, package_sha256, package_bytes, requested_by)
      values (${run.id}, ${built.campaignId}, ${url}, ${built.sha256}, ${built.bytes.length},
        ${run.requestedBy ?? `run:${run.id}`})
      returning ${SEND_COLUMNS}`)
  if (!row) throw new Error('exchange_sends returned no row')
  return row
}

/** The attempt and its error; the send is failed when the run will not try again. */
async function recordFailure(
  database: Database,
  sendId: number,
  answer: UpstreamAnswer,
  context: JobContext,
) {
  const final = isFinalRefusal(answer) || context.attempt >= context.maxAttempts
  await database.rows(sql`update exchange_sends set attempts = attempts + 1, sent_at = coalesce(sent_at, now()),
      last_error = ${answer.error}, state = ${final ? 'failed' : 'sending'}
    where id = ${sendId}`)
}

/** Records the receipt and the run's success together: a redelivery finds the send acknowledged. */
async function acknowledge(
  database: Database,
  run: RunRow,
  sendId: number,
  receipt: Record<string, unknown> | null,
): Promise<void> {
  await database.db.transaction(async (tx) => {
    const { rows } = (await tx.execute(sql`update exchange_sends
      set state = 'acknowledged', attempts = attempts + 1, sent_at = coalesce(sent_at, now()),
        acknowledged_at = now(), receipt = ${JSON.stringify(receipt)}::jsonb, last_error = null
      where id = ${sendId} returning ${SEND_COLUMNS}`)) as unknown as { rows: SendRow[] }
    const acknowledged = rows[0]
    if (!acknowledged) throw new RunNotFoundError(`exchange send ${sendId} vanished`)
    // A run cancelled meanwhile keeps its state; the upstream has the package all the same, as the row says.
    if (await lockRunningRun(tx, run.id)) await markRunSucceeded(tx, run.id, outputsOf(acknowledged))
  })
}
