import fs from 'node:fs'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { migrateDatabase } from '../../server/db/client.ts'
import { importCity } from '../../server/import/importer.ts'
import { buildingYear, parseYear } from '../../server/import/years.ts'
import { REFERENCE_YEAR_SOURCE } from '../../server/seed/building-years.ts'
import { ensureRegions } from '../../server/seed/regions.ts'
import { openEmptyTestDatabase, openTestDatabase } from '../helpers/database.ts'
import { importFiles, square } from './fixtures.ts'

const { dir, write } = importFiles('citycheck-years-')

describe('reading construction years', () => {
  it.each([
    ['1929', 1929, false],
    [1929, 1929, false],
    ['1929-05-01', 1929, false],
    ['1929-05', 1929, false],
    ['1929年', 1929, false],
    ['~1930', 1930, true],
    ['ca. 1930', 1930, true],
    ['约1930年', 1930, true],
    ['1930?', 1930, true],
    ['1930s', 1930, true],
    ['1930年代', 1930, true],
    ['1929..1931', 1929, true],
    ['1929-1931', 1929, true],
    ['1929–31', 1929, true],
    ['1929至1931年', 1929, true],
    ['民国18年', 1929, false],
  ])('%s → %s', (raw, year, approximate) => {
    expect(parseYear(raw)).toEqual({ year, approximate })
  })

  it.each([
    ['C20', /century/],
    ['20世纪', /century/],
    ['unknown', /unreadable/],
    ['3024', /out of range/],
    ['', /empty/],
  ])('%s is no year (%s)', (raw, problem) => {
    const parsed = parseYear(raw)
    expect(parsed.year).toBeNull()
    expect(parsed.year === null && parsed.problem).toMatch(problem)
  })

  it('takes the first key holding a readable year, OSM tags before registry columns', () => {
    expect(buildingYear({ start_date: '1923', 建成年份: '1925' })).toMatchObject({
      year: 1923,
      key: 'start_date',
    })
    expect(buildingYear({ start_date: 'C20', 建成年代: '1950年代' })).toMatchObject({
      year: 1950,
      key: '建成年代',
    })
    expect(buildingYear({ 'building:start_date': 'C20' })).toMatchObject({
      year: null,
      key: 'building:start_date',
    })
    expect(buildingYear({ name: 'x' })).toBeNull()
  })
})

describe('importing construction years', () => {
  let database: Database

  beforeAll(async () => {
    database = await openEmptyTestDatabase()
    await migrateDatabase(database)
    await ensureRegions(database)
  })
  afterAll(async () => {
    await database?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('sets year_built from OSM tags and from a CSV registry, warns of unreadable years and keeps the building', async () => {
    const tagged = (id: number, lon: number, tags: Record<string, unknown>) => ({
      type: 'Feature',
      properties: { kind: 'building', id, height: 20, ...tags },
      geometry: square(lon, 31.23),
    })
    const footprints = write(
      'buildings.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          tagged(1, 121.48, { start_date: '1929-05-01' }),
          tagged(2, 121.481, { 'building:start_date': '~1930' }),
          tagged(3, 121.482, { construction_date: '1930s' }),
          tagged(4, 121.483, { start_date: 'C20' }),
          tagged(5, 121.484, {}),
          tagged(6, 121.485, {}),
        ],
      }),
    )
    // A registry: one row per building id at its label point, the year under a Chinese header.
    const registry = write('registry.csv', 'id,kind,lon,lat,建成年份\n5,building,121.4841,31.2301,1937\n')
    const report = await importCity(database, { files: [footprints, registry], datasetName: 'years' })
    expect(report.rejected).toEqual([])
    expect(report.imported.buildings).toBe(6)
    expect(report.yearsRead).toBe(4)
    expect(report.warnings).toEqual([
      { sourceId: '4', reason: expect.stringMatching(/start_date=C20.*century/) },
    ])
    const rows = await database.rows<{
      source_id: string
      year_built: number | null
      source: string | null
      approx: string | null
    }>(
      sql`select source_id, year_built, attributes->>'yearSource' as source, attributes->>'yearApproximate' as approx
        from buildings where dataset_id = ${report.dataset.id} order by source_id`,
    )
    expect(rows.map((r) => [r.source_id, r.year_built, r.source, r.approx])).toEqual([
      ['1', 1929, 'tag:start_date', null],
      ['2', 1930, 'tag:building:start_date', 'true'],
      ['3', 1930, 'tag:construction_date', 'true'],
      ['4', null, null, null],
      ['5', 1937, 'tag:建成年份', null],
      ['6', null, null, null],
    ])
    const [saved] = await database.rows<{ warnings: number }>(
      sql`select (report->>'warnings')::int as warnings from datasets where id = ${report.dataset.id}`,
    )
    expect(saved?.warnings).toBe(1)
  })
})

describe('reference years of the demo', () => {
  it('gives the Bund landmarks their cited years, marked as references, matched by name or address', async () => {
    const database = await openTestDatabase()
    try {
      const rows = await database.rows<{
        name: string | null
        number: string | null
        year: number
        source: string
      }>(
        sql`select b.name, b.attributes->>'addr_housenumber' as number, b.year_built as year,
            b.attributes->>'yearSource' as source
          from buildings b join datasets d on d.id = b.dataset_id and d.name = 'shanghai-bund'
          where b.year_built is not null order by b.year_built, b.id`,
      )
      const byName = (name: string) => rows.find((r) => r.name === name)?.year
      const byNumber = (n: string) => rows.find((r) => r.name === null && r.number === n)?.year
      expect(byName('上海海关')).toBe(1927)
      expect(byName('上海中心大厦')).toBe(2015)
      // Unnamed in the data: Sassoon House (No. 20), the Bank of China (No. 23), the HSBC building (No. 10-12).
      expect(byNumber('20')).toBe(1929)
      expect(byNumber('23')).toBe(1937)
      expect(byNumber('10-12')).toBe(1923)
      expect(rows.length).toBeGreaterThanOrEqual(15)
      expect(new Set(rows.map((r) => r.source))).toEqual(new Set([REFERENCE_YEAR_SOURCE]))
    } finally {
      await database.close()
    }
  })
})
