import { formatPrefix, parsePrefix } from '../net/prefix.js'
import { errors } from './errors.js'

export interface NetworkAclEntry {
  readonly ruleNumber: number
  readonly egress: boolean
  /** `-1` for all, otherwise a protocol number as a string (6 tcp, 17 udp, 1 icmp). */
  readonly protocol: string
  readonly ruleAction: 'allow' | 'deny'
  readonly cidrBlock?: string
  readonly ipv6CidrBlock?: string
  readonly portRange?: { readonly from: number; readonly to: number }
  readonly icmpTypeCode?: { readonly type: number; readonly code: number }
}

export interface NetworkAclAssociation {
  readonly networkAclAssociationId: string
  readonly subnetId: string
}

export interface NetworkAcl {
  readonly networkAclId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly isDefault: boolean
  readonly entries: readonly NetworkAclEntry[]
  readonly associations: readonly NetworkAclAssociation[]
  /** The ClientToken of the CreateNetworkAcl call that made it, so a retry returns it again. */
  readonly clientToken?: string
}

/** Quotas AWS applies (UG-quotas); the entry quota counts the catch-all rule of its family. */
export const NETWORK_ACL_LIMITS = { aclsPerVpc: 200, entriesPerDirectionAndFamily: 20 } as const

/** The final deny rules that every ACL has and nobody can remove. */
export const CATCH_ALL_IPV4 = 32767
export const CATCH_ALL_IPV6 = 32768

/** Rule numbers a caller may use; the catch-all numbers lie above them, out of reach. */
export const RULE_NUMBERS = { min: 1, max: 32766 } as const

const both = (entry: Omit<NetworkAclEntry, 'egress'>): NetworkAclEntry[] => [
  { ...entry, egress: false },
  { ...entry, egress: true },
]

/** Rule 100 allows all IPv4 both ways (101 for IPv6); the catch-all rules deny the rest. */
export function defaultAclEntries(withIpv6: boolean): NetworkAclEntry[] {
  return [...defaultIpv4Entries(), ...(withIpv6 ? defaultIpv6Entries() : [])]
}

