/**
 * The statements behind `screen(regionCode)` (./screen.ts), one per panel of the command-centre big screen, each
 * within the caller's scope: the latest graded campaign's grades by dimension and its warnings, the problem
 * funnel, open and overdue problems a level down, the blind spots of the latest coverage run by age group, and
 * the renewal projects by state with their funding. The on-time rate is `problemKpis`'s; the live feed is the
 * `problemChanged` subscription.
 */
import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { campaignAround, valueVisible } from '../indicator-values/visibility.ts'
import { visible as problemVisible } from '../problems/problem.ts'
import { runVisible } from '../runs.ts'

export interface ScreenRoot {
  regionCode: string
  /** Scope prefix of the region: the codes inside it start with it. */
  prefix: string
}

export interface ScreenCampaignRow {
  id: number
  name: string
  year: number
}

/**
 * The funnel's stages and the problem states that have reached each: a problem counts in every stage up to
 * where it is now (rectifying covers in progress and rectified), so the bars only narrow.
 */
export const FUNNEL_STAGES = [
  ['found', ['identified', 'assigned', 'in_progress', 'rectified', 're_inspected', 'closed']],
  ['assigned', ['assigned', 'in_progress', 'rectified', 're_inspected', 'closed']],
  ['rectifying', ['in_progress', 'rectified', 're_inspected', 'closed']],
  ['re_inspected', ['re_inspected', 'closed']],
  ['closed', ['closed']],
] as const

/** The latest campaign relevant to the region with a graded value inside it that the caller may read. */
export async function latestGradedCampaign(
  context: GraphQLContext,
  root: ScreenRoot,
): Promise<ScreenCampaignRow | null> {
  const where: SQL[] = [campaignAround(sql`${root.prefix}`)]
  if (context.scope.kind === 'region') where.push(campaignAround(sql`${context.scope.prefix}`))
  const [campaign] = await context.database.rows<ScreenCampaignRow>(
    sql`select k.id, k.name, k.year from campaigns k where ${sql.join(where, sql` and `)}
      and exists (select 1 from indicator_values v where v.campaign_id = k.id and v.grade is not null
        and v.region_code like ${`${root.prefix}%`} and ${valueVisible(context)})
      order by k.year desc, k.id desc limit 1`,
  )
  return campaign ?? null
}

export interface DimensionGradesRow {
  dimension: string
  poor: number
  fair: number
  good: number
  excellent: number
}

export async function gradesByDimension(
  context: GraphQLContext,
  root: ScreenRoot,
): Promise<DimensionGradesRow[]> {
  const campaign = await latestGradedCampaign(context, root)
  if (!campaign) return []
  return context.database.rows<DimensionGradesRow>(
    sql`select i.dimension,
        count(*) filter (where v.grade = 'poor')::int as poor,
        count(*) filter (where v.grade = 'fair')::int as fair,
        count(*) filter (where v.grade = 'good')::int as good,
        count(*) filter (where v.grade = 'excellent')::int as excellent
      from indicator_values v join indicators i on i.id = v.indicator_id
      where v.campaign_id = ${campaign.id} and v.grade is not null and v.region_code like ${`${root.prefix}%`}
        and ${valueVisible(context)}
      group by i.dimension
      order by array_position(array['housing','compound','block','city'], i.dimension)`,
  )
}

export interface WarningRow {
  indicatorCode: string
  name: string
  nameEn: string | null
  unitType: string
  unitKey: string
  regionCode: string
  value: number | null
  warning: string
}

/** The warned values of the latest graded campaign, red first, then the most recently written. */
export async function warnings(
  context: GraphQLContext,
  root: ScreenRoot,
  first: number,
): Promise<{ red: number; yellow: number; items: WarningRow[] }> {
  const campaign = await latestGradedCampaign(context, root)
  if (!campaign) return { red: 0, yellow: 0, items: [] }
  const where = sql`v.campaign_id = ${campaign.id} and v.warning is not null
    and v.region_code like ${`${root.prefix}%`} and ${valueVisible(context)}`
  const [counts] = await context.database.rows<{ red: number; yellow: number }>(
    sql`select count(*) filter (where v.warning = 'red')::int as red,
        count(*) filter (where v.warning <> 'red')::int as yellow
      from indicator_values v where ${where}`,
  )
  const items = await context.database.rows<WarningRow>(
    sql`select i.code as "indicatorCode", i.name, i.name_en as "nameEn", v.unit_type as "unitType",
        v.unit_key as "unitKey", v.region_code as "regionCode", v.value, v.warning
      from indicator_values v join indicators i on i.id = v.indicator_id
      where ${where}
      order by (v.warning = 'red') desc, v.updated_at desc, v.id desc limit ${first}`,
  )
  return { red: counts?.red ?? 0, yellow: counts?.yellow ?? 0, items }
}

