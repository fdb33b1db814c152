import { randomUUID } from 'node:crypto'
import { UnrecoverableError } from 'bullmq'
import { Registry } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import { BullMqRunner } from '../../../jobs/runs/bullmq.ts'
import { executeJob } from '../../../jobs/runs/execute.ts'
import { createJobObserver } from '../../../jobs/runs/observe.ts'
import type { Database } from '../../../server/db/client.ts'
import { capturingLogger } from '../../helpers/servers.ts'

// The run row's failure record is not what these tests look at: a database that answers nothing is enough.
const database = { rows: async () => [] } as unknown as Database

function observed() {
  const { logger, lines } = capturingLogger()
  const registry = new Registry()
  return { lines, registry, observer: createJobObserver(logger, registry) }
}

describe('job observer', () => {
  it('logs an attempt that will be retried at warn and one that gave up at error, with kind and run', async () => {
    const { lines, registry, observer } = observed()
    const failing = { tiles: async () => Promise.reject(new Error('disk full')) }
    for (const attempt of [1, 3]) {
      await expect(
        executeJob(database, failing, 'tiles', { runId: 7, attempt, maxAttempts: 3 }, observer),
      ).rejects.toThrow('disk full')
    }
    expect(lines.filter((line) => line.msg === 'job started')).toHaveLength(2)
    expect(lines.find((line) => line.msg === 'job attempt failed, will retry')).toMatchObject({
      level: 40,
      job: { kind: 'tiles', runId: 7, attempt: 1 },
      outcome: 'retrying',
      err: { message: 'disk full' },
    })
    expect(lines.find((line) => line.msg === 'job failed')).toMatchObject({
      level: 50,
      job: { kind: 'tiles', runId: 7, attempt: 3 },
      outcome: 'failed',
    })
    const text = await registry.metrics()
    expect(text).toMatch(/citycheck_job_duration_seconds_count\{kind="tiles",outcome="retrying"\} 1/)
    expect(text).toMatch(/citycheck_job_duration_seconds_count\{kind="tiles",outcome="failed"\} 1/)
  })

  it('counts an unrecoverable error on the first attempt as failed', async () => {
    const { lines, observer } = observed()
    const refusing = { indicators: async () => Promise.reject(new UnrecoverableError('bad parameters')) }
    await expect(
      executeJob(database, refusing, 'indicators', { runId: 8, attempt: 1, maxAttempts: 3 }, observer),
    ).rejects.toThrow('bad parameters')
    expect(lines.at(-1)).toMatchObject({
      msg: 'job failed',
      outcome: 'failed',
      durationMs: expect.any(Number),
    })
  })

  it('hears the attempts a BullMQ worker runs, retry included, and reads its queue depth', async () => {
    const redisUrl = process.env.REDIS_URL
    if (!redisUrl) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
    const { lines, observer } = observed()
    const processors = {
      coverage: async (_: Database, context: { attempt: number }) => {
        if (context.attempt < 2) throw new Error('transient')
      },
    }
    const runner = new BullMqRunner({
      redisUrl,
      queueName: `test-${randomUUID()}`,
      backoffMs: 5,
      worker: { database, processors, observer },
    })
    try {
      await runner.worker?.waitUntilReady()
      await runner.enqueue('coverage', 11)
      // Finished in Redis, not just in the processor: only then is the job out of `active`.
      await vi.waitFor(async () => expect((await runner.queue.getJob('run-11'))?.finishedOn).toBeDefined(), {
        timeout: 10_000,
      })
      expect(lines.map((line) => [line.msg, (line.job as { attempt: number }).attempt])).toEqual([
        ['job started', 1],
        ['job attempt failed, will retry', 1],
        ['job started', 2],
        ['job finished', 2],
      ])
      expect(await runner.counts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 })
    } finally {
      await runner.worker?.close()
      await runner.queue.obliterate({ force: true })
      await runner.close()
    }
  })
})
