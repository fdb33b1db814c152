/**
 * 结转: closing a check carries every open problem of its region, found in its year or before, into the next
 * year's ledger, with its age then — in the transaction that closes the check, so a closed check never lacks its
 * carry-over. Carrying is idempotent (one row per problem and year): closing again, or a retry, adds only
 * problems not carried yet.
 */
import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { CAMPAIGN_COLUMNS, Campaign, type CampaignRow, campaignVisible } from '../campaigns.ts'
import { keyOfType } from '../support/global-id.ts'
import { regionPrefix } from '../support/live.ts'
import { inKeyOrder } from '../support/loading.ts'
import { Problem } from './problem.ts'

/** Days between two instants' Asia/Shanghai calendar dates, in SQL. */
const shanghaiDays = (to: ReturnType<typeof sql>, from: ReturnType<typeof sql>) =>
  sql`greatest(0, (${to} at time zone 'Asia/Shanghai')::date - (${from} at time zone 'Asia/Shanghai')::date)`

const rowsOf = async <T>(tx: SqlExecutor, query: ReturnType<typeof sql>): Promise<T[]> =>
  ((await tx.execute(query)) as unknown as { rows: T[] }).rows

interface ClosedCampaign {
  campaign: CampaignRow
  toYear: number
  carried: number
}

/** Carries the campaign's open problems into `year + 1`; returns how many were carried now. */
async function carryOver(tx: SqlExecutor, campaign: CampaignRow): Promise<number> {
  const carried = await rowsOf<{ problemId: number }>(
    tx,
    sql`insert into problem_carryovers (problem_id, from_campaign_id, to_year, age_days)
      select p.id, ${campaign.id}, ${campaign.year + 1}, ${shanghaiDays(sql`now()`, sql`p.created_at`)}
      from problems p
      where p.region_code like ${`${regionPrefix(campaign.regionCode)}%`} and p.state <> 'closed'
        and p.year_found <= ${campaign.year}
      on conflict (problem_id, to_year) do nothing
      returning problem_id as "problemId"`,
  )
  return carried.length
}

function closeCampaign(context: GraphQLContext, id: number): Promise<ClosedCampaign> {
  authorize(context.identity, context.scope, 'campaign.create')
  return context.database.db.transaction(async (tx) => {
    const [campaign] = await rowsOf<CampaignRow>(
      tx,
      sql`select ${CAMPAIGN_COLUMNS} from campaigns k where k.id = ${id} and ${campaignVisible(context)}
        for update`,
    )
    if (!campaign) throw notFound(`体检 ${id} 不存在或无权访问`, `Campaign ${id} was not found`)
    // A district sees its city's check but may not close it: the check must lie inside the caller's region.
    authorize(context.identity, context.scope, 'campaign.create', { regionCode: campaign.regionCode })
    const wasOpen = campaign.status !== 'closed'
    if (wasOpen) await tx.execute(sql`update campaigns set status = 'closed' where id = ${id}`)
    const carried = await carryOver(tx, campaign)
    // Closing a closed check that finds nothing new to carry changes nothing and records nothing.
    if (wasOpen || carried > 0) {
      await recordAudit(tx, context, {
        entity: 'campaign',
        entityId: id,
        action: 'close',
        regionCode: campaign.regionCode,
        before: { status: campaign.status },
        after: { status: 'closed', carriedInto: campaign.year + 1, carried },
      })
    }
    return { campaign: { ...campaign, status: 'closed' }, toYear: campaign.year + 1, carried }
  })
}

const CloseCampaignPayload = builder.objectRef<ClosedCampaign>('CloseCampaignPayload').implement({
  description: '关闭体检的结果：结转到下一年度的问题数 / A closed check and its carry-over',
  fields: (t) => ({
    campaign: t.field({ type: Campaign, resolve: (r) => r.campaign }),
    toYear: t.exposeInt('toYear', { description: '结转到的年度 / the ledger year carried into' }),
    carried: t.exposeInt('carried', { description: '本次结转的问题数 / problems carried by this call' }),
  }),
})

const CloseCampaignInput = builder.inputType('CloseCampaignInput', {
  fields: (t) => ({ campaignId: t.globalID({ required: true, description: '体检 / the campaign' }) }),
})

builder.mutationField('closeCampaign', (t) =>
  t.field({
    type: CloseCampaignPayload,
    description:
      '关闭体检，并把本区域未销号的问题结转到下一年度台账（省级、市级）/ Closes a check and carries its region’s open problems into the next year’s ledger',
    args: { input: t.arg({ type: CloseCampaignInput, required: true }) },
    resolve: (_root, { input }, context) => closeCampaign(context, keyOfType(input.campaignId, 'Campaign')),
  }),
)

interface AgeRow {
  id: number
  ageDays: number
  carriedInto: number[]
}

/** Age in days (to now, or to the last closing for a closed problem) and the years carried into, per problem. */
async function loadAges(ids: readonly number[], context: GraphQLContext): Promise<(AgeRow | null)[]> {
  const closedAt = sql`(select max(t.at) from problem_transitions t where t.problem_id = p.id
    and t.to_state = 'closed')`
  const rows = await context.database.rows<AgeRow>(
    sql`select p.id,
        ${shanghaiDays(sql`case when p.state = 'closed' then coalesce(${closedAt}, p.updated_at) else now() end`, sql`p.created_at`)}::int as "ageDays",
        coalesce((select array_agg(c.to_year order by c.to_year) from problem_carryovers c
          where c.problem_id = p.id), '{}') as "carriedInto"
      from problems p where p.id = any(${sql.param([...ids])}::int[])`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

builder.objectFields(Problem, (t) => ({
  ageDays: t.int({
    description:
      '问题存续天数（自发现至今，已销号的至销号）/ days since the problem was found, to its closing once closed',
    resolve: async (p, _a, context) => (await context.loader(loadAges).load(p.id))?.ageDays ?? 0,
  }),
  carriedInto: t.field({
    type: ['Int'],
    description: '结转到的年度台账 / the ledger years it was carried into',
    resolve: async (p, _a, context) => (await context.loader(loadAges).load(p.id))?.carriedInto ?? [],
  }),
}))
