import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parsePrefix } from '../net/prefix.js'
import { readAddress } from './address.js'
import { ipv4Table, ipv6Table, type MatchPrefix } from './lpm.js'

const v4 = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`

const prefixOf = (cidr: string, index: number): MatchPrefix => {
  const prefix = parsePrefix(cidr)!
  return { start: prefix.start, end: prefix.end, length: prefix.length, index }
}

/** The answer by definition: of the prefixes holding the address, the longest (the first listed on a tie). */
function bruteForce(prefixes: readonly MatchPrefix[], value: bigint): number {
  let best: MatchPrefix | undefined
  for (const p of prefixes) {
    if (p.start <= value && value <= p.end && (best === undefined || p.length > best.length)) best = p
  }
  return best?.index ?? -1
}

describe('ipv4Table', () => {
  it('picks the longest prefix holding the address', () => {
    const prefixes = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.128/25'].map(prefixOf)
    const table = ipv4Table(prefixes)
    const lookup = (text: string) => table.lookup(readAddress(text)!)
    expect(lookup('8.8.8.8')).toBe(0)
    expect(lookup('10.200.0.1')).toBe(1)
    expect(lookup('10.1.3.4')).toBe(2)
    expect(lookup('10.1.2.4')).toBe(3)
    expect(lookup('10.1.2.200')).toBe(4)
    expect(lookup('10.1.3.0')).toBe(2)
    expect(lookup('255.255.255.255')).toBe(0)
  })

  it('answers none outside every prefix, and keeps the first of two equal destinations', () => {
    const table = ipv4Table([prefixOf('10.0.0.0/16', 0), prefixOf('10.0.0.0/16', 1)])
    expect(table.lookup(readAddress('10.0.255.255')!)).toBe(0)
    expect(table.lookup(readAddress('10.1.0.0')!)).toBe(-1)
    expect(table.lookup(readAddress('9.255.255.255')!)).toBe(-1)
    expect(ipv4Table([]).lookup(readAddress('1.2.3.4')!)).toBe(-1)
  })

  it('ignores IPv6 addresses', () => {
    expect(ipv4Table([prefixOf('0.0.0.0/0', 0)]).lookup(readAddress('::1')!)).toBe(-1)
  })

  it('agrees with brute force on random tables and addresses', () => {
    // Prefixes inside 10.0.0.0/20 (and some wider ones), so random addresses often hit several.
    const cidr = fc
      .record({ host: fc.integer({ min: 0, max: 4095 }), length: fc.integer({ min: 8, max: 32 }) })
      .map(({ host, length }) => `${v4(0x0a000000 + host * 1)}/${length}`)
    fc.assert(
      fc.property(
        fc.array(cidr, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0x09ffff00, max: 0x0a001100 }), { minLength: 1, maxLength: 30 }),
        (cidrs, addresses) => {
          const prefixes = cidrs.map(prefixOf)
          const table = ipv4Table(prefixes)
          for (const a of addresses) {
            expect(table.lookup(readAddress(v4(a))!)).toBe(bruteForce(prefixes, BigInt(a)))
          }
        },
      ),
    )
  })
})

describe('ipv6Table', () => {
  it('picks the longest prefix holding the address', () => {
    const prefixes = ['::/0', '2600:1f18::/32', '2600:1f18:1::/56', '2600:1f18:1:0:1::/80'].map(prefixOf)
    const table = ipv6Table(prefixes)
    const lookup = (text: string) => table.lookup(readAddress(text)!)
    expect(lookup('2001:db8::1')).toBe(0)
    expect(lookup('2600:1f18:ff::1')).toBe(1)
    expect(lookup('2600:1f18:1:ff::1')).toBe(2)
    expect(lookup('2600:1f18:1:0:1:2::3')).toBe(3)
    expect(table.lookup(readAddress('10.0.0.1')!)).toBe(-1)
  })

  it('agrees with brute force on random tables and addresses', () => {
    const hex = fc.integer({ min: 0, max: 3 })
    const cidr = fc
      .record({ a: hex, b: hex, length: fc.integer({ min: 0, max: 128 }) })
      .map(({ a, b, length }) => `2600:${a}::${b}/${length}`)
    const address = fc.record({ a: hex, b: hex }).map(({ a, b }) => `2600:${a}::${b}`)
    fc.assert(
      fc.property(
        fc.array(cidr, { maxLength: 30 }),
        fc.array(address, { minLength: 1 }),
        (cidrs, addresses) => {
          const prefixes = cidrs.map(prefixOf)
          const table = ipv6Table(prefixes)
          for (const text of addresses) {
            const value = readAddress(text)!
            expect(table.lookup(value)).toBe(bruteForce(prefixes, value.value as bigint))
          }
        },
      ),
    )
  })
})
