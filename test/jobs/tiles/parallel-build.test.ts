import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allocateColumns,
  type BuildingColumns,
  boxAt,
  concatColumns,
  footprintWkbAt,
  selectColumns,
  tileAttributesAt,
} from '../../../jobs/tiles/building-columns.ts'
import { buildCityTileset, CITY_MASSING_DEPTH } from '../../../jobs/tiles/city.ts'
import { loadBuildingColumns, paddedExtentOf } from '../../../jobs/tiles/city-columns.ts'
import { loadBuildings, tilesetFilter } from '../../../jobs/tiles/city-rows.ts'
import { footprintFromWkb } from '../../../jobs/tiles/footprint-wkb.ts'
import { readManifest } from '../../../jobs/tiles/manifest.ts'
import { planSubtrees } from '../../../jobs/tiles/parallel-build.ts'
import { footprintBoundsDeg, ROOT_TILE } from '../../../jobs/tiles/quadtree.ts'
import { TileWorkers } from '../../../jobs/tiles/tile-pool.ts'
import { generateTileset } from '../../../jobs/tiles/tileset.ts'
import type { GenerateTilesetResult } from '../../../jobs/tiles/types.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { removeTempDirs, tempDir } from './helpers.ts'

// A whole city's tileset is built in subtrees, on worker threads and the build's own thread (ADR 0008). Every file
// must be the one a build of all buildings on one thread writes, whatever the number of threads.

const MAX_FEATURES = 20

/** Building `i` of the columns as the row path reads it: attributes and decoded footprint. */
const tileBuildingAt = (columns: BuildingColumns, i: number) => ({
  ...tileAttributesAt(columns, i),
  footprint: footprintFromWkb(footprintWkbAt(columns, i)),
})
const tileBuildingsOf = (columns: BuildingColumns) =>
  Array.from({ length: columns.count }, (_, i) => tileBuildingAt(columns, i))

