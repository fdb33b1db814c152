import { describe, expect, it } from 'vitest'
import type { MassingGroup, MassingGroups } from '../../../jobs/tiles/massing.ts'
import {
  decodeMassingSummary,
  encodeMassingSummary,
  MassingSummaryError,
} from '../../../jobs/tiles/massing-summary.ts'

function group(seed: number, uses: [string | null, number][], ids: number[]): MassingGroup {
  return {
    west: 121.4 + seed / 7,
    south: 31.2 + seed / 11,
    east: 121.5 + seed / 13,
    north: 31.3 + Math.PI * seed,
    minBase: -seed / 3,
    minTop: 12.000000000000002,
    maxTop: 0.1 + 0.2,
    area: 1e-300 + seed,
    topArea: 123456789.12345678,
    count: ids.length,
    useArea: uses,
    yearArea: seed === 0 ? 0 : 1999.5 * seed,
    yearWeight: seed,
    floorsArea: Number.MAX_VALUE / (seed + 1),
    floorsWeight: Number.MIN_VALUE,
    openProblems: 3 * seed,
    worstSeverity: seed % 4,
    ids,
  }
}

describe('massing summaries', () => {
  it('read back every group as written, every digit, use order and id kept, in cell order', () => {
    const groups: MassingGroups = new Map([
      [
        255,
        group(
          2,
          [
            ['residential', 10.5],
            [null, 1 / 3],
            ['商业', 2],
          ],
          [4294967295, 7, 1],
        ),
      ],
      [0, group(0, [[null, 5]], [])],
      [
        17,
        group(
          1,
          [
            ['商业', 0.1],
            ['residential', 3],
          ],
          [12, 13],
        ),
      ],
    ])
    const read = decodeMassingSummary(encodeMassingSummary(groups))
    expect([...read.keys()]).toEqual([0, 17, 255])
    expect(new Map([...read].sort(([a], [b]) => a - b))).toEqual(
      new Map([...groups].sort(([a], [b]) => a - b)),
    )
    for (const [cell, g] of groups) expect(Object.is(read.get(cell)!.floorsWeight, g.floorsWeight)).toBe(true)
    expect(decodeMassingSummary(encodeMassingSummary(new Map()))).toEqual(new Map())
  })

  it('refuses bytes that are not a summary of this version, truncated or the former JSON', () => {
    const bytes = encodeMassingSummary(new Map([[3, group(1, [['office', 2]], [5, 6])]]))
    expect(() => decodeMassingSummary(bytes.subarray(0, bytes.length - 4))).toThrow(MassingSummaryError)
    const json = Buffer.from(`${JSON.stringify({ groups: [[3, group(1, [['office', 2]], [5, 6])]] })}\n`)
    expect(() => decodeMassingSummary(json)).toThrow(MassingSummaryError)
    const older = Buffer.from(bytes)
    older.write(older.toString('utf8', 4, 20).replace('"version":2', '"version":1'), 4)
    expect(() => decodeMassingSummary(older)).toThrow(/version 1/)
  })
})
