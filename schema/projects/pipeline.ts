import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { ProjectState } from '../../server/db/projects.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import {
  PROJECT_COLUMNS,
  Project,
  ProjectPhaseEnum,
  type ProjectRow,
  ProjectStateEnum,
  projectVisible,
} from './project.ts'

// The pipeline: a project moves proposed → approved → under way → completed by hand, and to evaluated only by a
// later check's evaluation; it sits in the five-year reserve until planned into a year with its funding.

/** The moves by hand; `evaluated` is written by `evaluateProjects` alone. */
const MOVES: Record<ProjectState, readonly ProjectState[]> = {
  proposed: ['approved'],
  approved: ['proposed', 'under_way'],
  under_way: ['completed'],
  completed: [],
  evaluated: [],
}

type Tx = Parameters<Parameters<GraphQLContext['database']['db']['transaction']>[0]>[0]

async function lockProject(tx: Tx, context: GraphQLContext, id: number): Promise<ProjectRow> {
  const result = (await tx.execute(
    sql`select ${PROJECT_COLUMNS} from projects j where j.id = ${id} and ${projectVisible(context)} for update`,
  )) as unknown as { rows: ProjectRow[] }
  const project = result.rows[0]
  if (!project) throw notFound(`项目 ${id} 不存在或无权访问`, `Project ${id} was not found`)
  return project
}

async function reread(tx: Tx, id: number): Promise<ProjectRow> {
  const result = (await tx.execute(
    sql`select ${PROJECT_COLUMNS} from projects j where j.id = ${id}`,
  )) as unknown as { rows: ProjectRow[] }
  if (!result.rows[0]) throw new Error(`project ${id} vanished`)
  return result.rows[0]
}

const TransitionProjectInput = builder.inputType('TransitionProjectInput', {
  fields: (t) => ({
    id: t.globalID({ required: true }),
    to: t.field({ type: ProjectStateEnum, required: true }),
    reason: t.string(),
  }),
})

