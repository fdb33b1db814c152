import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticSurfaces } from '../../bench/synthetic/dsm.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { openTestDatabase } from '../helpers/database.ts'

// The import commands as an operator runs them, against a copy of the demo database.
let database: Database
let databaseUrl: string
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-cli-'))

beforeAll(async () => {
  database = await openTestDatabase()
  databaseUrl = String((database.pool as pg.Pool).options.connectionString)
})
afterAll(async () => {
  await database?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function npm(script: string, args: string[]) {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 120_000,
  })
  const lines = result.stdout.trim().split('\n')
  return { ...result, last: lines.at(-1) ?? '' }
}

const points = (coordinates: number[][], crs?: string) =>
  JSON.stringify({
    type: 'FeatureCollection',
    ...(crs ? { crs: { type: 'name', properties: { name: crs } } } : {}),
    features: coordinates.map((c, i) => ({
      type: 'Feature',
      properties: { kind: 'kindergarten', id: `cli-${i}`, name: `幼儿园${i}` },
      geometry: { type: 'Point', coordinates: c },
    })),
  })

describe('npm run import', () => {
  it('takes GCJ-02 input with --crs and fails, leaving no dataset, when every feature is rejected', async () => {
    const gcj = path.join(dir, 'amap.geojson')
    fs.writeFileSync(gcj, points([[121.531541859215, 31.17530398364597]]))
    const ok = npm('import', [gcj, '--crs', 'GCJ-02', '--dataset', 'cli-amap', '--region', '310101'])
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('rejected: 0')

    const bad = path.join(dir, 'unknown.geojson')
    fs.writeFileSync(bad, points([[13_524_000, 3_664_000]], 'EPSG:2385'))
    const failed = npm('import', [bad, '--dataset', 'cli-unknown', '--region', '310101'])
    expect(failed.status).toBe(1)
    expect(failed.stderr).toContain('all 1 features were rejected')
    expect(failed.stdout).toContain('EPSG:2385 is not supported')
    const datasets = await database.rows<{ name: string }>(
      sql`select name from datasets where name like 'cli-%' order by name`,
    )
    expect(datasets.map((d) => d.name)).toEqual(['cli-amap'])
  })

  it('imports heights from a DSM and ends with the JSON summary', async () => {
    const box = { minX: 121.484, minY: 31.24, maxX: 121.486, maxY: 31.242 }
    const buildings = await database.rows<{ footprint: never; heightM: number }>(sql`
      select ST_AsGeoJSON(footprint)::json as footprint, height_m as "heightM" from buildings
      where ST_Intersects(centroid, ST_MakeEnvelope(${box.minX}, ${box.minY}, ${box.maxX}, ${box.maxY}, 4326))`)
    expect(buildings.length).toBeGreaterThan(0)
    const surfaces = syntheticSurfaces(buildings, { ...box, pixelX: 0.00001, pixelY: 0.00001 })
    const dsm = path.join(dir, 'dsm.tif')
    const dtm = path.join(dir, 'dtm.tif')
    fs.writeFileSync(dsm, Buffer.from(surfaces.dsm))
    fs.writeFileSync(dtm, Buffer.from(surfaces.dtm))
    const result = npm('import', ['--dsm', dsm, '--dtm', dtm, '--raster-date', '2025-03-01'])
    expect(result.status, result.stderr).toBe(0)
    const summary = JSON.parse(result.last) as Record<string, number>
    expect(Object.keys(summary)).toEqual(['buildings', 'updated', 'flagged'])
    expect(summary.updated).toBeGreaterThan(0)
    expect(summary.flagged).toBe(0)
  })

  it('refuses a raster it cannot place with exit code 1', () => {
    const result = npm('import', ['--dsm', path.join(dir, 'missing.tif')])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('missing.tif')
  })
})

describe('npm run addresses', () => {
  it('matches a list to the buildings and ends with the JSON counts', () => {
    const list = path.join(dir, 'list.csv')
    fs.writeFileSync(
      list,
      '地址\n上海黄浦区中山东一路２９號\n上海市浦东新区世纪大道8号\n上海市黄浦区不存在路1号\n',
    )
    const result = npm('addresses', [list])
    expect(result.status, result.stderr).toBe(0)
    expect(JSON.parse(result.last)).toEqual({ matched: 1, ambiguous: 1, unmatched: 1 })
    expect(result.stdout).toContain('no building on 不存在路')
  })

  it('refuses a list without a column named 地址', () => {
    const list = path.join(dir, 'bad.csv')
    fs.writeFileSync(list, 'address\nfoo\n')
    const result = npm('addresses', [list])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('地址')
  })
})
