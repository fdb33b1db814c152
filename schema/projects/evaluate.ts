import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit } from '../audit.ts'
import { builder } from '../builder.ts'
import { groupedByKey } from '../support/loading.ts'
import { PROJECT_COLUMNS, Project, type ProjectRow, projectVisible } from './project.ts'

// 项目评估: the next check judges finished projects — did the indicators linked to them improve between the
// project's campaign and the later one, and did the coverage of its facility type? (ADR 0021)

type Tx = Parameters<Parameters<GraphQLContext['database']['db']['transaction']>[0]>[0]
type Outcome = 'improved' | 'unchanged' | 'worse' | 'not_measurable'

interface IndicatorChange {
  indicatorCode: string
  unitCode: string
  direction: string
  before: number | null
  after: number | null
  better: boolean | null
}

interface EvaluationRow {
  projectId: number
  campaignId: number
  outcome: Outcome
  indicators: IndicatorChange[]
  figures: Record<string, unknown>
  evaluatedBy: string | null
  evaluatedAt: string
}

const rowsOf = async <T>(tx: Tx, query: ReturnType<typeof sql>) =>
  ((await tx.execute(query)) as unknown as { rows: T[] }).rows

/** Region-level values of the linked indicators (by code, editions may differ) before and after, and whether better. */
async function indicatorChanges(tx: Tx, p: ProjectRow, later: number): Promise<IndicatorChange[]> {
  const unit = p.regionCode.slice(0, 6)
  const rows = await rowsOf<Omit<IndicatorChange, 'better'>>(
    tx,
    sql`
    with codes as (
      select i.code from indicators i join campaigns k on k.system_id = i.system_id
      where k.id = ${later} and i.parameters->>'facilityType' = ${p.facilityType ?? ''}
      union
      select i.code from project_problems pp join problems pr on pr.id = pp.problem_id
        join indicators i on i.id = pr.indicator_id where pp.project_id = ${p.id})
    select c.code as "indicatorCode", ${unit} as "unitCode", coalesce(i.direction, 'none') as direction,
      (select v.value from indicator_values v join indicators vi on vi.id = v.indicator_id
        where v.campaign_id = ${p.campaignId} and vi.code = c.code and v.unit_type = 'region' and v.unit_key = ${unit}
        order by v.id desc limit 1) as before,
      (select v.value from indicator_values v join indicators vi on vi.id = v.indicator_id
        where v.campaign_id = ${later} and vi.code = c.code and v.unit_type = 'region' and v.unit_key = ${unit}
        order by v.id desc limit 1) as after
    from codes c
    left join lateral (select i.direction from indicators i join campaigns k on k.system_id = i.system_id
      where k.id = ${later} and i.code = c.code limit 1) i on true
    order by c.code`,
  )
  return rows.map((r) => {
    const measurable =
      r.before !== null && r.after !== null && (r.direction === 'higher' || r.direction === 'lower')
    const delta = measurable ? (r.after as number) - (r.before as number) : 0
    // Equal values are neither better nor worse (null), like an indicator without a direction.
    const better = !measurable || delta === 0 ? null : r.direction === 'higher' ? delta > 0 : delta < 0
    return { ...r, better }
  })
}

/** Residents of the type's served groups left uncovered by the coverage run before and by the later one. */
async function coverageChange(tx: Tx, p: ProjectRow, later: number) {
  const basis = (p.benefitDetails?.basis ?? {}) as { coverageRunId?: number; distanceModel?: string }
  if (!p.facilityType || !basis.coverageRunId) return null
  const model = basis.distanceModel ?? 'euclidean'
  const path = `{byModel,${model},types,${p.facilityType},uncoveredServed}`
  const [row] = await rowsOf<{ before: number | null; after: number | null; afterRunId: number | null }>(
    tx,
    sql`select (select (outputs #>> ${path}::text[])::float8 from diagnostic_runs where id = ${basis.coverageRunId})
        as before, r.after, r.id as "afterRunId"
      from (select 1) one left join lateral (select id, (outputs #>> ${path}::text[])::float8 as after
        from diagnostic_runs where kind = 'coverage' and campaign_id = ${later} and state = 'succeeded'
          and parent_id is null order by finished_at desc nulls last, id desc limit 1) r on true`,
  )
  if (!row || row.before === null || row.after === null) return null
  return {
    distanceModel: model,
    uncoveredBefore: row.before,
    uncoveredAfter: row.after,
    laterRunId: row.afterRunId,
  }
}

