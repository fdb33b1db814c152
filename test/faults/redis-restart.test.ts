import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import net from 'node:net'
import { sql } from 'drizzle-orm'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCoverageRun } from '../../jobs/coverage/job.ts'
import { createProcessors } from '../../jobs/processors.ts'
import { BullMqRunner, createBullMqWorker } from '../../jobs/runs/bullmq.ts'
import { keepRunsQueued, type RunKeeper } from '../../jobs/runs/keeper.ts'
import { getRun } from '../../jobs/runs/rows.ts'
import type { Database } from '../../server/db/client.ts'
import { openTestDatabase } from '../helpers/database.ts'

/** A Redis of the test's own, without persistence, so a restart loses every job as a crash would. */
class PrivateRedis {
  private process: ChildProcess | null = null
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    // Ready when it answers PING: asked until it does, within a bound.
    for (let attempt = 0; attempt < 200; attempt++) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      })
      client.on('error', () => {}) // refused until the server is up: asked again below
      const answered = await client
        .connect()
        .then(() => client.ping())
        .catch(() => null)
      client.disconnect()
      if (answered === 'PONG') return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`redis-server did not answer on port ${this.port}`)
  }

  async kill(): Promise<void> {
    const child = this.process
    if (!child || child.exitCode !== null) return
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

let database: Database
let redis: PrivateRedis

beforeAll(async () => {
  database = await openTestDatabase()
  redis = new PrivateRedis(await freePort())
  await redis.start()
})
afterAll(async () => {
  await redis?.kill()
  await database?.close()
})

async function waitForRun(runId: number, state: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    if ((await getRun(database, runId))?.state === state) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(
    `run ${runId} is ${(await getRun(database, runId))?.state}, not ${state}, after two minutes`,
  )
}

describe('Redis restarted while jobs run', () => {
  it('loses no job and runs none twice: the running one commits once, the waiting one is queued again', async () => {
    const queueName = `fault-${randomUUID()}`
    let commits = 0
    let restarted = false
    const processors = createProcessors({
      coverage: {
        // The restart happens while the first run is in the middle of its work.
        afterStep: async (_context, step) => {
          if (step !== 1 || restarted) return
          restarted = true
          await redis.kill()
          await redis.start()
        },
        beforeCommit: () => {
          commits++
        },
      },
    })
    const enqueuer = new BullMqRunner({ redisUrl: redis.url, queueName })
    const worker = createBullMqWorker({
      database,
      processors,
      redisUrl: redis.url,
      queueName,
      concurrency: 1,
      stall: { lockDuration: 5_000, stalledInterval: 2_000 },
      onError: () => {}, // the lost connection is expected here
    })
    let keeper: RunKeeper | null = null
    try {
      const first = await startCoverageRun(database, enqueuer, {
        regionCode: '310100',
        facilityTypes: ['kindergarten', 'elderly_care'],
        distanceModels: ['euclidean'],
      })
      // Waiting behind the first (one job at a time): only Redis knows of its job when Redis goes.
      const second = await startCoverageRun(database, enqueuer, {
        regionCode: '310100',
        facilityTypes: ['primary_school'],
        distanceModels: ['euclidean'],
      })
      keeper = keepRunsQueued(database, enqueuer, { intervalMs: 500 })
      await waitForRun(first.run.id, 'succeeded')
      await waitForRun(second.run.id, 'succeeded')
      expect(restarted).toBe(true)
      // One output transaction per run: the first's job, queued again after the restart, found it finished.
      expect(commits).toBe(2)
      const gaps = await database.rows<{ run_id: number; gaps: number; keys: number }>(
        sql`select run_id, count(*)::int as gaps, count(distinct gap_key)::int as keys from coverage_gaps where run_id in (${first.run.id}, ${second.run.id}) group by run_id`,
      )
      for (const row of gaps) expect(row.gaps).toBe(row.keys)
    } finally {
      keeper?.stop()
      await worker.close()
      await enqueuer.close()
    }
  })
})
