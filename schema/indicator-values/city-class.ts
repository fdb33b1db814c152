import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { CITY_CLASSES } from '../../server/domain/grading.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit } from '../audit.ts'
import { builder } from '../builder.ts'
import { Region, type RegionRow, regionColumns } from '../regions.ts'
import { type RegradeOutcome, regradeValues } from './regrade.ts'

// 城市分类: standards may differ by the city's class, so setting a class regrades, in the same transaction, every
// value of the campaigns inside the region; nobody reads a grade its standards no longer give.

interface SetCityClassResult {
  region: RegionRow
  previous: string | null
  outcome: RegradeOutcome
}

/** Regions that carry a class: a city, or a province-level municipality (直辖市) whose campaigns sit below it. */
const CLASSIFIED_LEVELS = ['province', 'city']

const CampaignRegrade = builder.objectRef<RegradeOutcome['byCampaign'][number]>('CampaignRegrade').implement({
  description: '一次体检中重新评价的指标值 / Values of one campaign regraded',
  fields: (t) => ({
    campaignId: t.exposeInt('campaignId'),
    regionCode: t.exposeString('regionCode', { description: '体检任务的区划 / the campaign’s region' }),
    cityClass: t.exposeString('cityClass', {
      nullable: true,
      description: '评价所用的城市分类（空：默认标准）/ class graded for (null: the default standards)',
    }),
    changed: t.exposeInt('changed', {
      description: '等级或预警有变化的指标值数 / values whose grade or warning changed',
    }),
  }),
})

const SetCityClassPayload = builder.objectRef<SetCityClassResult>('SetCityClassPayload').implement({
  fields: (t) => ({
    region: t.field({ type: Region, resolve: (r) => r.region }),
    previousCityClass: t.string({ nullable: true, resolve: (r) => r.previous }),
    checkedValues: t.int({
      description: '重新评价的指标值数 / stored values regraded',
      resolve: (r) => r.outcome.checked,
    }),
    changedValues: t.int({
      description: '等级或预警有变化的指标值数 / values whose grade or warning changed',
      resolve: (r) => r.outcome.changed,
    }),
    campaigns: t.field({ type: [CampaignRegrade], resolve: (r) => r.outcome.byCampaign }),
  }),
})

const SetCityClassInput = builder.inputType('SetCityClassInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true, description: '城市（或直辖市）区划代码 / city region code' }),
    cityClass: t.string({
      description: `城市分类，空值清除 / city class, null clears it: ${CITY_CLASSES.join(' / ')}`,
    }),
  }),
})

/**
 * Sets a region's city class and regrades the values of every campaign within it, audited per campaign (the
 * audit log has no region entity: each campaign records the class it is now graded for and what changed).
 */
export async function setCityClass(
  context: GraphQLContext,
  regionCode: string,
  cityClass: string | null,
): Promise<SetCityClassResult> {
  // The class decides the standards a city is held to: the province's call, not the city's own (ADR 0012).
  authorize(context.identity, context.scope, 'region.classify', { regionCode })
  const wanted = cityClass?.trim() || null
  if (wanted !== null && !(CITY_CLASSES as readonly string[]).includes(wanted)) {
    throw badUserInput(
      `城市分类“${wanted.slice(0, 20)}”无效，应为：${CITY_CLASSES.join('、')}`,
      `Unknown city class "${wanted.slice(0, 20)}"; expected one of ${CITY_CLASSES.join(', ')}`,
      { allowed: [...CITY_CLASSES] },
    )
  }
  return context.database.db.transaction(async (tx) => {
    const found = (await tx.execute(sql`select ${regionColumns()} from regions r
      where r.code = ${regionCode} for update`)) as unknown as { rows: RegionRow[] }
    const region = found.rows[0]
    if (!region) throw notFound(`行政区划 ${regionCode} 不存在`, `Region ${regionCode} was not found`)
    if (!CLASSIFIED_LEVELS.includes(region.level)) {
      throw badUserInput(
        `城市分类只能设在市级（或直辖市）区划上，${region.name}是${region.level}`,
        `A city class belongs to a city (or a province-level municipality); ${regionCode} is a ${region.level}`,
      )
    }
    await tx.execute(sql`update regions set city_class = ${wanted} where code = ${regionCode}`)
    const outcome = await regradeValues(tx, { regionCode })
    for (const campaign of outcome.byCampaign) {
      await recordAudit(tx, context, {
        entity: 'campaign',
        entityId: campaign.campaignId,
        action: 'regrade',
        regionCode: campaign.regionCode,
        before: { cityClass: region.cityClass, classifiedRegion: regionCode },
        after: { cityClass: wanted, gradedFor: campaign.cityClass, changedValues: campaign.changed },
      })
    }
    return { region: { ...region, cityClass: wanted }, previous: region.cityClass, outcome }
  })
}

builder.mutationField('setCityClass', (t) =>
  t.field({
    type: SetCityClassPayload,
    description:
      '设置城市分类（省级），并按新分类的评价标准重新评价区内各次体检的指标值 / Sets a city’s class (province only) and regrades the values of every campaign within it against that class’s standards',
    args: { input: t.arg({ type: SetCityClassInput, required: true }) },
    resolve: (_root, { input }, context) => setCityClass(context, input.regionCode, input.cityClass ?? null),
  }),
)
