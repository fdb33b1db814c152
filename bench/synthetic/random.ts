/**
 * Seeded randomness for the synthetic city. Everything derives from 32-bit integer arithmetic (`Math.imul`,
 * shifts), so a seed gives the same stream on every platform and Node version.
 */

const TWO_POW_32 = 4294967296

/** Mixes one 32-bit value into a hash state (murmur3's finaliser after a golden-ratio multiply). */
function mix(state: number, value: number): number {
  let h = Math.imul(state ^ (value >>> 0), 0x9e3779b1)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * A 32-bit hash of numbers and strings. Blocks, grid lines and facility lattices each hash their own key, so
 * what a block holds does not depend on the order in which blocks are generated.
 */
export function hash32(...parts: (number | string)[]): number {
  let h = 0x2545f491
  for (const part of parts) {
    if (typeof part === 'number') {
      // Seeds may exceed 32 bits; fold in the high word too. Negative grid indices wrap through `>>> 0`.
      h = mix(h, part)
      h = mix(h, Math.floor(part / TWO_POW_32))
    } else {
      for (let i = 0; i < part.length; i++) h = mix(h, part.charCodeAt(i))
      h = mix(h, part.length)
    }
  }
  return h
}

/** A uniform number in [0, 1) determined by its key. */
export function unitHash(...parts: (number | string)[]): number {
  return hash32(...parts) / TWO_POW_32
}

/** mulberry32: tiny state, fast, and statistically adequate for layout noise. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)]
    if (item === undefined) throw new Error('Random.pick: no items')
    return item
  }

  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
    const entries = Object.entries(weights) as [K, number][]
    let total = 0
    for (const [, w] of entries) total += w
    let r = this.next() * total
    for (const [key, w] of entries) {
      r -= w
      if (r < 0) return key
    }
    const last = entries[entries.length - 1]
    if (!last) throw new Error('Random.weighted: no weights')
    return last[0]
  }
}
