import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contains,
  containsAddress,
  formatAddress,
  formatPrefix,
  overlaps,
  type Prefix,
  parseAddress,
  parsePrefix,
  prefixAt,
  size,
} from './prefix.js'

const v4 = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`

/** Small prefixes inside 10.0.0.0/24 (lengths /24 to /32), so brute force over 256 addresses is cheap. */
const smallPrefix = fc
  .record({ host: fc.integer({ min: 0, max: 255 }), length: fc.integer({ min: 24, max: 32 }) })
  .map(({ host, length }) => parsePrefix(`10.0.0.${host}/${length}`)!)

/** The addresses a prefix holds, enumerated one by one. */
function members(prefix: Prefix): Set<bigint> {
  const out = new Set<bigint>()
  for (let a = prefix.start; a <= prefix.end; a++) out.add(a)
  return out
}

describe('parsePrefix and formatPrefix', () => {
  it('clears host bits, as AWS canonicalises 100.68.0.18/18', () => {
    expect(formatPrefix(parsePrefix('100.68.0.18/18')!)).toBe('100.68.0.0/18')
    expect(formatPrefix(parsePrefix('10.1.2.3/8')!)).toBe('10.0.0.0/8')
    expect(formatPrefix(parsePrefix('10.1.2.3/32')!)).toBe('10.1.2.3/32')
    expect(formatPrefix(parsePrefix('10.1.2.3/0')!)).toBe('0.0.0.0/0')
  })

  it('round-trips any IPv4 prefix and always yields an aligned block of 2^(32-n) addresses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (a, n) => {
        const prefix = parsePrefix(`${v4(a)}/${n}`)!
        expect(prefix.family).toBe(4)
        expect(size(prefix)).toBe(1n << BigInt(32 - n))
        expect(prefix.start % size(prefix)).toBe(0n)
        expect(containsAddress(prefix, 4, BigInt(a))).toBe(true)
        const text = formatPrefix(prefix)
        expect(formatPrefix(parsePrefix(text)!)).toBe(text)
        expect(parsePrefix(text)).toEqual(prefix)
      }),
    )
  })

  it('round-trips IPv6 prefixes in canonical lower-case form', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, n) => {
        const prefix = parsePrefix(`${address}/${n}`)!
        expect(prefix.family).toBe(6)
        expect(size(prefix)).toBe(1n << BigInt(128 - n))
        const text = formatPrefix(prefix)
        expect(text).toBe(text.toLowerCase())
        expect(parsePrefix(text)).toEqual(prefix)
      }),
    )
  })

  it('reads IPv6 cases: compression, upper case, host bits, embedded IPv4', () => {
    expect(formatPrefix(parsePrefix('2600:1F00:0:0:0:0:0:0/24')!)).toBe('2600:1f00::/24')
    expect(formatPrefix(parsePrefix('2600:1f18:1:2::1/56')!)).toBe('2600:1f18:1::/56')
    expect(formatPrefix(parsePrefix('::/0')!)).toBe('::/0')
    // A trailing dotted quad is just the last 32 bits: not IPv4-mapped unless written so.
    expect(formatPrefix(parsePrefix('::1.2.3.4/128')!)).toBe('::102:304/128')
    expect(formatPrefix(parsePrefix('::ffff:1.2.3.4/128')!)).toBe('::ffff:102:304/128')
    expect(parsePrefix('::1/128')?.family).toBe(6)
  })

  it.each([
    '10.0.0.0/33',
    '10.0.0/16',
    // Decided: leading zeros are refused (01 could be read as octal), in octets and lengths alike.
    '01.2.3.4/8',
    '10.0.0.0/016',
    '10.0.0.256/8',
    '10.0.0.0',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    '0x0a.0.0.0/8',
    'banana',
    '',
    '2600::/129',
    '2600:::/64',
    '1:2:3:4:5:6:7:8:9/64',
    // Zone ids name an interface, not a network.
    'fe80::1%eth0/64',
    '::1.2.3/128',
  ])('refuses %j', (text) => {
    expect(parsePrefix(text)).toBeUndefined()
  })

  it('parses and formats single addresses of both families', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n })
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n })
    expect(parseAddress('10.0.0')).toBeUndefined()
    expect(parseAddress('1.2.3.4.5')).toBeUndefined()
    expect(formatAddress(4, 0xc0a80001n)).toBe('192.168.0.1')
    expect(formatAddress(6, 0x2600_1f00n << 96n)).toBe('2600:1f00::')
  })
})

describe('overlaps and contains', () => {
  it('agree with a brute-force reference on random small IPv4 prefixes', () => {
    fc.assert(
      fc.property(smallPrefix, smallPrefix, (a, b) => {
        const inA = members(a)
        const inB = [...members(b)]
        expect(overlaps(a, b)).toBe(inB.some((x) => inA.has(x)))
        expect(overlaps(b, a)).toBe(overlaps(a, b))
        expect(contains(a, b)).toBe(inB.every((x) => inA.has(x)))
      }),
      { numRuns: 500 },
    )
  })

  it('prefixes either nest or are disjoint (never partly overlap)', () => {
    fc.assert(
      fc.property(smallPrefix, smallPrefix, (a, b) => {
        expect(overlaps(a, b)).toBe(contains(a, b) || contains(b, a))
      }),
    )
  })

  it('never relates prefixes of different families', () => {
    const all4 = parsePrefix('0.0.0.0/0')!
    const all6 = parsePrefix('::/0')!
    expect(overlaps(all4, all6)).toBe(false)
    expect(contains(all6, parsePrefix('::/96')!)).toBe(true)
    expect(contains(all6, parsePrefix('10.0.0.0/8')!)).toBe(false)
    expect(containsAddress(all6, 4, 1n)).toBe(false)
  })

  it('handles IPv6 /56 and /64 nesting as subnets inside a VPC block need', () => {
    const vpc = parsePrefix('2600:1f18:abcd:1200::/56')!
    expect(contains(vpc, parsePrefix('2600:1f18:abcd:12ff::/64')!)).toBe(true)
    expect(contains(vpc, parsePrefix('2600:1f18:abcd:1300::/64')!)).toBe(false)
    expect(overlaps(vpc, parsePrefix('2600:1f18:abcd::/48')!)).toBe(true)
  })
})

describe('prefixAt', () => {
  it('aligns the start down to the prefix length', () => {
    const base = parsePrefix('2600:1f00::/24')!
    const block = prefixAt(6, base.start + (5n << 72n) + 12345n, 56)
    expect(formatPrefix(block)).toBe('2600:1f00:0:500::/56')
    expect(contains(base, block)).toBe(true)
    expect(formatPrefix(prefixAt(4, 0x0a0000ffn, 24))).toBe('10.0.0.0/24')
  })
})
