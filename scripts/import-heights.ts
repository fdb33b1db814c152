import { getRun, startHeightsRun } from '../jobs/api.ts'
import type { HeightsRunOutputs } from '../jobs/heights/job.ts'
import { createProcessors } from '../jobs/processors.ts'
import { InProcessRunner } from '../jobs/runs/in-process.ts'
import type { Database } from '../server/db/client.ts'
import { seedProblemTypes } from '../server/seed/problem-types.ts'

export interface HeightImportOptions {
  dsm: string
  dtm?: string | undefined
  rasterDate?: string | undefined
  region?: string | undefined
}

/**
 * `npm run import -- --dsm`: queues a height run and runs it here, as the worker would, printing its progress;
 * the last line is the JSON summary `{"buildings", "updated", "flagged"}`. Exit code 1 when the run fails.
 */
export async function importHeights(database: Database, options: HeightImportOptions): Promise<number> {
  // The mismatch problems need their type; the seed adds only what is missing.
  await seedProblemTypes(database)
  const runner = new InProcessRunner(database, createProcessors(), { maxAttempts: 1 })
  try {
    const { runId } = await startHeightsRun(database, runner, {
      dsmFile: options.dsm,
      dtmFile: options.dtm,
      rasterDate: options.rasterDate,
      regionCode: options.region,
      requestedBy: 'cli',
    })
    console.log(`height run #${runId} (diagnostic_runs, kind heights)`)
    await runner.idle()
    const run = await getRun(database, runId)
    if (run?.state !== 'succeeded') {
      console.error(`高度导入失败 / height import failed: ${run?.error ?? run?.state ?? 'run not found'}`)
      return 1
    }
    const outputs = run.outputs as unknown as HeightsRunOutputs
    console.log(
      `raster date ${outputs.rasterDate ?? 'unknown'}, ${outputs.windows} windows; quality: ` +
        Object.entries(outputs.qualities)
          .map(([q, n]) => `${q} ${n}`)
          .join(', '),
    )
    console.log(
      JSON.stringify({ buildings: outputs.buildings, updated: outputs.updated, flagged: outputs.flagged }),
    )
    return 0
  } finally {
    await runner.close()
  }
}
