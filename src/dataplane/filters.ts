/**
 * Security-group rules and network-ACL entries compiled for matching one concrete packet, and
 * the matching itself (docs/dataplane.md, "Matching rules").
 */
import type { NetworkAcl, NetworkAclEntry } from '../domain/network-acl.js'
import type { SecurityGroup, SecurityGroupRule } from '../domain/security-group.js'
import { type Address, inRange, type Range, readRange } from './address.js'
import type { MatchedAclRule, MatchedSecurityGroupRule } from './types.js'

/** What a rule sees of a packet besides its remote address. */
export interface Packet {
  readonly protocol: number
  /** The destination port (tcp/udp) or the ICMP type; undefined stands for every one. */
  readonly port?: number
  readonly icmpCode?: number
}

const ALL = -1
const TCP = 6
const UDP = 17
const ICMP = 1
const ICMPV6 = 58

const NAMED: Readonly<Record<string, number>> = { tcp: TCP, udp: UDP, icmp: ICMP, icmpv6: ICMPV6 }
const NAMES: Readonly<Record<number, string>> = {
  [TCP]: 'tcp',
  [UDP]: 'udp',
  [ICMP]: 'icmp',
  [ICMPV6]: 'icmpv6',
}

/** `-1` for all, a name or a number; NaN (which matches nothing) for anything else. */
export function protocolNumber(text: string): number {
  const lower = text.toLowerCase()
  if (Object.hasOwn(NAMED, lower)) return NAMED[lower]!
  return /^-?\d{1,3}$/.test(lower) ? Number(lower) : Number.NaN
}

export const protocolLabel = (protocol: number) =>
  protocol === ALL ? 'all' : (NAMES[protocol] ?? `protocol ${protocol}`)

export const hasPorts = (protocol: number) => protocol === TCP || protocol === UDP
export const isIcmp = (protocol: number) => protocol === ICMP || protocol === ICMPV6

/** Protocol and ports of a rule: `from`/`to` are ports for tcp/udp, type/code for ICMP. */
interface Traffic {
  readonly protocol: number
  readonly from: number
  readonly to: number
}

/** An unknown packet port matches only a range that covers every port. */
const portInRange = (from: number, to: number, port: number | undefined) =>
  port === undefined ? from <= 0 && to >= 65535 : from <= port && port <= to

function icmpMatches(type: number, code: number, packet: Packet) {
  if (type === ALL) return true
  if (packet.port !== type) return false
  return code === ALL || packet.icmpCode === code
}

export function trafficMatches(rule: Traffic, packet: Packet): boolean {
  if (rule.protocol === ALL) return true
  if (rule.protocol !== packet.protocol) return false
  if (hasPorts(rule.protocol)) return portInRange(rule.from, rule.to, packet.port)
  if (isIcmp(rule.protocol)) return icmpMatches(rule.from, rule.to, packet)
  return true
}

/** A rule's ports as the engine reads them: absent ports mean all of them. */
const lowest = (protocol: number, from: number | undefined) => from ?? (hasPorts(protocol) ? 0 : ALL)
const highest = (protocol: number, to: number | undefined) => to ?? (hasPorts(protocol) ? 65535 : ALL)

/** Parses each distinct CIDR once: estates repeat the same blocks across thousands of rules. */
export type RangeReader = (cidr: string) => Range | undefined

export function rangeReader(): RangeReader {
  const seen = new Map<string, Range | undefined>()
  return (cidr) => {
    if (seen.has(cidr)) return seen.get(cidr)
    const range = readRange(cidr)
    seen.set(cidr, range)
    return range
  }
}

// Security groups

export interface CompiledGroupRule extends Traffic {
  readonly rule: SecurityGroupRule
  /** The CIDR the remote address must lie in; undefined for a group reference or a prefix list. */
  readonly range: Range | undefined
  readonly referencedGroupId: string | undefined
  /** Prefix lists are not modelled, so such a rule never matches. */
  readonly never: boolean
}

function compileGroupRule(rule: SecurityGroupRule, ranges: RangeReader): CompiledGroupRule {
  const protocol = protocolNumber(rule.ipProtocol)
  const cidr = rule.cidrIpv4 ?? rule.cidrIpv6
  const range = cidr === undefined ? undefined : ranges(cidr)
  const referencedGroupId = rule.referencedGroup?.groupId
  return {
    protocol,
    from: lowest(protocol, rule.fromPort),
    to: highest(protocol, rule.toPort),
    rule,
    range,
    referencedGroupId,
    never: range === undefined && referencedGroupId === undefined,
  }
}

