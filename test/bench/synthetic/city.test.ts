import crypto from 'node:crypto'
import { area, booleanPointInPolygon, booleanWithin, distance, kinks, point, polygon } from '@turf/turf'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrayLiteral } from '../../../bench/synthetic/batch-writer.ts'
import { generateCityData, SyntheticCity, type SyntheticCityData } from '../../../bench/synthetic/city.ts'
import { STOREY_HEIGHT_M } from '../../../bench/synthetic/compound.ts'
import { FACILITY_SPECS } from '../../../bench/synthetic/facilities.ts'
import { HEIGHT_CLASSES } from '../../../bench/synthetic/land-use.ts'
import {
  FLOOR_AREA_PER_RESIDENT_M2,
  MIXED_USE_RESIDENTIAL_SHARE,
} from '../../../bench/synthetic/population.ts'
import type { LonLat } from '../../../bench/synthetic/rows.ts'
import { FACILITY_TYPES } from '../../../server/db/facilities.ts'

const digest = (data: unknown): string =>
  crypto.createHash('sha256').update(JSON.stringify(data)).digest('hex')
const share = (part: number, whole: number): number => part / whole
const countBy = <T>(items: T[], key: (item: T) => string): Map<string, number> => {
  const out = new Map<string, number>()
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1)
  return out
}
/** Every k-th item, so geometry checks cover the whole city without testing every building. */
const sample = <T>(items: T[], n: number): T[] =>
  items.filter((_, i) => i % Math.max(1, Math.floor(items.length / n)) === 0)

describe('determinism', () => {
  it('gives identical data for the same seed and size, different data for another seed', () => {
    const a = generateCityData({ buildings: 3000, seed: 7 })
    const b = generateCityData({ buildings: 3000, seed: 7 })
    const c = generateCityData({ buildings: 3000, seed: 8 })
    expect(digest(a)).toBe(digest(b))
    expect(digest(c)).not.toBe(digest(a))
    expect(c.buildings.map((x) => x.ring)).not.toEqual(a.buildings.map((x) => x.ring))
  })

  it('streams the same rows as the in-memory form', () => {
    const whole = generateCityData({ buildings: 1500, seed: 3 })
    const city = new SyntheticCity({ buildings: 1500, seed: 3 })
    const streamed = [...city.blocks()].flatMap((chunk) => chunk.buildings)
    expect(digest(streamed)).toBe(digest(whole.buildings))
    expect(digest(city.populationCells())).toBe(digest(whole.cells))
  })

  it('hits an exact building count', () => {
    expect(generateCityData({ buildings: 1234, seed: 5 }).buildings).toHaveLength(1234)
    expect(generateCityData({ buildings: 1, seed: 5 }).buildings).toHaveLength(1)
  })

  it('rejects options it cannot honour', () => {
    expect(() => new SyntheticCity({ buildings: 0 })).toThrow(RangeError)
    expect(() => new SyntheticCity({ size: 'XL' as never })).toThrow(RangeError)
    expect(() => new SyntheticCity({ regionCode: '999999' })).toThrow(/not a city or district/)
  })
})

