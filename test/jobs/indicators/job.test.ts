import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FacilityRule, naiveCoverage, type PopulationCell } from '../../../jobs/coverage/engine/index.ts'
import {
  computeCampaignIndicators,
  type IndicatorRunResult,
  startIndicatorRun,
} from '../../../jobs/indicators/job.ts'
import { createProcessors } from '../../../jobs/processors.ts'
import { UnknownCampaignError } from '../../../jobs/runs/errors.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import type { Database } from '../../../server/db/client.ts'
import { FACILITY_TYPES } from '../../../server/db/facilities.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { countGridGroups, readDemoInputs } from './reference.ts'

/**
 * Computed indicators on the Bund demo city. Every expected value is worked out here from the raw rows: cells
 * and roads read with queries of the test's own, coverage by the brute-force reference (one Dijkstra per cell),
 * blind spots by a union-find over grid neighbours, lengths and areas by PostGIS on geography.
 */

const DISTRICTS = ['310101', '310109', '310115'] as const
const NORM = 0.08

interface ValueRow {
  code: string
  unit_type: string
  unit_key: string
  value: number
  source: string
  run_id: number | null
}

let database: Database
let campaignId: number
let systemId: number
let first: IndicatorRunResult

async function values(): Promise<ValueRow[]> {
  return database.rows<ValueRow>(sql`
    select i.code, v.unit_type, v.unit_key, v.value, v.source, v.run_id
    from indicator_values v join indicators i on i.id = v.indicator_id
    where v.campaign_id = ${campaignId} order by i.code, v.unit_type, v.unit_key`)
}

function valueFor(rows: ValueRow[], code: string, unit: string): number | undefined {
  return rows.find((r) => r.code === code && r.unit_type === 'region' && r.unit_key === unit)?.value
}

beforeAll(async () => {
  database = await openTestDatabase()
  const [system] = await database.rows<{ id: number }>(
    sql`select id from indicator_systems where level = 'national' order by year desc, id desc limit 1`,
  )
  systemId = system!.id
  // A per-capita norm for primary-school seats, so that the capacity calculator has something to compute, and a
  // known capacity on one school.
  await database.rows(sql`
    update indicator_systems
    set settings = jsonb_set(settings, '{serviceRadii,byFacilityType,primary_school,perCapitaNorm}', ${String(NORM)}::jsonb)
    where id = ${systemId}`)
  await database.rows(sql`
    update facilities set capacity = 30 where id = (select min(id) from facilities where type = 'primary_school')`)
  // Idle land in Huangpu: two counted rows, one rejected and one of another kind that are not.
  const square = `SRID=4326;POLYGON((121.48 31.23,121.481 31.23,121.481 31.231,121.48 31.231,121.48 31.23))`
  await database.rows(sql`
    insert into stock_resources (region_code, kind, name, geom, area_m2, verification_state) values
      ('310101', 'idle_land', 'a', ST_GeomFromEWKT(${square}), 12000, 'verified'),
      ('310101', 'low_efficiency_land', 'b', ST_GeomFromEWKT(${square}), 3000, 'reported'),
      ('310101', 'idle_land', 'c', ST_GeomFromEWKT(${square}), 50000, 'rejected'),
      ('310101', 'idle_building', 'd', ST_GeomFromEWKT(${square}), 70000, 'verified')`)
  const [campaign] = await database.rows<{ id: number }>(sql`
    insert into campaigns (kind, year, name, region_code, system_id)
    values ('annual', 2025, '上海市 2025 年度体检', '310100', ${systemId}) returning id`)
  campaignId = campaign!.id
  // A department's reported road density for Hongkou must survive the computation.
  await database.rows(sql`
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, source)
    select ${campaignId}, id, 'region', '310109', '310109', 42, 'reported'
    from indicators where system_id = ${systemId} and code = 'U05'`)
  first = await computeCampaignIndicators(database, campaignId, { requestedBy: 'test' })
}, 120_000)

afterAll(async () => {
  await database?.close()
})

