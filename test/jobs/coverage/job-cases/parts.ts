import { sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import type { CoverageOutputs } from '../../../../jobs/coverage/outputs.ts'
import { cancelRun } from '../../../../jobs/runs/rows.ts'
import type { JobContext } from '../../../../jobs/runs/types.ts'
import {
  type CoverageJobSuite,
  count,
  MODELS,
  partRuns,
  problemStats,
  TYPES,
  writtenGaps,
} from './helpers.ts'

/** A big region fans out into part runs; the join writes what one piece would, and a part's end is the run's. */
export function partCases(suite: CoverageJobSuite): void {
  it('splits a big region into parts and joins them into the outputs of one piece', async () => {
    const { database, setUp } = suite
    const { start, wait } = await setUp()
    // Two hospitals with a wide radius: many cells are served from beyond their own part's rectangle.
    const request = {
      facilityTypes: [...TYPES, 'hospital'],
      distanceModels: MODELS,
      radiusOverrides: { hospital: 1200 },
    }
    const whole = await wait((await start(request)).run.id)
    expect(whole.state).toBe('succeeded')
    expect(await partRuns(database, whole.id)).toEqual([])
    const expected = await writtenGaps(database, whole.id)
    const expectedOutputs = whole.outputs as unknown as CoverageOutputs
    await database.rows(sql`delete from problems where source = 'diagnosis'`)
    await database.rows(sql`delete from diagnostic_runs`)

    // 138 cells at most 40 per part: the k-d split makes 4 parts.
    const { run, created } = await start({ ...request, maxCellsPerPart: 40 })
    expect(created).toBe(true)
    const done = await wait(run.id)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')
    const parts = await partRuns(database, run.id)
    expect(parts.map((p) => [p.kind, p.state])).toEqual(Array(4).fill(['coverage_part', 'succeeded']))
    const cellsPerPart = (
      await database.rows<{ n: number }>(
        sql`select (outputs->'inputs'->>'cells')::int as n from diagnostic_runs where parent_id = ${run.id}`,
      )
    ).map((r) => r.n)
    expect(cellsPerPart.reduce((a, b) => a + b, 0)).toBe(expectedOutputs.inputs.cells)
    for (const n of cellsPerPart) expect(n).toBeLessThanOrEqual(40)
    // The joined run wrote what the whole run wrote, and the parts' arrays are gone.
    expect(await writtenGaps(database, run.id)).toEqual(expected)
    const outputs = done.outputs as unknown as CoverageOutputs
    expect(outputs.byModel).toEqual(expectedOutputs.byModel)
    expect(outputs.gaps).toBe(expectedOutputs.gaps)
    expect(await count(database, sql`select count(*) as n from coverage_run_parts`)).toBe(0)
    expect(await problemStats(database)).toEqual({ problems: expected.length, keys: expected.length })
  })

  it('retries a crashed part alone and fails the run when a part gives up', async () => {
    const { database, setUp } = suite
    let crashed = 0
    let parentId = 0
    let failThird = false
    const { start, wait } = await setUp({
      beforeCommit: (context: JobContext) => {
        if (context.runId === parentId + 1 && context.attempt === 1) {
          crashed++
          throw new Error('simulated crash in the first part')
        }
        if (context.runId === parentId + 3 && failThird) throw new Error('disk full in part 3')
      },
    })
    const request = { facilityTypes: ['kindergarten'], distanceModels: MODELS, maxCellsPerPart: 40 }
    const started = await start(request)
    parentId = started.run.id
    const done = await wait(parentId)
    expect(done.state).toBe('succeeded')
    expect(crashed).toBe(1)
    expect((await partRuns(database, parentId)).map((p) => p.attempts)).toEqual([2, 1, 1, 1])
    const gaps = await count(
      database,
      sql`select count(*) as n from coverage_gaps where run_id = ${parentId}`,
    )
    expect(gaps).toBe((done.outputs as unknown as CoverageOutputs).gaps)
    expect(await problemStats(database)).toEqual({ problems: gaps, keys: gaps })

    await database.rows(sql`delete from problems where source = 'diagnosis'`)
    await database.rows(sql`delete from diagnostic_runs`)
    failThird = true
    const again = await start(request)
    parentId = again.run.id
    crashed = 1 // the first part commits at once this time
    const failed = await wait(parentId)
    expect(failed.state).toBe('failed')
    expect(failed.error).toContain('disk full in part 3')
    expect((await partRuns(database, parentId)).map((p) => p.state)[2]).toBe('failed')
    expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
    expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
  })

  it('cancels the parts of a cancelled run and writes nothing', async () => {
    const { database, setUp } = suite
    let parentId = 0
    const { start, wait } = await setUp({
      afterStep: async (context) => {
        if (context.runId === parentId + 2) await cancelRun(database, parentId)
      },
    })
    const started = await start({ facilityTypes: TYPES, distanceModels: MODELS, maxCellsPerPart: 40 })
    parentId = started.run.id
    const done = await wait(parentId)
    expect(done.state).toBe('cancelled')
    const states = (await partRuns(database, parentId)).map((p) => p.state)
    expect(states[0]).toBe('succeeded')
    expect(states.slice(1)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(await count(database, sql`select count(*) as n from coverage_gaps`)).toBe(0)
    expect(await count(database, sql`select count(*) as n from coverage_run_parts`)).toBe(0)
    expect(await problemStats(database)).toEqual({ problems: 0, keys: 0 })
  })
}
