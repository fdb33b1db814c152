import { describe, expect, it } from 'vitest'
import { type Sample, slopePerHour } from '../../bench/screen-soak.ts'

const sample = (minute: number, heapMB: number): Sample => ({
  minute,
  events: 0,
  heapMB,
  domNodes: 300,
  feedItems: 12,
})

describe('the screen soak’s leak rate', () => {
  it('is the least-squares slope per hour', () => {
    // Up a megabyte over three minutes in two steps: the fitted line rises 0.4 MB a minute.
    const samples = [sample(1, 20.5), sample(2, 20.5), sample(3, 21.5), sample(4, 21.5)]
    expect(slopePerHour(samples, (s) => s.heapMB)).toBeCloseTo(24, 6)
    expect(slopePerHour([sample(0, 10), sample(2, 11)], (s) => s.heapMB)).toBeCloseTo(30, 6)
  })

  it('is zero for a flat series, a single sample or samples all at one time', () => {
    expect(slopePerHour([sample(1, 5), sample(2, 5), sample(3, 5)], (s) => s.domNodes)).toBe(0)
    expect(slopePerHour([sample(1, 5)], (s) => s.heapMB)).toBe(0)
    expect(slopePerHour([sample(1, 5), sample(1, 9)], (s) => s.heapMB)).toBe(0)
  })
})
