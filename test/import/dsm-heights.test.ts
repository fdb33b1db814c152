import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SurfaceBuilding, syntheticSurfaces } from '../../bench/synthetic/dsm.ts'
import { getRun, startHeightsRun } from '../../jobs/api.ts'
import type { HeightsRunOutputs } from '../../jobs/heights/job.ts'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { encodeGlobalId } from '../../schema/support/global-id.ts'
import type { Database } from '../../server/db/client.ts'
import { seedProblemTypes } from '../../server/seed/problem-types.ts'
import { type Api, startApi } from '../api/helpers/api.ts'
import { openTestDatabase } from '../helpers/database.ts'

// Part of the Bund demo: a synthetic DSM over it with known heights, some recorded ones made wrong.
const BOX = { minX: 121.4837, minY: 31.2357, maxX: 121.4903, maxY: 31.2423 }
/** 0.5 m pixels at Shanghai's latitude. */
const PIXEL = { x: 0.5 / (111_320 * Math.cos((31.239 * Math.PI) / 180)), y: 0.5 / 110_574 }
/** What the raster covers once its size is rounded to whole pixels. */
const EXTENT = {
  minX: BOX.minX,
  maxX: BOX.minX + Math.round((BOX.maxX - BOX.minX) / PIXEL.x) * PIXEL.x,
  maxY: BOX.maxY,
  minY: BOX.maxY - Math.round((BOX.maxY - BOX.minY) / PIXEL.y) * PIXEL.y,
}

interface DemoBuilding {
  id: number
  footprint: SurfaceBuilding['footprint']
  heightM: number
  heightSource: string
  overlaps: number[]
}

let database: Database
let api: Api
let runner: InProcessRunner
let demo: DemoBuilding[]
/** The height each building truly has in the synthetic world. */
const truth = new Map<number, number>()
const wrongRecorded = new Set<number>()
/** The wrong ones and any other whose recorded height the surface contradicts. */
const flaggedExpected = new Set<number>()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-dsm-'))

beforeAll(async () => {
  database = await openTestDatabase()
  await seedProblemTypes(database)
  runner = new InProcessRunner(database, createProcessors(), { maxAttempts: 1 })
  demo = await database.rows<DemoBuilding>(sql`
    select b.id, ST_AsGeoJSON(b.footprint)::json as footprint, b.height_m as "heightM",
      b.height_source as "heightSource",
      coalesce((select array_agg(o.id) from buildings o where o.id <> b.id and ST_Intersects(o.footprint, b.footprint)
        and ST_Area(ST_Intersection(o.footprint, b.footprint)) > 0), '{}') as overlaps
    from buildings b
    where ST_Intersects(b.centroid, ST_MakeEnvelope(${EXTENT.minX}, ${EXTENT.minY}, ${EXTENT.maxX}, ${EXTENT.maxY}, 4326))
    order by b.id`)
  // Every fifth building with a recorded height of its own stands 20 m taller than recorded; overlapping
  // footprints (a tower on its podium) share the tallest height, as a DSM sees only the top.
  demo.forEach((b, i) => {
    const wrong = b.heightSource === 'import' && b.overlaps.length === 0 && i % 5 === 0
    if (wrong) wrongRecorded.add(b.id)
    truth.set(b.id, wrong ? b.heightM + 20 : b.heightM)
  })
  for (const b of demo) {
    const group = [b.id, ...b.overlaps].map((id) => truth.get(id) ?? 0)
    if (b.overlaps.length > 0) truth.set(b.id, Math.max(...group))
  }
  // A podium under its tower is wrong too, seen from above: off by more than 5 m and 30 % (ADR 0020).
  for (const b of demo) {
    const off = Math.abs((truth.get(b.id) ?? 0) - b.heightM)
    if (b.heightSource === 'import' && off > 5 && off > 0.3 * Math.max(b.heightM, truth.get(b.id) ?? 0))
      flaggedExpected.add(b.id)
  }
  api = await startApi({ database })
}, 600_000)