describe('an S city (seed 1)', () => {
  let city: SyntheticCityData
  beforeAll(() => {
    city = generateCityData({ size: 'S', seed: 1 })
  })

  it('has about 10k buildings in realistic proportions', () => {
    const { buildings, blocks, compounds } = city
    expect(buildings).toHaveLength(10_000)
    const uses = countBy(buildings, (b) => b.use)
    const housing = (uses.get('residential') ?? 0) + (uses.get('mixed') ?? 0)
    expect(share(housing, buildings.length)).toBeGreaterThan(0.7)
    expect(share(housing, buildings.length)).toBeLessThan(0.95)
    for (const use of ['commercial', 'office', 'public', 'industrial'])
      expect(uses.get(use) ?? 0).toBeGreaterThan(0)
    const landUse = countBy(compounds, (c) => c.attributes.landUse)
    expect(share(landUse.get('residential') ?? 0, compounds.length)).toBeGreaterThan(0.5)
    expect(compounds.some((c) => c.kind === 'self_built_cluster')).toBe(true)
    expect(buildings.length / blocks.length).toBeGreaterThan(10)
    expect(buildings.length / blocks.length).toBeLessThan(60)
  })

  it('keeps floors, heights and years within their classes', () => {
    const classes = countBy(city.buildings, (b) => b.attributes.heightClass)
    for (const b of city.buildings) {
      const [min, max] = HEIGHT_CLASSES[b.attributes.heightClass]
      expect(b.floors).toBeGreaterThanOrEqual(min)
      expect(b.floors).toBeLessThanOrEqual(max)
      expect(b.heightM).toBe(b.floors * STOREY_HEIGHT_M)
      expect(b.yearBuilt).toBeGreaterThanOrEqual(1950)
      expect(b.yearBuilt).toBeLessThanOrEqual(2024)
      expect(b.attributes.yearSource).toBe('synthetic')
    }
    const n = city.buildings.length
    expect(share(classes.get('low') ?? 0, n)).toBeGreaterThan(0.4)
    expect(share(classes.get('mid') ?? 0, n)).toBeGreaterThan(0.08)
    expect(share(classes.get('high') ?? 0, n)).toBeGreaterThan(0.08)
    const decades = new Set(city.buildings.map((b) => Math.floor(b.yearBuilt / 10) * 10))
    expect([...decades].sort()).toEqual([1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020])
  })

  it('has every facility type at its planned density, with capacities in whole units', () => {
    const blocks = city.blocks.length
    const types = countBy(city.facilities, (f) => f.type)
    expect([...types.keys()].sort()).toEqual([...FACILITY_TYPES].sort())
    for (const type of FACILITY_TYPES) {
      const spec = FACILITY_SPECS[type]
      if (spec.host !== 'point' && spec.host !== 'parcel') continue
      // Lattice density, less industrial blocks and under-served areas, never more than planned.
      const planned = (blocks * spec.chance) / spec.spacingBlocks ** 2
      expect(types.get(type), type).toBeGreaterThan(planned * 0.4)
      expect(types.get(type), type).toBeLessThan(planned * 1.3)
    }
    expect((types.get('subway_entrance') ?? 0) % 4).toBe(0)
    expect(types.get('bus_stop')).toBeGreaterThan(blocks * 0.6)
    for (const f of city.facilities) {
      const c = FACILITY_SPECS[f.type].capacity
      if (!c) continue
      expect(f.capacityUnit).toBe(c.unit)
      if (f.attributes.kind === 'nursing_home') continue
      expect(f.capacity).toBeGreaterThanOrEqual(c.min)
      expect(f.capacity).toBeLessThanOrEqual(c.max)
      expect(((f.capacity ?? 0) - c.min) % c.step).toBe(0)
    }
  })

  it('leaves the under-served areas without the facilities they lack', () => {
    const areas = city.plan.underServedAreas
    expect(areas.length).toBeGreaterThanOrEqual(2)
    for (const a of areas) {
      const centre = point([a.centerLonDeg, a.centerLatDeg])
      for (const type of a.types) {
        // Facilities are suppressed by block centre; a block's own points lie within ~270 m of it.
        const nearest = Math.min(
          ...city.facilities
            .filter((f) => f.type === type)
            .map((f) => distance(centre, point(f.point)) * 1000),
        )
        expect(nearest, `${type} near ${a.centerLonDeg},${a.centerLatDeg}`).toBeGreaterThan(a.radiusM - 280)
      }
    }
  })

  it('draws closed, simple rings with buildings inside compounds inside blocks', () => {
    const ring = (r: LonLat[]) => polygon([r])
    const compounds = new Map(city.compounds.map((c) => [c.sourceId, c]))
    const blocks = new Map(city.blocks.map((b) => [b.sourceId, b]))
    for (const rows of [city.blocks, city.compounds, city.buildings, city.cells]) {
      for (const r of rows) {
        expect(r.ring.length).toBeGreaterThanOrEqual(5)
        expect(r.ring[0]).toEqual(r.ring[r.ring.length - 1])
      }
    }
    for (const b of sample(city.buildings, 400)) {
      const footprint = ring(b.ring)
      const compound = compounds.get(b.compoundSourceId)
      expect(compound?.blockSourceId).toBe(b.blockSourceId)
      expect(kinks(footprint).features).toHaveLength(0)
      expect(booleanWithin(footprint, ring(compound?.ring ?? []))).toBe(true)
      expect(booleanPointInPolygon(b.centroid, footprint)).toBe(true)
      expect(Math.abs(area(footprint) - b.footprintAreaM2) / b.footprintAreaM2).toBeLessThan(0.005)
    }
    for (const c of sample(city.compounds, 200)) {
      expect(booleanWithin(ring(c.ring), ring(blocks.get(c.blockSourceId)?.ring ?? []))).toBe(true)
    }
    expect(city.buildings.some((b) => b.attributes.shape === 'l_shape')).toBe(true)
  })

  it('joins every compound to the street network through its gate path', () => {
    const vertices = new Set<string>()
    const streets = city.roads.filter((r) => r.kind !== 'path')
    for (const s of streets) for (const p of s.line) vertices.add(p.join())
    const gates = new Map<string, LonLat>()
    for (const r of city.roads) {
      if (r.kind !== 'path') continue
      const compound = r.sourceId.replace(/^path:(.*):\d+$/, 'compound:$1')
      gates.set(compound, r.line[r.line.length - 1] as LonLat)
    }
    expect(gates.size).toBe(city.compounds.length)
    for (const [, end] of gates) expect(vertices.has(end.join())).toBe(true)
    expect(streets.filter((s) => !s.walkable).every((s) => s.kindDetail === 'trunk')).toBe(true)
    expect(city.roads.every((r) => r.lengthM > 0)).toBe(true)
  })

  it('derives residents from residential floor area and sums them into the population grid', () => {
    for (const b of city.buildings) {
      const housing = b.use === 'residential' ? 1 : b.use === 'mixed' ? MIXED_USE_RESIDENTIAL_SHARE : 0
      expect(b.residents).toBeCloseTo((b.floorAreaM2 * housing) / FLOOR_AREA_PER_RESIDENT_M2, 1)
    }
    const residents = city.buildings.reduce((s, b) => s + b.residents, 0)
    const cells = city.cells.reduce((s, c) => s + c.total, 0)
    expect(Math.abs(cells - residents)).toBeLessThan(city.cells.length * 0.01)
    const groups = { children: 0, working: 0, elderly: 0 }
    for (const c of city.cells) {
      expect(Math.abs(c.children + c.working + c.elderly - c.total)).toBeLessThan(0.05)
      groups.children += c.children
      groups.working += c.working
      groups.elderly += c.elderly
    }
    expect(share(groups.children, cells)).toBeGreaterThan(0.1)
    expect(share(groups.children, cells)).toBeLessThan(0.2)
    expect(share(groups.elderly, cells)).toBeGreaterThan(0.14)
    expect(share(groups.elderly, cells)).toBeLessThan(0.3)
    expect(new Set(city.cells.map((c) => c.cellKey)).size).toBe(city.cells.length)
  })

  it('files rows under the districts and streets of Wuhan', () => {
    const districts = new Set(city.blocks.map((b) => b.regionCode.slice(0, 6)))
    expect([...districts].sort()).toEqual([
      '420102',
      '420103',
      '420104',
      '420105',
      '420106',
      '420107',
      '420111',
    ])
    expect(city.buildings.every((b) => /^4201\d{5}$/.test(b.regionCode))).toBe(true)
    expect(city.buildings[0]?.standardAddress).toMatch(/^湖北省武汉市.+区.+号\d+栋$/)
  })
})

describe('arrayLiteral', () => {
  it('quotes text so PostgreSQL reads it back unchanged', () => {
    expect(arrayLiteral(['a', 'b"c', 'd\\e', null, 1.5, true, undefined])).toBe(
      '{"a","b\\"c","d\\\\e",NULL,1.5,true,NULL}',
    )
  })
})
