import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCoverageRun } from '../../../jobs/coverage/job.ts'
import { BullMqRunner } from '../../../jobs/runs/bullmq.ts'
import { getRun } from '../../../jobs/runs/rows.ts'
import { PROJECT_ROOT } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

describe('npm run worker', () => {
  let database: Database
  let runner: BullMqRunner
  beforeEach(async () => {
    database = await openTestDatabase()
    const redisUrl = process.env.REDIS_URL
    if (!redisUrl) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
    runner = new BullMqRunner({ redisUrl, queueName: `test-${randomUUID()}` })
  })
  afterEach(async () => {
    await runner.queue.obliterate({ force: true })
    await runner.close()
    await database.close()
  })

  it('processes runs from the queue and exits cleanly on SIGTERM', async () => {
    const databaseUrl = (database.pool?.options as { connectionString?: string } | undefined)
      ?.connectionString
    expect(databaseUrl).toBeTruthy()
    const { run } = await startCoverageRun(database, runner, {
      regionCode: '310100',
      facilityTypes: ['kindergarten'],
      distanceModels: ['euclidean'],
    })
    const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/worker.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, CITYCHECK_QUEUE: runner.queue.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    try {
      const deadline = Date.now() + 60_000
      for (;;) {
        const current = await getRun(database, run.id)
        if (current?.state === 'succeeded') break
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`run ${run.id} is ${current?.state}; worker output:\n${output}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      child.kill('SIGTERM')
      const [code] = await once(child, 'exit')
      expect(code, output).toBe(0)
      expect(output).toContain('SIGTERM')
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