/** The deciding rule as a path component names it (built only for the rule that decided). */
export function matchedGroupRule(
  groupId: string,
  direction: 'ingress' | 'egress',
  { rule }: CompiledGroupRule,
): MatchedSecurityGroupRule {
  const cidr = rule.cidrIpv4 ?? rule.cidrIpv6
  return {
    groupId,
    ruleId: rule.ruleId,
    direction,
    protocol: rule.ipProtocol,
    ...(rule.fromPort !== undefined && rule.toPort !== undefined
      ? { portRange: { from: rule.fromPort, to: rule.toPort } }
      : {}),
    ...(cidr !== undefined ? { cidr } : {}),
    ...(rule.referencedGroup ? { referencedGroupId: rule.referencedGroup.groupId } : {}),
    ...(rule.prefixListId !== undefined ? { prefixListId: rule.prefixListId } : {}),
  }
}

export interface CompiledGroup {
  readonly group: SecurityGroup
  readonly ingress: readonly CompiledGroupRule[]
  readonly egress: readonly CompiledGroupRule[]
}

export const compileGroup = (group: SecurityGroup, ranges: RangeReader): CompiledGroup => ({
  group,
  ingress: group.ingress.map((rule) => compileGroupRule(rule, ranges)),
  egress: group.egress.map((rule) => compileGroupRule(rule, ranges)),
})

/** Whether a group reference admits the remote address; the snapshot knows members and peerings. */
export type ReferenceCheck = (referencedGroupId: string, remote: Address) => boolean

export type GroupVerdict =
  | { readonly allowed: true; readonly group: SecurityGroup; readonly rule: CompiledGroupRule }
  | { readonly allowed: false; readonly anyRules: boolean }

/** Any rule of any group that matches lets the packet through; groups are allow-only. */
export function checkGroups(
  groups: readonly CompiledGroup[],
  direction: 'ingress' | 'egress',
  remote: Address,
  packet: Packet,
  referenceHolds: ReferenceCheck,
): GroupVerdict {
  let anyRules = false
  for (const compiled of groups) {
    const rules = compiled[direction]
    if (rules.length > 0) anyRules = true
    for (const rule of rules) {
      if (rule.never || !trafficMatches(rule, packet)) continue
      const peerMatches = rule.range
        ? inRange(rule.range, remote)
        : referenceHolds(rule.referencedGroupId!, remote)
      if (peerMatches) return { allowed: true, group: compiled.group, rule }
    }
  }
  return { allowed: false, anyRules }
}

// Network ACLs

export interface CompiledAclEntry extends Traffic {
  readonly entry: NetworkAclEntry
  readonly range: Range | undefined
  readonly allow: boolean
  readonly matched: MatchedAclRule
}

/** An ACL's entries split by direction and family, each list in rule-number order. */
export interface CompiledAcl {
  readonly acl: NetworkAcl
  readonly lists: Readonly<
    Record<'ingress4' | 'egress4' | 'ingress6' | 'egress6', readonly CompiledAclEntry[]>
  >
}

function compileAclEntry(acl: NetworkAcl, entry: NetworkAclEntry, ranges: RangeReader): CompiledAclEntry {
  const protocol = protocolNumber(entry.protocol)
  const ports = hasPorts(protocol)
  const cidr = entry.cidrBlock ?? entry.ipv6CidrBlock ?? ''
  return {
    protocol,
    from: lowest(protocol, ports ? entry.portRange?.from : entry.icmpTypeCode?.type),
    to: highest(protocol, ports ? entry.portRange?.to : entry.icmpTypeCode?.code),
    entry,
    range: ranges(cidr),
    allow: entry.ruleAction === 'allow',
    matched: {
      networkAclId: acl.networkAclId,
      ruleNumber: entry.ruleNumber,
      ruleAction: entry.ruleAction,
      egress: entry.egress,
      protocol: entry.protocol,
      cidr,
      ...(entry.portRange ? { portRange: entry.portRange } : {}),
    },
  }
}

const listKey = (egress: boolean, family: 4 | 6) =>
  `${egress ? 'egress' : 'ingress'}${family}` as keyof CompiledAcl['lists']

export function compileAcl(acl: NetworkAcl, ranges: RangeReader): CompiledAcl {
  const lists: Record<keyof CompiledAcl['lists'], CompiledAclEntry[]> = {
    ingress4: [],
    egress4: [],
    ingress6: [],
    egress6: [],
  }
  const ordered = [...acl.entries].sort((a, b) => a.ruleNumber - b.ruleNumber)
  for (const entry of ordered) {
    lists[listKey(entry.egress, entry.ipv6CidrBlock !== undefined ? 6 : 4)].push(
      compileAclEntry(acl, entry, ranges),
    )
  }
  return { acl, lists }
}

/** The first entry that matches decides; none matching (no catch-all present) denies. */
export function checkAcl(
  compiled: CompiledAcl,
  egress: boolean,
  remote: Address,
  packet: Packet,
): { readonly allowed: boolean; readonly entry?: CompiledAclEntry } {
  for (const entry of compiled.lists[listKey(egress, remote.family)]) {
    if (entry.range && inRange(entry.range, remote) && trafficMatches(entry, packet)) {
      return { allowed: entry.allow, entry }
    }
  }
  return { allowed: false }
}
