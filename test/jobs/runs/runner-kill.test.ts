import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCoverageRun } from '../../../jobs/coverage/job.ts'
import type { CoverageOutputs } from '../../../jobs/coverage/outputs.ts'
import { createProcessors } from '../../../jobs/processors.ts'
import { BullMqRunner, createBullMqWorker } from '../../../jobs/runs/bullmq.ts'
import { getRun } from '../../../jobs/runs/rows.ts'
import { PROJECT_ROOT } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

describe('a worker killed mid-run', () => {
  let database: Database
  let runner: BullMqRunner
  let child: ChildProcess | null = null
  beforeEach(async () => {
    database = await openTestDatabase()
    const redisUrl = process.env.REDIS_URL
    if (!redisUrl) throw new Error('REDIS_URL is not set: run the suite with `npm test` (it starts Redis)')
    runner = new BullMqRunner({ redisUrl, queueName: `test-${randomUUID()}` })
  })
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await runner.queue.obliterate({ force: true })
    await runner.close()
    await database.close()
  })

  // Split: the first part's worker is the one killed; the run's two attempts are then its plan and its join.
  it.each([
    { label: 'in one piece', maxCellsPerPart: null },
    { label: 'split into parts', maxCellsPerPart: 40 },
  ])(
    'is finished once by another worker, with no duplicated gaps or problems ($label)',
    async ({ maxCellsPerPart }) => {
      const redisUrl = process.env.REDIS_URL ?? ''
      const databaseUrl = (database.pool?.options as { connectionString?: string } | undefined)
        ?.connectionString
      const { run } = await startCoverageRun(database, runner, {
        regionCode: '310100',
        facilityTypes: ['kindergarten', 'primary_school'],
        distanceModels: ['euclidean', 'network'],
        maxCellsPerPart,
      })
      const spawned = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/runs/runner-kill-worker.ts'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, CITYCHECK_QUEUE: runner.queue.name },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child = spawned
      let output = ''
      const stepped = new Promise<void>((resolve, reject) => {
        spawned.stdout?.on('data', (chunk) => {
          output += chunk
          if (output.includes('STEP')) resolve()
        })
        spawned.stderr?.on('data', (chunk) => {
          output += chunk
        })
        spawned.on('exit', () => reject(new Error(`worker exited early:\n${output}`)))
      })
      await stepped
      expect((await getRun(database, run.id))?.state).toBe('running')
      spawned.kill('SIGKILL')

      // A second worker, started only now so that it could not have taken the job first.
      const worker = createBullMqWorker({
        database,
        processors: createProcessors(),
        redisUrl,
        queueName: runner.queue.name,
        stall: { lockDuration: 1_000, stalledInterval: 500 },
      })
      try {
        const deadline = Date.now() + 60_000
        let state = ''
        while (state !== 'succeeded') {
          state = (await getRun(database, run.id))?.state ?? ''
          if (Date.now() > deadline) throw new Error(`run still ${state}`)
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      } finally {
        await worker.close()
      }
      const done = await getRun(database, run.id)
      expect(done?.attempts).toBe(2)
      const outputs = done?.outputs as unknown as CoverageOutputs
      const [row] = await database.rows<{ gaps: number; problems: number; keys: number }>(sql`
      select (select count(*) from coverage_gaps where run_id = ${run.id})::int as gaps,
        (select count(*) from problems where source = 'diagnosis')::int as problems,
        (select count(distinct dedupe_key) from problems where source = 'diagnosis')::int as keys`)
      expect(outputs.gaps).toBeGreaterThan(0)
      expect(row).toEqual({ gaps: outputs.gaps, problems: outputs.gaps, keys: outputs.gaps })
      const parts = await database.rows<{ state: string; attempts: number }>(
        sql`select state, attempts from diagnostic_runs where parent_id = ${run.id} order by id`,
      )
      if (maxCellsPerPart === null) expect(parts).toEqual([])
      else {
        expect(parts.map((p) => p.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
        expect(parts.map((p) => p.attempts)).toEqual([2, 1, 1, 1])
      }
    },
  )
})