export const defaultIpv4Entries = () => [
  ...both({ ruleNumber: 100, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV4, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' }),
]

export const defaultIpv6Entries = () => [
  ...both({ ruleNumber: 101, protocol: '-1', ruleAction: 'allow', ipv6CidrBlock: '::/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV6, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' }),
]

/** A new custom ACL denies everything until rules are added. */
export const customAclEntries = (): NetworkAclEntry[] => [
  ...both({ ruleNumber: CATCH_ALL_IPV4, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV6, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' }),
]

/** The protocols whose rules carry a port range or an ICMP type and code. */
export const PROTOCOLS = { all: '-1', icmp: '1', tcp: '6', udp: '17', icmpv6: '58' } as const

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
}

/** The name AWS's filters accept besides the number (`entry.protocol=tcp`), if it has one. */
export const protocolName = (protocol: string): string | undefined =>
  Object.hasOwn(PROTOCOL_NAMES, protocol) ? PROTOCOL_NAMES[protocol] : undefined

export const familyOf = (entry: NetworkAclEntry): 4 | 6 => (entry.ipv6CidrBlock !== undefined ? 6 : 4)

/** Egress rules first, then ingress, each by rule number: the order AWS lists them in. */
export const entriesInOrder = (entries: readonly NetworkAclEntry[]): NetworkAclEntry[] =>
  [...entries].sort((a, b) => Number(b.egress) - Number(a.egress) || a.ruleNumber - b.ruleNumber)

/** An entry as a caller asks for it, before validation. */
export interface EntryRequest {
  readonly ruleNumber: number
  readonly egress: boolean
  readonly protocol: string
  readonly ruleAction: 'allow' | 'deny'
  readonly cidrBlock?: string
  readonly ipv6CidrBlock?: string
  readonly portRange?: { readonly from?: number; readonly to?: number }
  readonly icmpTypeCode?: { readonly type?: number; readonly code?: number }
}

export function checkRuleNumber(ruleNumber: number) {
  if (ruleNumber < RULE_NUMBERS.min || ruleNumber > RULE_NUMBERS.max) {
    throw errors.invalidParameterValue(
      `Value (${ruleNumber}) for parameter ruleNumber is invalid. Rulenumber must be in range ${RULE_NUMBERS.min}..${RULE_NUMBERS.max}`,
    )
  }
}

/**
 * The EC2 API takes protocol numbers only (the AWS CLI translates `tcp`, `udp`, `icmp` and
 * `all` before sending); `06` is stored as `6`.
 */
function protocolNumber(text: string): string {
  const value = /^-?\d{1,3}$/.test(text) ? Number(text) : Number.NaN
  if (value === -1 || (value >= 0 && value <= 255)) return String(value)
  throw errors.invalidParameterValue(`Invalid value '${text}' for IP protocol. Unknown protocol.`)
}

function entryBlock(request: EntryRequest): Pick<NetworkAclEntry, 'cidrBlock' | 'ipv6CidrBlock'> {
  const { cidrBlock, ipv6CidrBlock } = request
  if (cidrBlock === undefined && ipv6CidrBlock === undefined) {
    throw errors.missingParameter('cidrBlock or ipv6CidrBlock')
  }
  if (cidrBlock !== undefined && ipv6CidrBlock !== undefined) {
    throw errors.invalidParameterCombination('Only one of cidrBlock or ipv6CidrBlock may be specified.')
  }
  const text = (cidrBlock ?? ipv6CidrBlock)!
  const prefix = parsePrefix(text)
  if (prefix?.family !== (cidrBlock !== undefined ? 4 : 6)) {
    throw errors.invalidParameterValue(`CIDR block ${text} is malformed`)
  }
  return cidrBlock !== undefined
    ? { cidrBlock: formatPrefix(prefix) }
    : { ipv6CidrBlock: formatPrefix(prefix) }
}

/** Reads a pair of numbers that are both required once the pair applies. */
function pairOf<A extends string, B extends string>(
  group: string,
  given: Partial<Record<A | B, number>> | undefined,
  [first, second]: readonly [A, B],
  range: { min: number; max: number },
): Record<A | B, number> {
  const pair = {} as Record<A | B, number>
  for (const member of [first, second]) {
    const value = given?.[member]
    if (value === undefined) throw errors.missingParameter(`${group}.${member}`)
    if (value < range.min || value > range.max) {
      throw errors.invalidValue(
        `${group}.${member}`,
        String(value),
        `It must be between ${range.min} and ${range.max}.`,
      )
    }
    pair[member] = value
  }
  return pair
}

/**
 * Validates a requested entry and returns it as AWS keeps it. Only TCP and UDP rules keep a port
 * range, and only ICMP rules (and ICMPv6 rules for an IPv6 block) an ICMP type and code; for any
 * other rule AWS ignores those parameters, so they are dropped rather than shown.
 */
export function buildEntry(request: EntryRequest): NetworkAclEntry {
  checkRuleNumber(request.ruleNumber)
  const protocol = protocolNumber(request.protocol)
  const block = entryBlock(request)
  const usesPorts = protocol === PROTOCOLS.tcp || protocol === PROTOCOLS.udp
  const usesIcmp =
    protocol === PROTOCOLS.icmp || (protocol === PROTOCOLS.icmpv6 && block.ipv6CidrBlock !== undefined)
  const portRange = usesPorts
    ? pairOf('portRange', request.portRange, ['from', 'to'], { min: 0, max: 65535 })
    : undefined
  if (portRange && portRange.from > portRange.to) {
    throw errors.invalidParameterValue(
      `Invalid port range ${portRange.from}-${portRange.to}: portRange.from must not exceed portRange.to.`,
    )
  }
  const icmpTypeCode = usesIcmp
    ? pairOf('icmpTypeCode', request.icmpTypeCode, ['type', 'code'], { min: -1, max: 255 })
    : undefined
  return {
    ruleNumber: request.ruleNumber,
    egress: request.egress,
    protocol,
    ruleAction: request.ruleAction,
    ...block,
    ...(portRange ? { portRange } : {}),
    ...(icmpTypeCode ? { icmpTypeCode } : {}),
  }
}

const inSlot = (entry: NetworkAclEntry, ruleNumber: number, egress: boolean) =>
  entry.ruleNumber === ruleNumber && entry.egress === egress

function findSlot(entries: readonly NetworkAclEntry[], ruleNumber: number, egress: boolean) {
  if (!entries.some((e) => inSlot(e, ruleNumber, egress))) {
    throw errors.networkAclEntryNotFound(egress, ruleNumber)
  }
}

/** The quota is per direction and per address family, and the catch-all rule counts. */
function checkEntryLimit(entries: NetworkAclEntry[], changed: NetworkAclEntry): NetworkAclEntry[] {
  const sameKind = entries.filter((e) => e.egress === changed.egress && familyOf(e) === familyOf(changed))
  if (sameKind.length > NETWORK_ACL_LIMITS.entriesPerDirectionAndFamily) {
    throw errors.limitExceeded(
      'NetworkAclEntryLimitExceeded',
      'The maximum number of network acl entries has been reached.',
    )
  }
  return entries
}

/** Rule numbers are unique per direction, across both address families. */
export function withEntryAdded(entries: readonly NetworkAclEntry[], entry: NetworkAclEntry) {
  if (entries.some((e) => inSlot(e, entry.ruleNumber, entry.egress))) {
    throw errors.networkAclEntryExists(entry.ruleNumber)
  }
  return checkEntryLimit([...entries, entry], entry)
}

export function withEntryReplaced(entries: readonly NetworkAclEntry[], entry: NetworkAclEntry) {
  findSlot(entries, entry.ruleNumber, entry.egress)
  return checkEntryLimit(
    entries.map((e) => (inSlot(e, entry.ruleNumber, entry.egress) ? entry : e)),
    entry,
  )
}

/** The caller checks the rule number first (checkRuleNumber), before it loads the ACL. */
export function withEntryRemoved(entries: readonly NetworkAclEntry[], ruleNumber: number, egress: boolean) {
  findSlot(entries, ruleNumber, egress)
  return entries.filter((e) => !inSlot(e, ruleNumber, egress))
}
