import { sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import type { CoverageOutputs } from '../../../../jobs/coverage/outputs.ts'
import { cancelRun } from '../../../../jobs/runs/rows.ts'
import type { JobContext } from '../../../../jobs/runs/types.ts'
import { type CoverageJobSuite, count, MODELS, problemStats, TYPES } from './helpers.ts'

/** A crash retries the run, the last failed attempt fails it, a cancel stops it: never half the outputs. */
export function failureCases(suite: CoverageJobSuite): void {
  it('retries after a crash before commit and writes exactly one set of gaps and problems', async () => {
    const { database, setUp } = suite
    const failures: string[] = []
    const { start, wait } = await setUp({
      afterCompute: (context: JobContext) => {
        if (context.attempt === 1) {
          failures.push('afterCompute')
          throw new Error('simulated crash after computing')
        }
      },
      beforeCommit: (context: JobContext) => {
        if (context.attempt === 2) {
          failures.push('beforeCommit')
          throw new Error('simulated crash inside the output transaction')
        }
      },
    })
    const { run } = await start({ facilityTypes: TYPES, distanceModels: ['euclidean'] })
    const done = await wait(run.id)
    expect(failures).toEqual(['afterCompute', 'beforeCommit'])
    expect(done.state).toBe('succeeded')
    expect(done.attempts).toBe(3)
    expect(done.error).toBeNull()
    const gaps = await count(database, sql`select count(*) as n from coverage_gaps where run_id = ${run.id}`)
    expect(gaps).toBe((done.outputs as unknown as CoverageOutputs).gaps)
    expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })
  })

  it('marks the run failed after the last attempt and leaves nothing written', async () => {
    const { database, setUp } = suite
    const { start, wait } = await setUp({
      beforeCommit: () => {
        throw new Error('disk full')
      },
    })
    const { run } = await start({ facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] })
    const done = await wait(run.id)
    expect(done.state).toBe('failed')
    expect(done.attempts).toBe(3)
    expect(done.error).toContain('disk full')
    expect(done.outputs).toEqual({})
    expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
    expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
    // A failed run is not returned again: the same request starts afresh.
    const retried = await start({ facilityTypes: ['kindergarten'], distanceModels: ['euclidean'] })
    expect(retried.created).toBe(true)
  })

  it('stops a cancelled run between types without writing anything', async () => {
    const { database, setUp } = suite
    let cancelled = false
    const { start, wait } = await setUp({
      afterStep: async (context, step) => {
        if (step !== 1) return
        await cancelRun(database, context.runId)
        cancelled = true
      },
    })
    const { run } = await start({ facilityTypes: TYPES, distanceModels: MODELS })
    const done = await wait(run.id)
    expect(cancelled).toBe(true)
    expect(done.state).toBe('cancelled')
    expect(done.progress).toBeLessThan(1)
    expect(done.outputs).toEqual({})
    expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
    expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
    // Cancelling a finished run changes nothing.
    expect((await cancelRun(database, run.id))?.state).toBe('cancelled')
  })
}
