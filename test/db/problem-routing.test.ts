import { type SQL, sql, TransactionRollbackError } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { routeNewProblem, routeRunProblems } from '../../server/db/problem-routing.ts'
import { addWorkingDays, type HolidayDay } from '../../server/domain/working-days.ts'
import { DEFAULT_DEADLINE_DAYS, PROBLEM_TYPES, seedProblemTypes } from '../../server/seed/problem-types.ts'
import { openTestDatabase } from '../helpers/database.ts'

let database: Database
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.close()
})

// Routing counts from a fixed moment, so every deadline below is exact: Monday 7 December 2026, 10:00 Shanghai.
const FROM = new Date('2026-12-07T10:00:00+08:00')

async function problem(type: string, regionCode: string, severity: number): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into problems (region_code, type, title, severity, source, year_found)
    values (${regionCode}, ${type}, '测试问题', ${severity}, 'inspection', 2026) returning id`)
  return row?.id ?? 0
}

interface Routed {
  state: string
  responsibleUnit: string | null
  responsibleDepartment: string | null
  deadline: string | null
}
async function routed(id: number): Promise<Routed | undefined> {
  const [row] = await database.rows<Routed>(sql`
    select state, responsible_unit as "responsibleUnit", responsible_department as "responsibleDepartment",
      to_char(deadline at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') as deadline
    from problems where id = ${id}`)
  return row
}

async function rule(
  problemType: string | null,
  regionCode: string | null,
  unitLevel: string,
  department: string | null,
  deadlineDays: Record<string, number>,
): Promise<void> {
  await database.rows(sql`insert into routing_rules (problem_type, region_code, unit_level, department, deadline_days)
    values (${problemType}, ${regionCode}, ${unitLevel}, ${department}, ${JSON.stringify(deadlineDays)}::jsonb)`)
}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0]

async function txRows<T>(tx: Tx, query: SQL): Promise<[T, ...T[]]> {
  return ((await tx.execute(query)) as unknown as { rows: [T, ...T[]] }).rows
}

/** Runs checks in a transaction that is rolled back, so what they write stays out of the other tests. */
async function rolledBack(check: (tx: Tx) => Promise<void>): Promise<void> {
  await database.db
    .transaction(async (tx) => {
      await check(tx)
      tx.rollback()
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error
    })
}

describe('seeded problem types and routing rules', () => {
  it('holds every type once with a default rule, and seeding again adds nothing', async () => {
    const types = await database.rows<{ code: string; reportable: boolean; attributes: unknown[] }>(
      sql`select code, reportable, attributes from problem_types order by code`,
    )
    expect(types.map((t) => t.code)).toEqual(PROBLEM_TYPES.map((t) => t.code).sort())
    for (const code of ['illegal_construction', 'road_damage', 'rubbish_dumping', 'street_light']) {
      expect(types.find((t) => t.code === code)?.reportable).toBe(true)
    }
    expect(types.find((t) => t.code === 'service_gap')?.reportable).toBe(false)
    const lift = types.find((t) => t.code === 'lift_failure')?.attributes as { code: string; order: number }[]
    expect(lift.map((a) => [a.code, a.order])).toEqual([
      ['lift_number', 1],
      ['people_trapped', 2],
      ['since', 3],
    ])
    const count = sql`select count(*)::int as n from routing_rules where updated_by = 'seed'`
    const [before] = await database.rows<{ n: number }>(count)
    expect(before?.n).toBe(PROBLEM_TYPES.length + 1)
    expect(await seedProblemTypes(database)).toEqual({ typesAdded: 0, rulesAdded: 0 })
    const [after] = await database.rows<{ n: number }>(count)
    expect(after?.n).toBe(before?.n)
  })

  it('keeps a default rule an administrator deleted deleted', async () => {
    await database.rows(sql`delete from routing_rules where problem_type = 'waterlogging'`)
    expect(await seedProblemTypes(database)).toEqual({ typesAdded: 0, rulesAdded: 0 })
    const [n] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from routing_rules where problem_type = 'waterlogging'`,
    )
    expect(n?.n).toBe(0)
  })
})

