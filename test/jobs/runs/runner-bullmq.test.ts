import { randomUUID } from 'node:crypto'
import { UnrecoverableError } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { BullMqRunner } from '../../../jobs/runs/bullmq.ts'
import type { Processors } from '../../../jobs/runs/types.ts'
import type { Database } from '../../../server/db/client.ts'
import { describeCoverageJob } from '../coverage/job-cases.ts'

function redisUrl(): string {
  const url = process.env.REDIS_URL
  if (!url) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
  return url
}

/** A runner with its own queue and an in-process worker; the queue is obliterated afterwards. */
function testRunner(database: Database, processors: Processors) {
  const runner = new BullMqRunner({
    redisUrl: redisUrl(),
    queueName: `test-${randomUUID()}`,
    backoffMs: 5,
    worker: { database, processors },
  })
  return {
    runner,
    dispose: async () => {
      await runner.worker?.close()
      await runner.queue.obliterate({ force: true })
      await runner.close()
    },
  }
}

describeCoverageJob('BullMQ', async (database, processors) => testRunner(database, processors))

describe('BullMqRunner', () => {
  const disposers: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const dispose of disposers.splice(0)) await dispose()
  })

  // The processors here never touch the database, so none is opened.
  const noDatabase = {} as Database

  it('keys jobs by run id, carries only the id, and retries with the configured attempts', async () => {
    const calls: Array<[number, number]> = []
    const processors: Processors = {
      coverage: async (_database, context) => {
        calls.push([context.runId, context.attempt])
        if (context.attempt < 2) throw new Error('transient')
      },
    }
    const { runner, dispose } = testRunner(noDatabase, processors)
    disposers.push(dispose)
    // executeJob records failures on the run row; without a database that write fails and is ignored.
    await runner.worker?.waitUntilReady()
    await Promise.all([runner.enqueue('coverage', 7), runner.enqueue('coverage', 7)])
    const job = await runner.queue.getJob('run-7')
    expect(job?.data).toEqual({ runId: 7 })
    expect(job?.opts.attempts).toBe(3)
    await waitFor(async () => (await runner.queue.getJob('run-7'))?.finishedOn !== undefined)
    expect(calls).toEqual([
      [7, 1],
      [7, 2],
    ])
    expect(await runner.queue.getJobCounts('completed', 'failed', 'waiting')).toEqual({
      completed: 1,
      failed: 0,
      waiting: 0,
    })
    // Enqueueing a finished run again is a no-op while its job is kept.
    await runner.enqueue('coverage', 7)
    expect(await runner.queue.getJobCounts('waiting', 'completed')).toEqual({ waiting: 0, completed: 1 })
  })

  it('does not retry an UnrecoverableError', async () => {
    let calls = 0
    const { runner, dispose } = testRunner(noDatabase, {
      coverage: async () => {
        calls++
        throw new UnrecoverableError('bad parameters')
      },
    })
    disposers.push(dispose)
    await runner.enqueue('coverage', 8)
    await waitFor(async () => (await runner.queue.getJob('run-8'))?.finishedOn !== undefined)
    expect(calls).toBe(1)
    expect((await runner.queue.getJob('run-8'))?.failedReason).toBe('bad parameters')
  })
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
