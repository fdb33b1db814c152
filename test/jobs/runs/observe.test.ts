import { UnrecoverableError } from 'bullmq'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
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
})
