import { sql } from 'drizzle-orm'
import { type JobRunner, startCoverageRun, startIndicatorRun } from '../../jobs/api.ts'
import { generateFillingTasks } from '../../schema/fillings/tasks.ts'
import type { Database } from '../db/client.ts'

/** The demo city's region: Shanghai, whose Huangpu, Hongkou and Pudong parts the Bund data covers. */
export const DEMO_REGION = '310100'
export const DEMO_CAMPAIGN_NAME = '上海市 2025 年城市体检（外滩示范）'

/**
 * The demo's annual check: creates the campaign once, collecting on the national edition of the year, with its
 * fillings and filling tasks (黄浦区 and every other district owe their values) and, that first time, queues its
 * service-coverage diagnosis and computed indicators, so that a fresh `npm start` shows blind spots, demand
 * points, indicator grades and a filling to fill without anyone pressing a button. Later starts find the campaign
 * and queue nothing; they only add tasks a database from before filling tasks lacks.
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
    if (found.rows[0]) {
      await generateFillingTasks(tx, found.rows[0].id)
      return { campaignId: found.rows[0].id, created: false }
    }
    const edition = (await tx.execute(sql`select id, status from indicator_systems
      where level = 'national' and year = ${year} order by id limit 1`)) as unknown as {
      rows: { id: number; status: string }[]
    }
    const systemId = edition.rows[0]?.id
    if (systemId === undefined) return null
    // Only a published edition runs a campaign; the demo publishes the catalogue it loaded if it is a draft.
    await tx.execute(sql`update indicator_systems set status = 'published', published_at = coalesce(published_at, now())
      where id = ${systemId} and status = 'draft'`)
    const inserted = (await tx.execute(sql`
      insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
      values ('annual', ${year}, ${DEMO_CAMPAIGN_NAME}, ${DEMO_REGION}, ${systemId}, 'collecting', 'demo')
      returning id`)) as unknown as { rows: { id: number }[] }
    const id = inserted.rows[0]?.id
    if (id === undefined) return null
    await generateFillingTasks(tx, id)
    return { campaignId: id, created: true }
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
