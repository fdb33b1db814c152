/**
 * How sweeps are scheduled: a timer in the server without Redis, a BullMQ job scheduler with it that a worker
 * runs. Both are observed through what they report (a finished sweep), never through timing.
 */
import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDeadlineWorker,
  DEADLINE_SCHEDULER_ID,
  scheduleDeadlineSweeps,
  startDeadlineTimer,
} from '../../../jobs/deadlines/schedule.ts'
import type { SweepResult } from '../../../jobs/deadlines/sweep.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

let database: Database
let problemId: number

beforeAll(async () => {
  database = await openTestDatabase()
  const [row] = await database.rows<{ id: number }>(sql`insert into problems
      (region_code, type, title, severity, source, year_found, state, deadline)
    values ('310101', 'facade_safety', '外立面脱落隐患', 2, 'inspection', 2026, 'assigned',
      '2026-03-01T23:59:59+08:00') returning id`)
  problemId = row!.id
})
afterAll(async () => {
  await database?.close()
})

function redisUrl(): string {
  const url = process.env.REDIS_URL
  if (!url) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
  return url
}

describe('deadline sweep schedules', () => {
  it('sweeps at once on the in-process timer, with the clock it is given, and stops', async () => {
    const swept = new Promise<SweepResult>((resolve, reject) => {
      const schedule = startDeadlineTimer(database, {
        intervalMs: 3_600_000,
        graceWorkingDays: 3,
        clock: () => new Date('2026-03-02T09:00:00+08:00'),
        onSwept: (result) => void schedule.stop().then(() => resolve(result)),
        onError: reject,
      })
    })
    expect((await swept).overdueProblems).toContain(problemId)
  })

  it('keeps one BullMQ job scheduler however often it is upserted, and a worker runs its sweeps', async () => {
    const queueName = `test-schedules-${randomUUID()}`
    await scheduleDeadlineSweeps(redisUrl(), 3_600_000, queueName)
    await scheduleDeadlineSweeps(redisUrl(), 3_600_000, queueName)
    const queue = new Queue(queueName, { connection: { url: redisUrl() } })
    try {
      const schedulers = await queue.getJobSchedulers()
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([[DEADLINE_SCHEDULER_ID, 3_600_000]])
      await database.rows(sql`update problems set overdue_at = null where id = ${problemId}`)
      let worker: ReturnType<typeof createDeadlineWorker> | null = null
      const swept = new Promise<SweepResult>((resolve, reject) => {
        worker = createDeadlineWorker(database, {
          redisUrl: redisUrl(),
          queueName,
          graceWorkingDays: 3,
          onSwept: resolve,
          onError: reject,
        })
      })
      expect((await swept).overdueProblems).toContain(problemId)
      await (worker as ReturnType<typeof createDeadlineWorker> | null)?.close()
    } finally {
      await queue.obliterate({ force: true })
      await queue.close()
    }
  })
})