builder.mutationField('transitionProject', (t) =>
  t.field({
    type: Project,
    description:
      '推进项目状态：提出↔批准→实施中→完工（已评估由下一轮体检写入）；实施前须纳入年度计划 / Moves a project ' +
      'along its pipeline; it starts only once in the annual plan, and is evaluated only by a later check',
    args: { input: t.arg({ type: TransitionProjectInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      authorize(context.identity, context.scope, 'project.write')
      const id = keyOfType(input.id, 'Project')
      return context.database.db.transaction(async (tx) => {
        const project = await lockProject(tx, context, id)
        authorize(context.identity, context.scope, 'project.write', { regionCode: project.regionCode })
        const to = input.to as ProjectState
        if (!MOVES[project.state].includes(to)) {
          throw conflict(
            `项目不能从「${project.state}」转为「${to}」`,
            `A project cannot move from ${project.state} to ${to}`,
            { from: project.state, to, allowed: MOVES[project.state] },
          )
        }
        if (to === 'under_way' && project.phase !== 'annual') {
          throw conflict(
            '储备库中的项目须先纳入年度计划并落实资金才能实施',
            'A reserve project must be planned into a year with its funding before it starts',
          )
        }
        await tx.execute(sql`update projects set state = ${to}, updated_at = now() where id = ${id}`)
        await recordAudit(tx, context, {
          entity: 'project',
          entityId: id,
          action: 'transition',
          regionCode: project.regionCode,
          before: { state: project.state },
          after: { state: to, reason: input.reason ?? null },
        })
        return reread(tx, id)
      })
    },
  }),
)

interface FundingLine {
  year: number
  source: string
  amount: number
}

const FundingInput = builder.inputType('ProjectFundingInput', {
  fields: (t) => ({
    year: t.int({ required: true }),
    source: t.string({ required: true, description: '资金来源，如 市级财政、区级财政、社会资本 / source' }),
    amount: t.float({ required: true, description: '金额（万元）/ amount, 10k CNY' }),
  }),
})

const PlanProjectInput = builder.inputType('PlanProjectInput', {
  fields: (t) => ({
    id: t.globalID({ required: true }),
    phase: t.field({ type: ProjectPhaseEnum, required: true }),
    year: t.int({ required: true, description: '计划年度（储备库：拟实施年度）/ the plan year' }),
    budget: t.float({ description: '总投资（万元）；不填沿用已有 / budget; the current one when absent' }),
    funding: t.field({
      type: [FundingInput],
      description: '年度资金计划，合计须等于总投资；年度计划必填 / yearly funding, summing to the budget',
    }),
  }),
})

/** Funding lines must be positive, within the plan's five years, once per year and source, and sum to the budget. */
export function checkFunding(
  year: number,
  budget: number | null,
  lines: readonly FundingLine[],
  annual: boolean,
) {
  if (annual && !(budget !== null && budget > 0)) {
    throw badUserInput('纳入年度计划须有总投资', 'A project in the annual plan needs a budget')
  }
  if (annual && lines.length === 0) {
    throw badUserInput('纳入年度计划须有资金计划', 'A project in the annual plan needs a funding plan')
  }
  const seen = new Set<string>()
  for (const line of lines) {
    const key = `${line.year}/${line.source.trim()}`
    if (!line.source.trim()) throw badUserInput('资金来源不能为空', 'A funding source needs a name')
    if (!(line.amount > 0 && Number.isFinite(line.amount))) {
      throw badUserInput(`${key} 的金额须为正数`, `The amount of ${key} must be positive`)
    }
    if (line.year < year || line.year > year + 4) {
      throw badUserInput(
        `资金年度 ${line.year} 须在计划年度 ${year}–${year + 4} 之内`,
        `Funding year ${line.year} must lie within ${year}–${year + 4}`,
      )
    }
    if (seen.has(key)) throw badUserInput(`${key} 重复`, `${key} is given twice`)
    seen.add(key)
  }
  const funded = lines.reduce((s, l) => s + l.amount, 0)
  if (lines.length > 0 && (budget === null || Math.abs(funded - budget) > 0.005)) {
    throw badUserInput(
      `资金计划合计 ${funded} 万元与总投资 ${budget ?? '（未填）'} 万元不符`,
      `The funding plan sums to ${funded}, the budget is ${budget ?? 'missing'}`,
      { funded, budget },
    )
  }
}

builder.mutationField('planProject', (t) =>
  t.field({
    type: Project,
    description:
      '项目入库或纳入年度计划（年度、总投资、年度资金计划，合计须等于总投资；省级、市级）/ Puts a project in the ' +
      'five-year reserve or the annual plan with its year, budget and yearly funding plan',
    args: { input: t.arg({ type: PlanProjectInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      authorize(context.identity, context.scope, 'project.plan')
      const id = keyOfType(input.id, 'Project')
      if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) {
        throw badUserInput(`计划年度 ${input.year} 无效`, `Year ${input.year} is not a plan year`)
      }
      return context.database.db.transaction(async (tx) => {
        const project = await lockProject(tx, context, id)
        authorize(context.identity, context.scope, 'project.plan', { regionCode: project.regionCode })
        if (!['proposed', 'approved'].includes(project.state)) {
          throw conflict(
            '实施中、完工或已评估的项目不能改变计划',
            `A project that is ${project.state} cannot be re-planned`,
          )
        }
        const budget = input.budget ?? project.budget
        const lines = (input.funding ?? []).map((l) => ({ ...l, source: l.source.trim() }))
        checkFunding(input.year, budget, lines, input.phase === 'annual')
        const bySource = new Map<string, number>()
        for (const l of lines) bySource.set(l.source, (bySource.get(l.source) ?? 0) + l.amount)
        const sources = [...bySource].map(([source, amount]) => ({ source, amount }))
        await tx.execute(sql`update projects set phase = ${input.phase}, year = ${input.year}, budget = ${budget},
          funding_sources = ${JSON.stringify(sources)}::jsonb, updated_at = now() where id = ${id}`)
        await tx.execute(sql`delete from project_funding where project_id = ${id}`)
        for (const l of lines) {
          await tx.execute(sql`insert into project_funding (project_id, year, source, amount)
            values (${id}, ${l.year}, ${l.source}, ${l.amount})`)
        }
        await recordAudit(tx, context, {
          entity: 'project',
          entityId: id,
          action: 'plan',
          regionCode: project.regionCode,
          before: { phase: project.phase, year: project.year, budget: project.budget },
          after: { phase: input.phase, year: input.year, budget, funding: lines },
        })
        return reread(tx, id)
      })
    },
  }),
)
