import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allocateBlocks, splitPrefix } from './allocate.js'
import { contains, formatPrefix, overlaps, type Prefix, parsePrefix, prefixAt, size } from './prefix.js'

const p = (text: string) => parsePrefix(text)!

/** A prefix of `length` bits somewhere inside 10.0.0.0/12, so pools fill up and collisions are common. */
const prefixIn12 = (min: number, max: number) =>
  fc
    .record({ offset: fc.integer({ min: 0, max: 2 ** 20 - 1 }), length: fc.integer({ min, max }) })
    .map(({ offset, length }) => prefixAt(4, p('10.0.0.0/12').start + BigInt(offset), length))

const scenario = fc.record({
  pools: fc.array(prefixIn12(12, 18), { minLength: 1, maxLength: 3 }),
  taken: fc.array(prefixIn12(14, 28), { maxLength: 12 }),
  requests: fc.array(
    fc.record({ length: fc.integer({ min: 16, max: 28 }), growthBits: fc.integer({ min: 0, max: 3 }) }),
    { minLength: 1, maxLength: 30 },
  ),
})

const bigMax = (a: bigint, b: bigint) => (a > b ? a : b)
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b)

/** Whether an aligned block of `length` bits is free in some pool, by walking the gaps (not first fit). */
function freeBlockExists(pools: readonly Prefix[], occupied: readonly Prefix[], length: number): boolean {
  const blockSize = 1n << BigInt(32 - length)
  for (const pool of pools) {
    if (pool.length > length) continue
    const inside = occupied
      .filter((o) => overlaps(o, pool))
      .map((o) => [bigMax(o.start, pool.start), bigMin(o.end, pool.end)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    let gapStart = pool.start
    for (const [start, end] of [...inside, [pool.end + 1n, pool.end + 1n] as const]) {
      const aligned = ((gapStart + blockSize - 1n) / blockSize) * blockSize
      if (aligned + blockSize - 1n < start) return true
      if (end + 1n > gapStart) gapStart = end + 1n
    }
  }
  return false
}

describe('allocateBlocks', () => {
  it('places blocks at the lowest aligned free address, around taken ranges, keeping growth room', () => {
    const result = allocateBlocks(
      [p('10.0.0.0/8')],
      [p('10.0.0.0/16'), p('10.1.4.0/24')],
      [
        { name: 'a', length: 20, growthBits: 1 },
        { name: 'b', length: 20, growthBits: 0 },
        { name: 'c', length: 24, growthBits: 2 },
      ],
    )
    expect(result.unplaced).toEqual([])
    expect(result.allocations.map((a) => [a.name, formatPrefix(a.prefix), formatPrefix(a.reserve)])).toEqual([
      // 10.1.0.0/19 would hold 10.1.4.0/24, so a's reserve moves on to the next aligned /19.
      ['a', '10.1.32.0/20', '10.1.32.0/19'],
      ['b', '10.1.16.0/20', '10.1.16.0/20'],
      ['c', '10.1.0.0/24', '10.1.0.0/22'],
    ])
  })

  it('gives up growth before giving up the block, and reports what fits nowhere', () => {
    const result = allocateBlocks(
      [p('10.0.0.0/23')],
      [p('10.0.1.0/25')],
      [
        { name: 'grows', length: 25, growthBits: 1 },
        { name: 'none', length: 25, growthBits: 0 },
        { name: 'big', length: 22, growthBits: 0 },
      ],
    )
    expect(result.allocations.map((a) => [a.name, formatPrefix(a.reserve)])).toEqual([
      ['grows', '10.0.0.0/24'],
      ['none', '10.0.1.128/25'],
    ])
    expect(result.withoutGrowth).toEqual([])
    expect(result.unplaced).toEqual(['big'])
    const tight = allocateBlocks(
      [p('10.0.0.0/24')],
      [p('10.0.0.0/25')],
      [{ name: 'x', length: 25, growthBits: 2 }],
    )
    expect(tight.withoutGrowth).toEqual(['x'])
    expect(formatPrefix(tight.allocations[0]!.prefix)).toBe('10.0.0.128/25')
  })

  it('never overlaps, stays aligned inside a pool and off taken ranges, and leaves out only what cannot fit', () => {
    fc.assert(
      fc.property(scenario, ({ pools, taken, requests }) => {
        const named = requests.map((r, i) => ({ ...r, name: `r${i}` }))
        const result = allocateBlocks(pools, taken, named)
        const reserves = result.allocations.map((a) => a.reserve)
        for (const allocation of result.allocations) {
          const request = named.find((r) => r.name === allocation.name)!
          expect(allocation.prefix.length).toBe(request.length)
          expect(allocation.prefix.start % size(allocation.prefix)).toBe(0n)
          expect(contains(allocation.reserve, allocation.prefix)).toBe(true)
          expect(pools.some((pool) => contains(pool, allocation.reserve))).toBe(true)
          for (const range of taken) expect(overlaps(range, allocation.reserve)).toBe(false)
        }
        for (let i = 0; i < reserves.length; i++) {
          for (let j = i + 1; j < reserves.length; j++)
            expect(overlaps(reserves[i]!, reserves[j]!)).toBe(false)
        }
        // Every request is accounted for once, and one left out had no free slot even at the end.
        expect(result.allocations.length + result.unplaced.length).toBe(named.length)
        for (const name of result.unplaced) {
          const request = named.find((r) => r.name === name)!
          expect(freeBlockExists(pools, [...taken, ...reserves], request.length)).toBe(false)
        }
        for (const name of result.withoutGrowth) {
          const allocation = result.allocations.find((a) => a.name === name)!
          expect(allocation.reserve).toEqual(allocation.prefix)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('splitPrefix', () => {
  it('splits into the smallest power of two that holds the parts, in address order', () => {
    expect(splitPrefix(p('10.0.0.0/20'), 3).map(formatPrefix)).toEqual([
      '10.0.0.0/22',
      '10.0.4.0/22',
      '10.0.8.0/22',
    ])
    expect(splitPrefix(p('10.0.0.0/20'), 1).map(formatPrefix)).toEqual(['10.0.0.0/20'])
  })
})
