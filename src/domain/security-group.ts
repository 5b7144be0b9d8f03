import { errors } from './errors.js'

/**
 * A rule's peer group. A group in a peer VPC also records that VPC and the peering it was
 * referenced through; a group in the rule's own VPC records neither.
 */
export interface GroupReference {
  readonly groupId: string
  readonly userId: string
  readonly vpcId?: string
  readonly vpcPeeringConnectionId?: string
}

export interface SecurityGroupRule {
  readonly ruleId: string
  /** `-1` for all traffic, otherwise tcp, udp, icmp, icmpv6 or a protocol number. */
  readonly ipProtocol: string
  readonly fromPort?: number
  readonly toPort?: number
  readonly cidrIpv4?: string
  readonly cidrIpv6?: string
  readonly prefixListId?: string
  readonly referencedGroup?: GroupReference
  readonly description?: string
}

/** A rule before it has an id: what a request asks for. */
export type RuleSpec = Omit<SecurityGroupRule, 'ruleId'>

export interface SecurityGroup {
  readonly groupId: string
  readonly groupName: string
  readonly description: string
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly ingress: readonly SecurityGroupRule[]
  readonly egress: readonly SecurityGroupRule[]
}

export const DEFAULT_GROUP_NAME = 'default'

/** The default group: all traffic in from members of itself, all traffic out. */
export function defaultSecurityGroup(
  group: Omit<SecurityGroup, 'groupName' | 'description' | 'ingress' | 'egress'>,
  newRuleId: () => string,
  withIpv6: boolean,
): SecurityGroup {
  return {
    ...group,
    groupName: DEFAULT_GROUP_NAME,
    description: 'default VPC security group',
    ingress: [
      {
        ruleId: newRuleId(),
        ipProtocol: '-1',
        referencedGroup: { groupId: group.groupId, userId: group.ownerId },
      },
    ],
    egress: [
      { ruleId: newRuleId(), ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' },
      ...(withIpv6 ? [{ ruleId: newRuleId(), ipProtocol: '-1', cidrIpv6: '::/0' }] : []),
    ],
  }
}

export const securityGroupArn = (group: Pick<SecurityGroup, 'region' | 'ownerId' | 'groupId'>) =>
  `arn:aws:ec2:${group.region}:${group.ownerId}:security-group/${group.groupId}`

export type Direction = 'ingress' | 'egress'

/** AWS's default quotas: rules per direction (IPv4 and IPv6 counted apart) and groups per region. */
export const SECURITY_GROUP_LIMITS = { rulesPerDirection: 60, groupsPerRegion: 2500 } as const

/** A new group's only rule: all IPv4 traffic out. AWS adds no ::/0 rule, even in an IPv6 VPC. */
export const newGroupEgress = (ruleId: string): SecurityGroupRule => ({
  ruleId,
  ipProtocol: '-1',
  cidrIpv4: '0.0.0.0/0',
})

export const securityGroupRuleArn = (group: Pick<SecurityGroup, 'region' | 'ownerId'>, ruleId: string) =>
  `arn:aws:ec2:${group.region}:${group.ownerId}:security-group-rule/${ruleId}`

/** The protocol and port part of a rule, as AWS stores it. */
export interface Traffic {
  readonly ipProtocol: string
  readonly fromPort?: number
  readonly toPort?: number
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
}
const NAMED_PROTOCOLS = new Set(Object.values(PROTOCOL_NAMES))

/**
 * Validates a permission's protocol and ports and brings them to the form AWS shows: names for
 * tcp/udp/icmp/icmpv6 (also when given as numbers), ports only where the protocol has them.
 */
export function normalizeTraffic(protocol: string, fromPort?: number, toPort?: number): Traffic {
  const lower = protocol.toLowerCase()
  const number = /^\d{1,3}$/.test(lower) ? Number(lower) : undefined
  const ipProtocol =
    lower === '-1' || NAMED_PROTOCOLS.has(lower)
      ? lower
      : number !== undefined && number <= 255
        ? (PROTOCOL_NAMES[String(number)] ?? String(number))
        : undefined
  if (ipProtocol === undefined)
    throw errors.invalidParameterValue(`Invalid value '${protocol}' for IP protocol. Unknown protocol.`)
  if (ipProtocol === 'tcp' || ipProtocol === 'udp') return tcpUdpTraffic(ipProtocol, fromPort, toPort)
  if (ipProtocol === 'icmp' || ipProtocol === 'icmpv6') return icmpTraffic(ipProtocol, fromPort, toPort)
  // All traffic, and protocols without ports, ignore any ports given.
  return { ipProtocol }
}

function tcpUdpTraffic(ipProtocol: string, fromPort?: number, toPort?: number): Traffic {
  if (fromPort === undefined || toPort === undefined) {
    throw errors.invalidParameterValue(
      'Invalid value for portRange. Must specify both from and to ports with TCP/UDP.',
    )
  }
  for (const [end, port] of [
    ['from', fromPort],
    ['to', toPort],
  ] as const) {
    if (port < 0 || port > 65535)
      throw errors.invalidParameterValue(`TCP/UDP (${end}) port (${port}) out of range`)
  }
  if (fromPort > toPort) {
    throw errors.permissionMalformed(`Invalid port range ${fromPort}-${toPort} for protocol '${ipProtocol}'.`)
  }
  return { ipProtocol, fromPort, toPort }
}

/** For ICMP the "ports" are the type and the code; -1 means all, and all types means all codes. */
function icmpTraffic(ipProtocol: string, type = -1, code = -1): Traffic {
  for (const [name, value] of [
    ['type', type],
    ['code', code],
  ] as const) {
    if (value < -1 || value > 255) throw errors.invalidParameterValue(`ICMP ${name} (${value}) out of range`)
  }
  if (type === -1 && code !== -1) {
    throw errors.permissionMalformed(`ICMP code (${code}) must be -1 when the ICMP type is -1.`)
  }
  return { ipProtocol, fromPort: type, toPort: code }
}

/** The ports a rule shows in SecurityGroupRule and filters: -1 where the protocol has none. */
export const shownPorts = (rule: Traffic) => ({ fromPort: rule.fromPort ?? -1, toPort: rule.toPort ?? -1 })

/** What a rule allows traffic from (ingress) or to (egress): a CIDR, a prefix list or a group. */
export const peerOf = (rule: RuleSpec): string =>
  rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroup?.groupId ?? ''

/** Two rules are the same rule when protocol, ports and peer agree; descriptions do not count. */
export const ruleKey = (rule: RuleSpec) =>
  `${rule.ipProtocol}|${rule.fromPort ?? ''}|${rule.toPort ?? ''}|${peerOf(rule)}`

/** How AWS names a rule in InvalidPermission.Duplicate. */
export function ruleText(rule: RuleSpec): string {
  const protocol = rule.ipProtocol === '-1' ? 'ALL' : rule.ipProtocol.toUpperCase()
  const ports =
    rule.fromPort === undefined
      ? ''
      : rule.ipProtocol.startsWith('icmp')
        ? `, type: ${rule.fromPort}, code: ${rule.toPort}`
        : `, from port: ${rule.fromPort}, to port: ${rule.toPort}`
  return `peer: ${peerOf(rule)}, ${protocol}${ports}, ALLOW`
}

/**
 * Whether one direction's rules stay within the quota. IPv4 and IPv6 rules are counted apart;
 * a rule naming a group or a prefix list counts once in each.
 */
export function withinRuleLimit(rules: readonly RuleSpec[]): boolean {
  const ipv4 = rules.filter((r) => r.cidrIpv6 === undefined).length
  const ipv6 = rules.filter((r) => r.cidrIpv4 === undefined).length
  return Math.max(ipv4, ipv6) <= SECURITY_GROUP_LIMITS.rulesPerDirection
}

// What AWS allows in VPC group names and descriptions, and in rule descriptions.
const ALLOWED_TEXT = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/

/** Checks a group's name or description: 1 to 255 characters from AWS's set. */
export function checkGroupText(parameter: 'GroupName' | 'GroupDescription', value: string) {
  if (value.length === 0 || value.length > 255) {
    throw errors.invalidValue(parameter, value, 'It must be between 1 and 255 characters long.')
  }
  if (!ALLOWED_TEXT.test(value)) {
    throw errors.invalidValue(
      parameter,
      value,
      /^[\x20-\x7e]*$/.test(value)
        ? 'Valid characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*'
        : 'Character sets beyond ASCII are not supported.',
    )
  }
  if (parameter === 'GroupName' && value.startsWith('sg-')) {
    throw errors.invalidValue(parameter, value, 'Group names may not be in the format sg-*.')
  }
}

export function checkRuleDescription(description: string | undefined) {
  if (description !== undefined && (description.length > 255 || !ALLOWED_TEXT.test(description))) {
    throw errors.invalidParameterValue(
      'Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*',
    )
  }
}

/** A group with one direction's rules replaced. */
export const withRules = (
  group: SecurityGroup,
  direction: Direction,
  rules: readonly SecurityGroupRule[],
): SecurityGroup => (direction === 'ingress' ? { ...group, ingress: rules } : { ...group, egress: rules })