export async function problemFunnel(
  context: GraphQLContext,
  root: ScreenRoot,
): Promise<{ stage: string; problems: number }[]> {
  authorize(context.identity, context.scope, 'problem.read')
  const rows = await context.database.rows<{ state: string; n: number }>(
    sql`select p.state, count(*)::int as n from problems p
      where p.region_code like ${`${root.prefix}%`} and p.merged_into_id is null and ${problemVisible(context)}
      group by p.state`,
  )
  const byState = new Map(rows.map((r) => [r.state, r.n]))
  return FUNNEL_STAGES.map(([stage, states]) => ({
    stage,
    problems: states.reduce((sum, s) => sum + (byState.get(s) ?? 0), 0),
  }))
}

export interface BlindSpotsRow {
  facilityType: string
  distanceModel: string
  gaps: number
  children: number
  working: number
  elderly: number
}

/**
 * The blind spots inside the region of the latest succeeded coverage run over it (the city's run for a district)
 * or inside it, summed per type and distance model.
 */
export function blindSpots(context: GraphQLContext, root: ScreenRoot): Promise<BlindSpotsRow[]> {
  return context.database.rows<BlindSpotsRow>(
    sql`with run as (select r.id from diagnostic_runs r where r.kind = 'coverage' and r.state = 'succeeded'
        and (r.region_code like ${`${root.prefix}%`} or exists (select 1 from regions o
          where o.code = r.region_code and starts_with(${root.prefix}, o.scope_prefix)))
        and ${runVisible(context)}
        order by r.finished_at desc nulls last, r.id desc limit 1)
      select g.facility_type as "facilityType", g.distance_model as "distanceModel", count(*)::int as gaps,
        sum(g.uncovered_children)::float8 as children, sum(g.uncovered_working)::float8 as working,
        sum(g.uncovered_elderly)::float8 as elderly
      from coverage_gaps g join run on run.id = g.run_id
      where g.kind = 'blind_spot' and g.region_code like ${`${root.prefix}%`}
      group by g.facility_type, g.distance_model
      order by g.facility_type, g.distance_model`,
  )
}

export interface AreaRow {
  code: string
  name: string
  nameEn: string | null
  open: number
  overdue: number
}

/** The level below each: a city's screen compares its districts, a district's its streets. */
const LEVEL_BELOW: Record<string, string> = { province: 'city', city: 'district', district: 'street' }

/**
 * Open and overdue problems now in each region one level down (overdue as in `problemKpis`: past its deadline
 * or marked overdue by the sweep); the on-time rate of the period is `problemKpis`'s.
 */
export async function areas(context: GraphQLContext, root: ScreenRoot): Promise<AreaRow[]> {
  authorize(context.identity, context.scope, 'problem.read')
  const [region] = await context.database.rows<{ level: string }>(
    sql`select level from regions where code = ${root.regionCode}`,
  )
  const below = region ? LEVEL_BELOW[region.level] : undefined
  if (!below) return []
  return context.database.rows<AreaRow>(
    sql`select r.code, r.name, r.name_en as "nameEn",
        count(p.id) filter (where p.state <> 'closed')::int as open,
        count(p.id) filter (where p.state <> 'closed' and (p.overdue_at is not null or p.deadline < now()))::int
          as overdue
      from regions r left join problems p on p.region_code like r.scope_prefix || '%'
        and p.merged_into_id is null and ${problemVisible(context)}
      where r.level = ${below} and r.code like ${`${root.prefix}%`}
      group by r.code, r.name, r.name_en
      order by r.code`,
  )
}

// Projects are the region's working data, like indicator values: never public.
const projectVisible = (context: GraphQLContext) => scopeCondition(context.scope, sql`j.region_code`, 'never')

export function projectPipeline(
  context: GraphQLContext,
  root: ScreenRoot,
): Promise<{ state: string; projects: number; budget: number }[]> {
  return context.database.rows(
    sql`select j.state, count(*)::int as projects, coalesce(sum(j.budget), 0)::float8 as budget
      from projects j where j.region_code like ${`${root.prefix}%`} and ${projectVisible(context)}
      group by j.state
      order by array_position(array['proposed','approved','under_way','completed','evaluated'], j.state)`,
  )
}

export function projectFunding(
  context: GraphQLContext,
  root: ScreenRoot,
): Promise<{ source: string; amount: number }[]> {
  return context.database.rows(
    sql`select f.source, sum(f.amount)::float8 as amount
      from projects j, jsonb_to_recordset(j.funding_sources) as f(source text, amount float8)
      where j.region_code like ${`${root.prefix}%`} and ${projectVisible(context)}
      group by f.source order by amount desc, f.source`,
  )
}