async function linkedProblemStates(tx: Tx, projectId: number) {
  return rowsOf<{ state: string; n: number }>(
    tx,
    sql`select pr.state, count(*)::int as n from project_problems pp join problems pr on pr.id = pp.problem_id
      where pp.project_id = ${projectId} group by pr.state order by pr.state`,
  )
}

/**
 * The coverage of the project's own facility type decides when it was measured: it is the benefit the project
 * was proposed for, counted the same way. Without it (housing upgrades) the linked indicators do, by majority.
 * Indicators that moved against the outcome are named in the figures (`disagreeing`), so a mixed result shows.
 */
function outcomeOf(
  indicators: IndicatorChange[],
  coverage: Awaited<ReturnType<typeof coverageChange>>,
): { outcome: Outcome; disagreeing: string[] } {
  const measured = indicators.filter((i) => i.before !== null && i.after !== null && i.direction !== 'none')
  const votes: number[] = measured.map((i) => (i.better === true ? 1 : i.better === false ? -1 : 0))
  let sign: number
  if (coverage) sign = Math.sign(coverage.uncoveredBefore - coverage.uncoveredAfter)
  else if (measured.length > 0) sign = Math.sign(votes.reduce((a, b) => a + b, 0))
  else return { outcome: 'not_measurable', disagreeing: [] }
  const outcome: Outcome = sign > 0 ? 'improved' : sign < 0 ? 'worse' : 'unchanged'
  const disagreeing = measured.filter((_, k) => sign !== 0 && votes[k] === -sign).map((i) => i.indicatorCode)
  return { outcome, disagreeing }
}

async function evaluateOne(
  tx: Tx,
  context: GraphQLContext,
  p: ProjectRow,
  later: number,
): Promise<EvaluationRow> {
  const indicators = await indicatorChanges(tx, p, later)
  const coverage = await coverageChange(tx, p, later)
  const { outcome, disagreeing } = outcomeOf(indicators, coverage)
  const figures = {
    coverage,
    disagreeing,
    problems: await linkedProblemStates(tx, p.id),
    newlyCoveredPlanned: p.benefit,
  }
  const who = context.identity?.subject ?? null
  const [row] = await rowsOf<EvaluationRow>(
    tx,
    sql`insert into project_evaluations (project_id, campaign_id, outcome, indicators, figures, evaluated_by)
      values (${p.id}, ${later}, ${outcome}, ${JSON.stringify(indicators)}::jsonb, ${JSON.stringify(figures)}::jsonb, ${who})
      on conflict (project_id, campaign_id) do update set outcome = excluded.outcome, indicators = excluded.indicators,
        figures = excluded.figures, evaluated_by = excluded.evaluated_by, evaluated_at = now()
      returning project_id as "projectId", campaign_id as "campaignId", outcome, indicators, figures,
        evaluated_by as "evaluatedBy", evaluated_at as "evaluatedAt"`,
  )
  if (!row) throw new Error(`evaluation of project ${p.id} was not written`)
  await tx.execute(sql`update projects set state = 'evaluated', updated_at = now() where id = ${p.id}`)
  await recordAudit(tx, context, {
    entity: 'project',
    entityId: p.id,
    action: 'evaluate',
    regionCode: p.regionCode,
    before: { state: p.state },
    after: { state: 'evaluated', campaignId: later, outcome },
  })
  return row
}

