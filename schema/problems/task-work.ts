import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { Problem, type ProblemRow } from './problem.ts'
import { checkUnit, problemForRouting, rowsOf } from './routing.ts'
import { TASK_COLUMNS, Task, type TaskRow, taskVisible } from './tasks.ts'

/** More tasks than this for one problem is a project, not a rectification. */
const MAX_TASKS = 50

const NewTaskInput = builder.inputType('NewTaskInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    responsibleUnit: t.string({
      description: '区划代码，默认为问题的责任单位 / region code; the problem’s by default',
    }),
    department: t.string({ description: '默认为问题的责任部门 / the problem’s by default' }),
    owner: t.string({ description: '负责人 / who owns the work' }),
    deadline: t.field({ type: 'DateTime', description: '默认为问题的时限 / the problem’s by default' }),
  }),
})

const SplitProblemInput = builder.inputType('SplitProblemInput', {
  fields: (t) => ({
    problemId: t.globalID({ required: true }),
    tasks: t.field({ type: [NewTaskInput], required: true }),
  }),
})

interface NewTask {
  title: string
  responsibleUnit?: string | null
  department?: string | null
  owner?: string | null
  deadline?: Date | null
}

/** A task's fields with the problem's routing where the caller left them out; refused when unusable. */
async function taskValues(tx: SqlExecutor, context: GraphQLContext, problem: ProblemRow, task: NewTask) {
  const title = task.title.trim()
  if (!title) throw badUserInput('任务标题不能为空', 'A task needs a title')
  const unit = task.responsibleUnit?.trim() || problem.responsibleUnit || problem.regionCode
  if (task.responsibleUnit) await checkUnit(tx, context, unit)
  if (task.deadline && task.deadline.getTime() <= Date.now()) {
    throw badUserInput('任务时限须晚于现在', 'A task’s deadline must lie in the future', { title })
  }
  return {
    title,
    unit,
    department: task.department?.trim() || problem.responsibleDepartment,
    owner: task.owner?.trim() || null,
    deadline: task.deadline?.toISOString() ?? problem.deadline,
  }
}

/** 任务分解: splits a problem into tasks in one transaction, one audit event for the whole split. */
async function splitProblem(
  context: GraphQLContext,
  problemId: number,
  tasks: NewTask[],
): Promise<ProblemRow> {
  authorize(context.identity, context.scope, 'problem.route')
  if (tasks.length === 0 || tasks.length > MAX_TASKS) {
    throw badUserInput(`一次拆分 1 到 ${MAX_TASKS} 项任务`, `Split into 1 to ${MAX_TASKS} tasks at a time`)
  }
  return context.database.db.transaction(async (tx) => {
    const problem = await problemForRouting(tx, context, problemId)
    const created: TaskRow[] = []
    for (const task of tasks) {
      const v = await taskValues(tx, context, problem, task)
      const [row] = await rowsOf<TaskRow>(
        tx,
        sql`insert into tasks as t (problem_id, title, region_code, responsible_unit, department, owner, deadline)
          values (${problem.id}, ${v.title}, ${v.unit}, ${v.unit}, ${v.department}, ${v.owner}, ${v.deadline})
          returning ${TASK_COLUMNS}`,
      )
      created.push(row as TaskRow)
    }
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: problem.id,
      action: 'split',
      regionCode: problem.regionCode,
      before: null,
      after: {
        tasks: created.map((t) => ({
          id: t.id,
          title: t.title,
          unit: t.responsibleUnit,
          department: t.department,
        })),
      },
    })
    return problem
  })
}

builder.mutationField('splitProblem', (t) =>
  t.field({
    type: Problem,
    description:
      '任务分解：把问题拆分为整改任务（责任单位、部门、负责人、时限）/ Splits a problem into rectification tasks',
    args: { input: t.arg({ type: SplitProblemInput, required: true }) },
    resolve: (_root, { input }, context) =>
      splitProblem(
        context,
        keyOfType(input.problemId, 'Problem'),
        input.tasks.map((task) => ({ ...task, deadline: task.deadline as Date | null | undefined })),
      ),
  }),
)

const UpdatableTaskState = builder.enumType('TaskOutcome', {
  description: '办结或取消 / Done or cancelled',
  values: ['done', 'cancelled'] as const,
})

const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  fields: (t) => ({
    taskId: t.globalID({ required: true }),
    state: t.field({ type: UpdatableTaskState, required: true }),
    feedback: t.string({ description: '办理情况；取消时必填 / what was done; required to cancel' }),
  }),
})

/** Ends one task: done (rectified by the caller) or cancelled (with a reason); only a task still open or overdue. */
async function updateTask(
  context: GraphQLContext,
  input: { taskId: number; state: 'done' | 'cancelled'; feedback: string | null },
): Promise<TaskRow> {
  authorize(context.identity, context.scope, 'task.work')
  const feedback = input.feedback?.trim() || null
  if (input.state === 'cancelled' && !feedback) {
    throw badUserInput('取消任务须说明原因', 'Cancelling a task needs a reason in feedback')
  }
  return context.database.db.transaction(async (tx) => {
    const [task] = await rowsOf<TaskRow>(
      tx,
      sql`select ${TASK_COLUMNS} from tasks t where t.id = ${input.taskId} and ${taskVisible(context)} for update`,
    )
    if (!task) throw notFound(`任务 ${input.taskId} 不存在或无权访问`, `Task ${input.taskId} was not found`)
    authorize(context.identity, context.scope, 'task.work', {
      regionCode: task.regionCode ?? '',
      department: task.department,
    })
    if (task.state !== 'open' && task.state !== 'overdue') {
      throw conflict(
        `任务已${task.state === 'done' ? '办结' : '取消'}`,
        `The task is ${task.state} already`,
        {
          state: task.state,
        },
      )
    }
    const actor = context.identity?.subject ?? 'unknown'
    const [after] = await rowsOf<TaskRow>(
      tx,
      sql`update tasks t set state = ${input.state}, feedback = coalesce(${feedback}, t.feedback),
          rectified_by = ${input.state === 'done' ? actor : null},
          completed_at = ${input.state === 'done' ? sql`now()` : sql`null`}
        where t.id = ${task.id} returning ${TASK_COLUMNS}`,
    )
    await recordAudit(tx, context, {
      entity: 'task',
      entityId: task.id,
      action: input.state === 'done' ? 'complete' : 'cancel',
      regionCode: task.regionCode ?? '',
      before: { state: task.state, feedback: task.feedback },
      after: { state: input.state, feedback },
    })
    return after as TaskRow
  })
}

builder.mutationField('updateTask', (t) =>
  t.field({
    type: Task,
    description:
      '办理整改任务：办结或取消（部门账号只能办理本部门的任务）/ Ends a task, done or cancelled; a department works ' +
      'its own tasks only',
    args: { input: t.arg({ type: UpdateTaskInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateTask(context, {
        taskId: keyOfType(input.taskId, 'Task'),
        state: input.state,
        feedback: input.feedback ?? null,
      }),
  }),
)
