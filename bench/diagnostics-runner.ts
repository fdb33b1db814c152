/** What runs the benchmark's diagnosis: the in-process runner, or BullMQ with worker processes. */

import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createProcessors } from '../jobs/processors.ts'
import { BullMqRunner } from '../jobs/runs/bullmq.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import type { JobRunner } from '../jobs/runs/types.ts'
import { PROJECT_ROOT } from '../server/config.ts'
import type { Database } from '../server/db/client.ts'
import { redisUrl as benchRedisUrl } from './database.ts'

export interface BenchRunner {
  runner: JobRunner
  /** Closes the runner; each worker's peak RSS in MiB, null in-process. */
  stop: () => Promise<number[] | null>
}

/**
 * The in-process runner, or a BullMQ queue with `workers` worker processes (`jobs/worker.ts`, as `npm run worker`
 * starts them) on REDIS_URL or the Redis that scripts/services.sh starts.
 */
export async function startRunner(
  database: Database,
  databaseUrl: string,
  workers: number,
  log: (line: string) => void,
): Promise<BenchRunner> {
  if (workers === 0) {
    const runner = new InProcessRunner(database, createProcessors(), { maxAttempts: 1 })
    const stop = async () => {
      await runner.close()
      return null
    }
    return { runner, stop }
  }
  // REDIS_URL when set, otherwise the private Redis of scripts/services.sh, started if need be.
  const redisUrl = benchRedisUrl()
  const queueName = `bench-diagnostics-${process.pid}`
  const runner = new BullMqRunner({ redisUrl, queueName })
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, CITYCHECK_QUEUE: queueName }
  const children = Array.from({ length: workers }, () => startWorker(env))
  await Promise.all(children.map(listening))
  log(`${workers} worker processes listening on ${queueName}`)
  return {
    runner,
    stop: async () => {
      const peaks = children.map(peakRssMB)
      await Promise.all(children.map(stopWorker))
      await runner.queue.obliterate({ force: true })
      await runner.close()
      return peaks.map((peak) => Math.round(peak * 10) / 10)
    },
  }
}

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'jobs/worker.ts')], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk) => {
      out += chunk
      if (out.includes('listening')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`a worker exited with ${code} before listening`)))
  })
}

/** VmHWM: the peak resident set of a worker, to be read before it exits. */
function peakRssMB(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