const OutcomeEnum = builder.enumType('ProjectEvaluationOutcome', {
  description: '评估结论：改善、无变化、变差、无法衡量 / improved, unchanged, worse, not measurable',
  values: ['improved', 'unchanged', 'worse', 'not_measurable'] as const,
})

const ProjectEvaluation = builder.objectRef<EvaluationRow>('ProjectEvaluation').implement({
  description: '后续体检对完工项目的评估 / A later check’s judgement of a finished project',
  fields: (t) => ({
    projectId: t.exposeInt('projectId'),
    campaignId: t.exposeInt('campaignId'),
    outcome: t.field({ type: OutcomeEnum, resolve: (e) => e.outcome }),
    indicators: t.field({
      type: 'JSON',
      description:
        '关联指标前后取值 / linked indicators before and after: {indicatorCode, unitCode, before, after, better}',
      resolve: (e) => e.indicators,
    }),
    figures: t.field({
      type: 'JSON',
      description: '覆盖与关联问题 / coverage and linked problems',
      resolve: (e) => e.figures,
    }),
    evaluatedBy: t.exposeString('evaluatedBy', { nullable: true }),
    evaluatedAt: t.field({ type: 'DateTime', resolve: (e) => e.evaluatedAt }),
  }),
})

const EVALUATION_COLUMNS = sql`project_id as "projectId", campaign_id as "campaignId", outcome, indicators, figures,
  evaluated_by as "evaluatedBy", evaluated_at as "evaluatedAt"`

async function loadEvaluations(ids: readonly number[], context: GraphQLContext): Promise<EvaluationRow[][]> {
  const rows =
    await context.database.rows<EvaluationRow>(sql`select ${EVALUATION_COLUMNS} from project_evaluations
    where project_id = any(${sql.param([...ids])}::int[]) order by campaign_id, id`)
  return groupedByKey(ids, rows, (r) => r.projectId)
}

builder.objectField(Project, 'evaluations', (t) =>
  t.field({
    type: [ProjectEvaluation],
    description: '后续体检的评估，先后排列 / evaluations by later checks, oldest first',
    resolve: async (p, _a, context) => (await context.loader(loadEvaluations).load(p.id)) ?? [],
  }),
)

builder.mutationField('evaluateProjects', (t) =>
  t.field({
    type: [ProjectEvaluation],
    description:
      '以后一轮体检评估此前完工的项目：关联指标与覆盖是否改善；写入评估并置为已评估 / Evaluates the projects ' +
      'completed under earlier campaigns against this later one: did their indicators and coverage improve?',
    args: { campaignId: t.arg.int({ required: true }) },
    resolve: async (_root, { campaignId }, context) => {
      authorize(context.identity, context.scope, 'project.write')
      const [campaign] = await context.database.rows<{
        regionCode: string
        year: number
        prefix: string
      }>(sql`
        select k.region_code as "regionCode", k.year, r.scope_prefix as prefix from campaigns k
        join regions r on r.code = k.region_code where k.id = ${campaignId}`)
      if (!campaign) throw notFound(`体检任务 ${campaignId} 不存在`, `Campaign ${campaignId} was not found`)
      authorize(context.identity, context.scope, 'project.write', { regionCode: campaign.regionCode })
      return context.database.db.transaction(async (tx) => {
        const projects = await rowsOf<ProjectRow>(
          tx,
          sql`select ${PROJECT_COLUMNS} from projects j join campaigns pk on pk.id = j.campaign_id
            where j.state in ('completed', 'evaluated') and j.region_code like ${`${campaign.prefix}%`}
              and pk.year < ${campaign.year} and ${projectVisible(context)}
            order by j.id for update of j`,
        )
        if (projects.length === 0) {
          throw badUserInput(
            `没有在此前体检中完工、待本次评估的项目`,
            'No project completed under an earlier campaign is waiting for this evaluation',
          )
        }
        const evaluations: EvaluationRow[] = []
        for (const p of projects) evaluations.push(await evaluateOne(tx, context, p, campaignId))
        return evaluations
      })
    },
  }),
)
