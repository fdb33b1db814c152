import { sql } from 'drizzle-orm'
import { type JobRunner, startCoverageRun, startIndicatorRun } from '../../jobs/api.ts'
import type { Database } from '../db/client.ts'

/** The demo city's region: Shanghai, whose Huangpu, Hongkou and Pudong parts the Bund data covers. */
export const DEMO_REGION = '310100'
export const DEMO_CAMPAIGN_NAME = '上海市 2025 年城市体检（外滩示范）'

/**
 * The demo's annual check: creates the campaign once and, that first time, queues its service-coverage diagnosis
 * and computed indicators, so that a fresh `npm start` shows blind spots, demand points and indicator grades
 * without anyone pressing a button. Later starts find the campaign and queue nothing.
 */
export async function startDemoCheck(
  database: Database,
  runner: JobRunner,
  options: { year?: number } = {},
): Promise<{ campaignId: number; created: boolean } | null> {
  const year = options.year ?? 2025
  const created = await database.db.transaction(async (tx) => {
    const found = (await tx.execute(
      sql`select id from campaigns where region_code = ${DEMO_REGION} and name = ${DEMO_CAMPAIGN_NAME}`,
    )) as unknown as { rows: { id: number }[] }
    if (found.rows[0]) return { campaignId: found.rows[0].id, created: false }
    const inserted = (await tx.execute(sql`
      insert into campaigns (kind, year, name, region_code, system_id, status)
      select 'annual', ${year}, ${DEMO_CAMPAIGN_NAME}, ${DEMO_REGION}, s.id, 'collecting'
      from indicator_systems s where s.level = 'national' and s.year = ${year}
      order by s.id limit 1
      returning id`)) as unknown as { rows: { id: number }[] }
    const id = inserted.rows[0]?.id
    return id === undefined ? null : { campaignId: id, created: true }
  })
  if (!created?.created) return created
  await startCoverageRun(database, runner, {
    regionCode: DEMO_REGION,
    campaignId: created.campaignId,
    requestedBy: 'demo',
  })
  await startIndicatorRun(database, runner, { campaignId: created.campaignId, requestedBy: 'demo' })
  return created
}
