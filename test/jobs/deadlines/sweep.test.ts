/**
 * The deadline sweep (issue 13, item 3) driven with a given "now": overdue marked once and announced, escalation
 * one level up after the grace period counted in Shanghai working days (holidays and 调休 from the table),
 * street → district → city and no further, audited, and a second sweep at the same moment changes nothing.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepDeadlines } from '../../../jobs/deadlines/sweep.ts'
import type { Database } from '../../../server/db/client.ts'
import { PROBLEM_EVENTS_CHANNEL } from '../../../server/domain/problem-states.ts'
import { openTestDatabase } from '../../helpers/database.ts'

let database: Database

beforeAll(async () => {
  database = await openTestDatabase()
  // 国庆: 1–7 October off, Saturday 10 October worked in exchange.
  await database.rows(sql`insert into holidays (day, name, is_workday)
    select to_char(d, 'YYYY-MM-DD'), '国庆节', false from generate_series('2026-10-01'::date, '2026-10-07', '1 day') d
    union all select '2026-10-10', '国庆节调休', true`)
})
afterAll(async () => {
  await database?.close()
})

const at = (shanghai: string) => new Date(`${shanghai}+08:00`)
/** Timestamps come back as text or as dates, by backend. */
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())
const sweep = (now: string) => sweepDeadlines(database, { now: at(now), graceWorkingDays: 3 })

async function problemDue(deadline: string, options: { state?: string; unit?: string } = {}) {
  const [row] = await database.rows<{ id: number }>(sql`insert into problems
      (region_code, type, title, severity, source, year_found, state, responsible_unit, deadline)
    values ('310101002', 'facade_safety', '外立面脱落隐患', 2, 'inspection', 2026,
      ${options.state ?? 'in_progress'}, ${options.unit ?? '310101002'}, ${at(deadline).toISOString()}::timestamptz)
    returning id`)
  return row!.id
}

async function taskDue(problemId: number, deadline: string, state = 'open') {
  const [row] = await database.rows<{ id: number }>(sql`insert into tasks
      (problem_id, region_code, responsible_unit, deadline, state)
    values (${problemId}, '310101002', '310101002', ${at(deadline).toISOString()}::timestamptz, ${state})
    returning id`)
  return row!.id
}

const problem = async (id: number) =>
  (
    await database.rows<{
      overdueAt: Date | string | null
      unit: string
      level: number
      escalatedAt: Date | null
    }>(
      sql`select overdue_at as "overdueAt", responsible_unit as unit, escalation_level as level,
        escalated_at as "escalatedAt" from problems where id = ${id}`,
    )
  )[0]!

