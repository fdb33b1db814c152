import { type SQL, sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { groupedByKey, inKeyOrder, loadNodes, numericIds, primeLoader } from '../support/loading.ts'
import { and, keysetPage } from '../support/pagination.ts'
import { loadProblems, Problem } from './problem.ts'

export const TASK_STATES = ['open', 'done', 'overdue', 'cancelled'] as const

export interface TaskRow {
  id: number
  problemId: number
  title: string | null
  regionCode: string | null
  responsibleUnit: string
  department: string | null
  owner: string | null
  deadline: string | null
  state: (typeof TASK_STATES)[number]
  overdue: boolean
  overdueAt: string | null
  escalatedAt: string | null
  rectifiedBy: string | null
  feedback: string | null
  createdAt: string
  completedAt: string | null
}

/** Whether a task is overdue now: not ended and past its deadline (the deadline job marks it on its rounds). */
const taskOverdue = sql`(t.state in ('open', 'overdue') and t.deadline is not null and t.deadline < now())`

export const TASK_COLUMNS = sql`t.id, t.problem_id as "problemId", t.title, t.region_code as "regionCode",
  t.responsible_unit as "responsibleUnit", t.department, t.owner, t.deadline, t.state, ${taskOverdue} as overdue,
  t.overdue_at as "overdueAt", t.escalated_at as "escalatedAt", t.rectified_by as "rectifiedBy", t.feedback,
  t.created_at as "createdAt", t.completed_at as "completedAt"`

/**
 * The tasks a caller sees: those inside its region; a department token only its own department's (ADR 0012:
 * a department sees and acts on what is routed to it). Tasks are never public.
 */
export function taskVisible(context: GraphQLContext): SQL {
  const inRegion = scopeCondition(context.scope, sql`t.region_code`, 'never')
  if (context.identity?.role !== 'department') return inRegion
  const department = context.identity.department
  return department ? sql`(${inRegion} and t.department = ${department})` : sql`false`
}

async function loadTasks(ids: readonly number[], context: GraphQLContext): Promise<(TaskRow | null)[]> {
  const rows = await context.database.rows<TaskRow>(
    sql`select ${TASK_COLUMNS} from tasks t where t.id = any(${sql.param([...ids])}::int[]) and ${taskVisible(context)}`,
  )
  return inKeyOrder(ids, rows, (r) => r.id)
}

async function loadTasksOfProblems(ids: readonly number[], context: GraphQLContext): Promise<TaskRow[][]> {
  const rows = await context.database.rows<TaskRow>(
    sql`select ${TASK_COLUMNS} from tasks t
      where t.problem_id = any(${sql.param([...ids])}::int[]) and ${taskVisible(context)} order by t.id`,
  )
  primeLoader(context.loader(loadTasks), rows, (r) => r.id)
  return groupedByKey(ids, rows, (r) => r.problemId)
}

export const TaskStateEnum = builder.enumType('TaskState', {
  description: '整改任务状态：办理中、已完成、已超期、已取消 / Task state',
  values: TASK_STATES,
})

export const Task = builder.objectRef<TaskRow>('Task')

builder.node(Task, {
  description: '整改任务：问题拆分出的一项工作，有责任单位、部门、负责人和时限 / A rectification task',
  id: { resolve: (r) => r.id },
  loadMany: (ids, context) => loadNodes(context.loader(loadTasks), numericIds(ids)),
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    problem: t.field({
      type: Problem,
      nullable: true,
      resolve: (r, _a, context) => context.loader(loadProblems).load(r.problemId),
    }),
    title: t.exposeString('title', { nullable: true }),
    regionCode: t.exposeString('regionCode', { nullable: true }),
    responsibleUnit: t.exposeString('responsibleUnit', { description: '责任单位（区划代码）/ region code' }),
    department: t.exposeString('department', { nullable: true }),
    owner: t.exposeString('owner', { nullable: true, description: '负责人 / who owns the work' }),
    deadline: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.deadline }),
    state: t.field({ type: TaskStateEnum, resolve: (r) => r.state }),
    overdue: t.exposeBoolean('overdue', {
      description: '未完成且已过时限 / not ended and past its deadline',
    }),
    overdueAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.overdueAt }),
    escalatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.escalatedAt }),
    rectifiedBy: t.exposeString('rectifiedBy', { nullable: true }),
    feedback: t.exposeString('feedback', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.completedAt }),
  }),
})

builder.objectField(Problem, 'tasks', (t) =>
  t.field({
    type: [Task],
    description: '拆分出的整改任务（部门账号只看本部门的）/ Its tasks; a department token sees its own only',
    resolve: async (p, _a, context) => (await context.loader(loadTasksOfProblems).load(p.id)) ?? [],
  }),
)

builder.queryField('tasks', (t) =>
  t.connection(
    {
      type: Task,
      nullable: true,
      description:
        '整改任务：部门账号只看交办给本部门的，其余按辖区（需登录）/ Rectification tasks: a department token sees ' +
        'its own department’s inside its region, the others every task inside theirs',
      authScopes: { signedIn: true },
      args: {
        states: t.arg({ type: [TaskStateEnum] }),
        department: t.arg.string(),
        overdue: t.arg.boolean({
          description: '仅超期（true）或仅未超期（false）/ only overdue, or only not',
        }),
      },
      resolve: (_root, args, context) => {
        const where = [taskVisible(context)]
        if (args.states?.length) where.push(sql`t.state = any(${sql.param(args.states)}::text[])`)
        if (args.department != null) where.push(sql`t.department = ${args.department}`)
        if (args.overdue === true) where.push(taskOverdue)
        if (args.overdue === false) where.push(sql`not ${taskOverdue}`)
        return keysetPage<TaskRow>(
          context,
          {
            from: sql`tasks t`,
            columns: TASK_COLUMNS,
            where: [and(where)],
            ordering: { name: 'tasks-id', keys: [{ expr: sql`t.id` }] },
          },
          args,
          (rows) => primeLoader(context.loader(loadTasks), rows, (r) => r.id),
        )
      },
    },
    {
      name: 'TaskConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (page) => page.totalCount() }) }),
    },
  ),
)