afterAll(async () => {
  await runner?.close()
  await api?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function writeRasters(name: string, pixelScale = 1, date = '2025-04-18'): { dsm: string; dtm: string } {
  const surfaces = syntheticSurfaces(
    demo.map((b) => ({ footprint: b.footprint, heightM: truth.get(b.id) ?? 0 })),
    {
      ...BOX,
      pixelX: PIXEL.x / pixelScale,
      pixelY: PIXEL.y / pixelScale,
      date,
    },
  )
  const dsm = path.join(dir, `${name}-dsm.tif`)
  const dtm = path.join(dir, `${name}-dtm.tif`)
  fs.writeFileSync(dsm, Buffer.from(surfaces.dsm))
  fs.writeFileSync(dtm, Buffer.from(surfaces.dtm))
  return { dsm, dtm }
}

async function runHeights(dsmFile: string, dtmFile?: string): Promise<HeightsRunOutputs> {
  const { runId } = await startHeightsRun(database, runner, { dsmFile, dtmFile, regionCode: '310100' })
  await runner.idle()
  const run = await getRun(database, runId)
  expect(run?.error ?? null).toBeNull()
  expect(run?.state).toBe('succeeded')
  return run?.outputs as unknown as HeightsRunOutputs
}

async function storedHeights() {
  return database.rows<{ id: number; heightM: number; source: string; quality: string; date: string }>(sql`
    select id, height_m as "heightM", height_source as source, height_quality as quality,
      height_raster_date::text as date
    from buildings where id = any(${sql.param(demo.map((b) => b.id))}::int[]) order by id`)
}

describe('building heights from a DSM', () => {
  it('sets the heights within 1 m of the known ones with a DTM and flags the wrong recorded heights', async () => {
    expect(demo.length).toBeGreaterThan(50)
    expect(wrongRecorded.size).toBeGreaterThan(5)
    const rasters = writeRasters('with-dtm')
    const outputs = await runHeights(rasters.dsm, rasters.dtm)
    expect(outputs.updated).toBe(demo.length)
    expect(outputs.flagged).toBe(flaggedExpected.size)
    expect([...wrongRecorded].every((id) => flaggedExpected.has(id))).toBe(true)
    for (const row of await storedHeights()) {
      expect(Math.abs(row.heightM - (truth.get(row.id) ?? 0)), `building ${row.id}`).toBeLessThan(1)
      expect(row.source).toBe('dsm')
      expect(row.date).toBe('2025-04-18')
    }
    const problems = await database.rows<{ buildingId: number; details: Record<string, number> }>(sql`
      select building_id as "buildingId", details from problems where type = 'height_mismatch' order by building_id`)
    expect(problems.map((p) => p.buildingId)).toEqual([...flaggedExpected].sort((a, b) => a - b))
    const first = problems.find((p) => wrongRecorded.has(p.buildingId))
    const recorded = demo.find((b) => b.id === first?.buildingId)?.heightM ?? 0
    expect(first?.details.recordedHeightM).toBeCloseTo(recorded, 5)
    expect(Math.abs((first?.details.measuredHeightM ?? 0) - recorded - 20)).toBeLessThan(1)
  })

  it('says dsm in Building.heightSource, with the method, date and quality', async () => {
    const id = demo[0]?.id
    const response = await api.request<{
      node: { heightSource: string; heightMethod: string; heightRasterDate: string; heightQuality: string }
    }>(
      'query ($id: ID!) { node(id: $id) { ... on Building { heightSource heightMethod heightRasterDate heightQuality } } }',
      { id: encodeGlobalId('Building', id ?? 0) },
    )
    expect(response.body.errors).toBeUndefined()
    const node = response.body.data?.node
    expect(node?.heightSource).toBe('dsm')
    expect(node?.heightMethod).toContain('DTM median')
    expect(node?.heightRasterDate).toBe('2025-04-18')
    expect(['good', 'coarse', 'partial']).toContain(node?.heightQuality)
  })

  it('finds the ground around each footprint without a DTM and flags nothing new on a rerun', async () => {
    const rasters = writeRasters('dsm-only')
    const outputs = await runHeights(rasters.dsm)
    expect(outputs.updated).toBe(demo.length)
    // Recorded heights are kept from before the first DSM, so the same buildings stay flagged, once each.
    expect(outputs.flagged).toBe(flaggedExpected.size)
    const rows = await storedHeights()
    const within = rows.filter((r) => Math.abs(r.heightM - (truth.get(r.id) ?? 0)) < 1)
    expect(within.length / rows.length).toBeGreaterThan(0.9)
    const [{ n } = { n: 0 }] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from problems where type = 'height_mismatch'`,
    )
    expect(n).toBe(flaggedExpected.size)
  })

  it('reads a raster four times the size in windows of the same bounded size', async () => {
    const small = await runHeights(writeRasters('small').dsm)
    const large = await runHeights(writeRasters('large', 2).dsm)
    expect(large.windows).toBeGreaterThanOrEqual(small.windows * 3)
    expect(large.updated).toBe(small.updated)
    // A window holds at most its 512 × 512 pixels plus the rings of the buildings it measures.
    expect(large.maxWindowPixels).toBeLessThan(1_000_000)
    expect(large.maxWindowPixels).toBeLessThan(small.maxWindowPixels * 2)
  })

  it('refuses a raster in a CRS it cannot place, before queueing anything', async () => {
    const file = path.join(dir, 'mercator.tif')
    const { writeArrayBuffer } = await import('geotiff')
    const bytes = writeArrayBuffer(new Float32Array(4), {
      width: 2,
      height: 2,
      ModelPixelScale: [1, 1, 0],
      ModelTiepoint: [0, 0, 0, 13_524_000, 3_664_000, 0],
      ProjectedCSTypeGeoKey: 3857,
      GTModelTypeGeoKey: 1,
    })
    fs.writeFileSync(file, Buffer.from(bytes))
    await expect(startHeightsRun(database, runner, { dsmFile: file })).rejects.toThrow(/EPSG:3857.*must be/)
  })
})
