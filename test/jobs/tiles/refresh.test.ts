import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CITY_MASSING_DEPTH, cityTilesDir, refreshCityTiles } from '../../../jobs/tiles/city.ts'
import { readManifest } from '../../../jobs/tiles/manifest.ts'
import { parseTileKey } from '../../../jobs/tiles/quadtree.ts'
import type { Database } from '../../../server/db/client.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { removeTempDirs, tempDir } from './helpers.ts'

// What a refresh of the city's tiles does after changes: nothing, a patch, or a build afresh.
let database: Database
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.close()
  removeTempDirs()
})

describe('refreshCityTiles', () => {
  it('does nothing when nothing changed, rewrites one tile for a problem, rebuilds after a deletion', async () => {
    const out = cityTilesDir(tempDir())
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('unchanged')

    const [target] = await database.rows<{ id: number; region_code: string }>(
      sql`select id, region_code from buildings order by id limit 1`,
    )
    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      values (${target!.region_code}, 'safety', 'test: stairs', ${target!.id}, 2, 'survey', 2025, 'identified')`)
    const updated = await refreshCityTiles(database, { outDir: out })
    expect(updated.kind).toBe('updated')
    if (updated.kind !== 'updated') return
    // The building's leaf and the massings of its ancestors.
    expect(updated.result.tileKeys).toHaveLength(1)
    expect(updated.result.rewritten).toHaveLength(parseTileKey(updated.result.tileKeys[0]!).level + 1)
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('unchanged')

    const [victim] = await database.rows<{ id: number }>(
      sql`select id from buildings where id not in (select building_id from problems where building_id is not null)
        order by id desc limit 1`,
    )
    await database.rows(sql`delete from buildings where id = ${victim!.id}`)
    const rebuilt = await refreshCityTiles(database, { outDir: out })
    expect(rebuilt.kind).toBe('built')
    if (rebuilt.kind === 'built') expect(rebuilt.result.tileOf.has(Number(victim!.id))).toBe(false)
  })

  it('builds afresh after a build was cut off halfway (no saved source state)', async () => {
    const out = cityTilesDir(tempDir())
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    // A rebuild (a building deleted) dies while the buildings are read: the saved state is already gone.
    const [victim] = await database.rows<{ id: number }>(
      sql`select id from buildings where id not in (select building_id from problems where building_id is not null)
        order by id desc limit 1`,
    )
    await database.rows(sql`delete from buildings where id = ${victim!.id}`)
    const dialect = new PgDialect()
    const failing: Database = {
      ...database,
      rows: (query) =>
        /string_agg/.test(dialect.sqlToQuery(query).sql)
          ? Promise.reject(new Error('connection lost'))
          : database.rows(query),
    }
    await expect(refreshCityTiles(failing, { outDir: out })).rejects.toThrow('connection lost')
    expect(fs.existsSync(path.join(out, 'tileset.json'))).toBe(true)
    expect(fs.existsSync(path.join(out, 'source.json'))).toBe(false)
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('unchanged')
  })

  it('rebuilds a tileset an earlier version wrote with other tiling parameters', async () => {
    const out = cityTilesDir(tempDir())
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    const file = path.join(out, 'manifest.json')
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'))
    fs.writeFileSync(file, JSON.stringify({ ...manifest, geometricErrorScale: 0.03 }))
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    expect((await readManifest(out)).geometricErrorScale).toBe(manifest.geometricErrorScale)
    // A tileset written before block massings existed has no massingDepth.
    const { massingDepth: _, ...withoutMassings } = JSON.parse(fs.readFileSync(file, 'utf8'))
    fs.writeFileSync(file, JSON.stringify(withoutMassings))
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    expect((await readManifest(out)).massingDepth).toBe(CITY_MASSING_DEPTH)
    // A massing summary lost, or left as JSON by an earlier version: the next change cannot be patched in, so
    // the tileset is built afresh, and the JSON summaries are removed.
    fs.rmSync(path.join(out, 'massings', '0-0-0.bin'))
    fs.writeFileSync(path.join(out, 'massings', '0-0-0.json'), '{"groups":[]}\n')
    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      select region_code, 'safety', 'test: summary lost', id, 1, 'survey', 2025, 'identified'
      from buildings order by id desc limit 1`)
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('built')
    expect(fs.existsSync(path.join(out, 'massings', '0-0-0.bin'))).toBe(true)
    expect(fs.readdirSync(path.join(out, 'massings')).filter((f) => !f.endsWith('.bin'))).toEqual([])
    expect((await refreshCityTiles(database, { outDir: out })).kind).toBe('unchanged')
  })
})
