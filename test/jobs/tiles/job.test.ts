import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../../jobs/processors.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import { readManifest } from '../../../jobs/tiles/index.ts'
import { startTilesRun } from '../../../jobs/tiles/job.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'

let database: Database
let runner: InProcessRunner
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-run-'))

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
})
afterAll(async () => {
  await runner?.close()
  await database?.close()
  fs.rmSync(outDir, { recursive: true, force: true })
})

async function finished(runId: number) {
  for (let i = 0; i < 600; i++) {
    const [run] = await database.rows<{
      state: string
      outputs: Record<string, unknown>
      error: string | null
    }>(sql`select state, outputs, error from diagnostic_runs where id = ${runId}`)
    if (run && run.state !== 'queued' && run.state !== 'running') return run
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`run ${runId} did not finish`)
}

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

    await database.rows(sql`insert into problems (region_code, type, title, building_id, severity, source, year_found)
      select region_code, 'test', 'test', id, 2, 'inspection', 2025 from buildings order by id limit 1`)
    const updated = await finished(
      (await startTilesRun(database, runner, { regionCode: '310100', outDir })).runId,
    )
    expect(updated.outputs.refresh).toBe('updated')
  })
})