/** Every file under `dir` (relative path → bytes), the build's source.json left out. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'source.json') continue
    const full = path.join(entry.parentPath, entry.name)
    files.set(path.relative(dir, full), fs.readFileSync(full))
  }
  return files
}

const summary = (r: GenerateTilesetResult) => ({
  tiles: r.tiles,
  bytes: r.bytes,
  contentUris: r.contentUris,
  tileOf: [...r.tileOf].sort(([a], [b]) => a - b),
  skipped: r.skipped,
})

describe('a city tileset built in subtrees on worker threads', () => {
  let database: Database
  let reference: { dir: string; result: GenerateTilesetResult; files: Map<string, Buffer> }

  beforeAll(async () => {
    database = await openTestDatabase()
    // A building without height and one whose footprint has no extent: both reported as skipped.
    await database.rows(sql`
      insert into buildings (region_code, footprint, centroid, footprint_area_m2, height_m, use)
      select region_code, footprint, centroid, footprint_area_m2, 0, use from buildings order by id limit 1`)
    await database.rows(sql`
      insert into buildings (region_code, footprint, centroid, footprint_area_m2, height_m, use)
      select region_code, ST_Multi(ST_MakePolygon(ST_MakeLine(array[
          centroid, ST_Translate(centroid, 0.0001, 0), ST_Translate(centroid, 0.0002, 0), centroid]))),
        centroid, 0, 12, use
      from buildings order by id limit 1`)
    // Attributes of every kind: with and without year and floors, an open problem, a building not public.
    await database.rows(
      sql`update buildings set year_built = null, floors = null where id in (select id from buildings order by id limit 3)`,
    )
    await database.rows(
      sql`update buildings set year_built = 1990, floors = 6 where id in (select id from buildings order by id offset 3 limit 3)`,
    )
    await database.rows(
      sql`update buildings set is_public = false where id = (select id from buildings order by id offset 7 limit 1)`,
    )
    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      select region_code, 'safety', 'test: facade', id, 3, 'inspection', 2025, 'identified'
      from buildings order by id offset 10 limit 1`)
    const where = tilesetFilter(undefined, false)
    const dir = tempDir()
    const result = await generateTileset(await loadBuildings(database, where), {
      outDir: dir,
      rootExtentDeg: paddedExtentOf(await loadBuildingColumns(database, where)),
      maxFeaturesPerTile: MAX_FEATURES,
      massingDepth: CITY_MASSING_DEPTH,
    })
    reference = { dir, result, files: filesOf(dir) }
  }, 120_000)

  afterAll(async () => {
    await database?.close()
    removeTempDirs()
  })

  it('plans subtrees below the massings it writes itself, enough for every thread', async () => {
    const manifest = await readManifest(reference.dir)
    expect(manifest.split.length).toBeGreaterThan(20)
    const plan = planSubtrees(leavesOf(manifest.split), manifest.split, CITY_MASSING_DEPTH, 3)
    expect(plan.above).toContain('0-0-0')
    expect(plan.subtrees.length).toBeGreaterThanOrEqual(12)
    const written = plan.subtrees.flatMap((s) => s.massings)
    expect(new Set([...written, ...plan.above])).toEqual(new Set(manifest.split))
    expect(written.length + plan.above.length).toBe(manifest.split.length)
  })

  it.each([0, 1, 2])(
    'writes the one-thread build byte for byte with %i worker threads',
    async (workers) => {
      const dir = tempDir()
      const result = await buildCityTileset(database, {
        outDir: dir,
        maxFeaturesPerTile: MAX_FEATURES,
        workers,
      })
      expect(summary(result)).toEqual(summary(reference.result))
      expect(result.skipped.map((s) => s.reason)).toEqual([
        'heightM is not a positive number',
        'degenerate footprint',
      ])
      const files = filesOf(dir)
      expect([...files.keys()].sort()).toEqual([...reference.files.keys()].sort())
      expect([...files.keys()].filter((f) => f.startsWith('massings')).length).toBeGreaterThan(20)
      for (const [name, bytes] of reference.files) expect(files.get(name)?.equals(bytes), name).toBe(true)
    },
    120_000,
  )

  it('reads the buildings as columns that decode to the rows an update reads', async () => {
    for (const publicOnly of [false, true]) {
      const where = tilesetFilter(undefined, publicOnly)
      const columns = await loadBuildingColumns(database, where, !publicOnly)
      // In the order the database sends them; the build sorts by id.
      const buildings = tileBuildingsOf(columns).sort((a, b) => a.id - b.id)
      expect(buildings).toEqual(await loadBuildings(database, where, !publicOnly))
      for (const field of ['yearBuilt', 'floors'] as const) {
        expect(buildings.some((b) => b[field] === null)).toBe(true)
        expect(buildings.some((b) => b[field] !== null)).toBe(true)
      }
      expect(buildings.some((b) => b.openProblems > 0 && b.worstSeverity === 3)).toBe(!publicOnly)
      // Each footprint's box as the decoded rings give it; chunks put together keep every column and footprint.
      for (let i = 0; i < columns.count; i++) {
        expect(boxAt(columns, i)).toEqual(footprintBoundsDeg(tileBuildingAt(columns, i).footprint))
      }
      const cut = [0, 1, Math.floor(columns.count / 3), columns.count]
      const parts = cut.slice(1).map((end, k) =>
        selectColumns(
          columns,
          Array.from({ length: end - cut[k]! }, (_, j) => cut[k]! + j),
        ),
      )
      expect(concatColumns(parts)).toEqual(columns)
      // The root extent: the footprints' (PostGIS's, up to its float4 boxes) with a margin of 0.005°.
      const [e] = await database.rows<{ w: number; s: number; e: number; n: number }>(sql`
        select ST_XMin(x) as w, ST_YMin(x) as s, ST_XMax(x) as e, ST_YMax(x) as n
        from (select ST_Extent(b.footprint) as x from buildings b where ${where}) t`)
      const padded = paddedExtentOf(columns)
      const expected = [
        Number(e!.w) - 0.005,
        Number(e!.s) - 0.005,
        Number(e!.e) + 0.005,
        Number(e!.n) + 0.005,
      ]
      const got = [padded.westDeg, padded.southDeg, padded.eastDeg, padded.northDeg]
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k]! - expected[k]!)).toBeLessThan(1e-4)
    }
    expect(paddedExtentOf(allocateColumns(0, 0))).toEqual({
      westDeg: 0,
      southDeg: 0,
      eastDeg: 1,
      northDeg: 1,
    })
  })
})

/** The leaves of a quadtree with these split cells (without their buildings). */
function leavesOf(splitKeys: readonly string[]) {
  const split = new Set(splitKeys)
  const leaves: Parameters<typeof planSubtrees>[0][number][] = []
  const visit = (level: number, x: number, y: number) => {
    const key = `${level}-${x}-${y}`
    if (!split.has(key)) {
      leaves.push({ key, coord: { level, x, y }, items: [] })
      return
    }
    for (const [dx, dy] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const)
      visit(level + 1, 2 * x + dx, 2 * y + dy)
  }
  visit(ROOT_TILE.level, ROOT_TILE.x, ROOT_TILE.y)
  return leaves
}

describe('the tile worker threads', () => {
  it('fail a subtree they cannot build with its error and go on with the next', async () => {
    const workers = TileWorkers.start(1)
    try {
      const broken = allocateColumns(1, 21)
      const point = new DataView(broken.wkb.buffer)
      point.setUint8(0, 1)
      point.setUint32(1, 1, true)
      broken.id[0] = 7
      broken.heightM[0] = 10
      broken.wkbStart[1] = 21
      const dir = tempDir()
      const manifest = {
        format: 'citycheck-3dtiles-manifest',
        version: 1,
        rootExtentDeg: { westDeg: 0, southDeg: 0, eastDeg: 1, northDeg: 1 },
        maxFeaturesPerTile: 10,
        maxLevel: 20,
        geometricErrorScale: 0.5,
        massingDepth: 0,
        split: [],
        tiles: {},
      } as const
      const task = (columns: typeof broken, items: number[]) => ({
        outDir: dir,
        manifest: { ...manifest, split: [], tiles: {} },
        columns,
        leaves: [{ key: '0-0-0', coord: { level: 0, x: 0, y: 0 }, items }],
        massings: [],
        above: [],
      })
      await expect(workers.run(task(broken, [0]), [])).rejects.toThrow(
        /Polygon or MultiPolygon, not WKB type 1/,
      )
      const empty = await workers.run(task(allocateColumns(0, 0), []), [])
      expect(empty).toEqual({ tiles: {}, bytes: 0, drawn: { '0-0-0': [] }, skipped: [], aboveGroups: [] })
    } finally {
      await workers.close()
    }
    await expect(workers.run({} as never, [])).rejects.toThrow(/closed/)
  })
})