describe('blocks derived for the demo city', () => {
  it('cover the buildings and compounds without overlapping', async () => {
    const [b] = await database.rows<{
      blocks: number
      area_km2: number
      union_km2: number
      districts_km2: number
      buildings: number
      with_block: number
      compounds: number
      compounds_with_block: number
      outside: number
    }>(sql`
      select (select count(*) from blocks)::int as blocks,
        (select sum(ST_Area(ST_Transform(geom, 4550))) / 1e6 from blocks)::float8 as area_km2,
        (select ST_Area(ST_Transform(ST_Union(geom), 4550)) / 1e6 from blocks)::float8 as union_km2,
        (select sum(ST_Area(ST_Transform(boundary, 4550))) / 1e6 from regions
          where code in ('310101', '310109', '310115'))::float8 as districts_km2,
        (select count(*) from buildings)::int as buildings,
        (select count(block_id) from buildings)::int as with_block,
        (select count(*) from compounds)::int as compounds,
        (select count(block_id) from compounds)::int as compounds_with_block,
        (select count(*) from blocks k join regions r on r.code = k.region_code
          where not ST_Within(ST_PointOnSurface(k.geom), r.boundary))::int as outside`)
    expect(b!.blocks).toBeGreaterThan(50)
    expect(b!.with_block / b!.buildings).toBeGreaterThan(0.95)
    expect(b!.compounds_with_block).toBe(b!.compounds)
    // No overlap: the union is as large as the sum. Slivers and strips are dropped, so a little less than the
    // districts, never more.
    expect(Math.abs(b!.union_km2 - b!.area_km2) / b!.area_km2).toBeLessThan(1e-6)
    expect(b!.area_km2).toBeLessThanOrEqual(b!.districts_km2 * 1.001)
    expect(b!.area_km2).toBeGreaterThan(b!.districts_km2 * 0.9)
    expect(b!.outside).toBe(0)
    // A building's block is the one holding its interior point.
    const [wrong] = await database.rows<{ n: number }>(sql`
      select count(*)::int as n from buildings x join blocks k on k.id = x.block_id
      where not ST_Intersects(k.geom, x.centroid)`)
    expect(wrong!.n).toBe(0)
  })
})

