import { type Prefix, prefixAt } from './prefix.js'

/**
 * First-fit allocation of aligned IPv4 blocks out of pools, around ranges already taken.
 *
 * Each request is placed at the lowest address of the first pool where a naturally aligned block
 * of its reserve size (`length - growthBits` bits) is free. The request's own prefix is the first
 * part of that block; the rest stays free for it alone, so the network can later add adjacent
 * blocks and still be summarised by one route. When no reserve block fits, the request is placed
 * without room to grow; when not even that fits, it is reported unplaced.
 */

export interface BlockRequest {
  readonly name: string
  /** Prefix length of the block itself (for example 20 for a /20). */
  readonly length: number
  /** How many times the block may double: the reserve is `length - growthBits` bits long. */
  readonly growthBits: number
}

export interface Allocation {
  readonly name: string
  readonly prefix: Prefix
  /** The block kept for this request: its prefix and the room it may grow into. */
  readonly reserve: Prefix
}

export interface AllocationResult {
  readonly allocations: readonly Allocation[]
  /** Requests placed without their growth room (the pools were too full). */
  readonly withoutGrowth: readonly string[]
  /** Requests that fit nowhere. */
  readonly unplaced: readonly string[]
}

interface Interval {
  readonly start: bigint
  readonly end: bigint
}

const alignUp = (value: bigint, size: bigint) => ((value + size - 1n) / size) * size

/** The lowest aligned start of a block of `size` addresses in `pool` clear of every interval. */
function firstFit(pool: Prefix, taken: readonly Interval[], size: bigint): bigint | undefined {
  let candidate = alignUp(pool.start, size)
  // `taken` is sorted by start, so once an interval starts past the candidate block none later
  // can reach it; intervals that end before the candidate never matter again.
  for (const interval of taken) {
    if (candidate + size - 1n > pool.end) return undefined
    if (interval.end < candidate) continue
    if (interval.start > candidate + size - 1n) break
    candidate = alignUp(interval.end + 1n, size)
  }
  return candidate + size - 1n <= pool.end ? candidate : undefined
}

function insertSorted(list: Interval[], interval: Interval) {
  let at = list.length
  while (at > 0 && list[at - 1]!.start > interval.start) at--
  list.splice(at, 0, interval)
}

/** Places the requests in the order given; IPv4 pools and taken ranges only (others are ignored). */
export function allocateBlocks(
  pools: readonly Prefix[],
  taken: readonly Prefix[],
  requests: readonly BlockRequest[],
): AllocationResult {
  const occupied: Interval[] = taken
    .filter((p) => p.family === 4)
    .map((p) => ({ start: p.start, end: p.end }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  const ipv4Pools = pools.filter((p) => p.family === 4)
  const allocations: Allocation[] = []
  const withoutGrowth: string[] = []
  const unplaced: string[] = []

  const place = (length: number): Prefix | undefined => {
    const size = 1n << BigInt(32 - length)
    for (const pool of ipv4Pools) {
      if (pool.length > length) continue
      const start = firstFit(pool, occupied, size)
      if (start !== undefined) return prefixAt(4, start, length)
    }
    return undefined
  }

  for (const request of requests) {
    const reserveLength = Math.max(0, request.length - request.growthBits)
    let reserve = place(reserveLength)
    if (!reserve && reserveLength !== request.length) {
      reserve = place(request.length)
      if (reserve) withoutGrowth.push(request.name)
    }
    if (!reserve) {
      unplaced.push(request.name)
      continue
    }
    insertSorted(occupied, { start: reserve.start, end: reserve.end })
    allocations.push({ name: request.name, prefix: prefixAt(4, reserve.start, request.length), reserve })
  }
  return { allocations, withoutGrowth, unplaced }
}

/** Splits `parent` into `count` equal aligned children, the smallest power of two that holds them. */
export function splitPrefix(parent: Prefix, count: number): Prefix[] {
  const length = parent.length + splitBits(count)
  const size = 1n << BigInt((parent.family === 4 ? 32 : 128) - length)
  return Array.from({ length: count }, (_, i) =>
    prefixAt(parent.family, parent.start + BigInt(i) * size, length),
  )
}

/** Bits needed to split a block into `count` equal parts. */
export const splitBits = (count: number) => (count <= 1 ? 0 : Math.ceil(Math.log2(count)))
