import { describe, expect, it } from 'vitest'
import {
  computeCoverage,
  diagnoseServiceCoverage,
  prepareWalkNetwork,
} from '../../../jobs/coverage/engine/index.ts'
import { randomCity } from './fixtures.ts'

const CITY = {
  seed: 20240917,
  cols: 40,
  rows: 30,
  cellSizeM: 100,
  facilitiesPerType: 40,
  streetSpacingM: 160,
}

describe('a walk network prepared once and shared by every facility type', () => {
  const input = randomCity(CITY, 'network')
  const network = prepareWalkNetwork(input.cells, input.roads ?? [])

  it('gives per-type results equal to computing all types in one call', () => {
    const together = computeCoverage(input)
    expect(together.types.length).toBeGreaterThan(1)
    input.rules.forEach((rule, ti) => {
      const alone = computeCoverage({ ...input, rules: [rule] }, {}, { network })
      const expected = together.types[ti]!
      const got = alone.types[0]!
      expect(got.type).toBe(rule.type)
      expect(Array.from(got.covered)).toEqual(Array.from(expected.covered))
      expect(Array.from(got.distanceM)).toEqual(Array.from(expected.distanceM))
      expect(Array.from(got.nearestFacilityId)).toEqual(Array.from(expected.nearestFacilityId))
      expect(got.unreachableFacilityIds).toEqual(expected.unreachableFacilityIds)
      expect(alone.unreachableCells).toBe(together.unreachableCells)
    })
  })

  it('gives the same diagnosis as building the network inside the call', () => {
    const rule = input.rules[0]!
    const shared = diagnoseServiceCoverage({ ...input, rules: [rule] }, {}, { network })
    const own = diagnoseServiceCoverage({ ...input, rules: [rule] })
    expect(shared.demandPoints).toEqual(own.demandPoints)
    expect(shared.types[0]?.uncovered).toEqual(own.types[0]?.uncovered)
    expect(shared.types[0]?.blindSpots.length).toBe(own.types[0]?.blindSpots.length)
  })

  it('rejects a network built for other cells or other options', () => {
    expect(() => computeCoverage({ ...input, cells: input.cells.slice(1) }, {}, { network })).toThrow(
      /other cells/,
    )
    expect(() => computeCoverage(input, { maxSnapM: 50 }, { network })).toThrow(/other options/)
  })
})