describe('computed indicators on the demo city', () => {
  it('records a succeeded run that every computed value links to', async () => {
    const [run] = await database.rows<{ kind: string; state: string; campaign_id: number }>(
      sql`select kind, state, campaign_id from diagnostic_runs where id = ${first.runId}`,
    )
    expect(run).toEqual({ kind: 'indicators', state: 'succeeded', campaign_id: campaignId })
    const rows = await values()
    const computed = rows.filter((r) => r.source === 'computed')
    expect(computed.length).toBe(first.values)
    expect(computed.length).toBeGreaterThan(20)
    expect(new Set(computed.map((r) => r.run_id))).toEqual(new Set([first.runId]))
    expect(first.distanceModel).toBe('network')
  })

  it('computes coverage shares and blind-spot counts equal to a brute-force computation', async () => {
    const { cells, regionCodes, facilities, roads } = await readDemoInputs(database)
    const radii: Record<string, number> = {
      park: 500,
      kindergarten: 300,
      middle_school: 1000,
      fire_station: 1500,
      elderly_care: 300,
    }
    const served: Record<string, Array<keyof Pick<PopulationCell, 'children' | 'working' | 'elderly'>>> = {
      kindergarten: ['children'],
      middle_school: ['children'],
      elderly_care: ['elderly'],
      park: ['children', 'working', 'elderly'],
      fire_station: ['children', 'working', 'elderly'],
    }
    const rules: FacilityRule[] = Object.entries(radii).map(([type, radiusM]) => ({
      type,
      radiusM,
      servedGroups: served[type]!,
      vulnerabilityWeight: 1,
    }))
    const naive = naiveCoverage({
      cells,
      facilities,
      roads,
      rules,
      model: 'network',
      facilityTypes: [...FACILITY_TYPES],
    })
    const covered = (type: string) => naive.types[rules.findIndex((r) => r.type === type)]!.covered
    const servedOf = (cell: PopulationCell, type: string) => served[type]!.reduce((s, g) => s + cell[g], 0)
    const inUnit = (unit: string) => (i: number) =>
      regionCodes[i]!.startsWith(unit === '310100' ? '3101' : unit)

    const rows = await values()
    const units = ['310100', ...DISTRICTS]
    for (const [code, type] of [
      ['B04', 'park'],
      ['B01', 'middle_school'],
      ['U10', 'fire_station'],
    ] as const) {
      for (const unit of units) {
        let total = 0
        let ok = 0
        cells.forEach((cell, i) => {
          if (!inUnit(unit)(i)) return
          total += servedOf(cell, type)
          if (covered(type)[i]) ok += servedOf(cell, type)
        })
        expect(valueFor(rows, code, unit), `${code} ${unit}`).toBeCloseTo((100 * ok) / total, 6)
      }
    }

    // Blind spots: 4-neighbour groups of uncovered cells with served residents, within the unit.
    for (const [code, type] of [
      ['C03', 'kindergarten'],
      ['C01', 'elderly_care'],
    ] as const) {
      for (const unit of units) {
        const groups = countGridGroups(
          cells,
          (cell, i) => inUnit(unit)(i) && !covered(type)[i] && servedOf(cell, type) > 0,
        )
        expect(valueFor(rows, code, unit), `${code} ${unit}`).toBe(groups)
      }
    }
  })

  it('computes capacity gaps, per-capita areas, road density and idle-land share from the raw rows', async () => {
    const rows = await values()
    const figures = await database.rows<{
      unit: string
      children: number
      residents: number
      seats: number
      park_m2: number
      sports_m2: number
      road_km: number
      area_km2: number | null
    }>(sql`
      select u.unit,
        (select coalesce(sum(children), 0) from population_cells where region_code like u.p || '%')::float8 as children,
        (select coalesce(sum(children + working + elderly), 0) from population_cells where region_code like u.p || '%')::float8 as residents,
        (select coalesce(sum(capacity), 0) from facilities where type = 'primary_school' and region_code like u.p || '%')::float8 as seats,
        (select coalesce(sum(area_m2), 0) from facilities where type = 'park' and region_code like u.p || '%')::float8 as park_m2,
        (select coalesce(sum(area_m2), 0) from facilities where type = 'sports_ground' and region_code like u.p || '%')::float8 as sports_m2,
        (select coalesce(sum(ST_Length(geom::geography)), 0) / 1000 from roads
          where kind in ('major_road', 'minor_road') and region_code like u.p || '%')::float8 as road_km,
        (select ST_Area(boundary::geography) / 1e6 from regions where code = u.unit)::float8 as area_km2
      from (values ('310100', '3101'), ('310101', '310101'), ('310109', '310109'), ('310115', '310115')) as u(unit, p)`)
    for (const f of figures) {
      expect(valueFor(rows, 'C04', f.unit), `C04 ${f.unit}`).toBeCloseTo(
        Math.max(0, f.children * NORM - f.seats),
        6,
      )
      expect(valueFor(rows, 'U06', f.unit), `U06 ${f.unit}`).toBeCloseTo(f.park_m2 / f.residents, 6)
      expect(valueFor(rows, 'U03', f.unit), `U03 ${f.unit}`).toBeCloseTo(f.sports_m2 / f.residents, 6)
      if (f.area_km2 === null) {
        expect(valueFor(rows, 'U05', f.unit)).toBeUndefined()
        expect(first.skipped).toContainEqual({
          code: 'U05',
          unitKey: f.unit,
          reason: 'the unit has no boundary',
        })
      } else if (f.unit !== '310109') {
        const density = valueFor(rows, 'U05', f.unit)!
        expect(Math.abs(density - f.road_km / f.area_km2) / density).toBeLessThan(0.01)
      }
    }
    const huangpu = figures.find((f) => f.unit === '310101')!
    expect(valueFor(rows, 'U17', '310101')).toBeCloseTo((100 * 15000) / (huangpu.area_km2! * 1e6), 9)
    expect(valueFor(rows, 'U17', '310109')).toBe(0)
    // No per-capita norm for parking in the edition: nothing written at any level, and the run says why.
    expect(rows.filter((r) => r.code === 'C05')).toEqual([])
    expect(first.skipped).toContainEqual({
      code: 'C05',
      unitKey: '310101',
      reason: "the edition gives no perCapitaNorm for 'parking'",
    })
  })

  it('never overwrites a reported value', async () => {
    const rows = await values()
    expect(
      rows.find((r) => r.code === 'U05' && r.unit_type === 'region' && r.unit_key === '310109'),
    ).toMatchObject({
      value: 42,
      source: 'reported',
      run_id: null,
    })
  })

  it('updates the same rows on a rerun instead of adding new ones', async () => {
    const before = await values()
    const second = await computeCampaignIndicators(database, campaignId)
    expect(second.runId).not.toBe(first.runId)
    const after = await values()
    expect(after.length).toBe(before.length)
    expect(after.map((r) => [r.code, r.unit_type, r.unit_key, r.value])).toEqual(
      before.map((r) => [r.code, r.unit_type, r.unit_key, r.value]),
    )
    expect(new Set(after.filter((r) => r.source === 'computed').map((r) => r.run_id))).toEqual(
      new Set([second.runId]),
    )
  })

  it('runs as a job on the in-process runner with the shared processors', async () => {
    const before = await values()
    const runner = new InProcessRunner(database, createProcessors(), { backoffMs: 5, onError: () => {} })
    try {
      const { run, created } = await startIndicatorRun(database, runner, { campaignId, requestedBy: 'test' })
      expect(created).toBe(true)
      expect(run).toMatchObject({ kind: 'indicators', state: 'queued', campaignId })
      await runner.idle()
      const [done] = await database.rows<{ state: string; outputs: { values: number } }>(
        sql`select state, outputs from diagnostic_runs where id = ${run.id}`,
      )
      expect(done?.state).toBe('succeeded')
      expect(done?.outputs.values).toBe(first.values)
      const after = await values()
      expect(after.map((r) => [r.code, r.unit_key, r.value])).toEqual(
        before.map((r) => [r.code, r.unit_key, r.value]),
      )
      expect(new Set(after.filter((r) => r.source === 'computed').map((r) => r.run_id))).toEqual(
        new Set([run.id]),
      )
    } finally {
      await runner.close()
    }
  })

  it('writes block and compound values for the demo, whose blocks are derived from its streets', async () => {
    const rows = await values()
    expect(first.smallUnits.compound).toBe(18)
    expect(first.smallUnits.block).toBeGreaterThan(50)
    const blocks = rows.filter((r) => r.unit_type === 'block')
    // Every block has an area, so road density and idle-land share are written for each.
    expect(blocks.filter((r) => r.code === 'U05').length).toBe(first.smallUnits.block)
    expect(blocks.filter((r) => r.code === 'U17').length).toBe(first.smallUnits.block)
    expect(blocks.some((r) => r.code === 'B04')).toBe(true)
    expect(rows.some((r) => r.unit_type === 'compound' && r.code === 'B04')).toBe(true)
    expect(rows.filter((r) => r.unit_type === 'compound' && ['U05', 'U06', 'U17'].includes(r.code))).toEqual(
      [],
    )
    // Per-capita park area over the blocks adds up to the city's: cells are shared out, not copied.
    const [sums] = await database.rows<{ park_m2: number; residents: number }>(sql`
      select (select sum(area_m2) from facilities f where type = 'park'
          and exists (select 1 from blocks b where ST_Intersects(b.geom, f.geom)))::float8 as park_m2,
        (select sum(total) from population_cells where region_code like '3101%')::float8 as residents`)
    const detail = await database.rows<{ residents: number }>(sql`
      select (v.details ->> 'residents')::float8 as residents from indicator_values v join indicators i on i.id = v.indicator_id
      where v.campaign_id = ${campaignId} and v.unit_type = 'block' and i.code = 'U06'`)
    const blockResidents = detail.reduce((s, r) => s + r.residents, 0)
    expect(blockResidents).toBeGreaterThan(0.95 * sums!.residents)
    expect(blockResidents).toBeLessThanOrEqual(sums!.residents * (1 + 1e-9))
  })

  it('rejects an unknown campaign', async () => {
    await expect(computeCampaignIndicators(database, 999_999)).rejects.toBeInstanceOf(UnknownCampaignError)
  })
})
