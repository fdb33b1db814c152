import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type SQL, sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../../jobs/processors.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import { cancelRun } from '../../../jobs/runs/rows.ts'
import type { JobRunner } from '../../../jobs/runs/types.ts'
import { processTilesRun, startTilesRun } from '../../../jobs/tiles/job.ts'
import { readManifest } from '../../../jobs/tiles/manifest.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

let database: Database
let runner: InProcessRunner
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-run-'))
const otherDirs: string[] = []
const dialect = new PgDialect()
/** Takes runs and never runs them: the test calls the processor itself. */
const idle: JobRunner = { enqueue: async () => {}, close: async () => {} }

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
})
afterAll(async () => {
  await runner?.close()
  await database?.close()
  for (const dir of [outDir, ...otherDirs]) fs.rmSync(dir, { recursive: true, force: true })
})

function tempOutDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-run-'))
  otherDirs.push(dir)
  return dir
}

async function finished(runId: number) {
  for (let i = 0; i < 600; i++) {
    const [run] = await database.rows<{
      state: string
      outputs: Record<string, unknown>
      error: string | null
      attempts: number
    }>(sql`select state, outputs, error, attempts from diagnostic_runs where id = ${runId}`)
    if (run && run.state !== 'queued' && run.state !== 'running') return run
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`run ${runId} did not finish`)
}

/** The database, with `before` run ahead of the first statement whose SQL matches `pattern`. */
function interceptFirst(pattern: RegExp, before: () => Promise<void>): Database {
  let done = false
  return {
    ...database,
    rows: async <T>(query: SQL) => {
      if (!done && pattern.test(dialect.sqlToQuery(query).sql)) {
        done = true
        await before()
      }
      return database.rows<T>(query)
    },
  }
}

const openProblem = (title: string) =>
  database.rows(sql`insert into problems (region_code, type, title, building_id, severity, source, year_found)
    select region_code, 'test', ${title}, id, 2, 'inspection', 2025 from buildings order by id limit 1`)

describe('3D Tiles as a job on the diagnostics runner', () => {
  it('builds the city tileset, then refreshes only when something changed', async () => {
    const first = await startTilesRun(database, runner, { regionCode: '310100', outDir })
    expect(first.created).toBe(true)
    const built = await finished(first.runId)
    expect(built).toMatchObject({ state: 'succeeded', outputs: { refresh: 'built' } })
    const manifest = await readManifest(outDir)
    // Leaves hold the buildings; the inner tiles' block massings (with a geometric error) stand for them.
    const leaves = Object.values(manifest.tiles).filter((t) => t.geometricError === undefined)
    expect(leaves.reduce((n, t) => n + t.features, 0)).toBe(1321)

    const again = await finished(
      (await startTilesRun(database, runner, { regionCode: '310100', outDir })).runId,
    )
    expect(again.outputs.refresh).toBe('unchanged')

    await openProblem('test')
    const updated = await finished(
      (await startTilesRun(database, runner, { regionCode: '310100', outDir })).runId,
    )
    expect(updated.outputs.refresh).toBe('updated')
  })

  it('queues one run for two requests at once, and a new one once it has finished', async () => {
    const dir = tempOutDir()
    const request = { regionCode: '310100', outDir: dir }
    const [a, b] = await Promise.all([
      startTilesRun(database, idle, request),
      startTilesRun(database, idle, request),
    ])
    expect(a.runId).toBe(b.runId)
    expect([a.created, b.created].sort()).toEqual([false, true])
    await processTilesRun(database, { runId: a.runId, attempt: 1, maxAttempts: 1 })
    expect(await finished(a.runId)).toMatchObject({ state: 'succeeded', outputs: { refresh: 'built' } })
    const next = await startTilesRun(database, idle, request)
    expect(next).toMatchObject({ created: true })
    expect(next.runId).not.toBe(a.runId)
    await cancelRun(database, next.runId)
  })

  it('finishes the refresh on a retry after an attempt failed halfway', async () => {
    const dir = tempOutDir()
    const request = { regionCode: '310100', outDir: dir }
    await processTilesRun(database, {
      runId: (await startTilesRun(database, idle, request)).runId,
      attempt: 1,
      maxAttempts: 1,
    })
    await openProblem('test: retried')
    // The first attempt dies reading the changed buildings, after the run was claimed.
    const failing = interceptFirst(/ST_AsBinary\(ST_Force2D\(b.footprint/, async () => {
      throw new Error('connection lost')
    })
    const retrying = new InProcessRunner(failing, createProcessors(), { backoffMs: 10, onError: () => {} })
    try {
      const run = await finished((await startTilesRun(database, retrying, request)).runId)
      expect(run).toMatchObject({ state: 'succeeded', attempts: 2, outputs: { refresh: 'updated' } })
    } finally {
      await retrying.close()
    }
    const again = await startTilesRun(database, idle, request)
    await processTilesRun(database, { runId: again.runId, attempt: 1, maxAttempts: 1 })
    expect((await finished(again.runId)).outputs.refresh).toBe('unchanged')
  })

  it('does not mark a run succeeded that was cancelled while it wrote the tiles, nor run a cancelled one', async () => {
    const dir = tempOutDir()
    const { runId } = await startTilesRun(database, idle, { regionCode: '310100', outDir: dir })
    const cancelling = interceptFirst(/ST_AsBinary\(ST_Force2D\(b.footprint/, async () => {
      await cancelRun(database, runId)
    })
    await processTilesRun(cancelling, { runId, attempt: 1, maxAttempts: 1 })
    expect(await finished(runId)).toMatchObject({ state: 'cancelled', outputs: {} })
    // The files match the database all the same: they stay.
    expect(fs.existsSync(path.join(dir, 'tileset.json'))).toBe(true)

    const untouched = tempOutDir()
    const late = await startTilesRun(database, idle, { regionCode: '310100', outDir: untouched })
    await cancelRun(database, late.runId)
    await processTilesRun(database, { runId: late.runId, attempt: 1, maxAttempts: 1 })
    const [row] = await database.rows<{ state: string; attempts: number }>(
      sql`select state, attempts from diagnostic_runs where id = ${late.runId}`,
    )
    expect(row).toEqual({ state: 'cancelled', attempts: 0 })
    expect(fs.readdirSync(untouched)).toEqual([])
  })
})
