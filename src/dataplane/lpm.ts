import type { Address } from './address.js'

/** A prefix to match: its inclusive address range, its length, and what a match returns. */
export interface MatchPrefix {
  readonly start: bigint
  readonly end: bigint
  readonly length: number
  readonly index: number
}

/**
 * A longest-prefix-match table flattened into sorted disjoint intervals: `bounds[i]` starts an
 * interval that `owners[i]` (an index into the caller's routes, or -1 for none) covers up to the
 * next bound. A lookup is one binary search. IPv4 bounds are doubles, so no bigint is touched.
 */
export interface PrefixTable {
  lookup(address: Address): number
}

const NONE = -1

/**
 * Prefixes are either nested or disjoint, so a sweep over every start and end+1 with a stack of
 * open prefixes gives, at each point, the longest prefix holding it (the top of the stack).
 */
function flatten(prefixes: readonly MatchPrefix[]): { bounds: bigint[]; owners: number[] } {
  // Array.prototype.sort is stable: of two routes with one destination, the first listed wins.
  const sorted = [...prefixes].sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length,
  )
  const points = [...new Set(sorted.flatMap((p) => [p.start, p.end + 1n]))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  const bounds: bigint[] = []
  const owners: number[] = []
  const open: MatchPrefix[] = []
  let next = 0
  for (const point of points) {
    while (open.length > 0 && open[open.length - 1]!.end < point) open.pop()
    while (next < sorted.length && sorted[next]!.start === point) {
      const prefix = sorted[next++]!
      const top = open[open.length - 1]
      if (top?.start !== prefix.start || top.length !== prefix.length) open.push(prefix)
    }
    const owner = open[open.length - 1]?.index ?? NONE
    if (owners[owners.length - 1] !== owner) {
      bounds.push(point)
      owners.push(owner)
    }
  }
  return { bounds, owners }
}

/** The index of the last bound at or below `value`, or -1. */
function lastAtOrBelow<T>(bounds: ArrayLike<T>, value: T): number {
  let low = 0
  let high = bounds.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if (bounds[mid]! <= value) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found
}

export function ipv4Table(prefixes: readonly MatchPrefix[]): PrefixTable {
  const { bounds, owners } = flatten(prefixes)
  const numericBounds = Float64Array.from(bounds, Number)
  const ownerArray = Int32Array.from(owners)
  return {
    lookup(address) {
      if (address.family !== 4) return NONE
      const at = lastAtOrBelow(numericBounds, address.value)
      return at < 0 ? NONE : ownerArray[at]!
    },
  }
}

export function ipv6Table(prefixes: readonly MatchPrefix[]): PrefixTable {
  const { bounds, owners } = flatten(prefixes)
  return {
    lookup(address) {
      if (address.family !== 6) return NONE
      const at = lastAtOrBelow(bounds, address.value)
      return at < 0 ? NONE : owners[at]!
    },
  }
}
