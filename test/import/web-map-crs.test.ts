import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import proj4 from 'proj4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { migrateDatabase } from '../../server/db/client.ts'
import { NothingImportedError } from '../../server/import/errors.ts'
import { importCity } from '../../server/import/importer.ts'
import { ensureRegions } from '../../server/seed/regions.ts'
import { openEmptyTestDatabase } from '../helpers/database.ts'

let database: Database
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-crs-'))
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}
const pointCollection = (points: [string, number[]][]) => ({
  type: 'FeatureCollection',
  features: points.map(([id, coordinates]) => ({
    type: 'Feature',
    properties: { kind: 'kindergarten', id },
    geometry: { type: 'Point', coordinates },
  })),
})

beforeAll(async () => {
  database = await openEmptyTestDatabase()
  await migrateDatabase(database)
  await ensureRegions(database)
})
afterAll(async () => {
  await database?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const metresBetween = (a: number[], b: number[]) => {
  const lat = (((a[1] as number) + (b[1] as number)) / 2) * (Math.PI / 180)
  const dx = ((a[0] as number) - (b[0] as number)) * 111_320 * Math.cos(lat)
  const dy = ((a[1] as number) - (b[1] as number)) * 110_574
  return Math.hypot(dx, dy)
}

async function storedPoint(id: string): Promise<number[]> {
  const [row] = await database.rows<{ x: number; y: number }>(
    sql`select ST_X(geom) as x, ST_Y(geom) as y from facilities where source_id = ${id}`,
  )
  return [row?.x ?? 0, row?.y ?? 0]
}

/**
 * Published pairs from implementations independent of gcoord (lon, lat): the GCJ-02 pairs are the test points
 * of the eviltransform project (its forward transform is exact); the BD-09 pair is from the coordtransform
 * project's tests, whose inverse is itself approximate to a metre or two.
 */
const PAIRS = {
  'GCJ-02': [
    ['gcj-shanghai', [121.531541859215, 31.17530398364597], [121.5272106, 31.1774276]],
    ['gcj-shenzhen', [113.9171764808363, 22.540796131694766], [113.912316, 22.543847]],
    ['gcj-beijing', [116.38404722455657, 39.91334545536069], [116.377817, 39.911954]],
  ],
  'BD-09': [['bd-suzhou', [120.698967, 31.324966], [120.68817433685123, 31.320969743354603]]],
} as const

describe('web-map coordinate systems', () => {
  it('converts GCJ-02 (AMap, Tencent) to within half a metre of the known WGS84 points', async () => {
    const pairs = PAIRS['GCJ-02']
    const file = write('gcj.geojson', pointCollection(pairs.map(([id, gcj]) => [id, [...gcj]])))
    const report = await importCity(database, { files: [file], datasetName: 'gcj', crs: 'GCJ-02' })
    expect(report.rejected).toEqual([])
    for (const [id, gcj, wgs] of pairs) {
      const stored = await storedPoint(id)
      expect(metresBetween(stored, [...wgs]), id).toBeLessThan(0.5)
      // Without the conversion the point would land hundreds of metres away.
      expect(metresBetween([...gcj], [...wgs]), id).toBeGreaterThan(300)
    }
  })

  it('converts BD-09 (Baidu) from a CSV to within two metres of the known WGS84 point', async () => {
    const [[id, bd, wgs]] = PAIRS['BD-09']
    const file = write('baidu.csv', `id,kind,name,lng,lat\n${id},kindergarten,某幼儿园,${bd[0]},${bd[1]}\n`)
    const report = await importCity(database, { files: [file], datasetName: 'baidu', crs: 'BD-09' })
    expect(report.rejected).toEqual([])
    expect(metresBetween(await storedPoint(id), [...wgs])).toBeLessThan(2)
  })

  it('converts EPSG:3857 declared in the file to within a centimetre of proj4js', async () => {
    const lonLat = [121.4905, 31.2403]
    const xy = proj4('EPSG:4326', 'EPSG:3857', lonLat)
    const file = write('mercator.geojson', {
      ...pointCollection([['wm-bund', xy]]),
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } },
    })
    const report = await importCity(database, { files: [file], datasetName: 'mercator' })
    expect(report.rejected).toEqual([])
    expect(metresBetween(await storedPoint('wm-bund'), lonLat)).toBeLessThan(0.01)
  })

  it('rejects EPSG:3857 coordinates outside the Mercator square, naming the feature', async () => {
    const file = write(
      'mercator-bad.geojson',
      pointCollection([
        ['wm-ok', proj4('EPSG:4326', 'EPSG:3857', [121.49, 31.24])],
        ['wm-bad', [13_524_000, 40_000_000]],
      ]),
    )
    const report = await importCity(database, {
      files: [file],
      datasetName: 'mercator-bad',
      crs: 'EPSG:3857',
    })
    expect(report.rejected.map((r) => [r.sourceId, r.reason.includes('outside EPSG:3857')])).toEqual([
      ['wm-bad', true],
    ])
  })
})

describe('an import whose every feature is rejected', () => {
  const datasetCount = async (name: string) =>
    (await database.rows<{ n: number }>(sql`select count(*)::int as n from datasets where name = ${name}`))[0]
      ?.n

  it('fails with every rejection and registers no dataset, so the corrected file needs no --replace', async () => {
    const points = pointCollection([
      ['x1', [13_524_000, 3_664_000]],
      ['x2', [13_524_100, 3_664_000]],
    ])
    const bad = write('unknown-crs.geojson', {
      ...points,
      crs: { type: 'name', properties: { name: 'EPSG:2385' } },
    })
    const failure = await importCity(database, { files: [bad], datasetName: 'all-rejected' }).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(NothingImportedError)
    const rejected = (failure as NothingImportedError).rejected
    expect(rejected).toHaveLength(2)
    expect(rejected[0]?.reason).toContain('EPSG:2385 is not supported')
    expect(await datasetCount('all-rejected')).toBe(0)

    const fixed = write('fixed.geojson', {
      ...points,
      crs: { type: 'name', properties: { name: 'EPSG:3857' } },
    })
    const report = await importCity(database, { files: [fixed], datasetName: 'all-rejected' })
    expect(report.imported.facilities).toEqual({ kindergarten: 2 })
    expect(await datasetCount('all-rejected')).toBe(1)
  })

  it('rolls back the dataset when the features read fail only in the database stage', async () => {
    // A building part whose root is missing is rejected after staging: nothing else is left to import.
    const file = write('orphan-part.geojson', {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { kind: 'building_part', id: 'p1', root_id: 'missing', height: 10 },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [121.47, 31.21],
                [121.4702, 31.21],
                [121.4702, 31.2102],
                [121.47, 31.21],
              ],
            ],
          },
        },
      ],
    })
    await expect(importCity(database, { files: [file], datasetName: 'orphans' })).rejects.toThrow(
      NothingImportedError,
    )
    expect(await datasetCount('orphans')).toBe(0)
  })
})
