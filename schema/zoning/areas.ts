import { sql } from 'drizzle-orm'
import { applicableRules, RULE_COLUMNS, type RuleRow, startZoningRun } from '../../jobs/api.ts'
import { lookupRegion, scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import { ZONING_CLASS_NAMES } from '../../server/domain/zoning.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { cityCodeOf, seedZoningRules } from '../../server/seed/zoning-rules.ts'
import { builder } from '../builder.ts'
import { auditRunStart, StartedRun, startRunIn } from '../runs.ts'
import { inKeyOrder } from '../support/loading.ts'
import { ZoningRule } from './rules.ts'

interface AreaRow {
  id: number
  runId: number
  regionCode: string
  campaignId: number | null
  areaClass: string
  ruleId: number | null
  geom: Geometry
  areaM2: number
  reasons: Record<string, unknown>[]
  metrics: Record<string, number>
  createdAt: string
}

async function loadRules(ids: readonly number[], context: GraphQLContext): Promise<(RuleRow | null)[]> {
  const rows = await context.database.rows<RuleRow>(
    sql`select ${RULE_COLUMNS} from zoning_rules z where z.id = any(${sql.param([...ids])}::int[])`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

const ZoningArea = builder.objectRef<AreaRow>('ZoningArea').implement({
  description:
    '分区结果：一次分区运行按规则归类并合并的相邻街区，附理由 / A classified area a zoning run wrote: ' +
    'neighbouring blocks one rule put into its class, with the reasons',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    runId: t.exposeInt('runId'),
    regionCode: t.exposeString('regionCode'),
    campaignId: t.exposeInt('campaignId', { nullable: true }),
    areaClass: t.exposeString('areaClass'),
    className: t.string({
      resolve: (a, _args, context) => {
        const name = ZONING_CLASS_NAMES[a.areaClass]
        return name ? (context.language === 'en' ? name.en : name.zh) : a.areaClass
      },
    }),
    rule: t.field({
      type: ZoningRule,
      nullable: true,
      description: '归类所用的规则版本 / the rule version that classified it',
      resolve: async (a, _args, context) =>
        a.ruleId === null ? null : context.loader(loadRules).load(a.ruleId),
    }),
    geom: t.field({ type: 'GeoJSON', resolve: (a) => a.geom }),
    areaM2: t.exposeFloat('areaM2'),
    reasons: t.field({
      type: 'JSON',
      description:
        '成立的条件：指标、比较、阈值、成立的街区数与其取值范围 / each condition with the blocks it held in and ' +
        'the range of their figures',
      resolve: (a) => a.reasons,
    }),
    metrics: t.field({
      type: 'JSON',
      description: '合计：街区数、面积、建筑数… / totals',
      resolve: (a) => a.metrics,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (a) => a.createdAt }),
  }),
})

builder.queryField('zoningAreas', (t) =>
  t.field({
    type: [ZoningArea],
    authScopes: { signedIn: true },
    description:
      '分区结果：默认为覆盖该区划的最近一次成功分区运行 / Classified areas inside a region, from the given run or ' +
      'else the latest succeeded zoning run of the region or one around it',
    args: {
      regionCode: t.arg.string({ required: true }),
      runId: t.arg.int(),
      areaClasses: t.arg.stringList(),
    },
    resolve: async (_root, args, context) => {
      const region = await lookupRegion(context.database, args.regionCode)
      if (!region) {
        throw badUserInput(`行政区划 ${args.regionCode} 不存在`, `Region ${args.regionCode} does not exist`)
      }
      const run =
        args.runId != null
          ? sql`${args.runId}::int`
          : sql`(select r.id from diagnostic_runs r join regions g on g.code = r.region_code
              where r.kind = 'zoning' and r.state = 'succeeded' and starts_with(${region.prefix}, g.scope_prefix)
              order by r.id desc limit 1)`
      const where = [
        sql`a.run_id = ${run}`,
        sql`a.region_code like ${`${region.prefix}%`}`,
        scopeCondition(context.scope, sql`a.region_code`, 'never'),
      ]
      if (args.areaClasses?.length)
        where.push(sql`a.area_class = any(${sql.param(args.areaClasses)}::text[])`)
      return context.database.rows<AreaRow>(sql`
        select a.id, a.run_id as "runId", a.region_code as "regionCode", a.campaign_id as "campaignId",
          a.area_class as "areaClass", a.rule_id as "ruleId", ST_AsGeoJSON(a.geom, 9)::json as geom,
          ST_Area(a.geom::geography) as "areaM2", a.reasons, a.metrics, a.created_at as "createdAt"
        from zoning_areas a where ${sql.join(where, sql` and `)} order by a.area_class, a.id`)
    },
  }),
)

const StartZoningInput = builder.inputType('StartZoningInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true }),
    campaignId: t.int({
      description: '取其指标评价；默认为覆盖该区划的最近一次体检 / whose grades count; the latest by default',
    }),
  }),
})

builder.mutationField('startZoning', (t) =>
  t.field({
    type: StartedRun,
    description:
      '按现行分区规则重新计算分区（后台任务，见 diagnosticRuns；省级、市级、区县）/ Recomputes the classified ' +
      'areas under the current rules, as a run',
    args: { input: t.arg({ type: StartZoningInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startRunIn(context, input.regionCode, async (jobs) => {
        // A city that never saved a rule starts from the defaults, written where its staff can edit them.
        if ((await applicableRules(context.database, input.regionCode)).length === 0) {
          await context.database.db.transaction((tx) => seedZoningRules(tx, cityCodeOf(input.regionCode)))
        }
        return startZoningRun(context.database, jobs, {
          regionCode: input.regionCode,
          campaignId: input.campaignId ?? null,
          requestedBy: context.identity?.subject ?? null,
          onCreated: auditRunStart(context),
        })
      }),
  }),
)
