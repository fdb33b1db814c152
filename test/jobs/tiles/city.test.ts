import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BuildCityTilesetResult,
  buildCityTileset,
  cityTilesDir,
  updateCityTiles,
} from '../../../jobs/tiles/city.ts'
import { readManifest, TileIndex } from '../../../jobs/tiles/manifest.ts'
import { BUILDING_USES } from '../../../jobs/tiles/metadata.ts'
import { formatTileKey, parentCoord, parseTileKey } from '../../../jobs/tiles/quadtree.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import {
  type DecodedTile,
  decodeTile,
  formatIssues,
  readTileset,
  removeTempDirs,
  type TileJson,
  tempDir,
  validateGlbFile,
  walkTiles,
} from './helpers.ts'

interface DbBuilding {
  id: number
  west: number
  south: number
  east: number
  north: number
  height_m: number
  min_height_m: number
  use: string
  year_built: number | null
}

const RAD_TO_DEG = 180 / Math.PI

describe('buildCityTileset (Bund demo)', () => {
  let database: Database
  let dir: string
  let result: BuildCityTilesetResult
  let expected: Map<number, DbBuilding>
  /** Leaves: the buildings themselves. */
  let tiles: { uri: string; decoded: DecodedTile }[]
  /** Inner tiles: block massings, with the leaves below each. */
  let massings: { uri: string; geometricError: number; decoded: DecodedTile; leafIds: number[] }[]

  beforeAll(async () => {
    database = await openTestDatabase()
    dir = cityTilesDir(tempDir())
    result = await buildCityTileset(database, { outDir: dir, maxFeaturesPerTile: 400 })
    const rows = await database.rows<DbBuilding>(sql`
      select id, ST_XMin(footprint) as west, ST_YMin(footprint) as south, ST_XMax(footprint) as east,
        ST_YMax(footprint) as north, height_m, min_height_m, use, year_built
      from buildings order by id`)
    expected = new Map(rows.map((r) => [Number(r.id), r]))
    const tileset = readTileset(dir)
    const visits = walkTiles(tileset.root).filter((v) => v.tile.content)
    const decode = (v: (typeof visits)[number]) =>
      decodeTile(fs.readFileSync(path.join(dir, v.tile.content!.uri)), v.worldTransform)
    tiles = visits
      .filter((v) => !v.tile.children)
      .map((v) => ({ uri: v.tile.content!.uri, decoded: decode(v) }))
    const leafIdsBelow = (tile: TileJson): number[] =>
      tile.children
        ? tile.children.flatMap(leafIdsBelow)
        : Array.from(tiles.find((t) => t.uri === tile.content!.uri)!.decoded.columns.id as Uint32Array)
    massings = visits
      .filter((v) => v.tile.children)
      .map((v) => ({
        uri: v.tile.content!.uri,
        geometricError: v.tile.geometricError,
        decoded: decode(v),
        leafIds: leafIdsBelow(v.tile),
      }))
  })

  afterAll(async () => {
    await database?.close()
    removeTempDirs()
  })

  it('writes every building of the demo city exactly once', () => {
    expect(expected.size).toBe(1321)
    expect(result.buildings).toBe(1321)
    expect(result.skipped).toEqual([])
    expect(result.tiles).toBeGreaterThan(1)
    const ids = tiles.flatMap((t) => Array.from(t.decoded.columns.id as Uint32Array))
    expect(ids).toHaveLength(1321)
    expect(new Set(ids).size).toBe(1321)
    expect([...ids].sort((a, b) => a - b)).toEqual([...expected.keys()])
    expect(fs.existsSync(path.join(dir, 'tileset.json'))).toBe(true)
  })

  it('maps feature ids back to the right buildings (geometry and attributes)', () => {
    for (const { decoded } of tiles) {
      const ids = decoded.columns.id as Uint32Array
      const boxes = ids.map(() => 0)
      const bbox = Array.from(ids, () => [Infinity, Infinity, -Infinity, -Infinity, Infinity, -Infinity])
      for (let v = 0; v < decoded.vertexCount; v++) {
        const f = decoded.featureIds[v]!
        const b = bbox[f]!
        const lon = decoded.carto[3 * v]! * RAD_TO_DEG
        const lat = decoded.carto[3 * v + 1]! * RAD_TO_DEG
        const h = decoded.carto[3 * v + 2]!
        b[0] = Math.min(b[0]!, lon)
        b[1] = Math.min(b[1]!, lat)
        b[2] = Math.max(b[2]!, lon)
        b[3] = Math.max(b[3]!, lat)
        b[4] = Math.min(b[4]!, h)
        b[5] = Math.max(b[5]!, h)
        boxes[f] = 1
      }
      ids.forEach((id, f) => {
        const db = expected.get(id)!
        const b = bbox[f]!
        expect(boxes[f], `feature ${f} has vertices`).toBe(1)
        // ~1e-6° ≈ 0.1 m: float32 positions around a tile origin.
        expect(b[0]).toBeCloseTo(db.west, 5)
        expect(b[1]).toBeCloseTo(db.south, 5)
        expect(b[2]).toBeCloseTo(db.east, 5)
        expect(b[3]).toBeCloseTo(db.north, 5)
        expect(b[5]! - b[4]!).toBeCloseTo(db.height_m - db.min_height_m, 1)
        expect(decoded.columns.heightM[f]).toBeCloseTo(db.height_m - db.min_height_m, 3)
        expect(BUILDING_USES[decoded.columns.use[f] as number]).toBe(db.use)
        expect(decoded.columns.yearBuilt[f]).toBe(db.year_built ?? -1)
      })
    }
  })

  it('puts a block massing that stands for every building below it in each inner tile', async () => {
    const tileset = readTileset(dir)
    expect(tileset.root.refine).toBe('REPLACE')
    expect(massings.length).toBeGreaterThan(0)
    expect(massings.map((m) => m.uri)).toContain('0-0-0.glb')
    const rows = await database.rows<{ id: number; worst: number; n: number }>(sql`
      select b.id, coalesce(max(p.severity) filter (where p.state <> 'closed'), 0)::int as worst,
        (count(p.id) filter (where p.state <> 'closed'))::int as n
      from buildings b left join problems p on p.building_id = b.id group by b.id`)
    const open = new Map(rows.map((r) => [Number(r.id), r]))
    for (const m of massings) {
      const c = m.decoded.columns
      expect(
        Array.from(c.id as Uint32Array).every((id) => id === 0),
        m.uri,
      ).toBe(true)
      // Every building below is counted once, and the massing is no coarser than its boxes.
      expect(
        Array.from(c.buildings as Uint32Array).reduce((a, b) => a + b, 0),
        m.uri,
      ).toBe(m.leafIds.length)
      expect(
        Array.from(c.openProblems as Uint16Array).reduce((a, b) => a + b, 0),
        m.uri,
      ).toBe(m.leafIds.reduce((a, id) => a + Number(open.get(id)!.n), 0))
      expect(Math.max(...Array.from(c.worstSeverity as Uint8Array)), m.uri).toBe(
        Math.min(3, Math.max(...m.leafIds.map((id) => Number(open.get(id)!.worst)))),
      )
      expect(m.decoded.columns.id.length).toBeLessThanOrEqual(16 * 16)
      expect(m.geometricError).toBeGreaterThan(0)
    }
    for (const { tile, parent } of walkTiles(tileset.root)) {
      if (parent) expect(tile.geometricError).toBeLessThanOrEqual(parent.geometricError)
    }
    expect(tileset.geometricError).toBeGreaterThanOrEqual(tileset.root.geometricError)
  })

  it('stores the open-problem count and worst severity', async () => {
    const rows = await database.rows<{ building_id: number; n: number; worst: number }>(sql`
      select building_id, count(*)::int as n, max(severity)::int as worst from problems
      where state <> 'closed' and building_id is not null group by building_id`)
    const open = new Map(rows.map((r) => [Number(r.building_id), r]))
    for (const { decoded } of tiles) {
      const ids = decoded.columns.id as Uint32Array
      ids.forEach((id, f) => {
        const p = open.get(id)
        expect(decoded.columns.openProblems[f]).toBe(p ? Number(p.n) : 0)
        expect(decoded.columns.worstSeverity[f]).toBe(p ? Math.min(3, Number(p.worst)) : 0)
      })
    }
  })

  it('produces GLBs that pass the Khronos glTF validator with zero errors', async () => {
    for (const uri of result.contentUris) {
      const report = await validateGlbFile(path.join(dir, uri))
      expect(report.issues.numErrors, `${uri}\n${formatIssues(report)}`).toBe(0)
    }
  })

  it('restricts to a region by its scope prefix', async () => {
    const other = cityTilesDir(tempDir())
    const r = await buildCityTileset(database, { outDir: other, regionCode: '310101' })
    const [count] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings where region_code like '310101%'`,
    )
    expect(r.buildings).toBe(Number(count!.n))
    expect(r.buildings).toBeGreaterThan(0)
    expect(r.buildings).toBeLessThan(1321)
  })

  describe('updateCityTiles', () => {
    /** Decoded leaf tiles of `dir` (the buildings), keyed by file name. */
    const loadTiles = () =>
      new Map(
        walkTiles(readTileset(dir).root)
          .filter((v) => v.tile.content && !v.tile.children)
          .map((v) => {
            const uri = v.tile.content!.uri
            return [uri, decodeTile(fs.readFileSync(path.join(dir, uri)), v.worldTransform)] as const
          }),
      )
    const featureOf = (tiles: Map<string, DecodedTile>, id: number) => {
      const hits = [...tiles].flatMap(([uri, t]) => {
        const f = (t.columns.id as Uint32Array).indexOf(id)
        return f >= 0 ? [{ uri, tile: t, f }] : []
      })
      expect(hits, `building ${id} appears once`).toHaveLength(1)
      return hits[0]!
    }
    const mtimes = () =>
      new Map(
        fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.glb'))
          .map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]),
      )

    it('rewrites only the tile of a building whose problems changed, and the massings above it', async () => {
      const [target] = await database.rows<{ id: number; region_code: string }>(
        sql`select id, region_code from buildings order by height_m desc limit 1`,
      )
      const id = Number(target!.id)
      const before = mtimes()
      await database.rows(sql`
        insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
        values (${target!.region_code}, 'safety', 'test: facade', ${id}, 3, 'inspection', 2025, 'identified')`)
      await new Promise((r) => setTimeout(r, 20))
      const result = await updateCityTiles(database, { outDir: dir, buildingIds: [id] })
      const { uri, tile, f } = featureOf(loadTiles(), id)
      const leaf = uri.replace('.glb', '')
      expect(result.tileKeys).toEqual([leaf])
      // The leaf and the massing of every ancestor (all subdivided, all with content).
      const ancestors: string[] = []
      for (let c = parseTileKey(leaf); c.level > 0; ) {
        c = parentCoord(c)
        ancestors.push(formatTileKey(c))
      }
      expect(result.rewritten).toEqual([leaf, ...ancestors].sort())
      expect(tile.columns.worstSeverity[f]).toBe(3)
      expect(tile.columns.openProblems[f]).toBeGreaterThanOrEqual(1)
      const after = mtimes()
      for (const [file, mtime] of before) {
        if (result.rewritten.includes(file.replace('.glb', '')))
          expect(after.get(file)).toBeGreaterThan(mtime)
        else expect(after.get(file), file).toBe(mtime)
      }
      // The incremental result is exactly what a full build writes now.
      const fresh = cityTilesDir(tempDir())
      await buildCityTileset(database, { outDir: fresh, maxFeaturesPerTile: 400 })
      const files = (d: string) =>
        fs
          .readdirSync(d)
          .filter((name) => name.endsWith('.glb') || name === 'tileset.json')
          .sort()
      expect(files(dir)).toEqual(files(fresh))
      for (const name of files(fresh)) {
        expect(
          fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(fresh, name))),
          name,
        ).toBe(true)
      }
    })

    it('moves a building whose footprint moved to another tile and drops a deleted one', async () => {
      const index = new TileIndex(await readManifest(dir))
      const tiles = loadTiles()
      const keys = [...tiles.keys()].map((u) => u.replace('.glb', ''))
      expect(keys.length).toBeGreaterThan(1)
      const [from, to] = [keys[0]!, keys[keys.length - 1]!]
      const moved = (tiles.get(`${from}.glb`)!.columns.id as Uint32Array)[0]!
      const deleted = (tiles.get(`${from}.glb`)!.columns.id as Uint32Array)[1]!
      const target = index.extentDeg(to)
      const [dx, dy] = await database
        .rows<{ lon: number; lat: number }>(
          sql`select (ST_XMin(footprint) + ST_XMax(footprint)) / 2 as lon,
            (ST_YMin(footprint) + ST_YMax(footprint)) / 2 as lat from buildings where id = ${moved}`,
        )
        .then(([r]) => [
          (target.westDeg + target.eastDeg) / 2 - Number(r!.lon),
          (target.southDeg + target.northDeg) / 2 - Number(r!.lat),
        ])
      await database.rows(sql`update buildings set footprint = ST_Translate(footprint, ${dx}, ${dy}),
        centroid = ST_Translate(centroid, ${dx}, ${dy}) where id = ${moved}`)
      await database.rows(sql`delete from problems where building_id = ${deleted}`)
      await database.rows(sql`delete from buildings where id = ${deleted}`)

      const result = await updateCityTiles(database, {
        outDir: dir,
        buildingIds: [moved, deleted],
        footprintsChanged: true,
      })
      expect(result.tileKeys).toContain(from)
      expect(result.tileKeys).toContain(
        index.keyOfPoint((target.westDeg + target.eastDeg) / 2, (target.southDeg + target.northDeg) / 2),
      )
      const updated = loadTiles()
      expect(featureOf(updated, moved).uri).not.toBe(`${from}.glb`)
      const all = [...updated.values()].flatMap((t) => Array.from(t.columns.id as Uint32Array))
      expect(all).not.toContain(deleted)
      expect(new Set(all).size).toBe(all.length)
      expect(all).toHaveLength(1320)
      for (const key of result.rewritten) {
        const report = await validateGlbFile(path.join(dir, `${key}.glb`))
        expect(report.issues.numErrors, formatIssues(report)).toBe(0)
      }
    })
  })
})
