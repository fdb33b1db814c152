import fs from 'node:fs'
import { sql } from 'drizzle-orm'
import proj4 from 'proj4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { migrateDatabase } from '../../server/db/client.ts'
import { ImportError, ImportFileError } from '../../server/import/errors.ts'
import { importCity } from '../../server/import/importer.ts'
import { ensureRegions } from '../../server/seed/regions.ts'
import { openEmptyTestDatabase } from '../helpers/database.ts'
import { importFiles, square } from './fixtures.ts'

let database: Database
const { dir, write } = importFiles('citycheck-import-')
const feature = (properties: Record<string, unknown>, geometry: unknown) => ({
  type: 'Feature',
  properties,
  geometry,
})
const collection = (features: unknown[], crs?: string) => ({
  type: 'FeatureCollection',
  ...(crs ? { crs: { type: 'name', properties: { name: crs } } } : {}),
  features,
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

/** Metres between two lon/lat points at Shanghai's latitude (equirectangular is exact enough at this scale). */
const metresBetween = (a: number[], b: number[]) => {
  const lat = (((a[1] as number) + (b[1] as number)) / 2) * (Math.PI / 180)
  const dx = ((a[0] as number) - (b[0] as number)) * 111_320 * Math.cos(lat)
  const dy = ((a[1] as number) - (b[1] as number)) * 110_574
  return Math.hypot(dx, dy)
}

describe('importing bad input', () => {
  it('rejects each broken feature with its reason and imports the rest in one transaction', async () => {
    const file = write(
      'mixed.geojson',
      collection([
        feature({ kind: 'building', id: 1, height: 12 }, square(121.47, 31.21)),
        // unclosed ring
        feature(
          { kind: 'building', id: 2 },
          {
            type: 'Polygon',
            coordinates: [
              [
                [121.471, 31.21],
                [121.4712, 31.21],
                [121.4712, 31.2102],
                [121.471, 31.2102],
              ],
            ],
          },
        ),
        // not a number
        feature({ kind: 'building', id: 3 }, square(Number.NaN, 31.21)),
        // missing geometry
        feature({ kind: 'school', id: 4, name: '某小学' }, null),
        // projected coordinates declared as lon/lat
        feature({ kind: 'kindergarten', id: 5 }, { type: 'Point', coordinates: [641951.16, 3458540.87] }),
        feature(
          { kind: 'kindergarten', id: 6, name: '某幼儿园' },
          { type: 'Point', coordinates: [121.4705, 31.2105] },
        ),
        // duplicate id, elsewhere
        feature(
          { kind: 'kindergarten', id: 6, name: '另一个' },
          { type: 'Point', coordinates: [121.48, 31.22] },
        ),
      ]),
    )
    const csv = write(
      'facilities.csv',
      'id,kind,name,lon,lat\n10,clinic,社区卫生服务中心,121.4701,31.2101\n11,clinic,缺坐标,,\n12,clinic,越界,200,31.2\n',
    )
    const report = await importCity(database, {
      files: [file, csv],
      datasetName: 'bad-input',
      regionCode: '310101',
    })
    const reasons = report.rejected.map((r) => `${r.file}#${r.index}:${r.reason}`)
    expect(reasons, reasons.join('\n')).toHaveLength(7)
    expect(report.rejected).toHaveLength(7)
    expect(reasons.some((r) => r.startsWith('mixed.geojson#2:') && r.includes('not closed'))).toBe(true)
    expect(reasons.some((r) => r.startsWith('mixed.geojson#3:') && r.includes('not a finite number'))).toBe(
      true,
    )
    expect(reasons.some((r) => r.startsWith('mixed.geojson#4:') && r.includes('missing geometry'))).toBe(true)
    expect(reasons.some((r) => r.startsWith('mixed.geojson#5:') && r.includes('--crs'))).toBe(true)
    expect(reasons.some((r) => r.startsWith('mixed.geojson#7:') && r.includes('duplicate id 6'))).toBe(true)
    expect(reasons.some((r) => r.startsWith('facilities.csv#3:') && r.includes('missing coordinates'))).toBe(
      true,
    )
    expect(
      reasons.some((r) => r.startsWith('facilities.csv#4:') && r.includes('not a longitude/latitude')),
    ).toBe(true)
    expect(report.imported.buildings).toBe(1)
    expect(report.imported.facilities).toEqual({ clinic: 1, kindergarten: 1 })
  })

  it('rejects a whole file in an unsupported CRS and imports the other files', async () => {
    const file = write(
      'xian80.geojson',
      collection(
        [feature({ kind: 'school', id: 1 }, { type: 'Point', coordinates: [40_500_000, 3_464_000] })],
        'EPSG:2385',
      ),
    )
    const other = write(
      'wgs84.geojson',
      collection([feature({ kind: 'kindergarten', id: 2 }, { type: 'Point', coordinates: [121.47, 31.21] })]),
    )
    const report = await importCity(database, {
      files: [file, other],
      datasetName: 'xian80',
      regionCode: '310101',
    })
    expect(report.rejected).toHaveLength(1)
    expect(report.rejected[0]?.reason).toContain('EPSG:2385 is not supported')
    expect(report.imported.facilities).toEqual({ kindergarten: 1 })
  })

  it('writes nothing when strict and something is rejected, or when the dataset exists', async () => {
    const before = await database.rows<{ n: number }>(sql`select count(*)::int as n from buildings`)
    const file = write(
      'strict.geojson',
      collection([
        feature({ kind: 'building', id: 1 }, square(121.47, 31.22)),
        feature({ kind: 'building', id: 2 }, null),
      ]),
    )
    await expect(
      importCity(database, { files: [file], datasetName: 'strict', strict: true }),
    ).rejects.toThrow(ImportError)
    await expect(importCity(database, { files: [file], datasetName: 'bad-input' })).rejects.toThrow(
      /already exists/,
    )
    const after = await database.rows<{ n: number }>(sql`select count(*)::int as n from buildings`)
    expect(after).toEqual(before)
    const datasets = await database.rows<{ name: string }>(sql`select name from datasets order by id`)
    expect(datasets.map((d) => d.name)).toEqual(['bad-input', 'xian80'])
  })

  it('rolls back everything when the database refuses a row', async () => {
    const file = write(
      'ok.geojson',
      collection([feature({ kind: 'building', id: 9 }, square(121.47, 31.23))]),
    )
    await expect(
      importCity(database, { files: [file], datasetName: 'unknown-region', regionCode: '999999' }),
    ).rejects.toThrow(/unknown region code 999999/)
    const found = await database.rows(sql`select 1 from datasets where name = 'unknown-region'`)
    expect(found).toHaveLength(0)
  })
})

describe('coordinate reference systems', () => {
  const lonLat = [121.490123, 31.240456]
  it('takes CGCS2000 geographic (EPSG:4490) as is', async () => {
    const file = write(
      'cgcs2000.geojson',
      collection(
        [feature({ kind: 'kindergarten', id: 'k4490' }, { type: 'Point', coordinates: lonLat })],
        'urn:ogc:def:crs:EPSG::4490',
      ),
    )
    const report = await importCity(database, {
      files: [file],
      datasetName: 'crs-4490',
      regionCode: '310101',
    })
    expect(report.rejected).toEqual([])
    const [row] = await database.rows<{ x: number; y: number }>(
      sql`select ST_X(geom) as x, ST_Y(geom) as y from facilities where source_id = 'k4490'`,
    )
    expect(metresBetween([row?.x ?? 0, row?.y ?? 0], lonLat)).toBeLessThan(0.01)
  })

  it.each([
    // 3° Gauss-Krüger CM 120°E, no zone prefix in the easting
    ['EPSG:4549', '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs'],
    // 3° Gauss-Krüger zone 40 (CM 120°E) with the zone number in front of the easting
    ['EPSG:4528', '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=40500000 +y_0=0 +ellps=GRS80 +units=m +no_defs'],
  ])('transforms %s to within a centimetre of the expected point', async (crs, definition) => {
    // proj4js is an implementation independent of the PROJ library PostGIS uses.
    const [x, y] = proj4('EPSG:4326', definition, lonLat)
    const id = `gk-${crs}`
    const file = write(
      `${crs.replace(':', '-')}.geojson`,
      collection([feature({ kind: 'kindergarten', id }, { type: 'Point', coordinates: [x, y] })], crs),
    )
    const report = await importCity(database, {
      files: [file],
      datasetName: `crs-${crs}`,
      regionCode: '310101',
    })
    expect(report.rejected).toEqual([])
    const [row] = await database.rows<{ x: number; y: number }>(
      sql`select ST_X(geom) as x, ST_Y(geom) as y from facilities where source_id = ${id}`,
    )
    expect(metresBetween([row?.x ?? 0, row?.y ?? 0], lonLat)).toBeLessThan(0.01)
  })
})

describe('CSV input', () => {
  it('imports quoted newlines and quotes from an Excel "CSV UTF-8" file, numbering rejections by start line', async () => {
    // What Excel writes: a BOM, CRLF between records, a bare LF inside a cell, "" for a quote.
    const lines = [
      'Id,Kind,Name,Lon,Lat',
      '21,clinic,"社区卫生服务中心\n（东院）",121.4701,31.2101',
      '',
      '22,clinic,"the ""Bund"" clinic",121.4702,31.2102',
      '23,clinic,"跨两行\n的越界点",200,31.2',
      '24,clinic,缺坐标,,',
    ]
    const file = write('excel.csv', `\uFEFF${lines.join('\r\n')}\r\n`)
    const report = await importCity(database, {
      files: [file],
      datasetName: 'excel-csv',
      regionCode: '310101',
    })
    const rows = await database.rows<{ source_id: string; name: string }>(
      sql`select f.source_id, f.name from facilities f join datasets d on d.id = f.dataset_id
        where d.name = 'excel-csv' order by f.source_id`,
    )
    // A BOM left in the first header would make it "\uFEFFid", and no row would have its id.
    expect(rows).toEqual([
      { source_id: '21', name: '社区卫生服务中心\n（东院）' },
      { source_id: '22', name: 'the "Bund" clinic' },
    ])
    // Record 21 spans lines 2–3, line 4 is blank: record 23 starts on line 6, spans two, and 24 is on line 8.
    expect(report.rejected.map((r) => [r.file, r.index, r.sourceId])).toEqual([
      ['excel.csv', 6, '23'],
      ['excel.csv', 8, '24'],
    ])
    expect(report.rejected[0]?.reason).toContain('not a longitude/latitude')
    expect(report.rejected[1]?.reason).toContain('missing coordinates')
  })

  it('refuses a CSV with an unclosed quote, naming the line it opens on, and imports nothing', async () => {
    const good = write('good.csv', 'id,kind,name,lon,lat\n31,clinic,另一个文件,121.4703,31.2103\n')
    const broken = write(
      'broken.csv',
      'id,kind,name,lon,lat\n32,clinic,完好,121.4704,31.2104\n\n33,clinic,"未闭合,121.4705,31.2105\n34,clinic,之后,121.4706,31.2106\n',
    )
    const before = await database.rows<{ n: number }>(sql`select count(*)::int as n from facilities`)
    const failure = importCity(database, {
      files: [good, broken],
      datasetName: 'broken-csv',
      regionCode: '310101',
    })
    await expect(failure).rejects.toThrow(ImportFileError)
    await expect(failure).rejects.toThrow(
      'broken.csv is not valid CSV: a quote opened in the record on line 4 is never closed',
    )
    const after = await database.rows<{ n: number }>(sql`select count(*)::int as n from facilities`)
    expect(after).toEqual(before)
    const datasets = await database.rows(sql`select 1 from datasets where name = 'broken-csv'`)
    expect(datasets).toHaveLength(0)
  })
})
