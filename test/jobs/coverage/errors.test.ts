import { describe, expect, it } from 'vitest'
import {
  buildWalkGraph,
  type CoverageInput,
  CoverageInputError,
  computeCoverage,
  DuplicateRuleError,
  diagnoseServiceCoverage,
  EmptyPopulationError,
  InvalidCellError,
  InvalidCoverageOptionError,
  InvalidFacilityError,
  InvalidRadiusError,
  InvalidRoadError,
  InvalidRuleError,
  IrregularGridError,
  MissingRoadNetworkError,
  naiveCoverage,
  UnknownFacilityTypeError,
} from '../../../jobs/coverage/engine/index.ts'
import { handTown } from './fixtures.ts'

function withRules(rules: CoverageInput['rules']): CoverageInput {
  return { ...handTown('euclidean'), rules }
}

const kindergarten = handTown('euclidean').rules[0]!

describe('bad input is rejected with a named error', () => {
  const cases: Array<[string, () => CoverageInput, new (...args: never[]) => Error]> = [
    [
      'a rule for an unknown facility type',
      () => withRules([{ ...kindergarten, type: 'casino' }]),
      UnknownFacilityTypeError,
    ],
    [
      'a rule for a type without facilities and no catalogue',
      () => ({ ...handTown('euclidean'), facilityTypes: undefined }),
      UnknownFacilityTypeError,
    ],
    ['a zero radius', () => withRules([{ ...kindergarten, radiusM: 0 }]), InvalidRadiusError],
    ['a negative radius', () => withRules([{ ...kindergarten, radiusM: -300 }]), InvalidRadiusError],
    ['a NaN radius', () => withRules([{ ...kindergarten, radiusM: Number.NaN }]), InvalidRadiusError],
    ['no population cells', () => ({ ...handTown('euclidean'), cells: [] }), EmptyPopulationError],
    ['two rules for one type', () => withRules([kindergarten, kindergarten]), DuplicateRuleError],
    ['an empty servedGroups', () => withRules([{ ...kindergarten, servedGroups: [] }]), InvalidRuleError],
    ['a zero perCapitaNorm', () => withRules([{ ...kindergarten, perCapitaNorm: 0 }]), InvalidRuleError],
    ['a negative weight', () => withRules([{ ...kindergarten, vulnerabilityWeight: -1 }]), InvalidRuleError],
    [
      'a negative resident count',
      () => {
        const input = handTown('euclidean')
        input.cells = input.cells.map((c, i) => (i === 3 ? { ...c, elderly: -1 } : c))
        return input
      },
      InvalidCellError,
    ],
    [
      'mixed cell sizes',
      () => {
        const input = handTown('euclidean')
        input.cells = input.cells.map((c, i) => (i === 3 ? { ...c, sizeM: 50 } : c))
        return input
      },
      IrregularGridError,
    ],
    [
      'a centre off the lattice',
      () => {
        const input = handTown('euclidean')
        input.cells = input.cells.map((c, i) => (i === 3 ? { ...c, x: c.x + 30 } : c))
        return input
      },
      IrregularGridError,
    ],
    [
      'two cells in one slot',
      () => {
        const input = handTown('euclidean')
        input.cells = [...input.cells, { ...input.cells[0]!, id: 999 }]
        return input
      },
      IrregularGridError,
    ],
    [
      'a negative capacity',
      () => {
        const input = handTown('euclidean')
        input.facilities = [{ id: 1, type: 'kindergarten', x: 0, y: 0, capacity: -5 }]
        return input
      },
      InvalidFacilityError,
    ],
    [
      'the network model without roads',
      () => ({ ...handTown('network'), roads: undefined }),
      MissingRoadNetworkError,
    ],
    [
      'a road with a non-finite vertex',
      () => {
        const input = handTown('network')
        input.roads = [
          {
            id: 77,
            walkable: true,
            coords: [
              [0, 0],
              [Number.NaN, 5],
            ],
          },
        ]
        return input
      },
      InvalidRoadError,
    ],
  ]

  for (const [what, make, ErrorClass] of cases) {
    it(`rejects ${what}`, () => {
      for (const run of [computeCoverage, naiveCoverage, diagnoseServiceCoverage]) {
        const call = () => run(make())
        expect(call).toThrow(ErrorClass)
        expect(call).toThrow(CoverageInputError)
      }
    })
  }

  it('names the unknown type and the known ones', () => {
    try {
      computeCoverage(withRules([{ ...kindergarten, type: 'casino' }]))
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownFacilityTypeError)
      const e = error as UnknownFacilityTypeError
      expect(e.name).toBe('UnknownFacilityTypeError')
      expect(e.facilityType).toBe('casino')
      expect(e.knownTypes).toEqual(['kindergarten', 'elderly_care'])
    }
  })

  it('rejects options outside their domain', () => {
    const input = handTown('network')
    expect(() => computeCoverage(input, { distanceCutoffFactor: 0.5 })).toThrow(InvalidCoverageOptionError)
    expect(() => computeCoverage(input, { maxSnapM: -1 })).toThrow(InvalidCoverageOptionError)
    expect(() => computeCoverage(input, { mergeToleranceM: 0 })).toThrow(InvalidCoverageOptionError)
    expect(() => buildWalkGraph([], { mergeToleranceM: Number.NaN })).toThrow(InvalidCoverageOptionError)
    // Merge buckets are indexed by 32-bit integers: a tolerance of a micrometre over 50 km of roads is refused.
    const far = [
      {
        id: 1,
        walkable: true,
        coords: [
          [0, 0],
          [50_000, 0],
        ] as [number, number][],
      },
    ]
    expect(() => buildWalkGraph(far, { mergeToleranceM: 1e-6 })).toThrow(/too small/)
    expect(buildWalkGraph(far, { mergeToleranceM: 0.5 }).nodeCount).toBe(2)
    expect(() => computeCoverage({ ...input, model: 'manhattan' as never })).toThrow(
      InvalidCoverageOptionError,
    )
  })
})
