import { UnrecoverableError } from 'bullmq'
import { describe, expect, it } from 'vitest'
import { InProcessRunner, RunnerClosedError } from '../../../jobs/runs/in-process.ts'
import { requeueUnfinishedRuns } from '../../../jobs/runs/runner.ts'
import type { JobContext, Processors } from '../../../jobs/runs/types.ts'
import type { Database } from '../../../server/db/client.ts'

// Failures are recorded on the run row through `database.rows`; these processors have no run rows, so a stub
// database that accepts and ignores every query is enough.
const database = { rows: async () => [] } as unknown as Database

function recording(behaviour: (context: JobContext) => Promise<void> | void) {
  const calls: JobContext[] = []
  const processors: Processors = {
    coverage: async (_database, context) => {
      calls.push(context)
      await behaviour(context)
    },
  }
  return { calls, processors }
}

describe('InProcessRunner', () => {
  it('runs jobs one at a time in order and ignores a second enqueue of the same run', async () => {
    let running = 0
    let overlap = false
    const { calls, processors } = recording(async () => {
      running++
      overlap ||= running > 1
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
    })
    const runner = new InProcessRunner(database, processors)
    await runner.enqueue('coverage', 1)
    await runner.enqueue('coverage', 2)
    await runner.enqueue('coverage', 1)
    await runner.idle()
    await runner.enqueue('coverage', 2)
    await runner.idle()
    expect(calls.map((c) => c.runId)).toEqual([1, 2])
    expect(overlap).toBe(false)
    await runner.close()
  })

  it('retries with backoff up to the attempt limit, but never an UnrecoverableError', async () => {
    const { calls, processors } = recording((context) => {
      if (context.runId === 1 && context.attempt < 3) throw new Error('transient')
      if (context.runId === 2) throw new UnrecoverableError('bad parameters')
      if (context.runId === 3) throw new Error('always')
    })
    const errors: string[] = []
    const runner = new InProcessRunner(database, processors, {
      backoffMs: 1,
      onError: (error, _kind, runId, attempt) =>
        errors.push(`${runId}/${attempt}: ${(error as Error).message}`),
    })
    for (const id of [1, 2, 3]) await runner.enqueue('coverage', id)
    await runner.idle()
    expect(calls.map((c) => [c.runId, c.attempt, c.maxAttempts])).toEqual([
      [1, 1, 3],
      [1, 2, 3],
      [1, 3, 3],
      [2, 1, 3],
      [3, 1, 3],
      [3, 2, 3],
      [3, 3, 3],
    ])
    expect(errors).toEqual([
      '1/1: transient',
      '1/2: transient',
      '2/1: bad parameters',
      '3/1: always',
      '3/2: always',
      '3/3: always',
    ])
    await runner.close()
  })

  it('finishes the job in hand on close, drops the rest and refuses new work', async () => {
    let release: () => void = () => {}
    const { calls, processors } = recording(
      (context) =>
        new Promise<void>((resolve) => {
          if (context.runId === 1) release = resolve
          else resolve()
        }),
    )
    const runner = new InProcessRunner(database, processors)
    await runner.enqueue('coverage', 1)
    await runner.enqueue('coverage', 2)
    await new Promise((resolve) => setTimeout(resolve, 10))
    let closed = false
    const closing = runner.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(closed).toBe(false)
    release()
    await closing
    expect(calls.map((c) => c.runId)).toEqual([1])
    await expect(runner.enqueue('coverage', 3)).rejects.toBeInstanceOf(RunnerClosedError)
  })

  it('requeues runs a stopped process left queued or running', async () => {
    const { calls, processors } = recording(() => {})
    const runner = new InProcessRunner(database, processors)
    const stored = {
      rows: async () => [
        { id: 4, kind: 'coverage' },
        { id: 5, kind: 'retired-kind' },
        { id: 6, kind: 'coverage' },
      ],
    } as unknown as Database
    expect(await requeueUnfinishedRuns(stored, runner)).toBe(2)
    await runner.idle()
    expect(calls.map((c) => c.runId)).toEqual([4, 6])
    await runner.close()
  })
})
