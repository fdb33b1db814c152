import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'
import { seedDatabase } from '../server/seed/demo.ts'
import { createScratchDatabase, dropScratchDatabase, postgresUrl } from './database.ts'
import { type SurfaceBuilding, syntheticSurfaces } from './synthetic/dsm.ts'

/** The Bund demo's extent, a little wider than its buildings. */
const EXTENT = { minX: 121.4805, minY: 31.2262, maxX: 121.521, maxY: 31.251 }
const METRE_X = 1 / (111_320 * Math.cos((31.24 * Math.PI) / 180))
const METRE_Y = 1 / 110_574

/**
 * `npm run bench -- heights [pixelM]`: a synthetic DSM over the whole Bund demo at `pixelM` (default 1 m) and at
 * half that (four times the pixels), each imported by `npm run import -- --dsm` in a process of its own on a
 * scratch PostgreSQL database; reports the file sizes, the peak resident memory and the time of each run.
 */
export async function runHeightsBench(args: string[]): Promise<unknown> {
  const pixelM = Number(args[0] ?? 1)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-heights-bench-'))
  const name = `citycheck_bench_heights_${process.pid}`
  const url = await createScratchDatabase(postgresUrl(), name)
  try {
    const database = await openDatabase({ databaseUrl: url })
    await migrateDatabase(database)
    await seedDatabase(database, { demo: true })
    const buildings = await database.rows<SurfaceBuilding>(sql`
      select ST_AsGeoJSON(footprint)::json as footprint, height_m as "heightM" from buildings`)
    await database.close()
    const runs = []
    for (const scale of [1, 2]) {
      const file = path.join(dir, `dsm-${scale}.tif`)
      writeDsm(buildings, pixelM / scale, file)
      runs.push({
        pixelM: pixelM / scale,
        fileMB: mb(fs.statSync(file).size),
        ...(await importDsm(url, file)),
      })
      fs.rmSync(file)
    }
    return { bench: 'heights', buildings: buildings.length, runs }
  } finally {
    await dropScratchDatabase(postgresUrl(), name)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function writeDsm(buildings: SurfaceBuilding[], pixelM: number, file: string): void {
  const surfaces = syntheticSurfaces(buildings, {
    ...EXTENT,
    pixelX: pixelM * METRE_X,
    pixelY: pixelM * METRE_Y,
  })
  fs.writeFileSync(file, Buffer.from(surfaces.dsm))
}

/** Runs the import command and samples its process tree's resident memory from /proc every 50 ms. */
async function importDsm(url: string, file: string): Promise<Record<string, unknown>> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', '--dsm', file], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  let peakKB = 0
  const timer = setInterval(() => {
    peakKB = Math.max(peakKB, highWaterKB(child.pid ?? 0))
  }, 50)
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  clearInterval(timer)
  const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>
  return {
    exitCode: code,
    peakRssMB: mb(peakKB * 1024),
    seconds: (performance.now() - started) / 1000,
    ...summary,
  }
}

/** VmHWM (peak resident set) of a live process, in kB; 0 once it is gone. */
function highWaterKB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  } catch {
    return 0
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10