describe('routeNewProblem', () => {
  it('applies the seeded rule of the type: its district, department and deadline by severity', async () => {
    const id = await problem('road_damage', '310101002', 3)
    const routing = await routeNewProblem(database.db, id, FROM)
    expect(routing).toMatchObject({ responsibleUnit: '310101', department: '交通委', deadlineDays: 7 })
    // Seven working days from Monday 7 December: Wednesday 16 December, to its last moment.
    expect(await routed(id)).toEqual({
      state: 'identified',
      responsibleUnit: '310101',
      responsibleDepartment: '交通委',
      deadline: '2026-12-16 23:59:59',
    })
    const low = await problem('road_damage', '310101002', 1)
    await routeNewProblem(database.db, low, FROM)
    expect((await routed(low))?.deadline?.slice(0, 10)).toBe(
      addWorkingDays(FROM, DEFAULT_DEADLINE_DAYS['1'], []).toLocaleDateString('sv-SE', {
        timeZone: 'Asia/Shanghai',
      }),
    )
  })

  it('routes a diagnosis run’s new problems by group, leaving routed and other runs’ problems alone', async () => {
    const runId = 987_654
    const write = async (regionCode: string, severity: number, unit: string | null = null) => {
      const [row] = await database.rows<{ id: number }>(sql`
        insert into problems (region_code, type, title, severity, source, year_found, run_id, responsible_unit)
        values (${regionCode}, 'road_damage', '诊断问题', ${severity}, 'diagnosis', 2026, ${runId}, ${unit})
        returning id`)
      return row?.id ?? 0
    }
    const high = [await write('310101002', 3), await write('310101002', 3)]
    const low = await write('310109009', 1)
    const already = await write('310101002', 3, '310104')
    const [other] = await database.rows<{ id: number }>(sql`
      insert into problems (region_code, type, title, severity, source, year_found, run_id)
      values ('310101002', 'road_damage', '别的运行', 3, 'diagnosis', 2026, ${runId + 1}) returning id`)
    expect(await routeRunProblems(database.db, runId, FROM)).toBe(3)
    for (const id of high) {
      expect(await routed(id)).toMatchObject({ responsibleUnit: '310101', deadline: '2026-12-16 23:59:59' })
    }
    expect(await routed(low)).toMatchObject({ responsibleUnit: '310109', responsibleDepartment: '交通委' })
    expect((await routed(already))?.responsibleUnit).toBe('310104')
    expect((await routed(other?.id ?? 0))?.responsibleUnit).toBeNull()
    expect(await routeRunProblems(database.db, runId, FROM)).toBe(0)
  })

  it('prefers a rule of the type over one for any type, and a longer region over a shorter', async () => {
    await rule(null, '310101', 'street', '黄浦区综合', { '2': 1 })
    await rule('rubbish_dumping', '310100', 'district', '市绿化市容局', { '2': 3 })
    await rule('rubbish_dumping', '310101', 'street', '黄浦区绿化市容局', { '2': 2 })
    const street = await problem('rubbish_dumping', '310101013', 2)
    await routeNewProblem(database.db, street, FROM)
    expect(await routed(street)).toMatchObject({
      responsibleUnit: '310101013',
      responsibleDepartment: '黄浦区绿化市容局',
      deadline: '2026-12-09 23:59:59',
    })
    // In 浦东 the city's rule of the type is the most specific.
    const pudong = await problem('rubbish_dumping', '310115', 2)
    await routeNewProblem(database.db, pudong, FROM)
    expect(await routed(pudong)).toMatchObject({
      responsibleUnit: '310115',
      responsibleDepartment: '市绿化市容局',
      deadline: '2026-12-10 23:59:59',
    })
    // A rule naming the type wins over 黄浦's rule for any type, however much longer its region.
    const noise = await problem('noise', '310101013', 2)
    await routeNewProblem(database.db, noise, FROM)
    expect(await routed(noise)).toMatchObject({
      responsibleDepartment: '生态环境局',
      responsibleUnit: '310101',
    })
    // An unknown type takes 黄浦's rule for any type (longer region) over the seeded catch-all.
    const unknown = await problem('something_else', '310101013', 2)
    await routeNewProblem(database.db, unknown, FROM)
    expect(await routed(unknown)).toMatchObject({
      responsibleUnit: '310101013',
      responsibleDepartment: '黄浦区综合',
      deadline: '2026-12-08 23:59:59',
    })
  })

  it('falls back to the catch-all rule: no department, the district, the default deadline', async () => {
    const id = await problem('something_else', '310115', 3)
    await routeNewProblem(database.db, id, FROM)
    expect(await routed(id)).toEqual({
      state: 'identified',
      responsibleUnit: '310115',
      responsibleDepartment: null,
      deadline: '2026-12-16 23:59:59',
    })
  })

  it('keeps a problem above the rule’s unit level with its own region', async () => {
    await rule('parking', null, 'street', '交通委', { '1': 30 })
    const city = await problem('parking', '310100', 1)
    await routeNewProblem(database.db, city, FROM)
    expect((await routed(city))?.responsibleUnit).toBe('310100')
    const street = await problem('parking', '310101002', 1)
    await routeNewProblem(database.db, street, FROM)
    expect((await routed(street))?.responsibleUnit).toBe('310101002')
  })

  it('leaves the deadline empty when the rule sets none for the severity', async () => {
    await rule('street_light', '310115', 'district', '浦东路灯所', { '3': 1 })
    const id = await problem('street_light', '310115', 1)
    const routing = await routeNewProblem(database.db, id, FROM)
    expect(routing).toMatchObject({ department: '浦东路灯所', deadline: null, deadlineDays: null })
    expect((await routed(id))?.deadline).toBeNull()
  })

  it('counts the holidays table: days off skipped, 调休 weekend days worked', async () => {
    const holidays: HolidayDay[] = [
      { day: '2026-12-08', isWorkday: false },
      { day: '2026-12-12', isWorkday: true },
    ]
    await rolledBack(async (tx) => {
      for (const h of holidays) {
        await tx.execute(
          sql`insert into holidays (day, name, is_workday) values (${h.day}, '测试', ${h.isWorkday})`,
        )
      }
      const [{ id }] = await txRows<{ id: number }>(
        tx,
        sql`insert into problems (region_code, type, title, severity, source, year_found)
          values ('310115', 'road_damage', '测试', 3, 'inspection', 2026) returning id`,
      )
      const routing = await routeNewProblem(tx, id, FROM)
      // 9, 10, 11, 12 (worked Saturday), 14, 15, 16: the 8th is off, the 12th counts.
      expect(routing?.deadline?.toISOString()).toBe('2026-12-16T15:59:59.999Z')
      const withoutThe12th = addWorkingDays(FROM, 7, [{ day: '2026-12-08', isWorkday: false }])
      expect(withoutThe12th.toISOString()).toBe('2026-12-17T15:59:59.999Z')
    })
  })

  it('routes nothing when no rule applies, and answers null for a missing problem', async () => {
    await rolledBack(async (tx) => {
      await tx.execute(sql`delete from routing_rules`)
      const [{ id }] = await txRows<{ id: number }>(
        tx,
        sql`insert into problems (region_code, type, title, severity, source, year_found)
          values ('310115', 'road_damage', '测试', 3, 'inspection', 2026) returning id`,
      )
      expect(await routeNewProblem(tx, id, FROM)).toEqual({
        ruleId: null,
        responsibleUnit: null,
        department: null,
        deadline: null,
        deadlineDays: null,
      })
      const [row] = await txRows<{ responsible_unit: string | null }>(
        tx,
        sql`select responsible_unit from problems where id = ${id}`,
      )
      expect(row?.responsible_unit).toBeNull()
      expect(await routeNewProblem(tx, 999_999_999, FROM)).toBeNull()
    })
  })
})
