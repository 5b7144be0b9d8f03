import ipaddr from 'ipaddr.js'

export type Family = 4 | 6

/** An IP prefix as an inclusive range of addresses, so overlap and containment are two comparisons. */
export interface Prefix {
  readonly family: Family
  readonly length: number
  readonly start: bigint
  readonly end: bigint
}

const bitsOf = (family: Family) => (family === 4 ? 32 : 128)

function bytesToBigint(bytes: number[]): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/** Parses a single address (IPv4 dotted quad or IPv6); undefined when it is not one. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { family: 4, value: bytesToBigint(ipaddr.IPv4.parse(text).toByteArray()) }
  }
  // No zone ids (`fe80::1%eth0`): they name an interface, not a network.
  if (!text.includes(':') || text.includes('%')) return undefined
  // ipaddr.js reads a trailing dotted quad as IPv4-mapped whatever precedes it (`::1.2.3.4`
  // becomes `::ffff:1.2.3.4`), so it is rewritten as two hex groups first.
  const dotted = /^(.*:)([^:]*\.[^:]*)$/.exec(text)
  if (dotted) {
    const quad = dotted[2]!
    if (!ipaddr.IPv4.isValidFourPartDecimal(quad)) return undefined
    const [a, b, c, d] = ipaddr.IPv4.parse(quad).octets as [number, number, number, number]
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  if (!ipaddr.IPv6.isValid(text)) return undefined
  return { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(text).toByteArray()) }
}

export function formatAddress(family: Family, value: bigint): string {
  const count = family === 4 ? 4 : 16
  const bytes: number[] = []
  for (let i = count - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn))
  return family === 4 ? new ipaddr.IPv4(bytes).toString() : new ipaddr.IPv6(bytes).toString()
}

/**
 * Parses `a.b.c.d/n` or `x:y::/n`. Host bits are cleared, as AWS does (100.68.0.18/18 is
 * 100.68.0.0/18). Undefined when the text is not a prefix.
 */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const lengthText = text.slice(slash + 1)
  // Decimal without leading zeros (`/016` is refused, as `01.2.3.4` is).
  if (!/^(?:0|[1-9]\d{0,2})$/.test(lengthText)) return undefined
  const address = parseAddress(text.slice(0, slash))
  if (!address) return undefined
  const length = Number(lengthText)
  const bits = bitsOf(address.family)
  if (length > bits) return undefined
  const hostBits = BigInt(bits - length)
  const start = (address.value >> hostBits) << hostBits
  return { family: address.family, length, start, end: start + (1n << hostBits) - 1n }
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatAddress(prefix.family, prefix.start)}/${prefix.length}`
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end
}

export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end
}

export function containsAddress(prefix: Prefix, family: Family, value: bigint): boolean {
  return prefix.family === family && prefix.start <= value && value <= prefix.end
}

export function size(prefix: Prefix): bigint {
  return prefix.end - prefix.start + 1n
}

/** The prefix of `length` bits that holds address `start` (used to carve IPv6 /56 and /64 blocks). */
export function prefixAt(family: Family, start: bigint, length: number): Prefix {
  const hostBits = BigInt(bitsOf(family) - length)
  const aligned = (start >> hostBits) << hostBits
  return { family, length, start: aligned, end: aligned + (1n << hostBits) - 1n }
}
