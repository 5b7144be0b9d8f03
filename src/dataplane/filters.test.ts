import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NetworkAcl } from '../domain/network-acl.js'
import type { SecurityGroup } from '../domain/security-group.js'
import { parseAddress, parsePrefix } from '../net/prefix.js'
import { parseIpv4, readAddress, readRange } from './address.js'
import { checkAcl, checkGroups, compileAcl, compileGroup, protocolNumber, rangeReader } from './filters.js'
import { aclEntry } from './test-estate.js'

describe('addresses', () => {
  it('reads IPv4 as parseAddress does, without bigint', () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('', '01', '00', 'a', '-1'),
    )
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.join('.')
        const expected = parseAddress(text)
        expect(parseIpv4(text)).toBe(expected?.family === 4 ? Number(expected.value) : undefined)
      }),
    )
  })

  it('reads ranges as parsePrefix does, host bits cleared', () => {
    const cidr = fc
      .record({ a: fc.integer({ min: 0, max: 0xffffffff }), length: fc.integer({ min: 0, max: 32 }) })
      .map(({ a, length }) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${length}`)
    fc.assert(
      fc.property(cidr, (text) => {
        const prefix = parsePrefix(text)!
        expect(readRange(text)).toEqual({ family: 4, start: Number(prefix.start), end: Number(prefix.end) })
      }),
    )
    expect(readRange('2600:1f18::/56')).toMatchObject({ family: 6 })
    expect(readRange('10.0.0.0/33')).toBeUndefined()
    expect(readRange('10.0.0.0/016')).toBeUndefined()
    expect(readRange('nonsense')).toBeUndefined()
  })

  it('refuses what is not an address', () => {
    expect(readAddress('10.0.0')).toBeUndefined()
    expect(readAddress('fe80::1%eth0')).toBeUndefined()
    expect(readAddress('2600::1')).toMatchObject({ family: 6, value: (0x2600n << 112n) + 1n })
  })
})

describe('protocols', () => {
  it('reads names, numbers and all', () => {
    expect(['-1', 'tcp', 'UDP', 'icmp', 'icmpv6', '6', '50'].map(protocolNumber)).toEqual([
      -1, 6, 17, 1, 58, 6, 50,
    ])
    expect(protocolNumber('bogus')).toBeNaN()
  })
})

const group = (rules: Partial<SecurityGroup>): SecurityGroup => ({
  groupId: 'sg-1',
  groupName: 'g',
  description: 'g',
  vpcId: 'vpc-1',
  ownerId: '111111111111',
  region: 'us-east-1',
  ingress: [],
  egress: [],
  ...rules,
})

describe('security group rules', () => {
  const remote = readAddress('10.2.0.5')!
  const check = (g: SecurityGroup, packet: { protocol: number; port?: number; icmpCode?: number }) =>
    checkGroups([compileGroup(g, rangeReader())], 'ingress', remote, packet, () => false)

  it('match by protocol, port range and CIDR', () => {
    const g = group({
      ingress: [{ ruleId: 'r1', ipProtocol: 'tcp', fromPort: 5432, toPort: 5440, cidrIpv4: '10.2.0.0/16' }],
    })
    expect(check(g, { protocol: 6, port: 5432 })).toMatchObject({ allowed: true })
    expect(check(g, { protocol: 6, port: 5441 })).toEqual({ allowed: false, anyRules: true })
    expect(check(g, { protocol: 17, port: 5432 })).toMatchObject({ allowed: false })
    // A flow without a port matches only a rule over every port.
    expect(check(g, { protocol: 6 })).toMatchObject({ allowed: false })
  })

  it('read ICMP ports as type and code, -1 meaning any', () => {
    const echo = group({
      ingress: [{ ruleId: 'r1', ipProtocol: 'icmp', fromPort: 8, toPort: -1, cidrIpv4: '0.0.0.0/0' }],
    })
    expect(check(echo, { protocol: 1, port: 8, icmpCode: 0 })).toMatchObject({ allowed: true })
    expect(check(echo, { protocol: 1, port: 0, icmpCode: 0 })).toMatchObject({ allowed: false })
    const unreachable = group({
      ingress: [{ ruleId: 'r1', ipProtocol: '1', fromPort: 3, toPort: 4, cidrIpv4: '0.0.0.0/0' }],
    })
    expect(check(unreachable, { protocol: 1, port: 3, icmpCode: 4 })).toMatchObject({ allowed: true })
    expect(check(unreachable, { protocol: 1, port: 3, icmpCode: 1 })).toMatchObject({ allowed: false })
  })

  it('never match a prefix list, and say when a group has no rules', () => {
    const listed = group({ ingress: [{ ruleId: 'r1', ipProtocol: '-1', prefixListId: 'pl-1' }] })
    expect(check(listed, { protocol: 6, port: 1 })).toEqual({ allowed: false, anyRules: true })
    expect(check(group({}), { protocol: 6, port: 1 })).toEqual({ allowed: false, anyRules: false })
  })

  it('ask the snapshot about group references', () => {
    const g = group({
      ingress: [{ ruleId: 'r1', ipProtocol: '-1', referencedGroup: { groupId: 'sg-9', userId: '1' } }],
    })
    const asked: string[] = []
    const verdict = checkGroups(
      [compileGroup(g, rangeReader())],
      'ingress',
      remote,
      { protocol: 6, port: 1 },
      (id) => {
        asked.push(id)
        return true
      },
    )
    expect(verdict).toMatchObject({ allowed: true })
    expect(asked).toEqual(['sg-9'])
  })
})

describe('network ACL entries', () => {
  const acl = (entries: NetworkAcl['entries']): NetworkAcl => ({
    networkAclId: 'acl-1',
    vpcId: 'vpc-1',
    ownerId: '1',
    isDefault: false,
    entries,
    associations: [],
  })
  const compiled = compileAcl(
    acl([
      aclEntry(32767, false, 'deny', '0.0.0.0/0'),
      aclEntry(200, false, 'allow', '0.0.0.0/0', '6', [1024, 65535]),
      aclEntry(100, false, 'deny', '10.9.0.0/16'),
      aclEntry(110, false, 'allow', '10.0.0.0/8', '6', [22, 22]),
      aclEntry(120, false, 'allow', '::/0'),
      aclEntry(100, true, 'allow', '0.0.0.0/0'),
    ]),
    rangeReader(),
  )

  it('let the lowest-numbered matching entry of the direction and family decide', () => {
    const inbound = (remote: string, port: number) =>
      checkAcl(compiled, false, readAddress(remote)!, { protocol: 6, port }).entry?.matched.ruleNumber
    expect(inbound('10.9.1.1', 22)).toBe(100)
    expect(inbound('10.1.1.1', 22)).toBe(110)
    expect(inbound('10.1.1.1', 80)).toBe(32767)
    expect(inbound('10.1.1.1', 50000)).toBe(200)
    expect(inbound('2600::1', 80)).toBe(120)
    expect(checkAcl(compiled, true, readAddress('10.1.1.1')!, { protocol: 6, port: 80 })).toMatchObject({
      allowed: true,
    })
  })

  it('deny when no entry matches, as when the catch-all is missing', () => {
    expect(checkAcl(compiled, true, readAddress('2600::1')!, { protocol: 6, port: 80 })).toEqual({
      allowed: false,
    })
  })
})
