import { parseAddress, parsePrefix } from '../net/prefix.js'

/**
 * Addresses as the engine compares them: IPv4 as a plain number (no bigint on the hot path),
 * IPv6 as a bigint. The text is kept for headers and messages.
 */
export type Address =
  | { readonly family: 4; readonly value: number; readonly text: string }
  | { readonly family: 6; readonly value: bigint; readonly text: string }

/** A map key for an address; IPv4 numbers and IPv6 bigints never collide as Map keys. */
export type AddressKey = number | bigint

/** An inclusive range of one family's addresses, in the same representation as Address. */
export type Range = { readonly family: 4; readonly start: number; readonly end: number } | Range6
interface Range6 {
  readonly family: 6
  readonly start: bigint
  readonly end: bigint
}

const DOT = 46
const ZERO = 48
const NINE = 57

/** A strict dotted quad (no leading zeros, each part 0–255) as a number; undefined otherwise. */
export function parseIpv4(text: string): number | undefined {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === DOT) {
      if (digits === 0 || dots === 3) return undefined
      value = value * 256 + part
      part = 0
      digits = 0
      dots++
      continue
    }
    if (c < ZERO || c > NINE || (digits > 0 && part === 0)) return undefined
    part = part * 10 + (c - ZERO)
    digits++
    if (part > 255) return undefined
  }
  if (dots !== 3 || digits === 0) return undefined
  return value * 256 + part
}

export function readAddress(text: string): Address | undefined {
  if (!text.includes(':')) {
    const value = parseIpv4(text)
    return value === undefined ? undefined : { family: 4, value, text }
  }
  const parsed = parseAddress(text)
  return parsed?.family === 6 ? { family: 6, value: parsed.value, text } : undefined
}

export function readRange(cidr: string): Range | undefined {
  const slash = cidr.indexOf('/')
  if (slash > 0 && !cidr.includes(':')) {
    // IPv4 stays in doubles: host bits are cleared by division, as parsePrefix clears them.
    const value = parseIpv4(cidr.slice(0, slash))
    const lengthText = cidr.slice(slash + 1)
    if (value === undefined || !/^(?:0|[1-9]\d?)$/.test(lengthText) || Number(lengthText) > 32)
      return undefined
    const size = 2 ** (32 - Number(lengthText))
    const start = Math.floor(value / size) * size
    return { family: 4, start, end: start + size - 1 }
  }
  const prefix = parsePrefix(cidr)
  return prefix?.family === 6 ? { family: 6, start: prefix.start, end: prefix.end } : undefined
}

export function inRange(range: Range, address: Address): boolean {
  // Each branch compares one representation only, so the IPv4 path never touches a bigint.
  if (range.family === 4)
    return address.family === 4 && range.start <= address.value && address.value <= range.end
  return address.family === 6 && range.start <= address.value && address.value <= range.end
}

export const inAnyRange = (ranges: readonly Range[], address: Address) =>
  ranges.some((range) => inRange(range, address))