describe('deadline sweep', () => {
  it('marks open tasks and problems past their deadline overdue once, announces them and audits it', async () => {
    const late = await problemDue('2026-09-20T23:59:59')
    const lateTask = await taskDue(late, '2026-09-20T23:59:59')
    const onTime = await taskDue(late, '2026-12-31T23:59:59')
    const doneTask = await taskDue(late, '2026-09-01T23:59:59', 'done')
    const closed = await problemDue('2026-09-01T23:59:59', { state: 'closed' })
    const notices: { id: number; overdue: boolean }[] = []
    const heard = new Promise<void>((resolve) => {
      void database
        .listen(PROBLEM_EVENTS_CHANNEL, (payload) => {
          notices.push(JSON.parse(payload))
          if (notices.some((n) => n.id === late)) resolve()
        })
        .then((stop) => heard.finally(stop))
    })
    // Listening starts before the sweep commits: wait for the LISTEN to be in place.
    await new Promise((resolve) => setTimeout(resolve, 200))

    const first = await sweep('2026-09-21T09:00:00')
    expect(first.overdueTasks).toContain(lateTask)
    expect(first.overdueTasks).not.toContain(onTime)
    expect(first.overdueTasks).not.toContain(doneTask)
    expect(first.overdueProblems).toContain(late)
    expect(first.overdueProblems).not.toContain(closed)
    await heard
    expect(notices.find((n) => n.id === late)).toMatchObject({
      id: late,
      overdue: true,
      state: 'in_progress',
    })

    const tasks = await database.rows<{ id: number; state: string; overdueAt: Date | null }>(
      sql`select id, state, overdue_at as "overdueAt" from tasks where problem_id = ${late} order by id`,
    )
    expect(tasks.map((t) => [t.id, t.state, t.overdueAt !== null])).toEqual([
      [lateTask, 'overdue', true],
      [onTime, 'open', false],
      [doneTask, 'done', false],
    ])
    expect(iso((await problem(late)).overdueAt)).toBe(at('2026-09-21T09:00:00').toISOString())

    const again = await sweep('2026-09-21T09:00:00')
    expect(again).toEqual({
      overdueTasks: [],
      overdueProblems: [],
      escalatedProblems: [],
      escalatedTasks: [],
    })
    // A later sweep keeps the moment it was first found overdue.
    await sweep('2026-09-21T10:00:00')
    expect(iso((await problem(late)).overdueAt)).toBe(at('2026-09-21T09:00:00').toISOString())
    const audit = await database.rows<{ action: string; actor: string }>(
      sql`select action, actor from audit_events where entity = 'problem' and entity_id = ${String(late)}`,
    )
    expect(audit).toEqual([{ action: 'overdue', actor: 'system:deadlines' }])
  })

  it('escalates street → district → city after 3 working days each, counting holidays and 调休, then stops', async () => {
    const id = await problemDue('2026-09-30T23:59:59.999')
    const task = await taskDue(id, '2026-09-30T23:59:59.999')
    await sweep('2026-10-01T08:00:00')
    // Grace: 8 and 9 October (after the holiday) and Saturday 10 October (调休) — due at its end.
    expect((await sweep('2026-10-10T18:00:00')).escalatedProblems).not.toContain(id)
    expect((await problem(id)).level).toBe(0)

    const escalated = await sweep('2026-10-11T00:30:00')
    expect(escalated.escalatedProblems).toContain(id)
    expect(escalated.escalatedTasks).toContain(task)
    expect(await problem(id)).toMatchObject({ unit: '310101', level: 1 })
    expect(await sweep('2026-10-11T00:30:00')).toEqual({
      overdueTasks: [],
      overdueProblems: [],
      escalatedProblems: [],
      escalatedTasks: [],
    })

    // The next grace counts from the escalation (Sunday 11th): 12, 13 and 14 October.
    expect((await sweep('2026-10-14T20:00:00')).escalatedProblems).not.toContain(id)
    expect((await sweep('2026-10-15T08:00:00')).escalatedProblems).toContain(id)
    expect(await problem(id)).toMatchObject({ unit: '310100', level: 2 })
    // Above the city is the province: nobody to escalate to.
    expect((await sweep('2026-11-30T08:00:00')).escalatedProblems).not.toContain(id)
    expect(await problem(id)).toMatchObject({ unit: '310100', level: 2 })

    const audit = await database.rows<{
      action: string
      before: unknown
      after: { responsibleUnit: string }
    }>(
      sql`select action, before, after from audit_events where entity = 'problem' and entity_id = ${String(id)}
        and action = 'escalate' order by id`,
    )
    expect(audit.map((a) => [a.before, a.after.responsibleUnit])).toEqual([
      [{ responsibleUnit: '310101002', escalationLevel: 0 }, '310101'],
      [{ responsibleUnit: '310101', escalationLevel: 1 }, '310100'],
    ])
  })

  it('sweeps one at a time: two sweeps side by side change each problem once', async () => {
    const id = await problemDue('2026-12-01T23:59:59')
    const [a, b] = await Promise.all([sweep('2026-12-02T09:00:00'), sweep('2026-12-02T09:00:00')])
    expect([...a.overdueProblems, ...b.overdueProblems].filter((p) => p === id)).toEqual([id])
  })
})
