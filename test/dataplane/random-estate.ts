/**
 * fast-check arbitraries for small, tricky estates and flows. A plan of plain choices (counts,
 * presets, indices taken modulo what exists) is drawn first and then built into records, so
 * shrinking works on the choices and every record stays well-formed per the domain types.
 *
 * What the estates hold on purpose: overlapping and identical VPC blocks (so one address lives
 * in several VPCs), secondary IPv4 blocks and IPv6 /56s, stale peering copies of the blocks,
 * peerings in every state, within and across regions and accounts, routes to peers that are
 * exact, partial or far too broad, routes to gateways that are detached, elsewhere, deleted or
 * missing, groups of other VPCs, references to peer and missing groups, ACLs with denies and
 * ephemeral-port gaps.
 *
 * What they avoid, because docs/dataplane.md leaves it open (the reference throws on it): two
 * interfaces of one VPC holding one address, two routes to one destination in a table, routes
 * to existing interfaces, instances or transit gateways, routes to peerings of two other VPCs,
 * IPv4 routes to egress-only gateways, IPv6 routes to NAT gateways, NAT gateways whose subnet
 * routes into a NAT gateway, ACLs without catch-all entries.
 */
import fc from 'fast-check'
import type { Estate, Flow } from '../../src/dataplane/types.js'
import type {
  EgressOnlyInternetGateway,
  InternetGateway,
  NatGateway,
  NatGatewayState,
  VpnGateway,
} from '../../src/domain/gateways.js'
import type { NetworkAcl, NetworkAclEntry } from '../../src/domain/network-acl.js'
import type { NetworkInterface } from '../../src/domain/network-interface.js'
import type { PeeringConnection, PeeringStatusCode } from '../../src/domain/peering.js'
import type { Route, RouteTable } from '../../src/domain/route-table.js'
import type { SecurityGroup, SecurityGroupRule } from '../../src/domain/security-group.js'
import type { Subnet } from '../../src/domain/subnet.js'
import type { Vpc } from '../../src/domain/vpc.js'
import {
  formatAddress,
  formatPrefix,
  type Prefix,
  parsePrefix as parsePrefixText,
  prefixAt,
} from '../../src/net/prefix.js'

const ACCOUNTS = ['111111111111', '222222222222'] as const
const REGIONS = ['us-east-1', 'eu-west-1'] as const
const AT = new Date('2025-01-01T00:00:00.000Z')
const EARLIER = '2024-12-31T00:00:00.000Z'

/** Primary blocks repeat and nest so that VPCs overlap often. */
const PRIMARY_BLOCKS = [
  '10.0.0.0/16',
  '10.0.0.0/16',
  '10.0.0.0/20',
  '10.1.0.0/16',
  '10.2.0.0/16',
  '10.3.0.0/16',
  '172.16.0.0/16',
]
const SECONDARY_BLOCKS = ['100.64.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '100.64.0.0/20']
const IPV6_BLOCKS = ['2600:1f18:1:100::/56', '2600:1f18:1:200::/56', '2600:1f18:1:100::/56']

/** Host numbers in a subnet: interfaces, their secondary addresses and NAT gateways never meet. */
const INTERFACE_HOST = 10
const SECONDARY_HOST = 30
const NAT_HOST = 250

/** Addresses outside every VPC, and a few inside VPC blocks that no interface holds. */
const OUTSIDE_ADDRESSES = [
  '198.51.100.7',
  '203.0.113.9',
  '192.168.5.5',
  '8.8.8.8',
  '10.0.0.99',
  '10.1.3.3',
  '100.64.0.77',
  '2001:db8::5',
  '2606:4700::1111',
  '2600:1f18:1:100::99',
  // Where NAT gateways sit in a 10.0.0.0/24 subnet: no interface holds it.
  '10.0.0.250',
]

const MISSING = {
  peering: 'pcx-0000000000000dead',
  group: 'sg-0000000000000dead',
  igw: 'igw-0000000000000dead',
  eigw: 'eigw-000000000000dead',
  nat: 'nat-0000000000000dead',
  vgw: 'vgw-0000000000000dead',
  eni: 'eni-0000000000000dead',
}

// ---------------------------------------------------------------------------------------------
// The plan.

type Which = 'own' | 'foreign' | 'missing'

interface RulePlan {
  readonly traffic: Pick<SecurityGroupRule, 'ipProtocol' | 'fromPort' | 'toPort'>
  readonly peer:
    | { readonly kind: 'cidrIpv4' | 'cidrIpv6'; readonly cidr: string }
    | { readonly kind: 'group'; readonly index: number; readonly missing: boolean }
    | { readonly kind: 'prefixList' }
}

interface GroupPlan {
  readonly preset: 'none' | 'defaultLike' | 'open' | 'web'
  readonly ingress: readonly RulePlan[]
  readonly egress: readonly RulePlan[]
}

interface EntryPlan {
  readonly ruleNumber: number
  readonly egress: boolean
  readonly ruleAction: 'allow' | 'deny'
  readonly block: string
  readonly protocol: string
  readonly portRange: { readonly from: number; readonly to: number }
  readonly icmpTypeCode: { readonly type: number; readonly code: number }
}

type AclPreset = 'allowAll' | 'denyAll' | 'ephemeralGapOut' | 'ephemeralGapIn' | 'tcpOnly'

interface AclPlan {
  readonly preset: AclPreset
  readonly entries: readonly EntryPlan[]
}

type PeeringDestination = 'full' | 'partial' | 'secondary' | 'ipv6' | 'any4' | 'any6' | 'supernet'

type RoutePlan =
  | {
      readonly kind: 'peering'
      readonly index: number
      readonly missing: boolean
      readonly dest: PeeringDestination
    }
  | {
      readonly kind: 'igw' | 'eigw' | 'nat' | 'vgw'
      readonly which: Which
      readonly index: number
      readonly dest: string
    }
  | { readonly kind: 'deadInterface'; readonly dest: string }
  /** A prefix-list destination (not modelled, so ignored by lookups) through the VPC's IGW or a peering. */
  | { readonly kind: 'prefixList'; readonly index: number }

interface TablePlan {
  /** Routes through every peering of the VPC (whatever its state) to all the peer's blocks. */
  readonly routeToPeers: boolean
  /** 0.0.0.0/0 and ::/0 to one of the VPC's own gateways (a blackhole when it has none). */
  readonly defaultIpv4: 'igw' | 'nat' | 'vgw' | null
  readonly defaultIpv6: 'igw' | 'eigw' | null
  readonly routes: readonly RoutePlan[]
}

interface InterfacePlan {
  readonly secondary: boolean
  readonly ipv6Count: number
  readonly publicIp: boolean
  readonly groups: readonly { readonly index: number; readonly foreign: boolean }[]
}

interface SubnetPlan {
  readonly block: number
  readonly offset: number
  readonly ipv6: boolean
  readonly acl: number
  readonly table: number | null
  readonly interfaces: readonly InterfacePlan[]
}

/** A NAT gateway's subnet gets a table of its own: local routes, maybe the IGW, maybe a peer. */
interface NatPlan {
  readonly connectivity: 'public' | 'private'
  readonly state: NatGatewayState
  readonly subnet: number
  readonly toInternetGateway: boolean
  readonly peering: { readonly index: number; readonly dest: PeeringDestination } | null
}

interface VpcPlan {
  readonly account: number
  readonly region: number
  readonly primary: string
  readonly secondary: string | null
  /** The secondary block is gone from the VPC (and its local routes) but its subnets remain. */
  readonly secondaryDropped: boolean
  readonly ipv6: string | null
  readonly subnets: readonly SubnetPlan[]
  readonly groups: readonly GroupPlan[]
  readonly acls: readonly AclPlan[]
  readonly tables: readonly TablePlan[]
  readonly internetGateway: 'attached' | 'detached' | 'elsewhere' | null
  readonly egressOnlyGateway: boolean
  readonly nat: NatPlan | null
  readonly vpnGateway: 'attached' | 'detached' | 'deleted' | null
}

interface PeeringPlan {
  readonly requester: number
  readonly accepter: number
  readonly status: PeeringStatusCode
  readonly staleBlocks: boolean
}

export interface EstatePlan {
  readonly vpcs: readonly VpcPlan[]
  readonly peerings: readonly PeeringPlan[]
}

export interface FlowPlan {
  readonly source: number
  readonly sourceByAddress: number | null
  /** `nearby`: an interface of the source's VPC or of a VPC peered with it (in any state). */
  readonly destination:
    | { readonly kind: 'anyInterface' | 'nearby'; readonly index: number; readonly address: number }
    | { readonly kind: 'outside'; readonly address: string }
  readonly protocol: number
  readonly port: number
  readonly icmpCode: number
  readonly sourcePort: number | null
  /** How IPv6 addresses in the flow are written: as stored, fully expanded, or in capitals. */
  readonly spelling: 'canonical' | 'expanded' | 'capitals'
}

/** One of the values, with weights. */
const weighted = <T>(...choices: readonly (readonly [number, T])[]) =>
  fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })))

const index = fc.nat({ max: 15 })
const which = weighted<Which>([3, 'own'], [1, 'foreign'], [1, 'missing'])
const PORTS = [0, 22, 80, 443, 1024, 3389, 8080, 49152, 65535]

const trafficPlan: fc.Arbitrary<RulePlan['traffic']> = fc.oneof(
  fc.record({ ipProtocol: fc.constantFrom('-1', '47') }),
  fc
    .tuple(fc.constantFrom('tcp', 'udp', '6', '17'), fc.constantFrom(...PORTS), fc.constantFrom(...PORTS))
    .map(([ipProtocol, a, b]) => ({ ipProtocol, fromPort: Math.min(a, b), toPort: Math.max(a, b) })),
  fc
    .tuple(
      fc.constantFrom('icmp', 'icmpv6', '1', '58'),
      fc.constantFrom([-1, -1], [8, -1], [8, 0], [0, 0], [3, 4], [3, -1]),
    )
    .map(([ipProtocol, [type, code]]) => ({ ipProtocol, fromPort: type!, toPort: code! })),
)

const rulePlan: fc.Arbitrary<RulePlan> = fc.record({
  traffic: trafficPlan,
  peer: fc.oneof(
    fc.record({
      kind: fc.constant('cidrIpv4' as const),
      cidr: fc.constantFrom(
        '0.0.0.0/0',
        '10.0.0.0/16',
        '10.1.0.0/16',
        '10.0.1.0/24',
        '10.0.0.10/32',
        '203.0.113.0/24',
      ),
    }),
    fc.record({
      kind: fc.constant('cidrIpv6' as const),
      cidr: fc.constantFrom('::/0', '2600:1f18:1:100::/56', '2600:1f18:1:200::/64', '2001:db8::/32'),
    }),
    fc.record({ kind: fc.constant('group' as const), index, missing: weighted([3, false], [1, true]) }),
    fc.record({ kind: fc.constant('prefixList' as const) }),
  ),
})

const groupPlan: fc.Arbitrary<GroupPlan> = fc.record({
  preset: weighted<GroupPlan['preset']>([1, 'none'], [2, 'defaultLike'], [4, 'open'], [1, 'web']),
  ingress: fc.array(rulePlan, { maxLength: 2 }),
  egress: fc.array(rulePlan, { maxLength: 2 }),
})

const entryPlan: fc.Arbitrary<EntryPlan> = fc.record({
  ruleNumber: fc.constantFrom(10, 20, 30, 40, 50, 150),
  egress: fc.boolean(),
  ruleAction: fc.constantFrom('allow', 'deny'),
  block: fc.constantFrom(
    '0.0.0.0/0',
    '10.0.0.0/16',
    '10.1.0.0/16',
    '10.0.1.0/24',
    '203.0.113.0/24',
    '::/0',
    '2600:1f18:1:100::/56',
  ),
  protocol: fc.constantFrom('-1', '6', '17', '1', '58', '47'),
  portRange: fc.constantFrom(
    { from: 0, to: 65535 },
    { from: 22, to: 22 },
    { from: 80, to: 443 },
    { from: 1024, to: 49151 },
    { from: 32768, to: 65535 },
  ),
  icmpTypeCode: fc.constantFrom(
    { type: -1, code: -1 },
    { type: 8, code: 0 },
    { type: 0, code: -1 },
    { type: 3, code: 4 },
  ),
})

const aclPlan: fc.Arbitrary<AclPlan> = fc.record({
  preset: weighted<AclPreset>(
    [6, 'allowAll'],
    [1, 'denyAll'],
    [1, 'ephemeralGapOut'],
    [1, 'ephemeralGapIn'],
    [1, 'tcpOnly'],
  ),
  entries: fc.array(entryPlan, { maxLength: 2 }),
})

const peeringDestination = weighted<PeeringDestination>(
  [2, 'full'],
  [1, 'partial'],
  [1, 'secondary'],
  [1, 'ipv6'],
  [1, 'any4'],
  [1, 'any6'],
  [1, 'supernet'],
)

const gatewayRoute = (kind: 'igw' | 'eigw' | 'nat' | 'vgw', destinations: string[]) =>
  fc.record({ kind: fc.constant(kind), which, index, dest: fc.constantFrom(...destinations) })

const routePlan: fc.Arbitrary<RoutePlan> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('peering' as const),
      index,
      missing: weighted([5, false], [1, true]),
      dest: peeringDestination,
    }),
  },
  { weight: 3, arbitrary: gatewayRoute('igw', ['0.0.0.0/0', '198.51.100.0/24', '::/0']) },
  { weight: 1, arbitrary: gatewayRoute('eigw', ['::/0', '2001:db8::/32']) },
  { weight: 2, arbitrary: gatewayRoute('nat', ['0.0.0.0/0', '198.51.100.0/24', '192.168.0.0/16']) },
  { weight: 1, arbitrary: gatewayRoute('vgw', ['192.168.0.0/16', '0.0.0.0/0']) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deadInterface' as const),
      dest: fc.constantFrom('203.0.113.0/24', '0.0.0.0/0'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prefixList' as const), index }) },
)

const interfacePlan: fc.Arbitrary<InterfacePlan> = fc.record({
  secondary: fc.boolean(),
  ipv6Count: weighted([1, 0], [2, 1], [1, 2]),
  publicIp: fc.boolean(),
  groups: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    {
      weight: 9,
      arbitrary: fc.array(fc.record({ index, foreign: weighted([4, false], [1, true]) }), {
        minLength: 1,
        maxLength: 2,
      }),
    },
  ),
})

const subnetPlan: fc.Arbitrary<SubnetPlan> = fc.record({
  block: index,
  offset: fc.nat({ max: 3 }),
  ipv6: weighted([2, true], [1, false]),
  acl: index,
  table: fc.option(index, { nil: null }),
  interfaces: fc.array(interfacePlan, { minLength: 1, maxLength: 4 }),
})

const natPlan: fc.Arbitrary<NatPlan> = fc.record({
  connectivity: fc.constantFrom('public', 'private'),
  state: weighted<NatGatewayState>([4, 'available'], [1, 'pending'], [1, 'deleted'], [1, 'failed']),
  subnet: index,
  toInternetGateway: fc.boolean(),
  peering: fc.option(fc.record({ index, dest: peeringDestination }), { nil: null }),
})

const vpcPlan: fc.Arbitrary<VpcPlan> = fc.record({
  account: weighted([2, 0], [1, 1]),
  region: weighted([3, 0], [1, 1]),
  primary: fc.constantFrom(...PRIMARY_BLOCKS),
  secondary: fc.option(fc.constantFrom(...SECONDARY_BLOCKS), { nil: null }),
  secondaryDropped: weighted([5, false], [1, true]),
  ipv6: fc.option(fc.constantFrom(...IPV6_BLOCKS), { nil: null, freq: 3 }),
  subnets: fc.array(subnetPlan, { minLength: 1, maxLength: 3 }),
  groups: fc.array(groupPlan, { minLength: 1, maxLength: 2 }),
  acls: fc.array(aclPlan, { minLength: 1, maxLength: 2 }),
  tables: fc.array(
    fc.record({
      routeToPeers: weighted([3, true], [1, false]),
      defaultIpv4: weighted([1, null], [2, 'igw' as const], [2, 'nat' as const], [1, 'vgw' as const]),
      defaultIpv6: weighted([1, null], [1, 'igw' as const], [2, 'eigw' as const]),
      routes: fc.array(routePlan, { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  internetGateway: fc.option(
    weighted([2, 'attached' as const], [1, 'detached' as const], [1, 'elsewhere' as const]),
    {
      nil: null,
      freq: 3,
    },
  ),
  egressOnlyGateway: weighted([2, true], [1, false]),
  nat: fc.option(natPlan, { nil: null, freq: 3 }),
  vpnGateway: fc.option(fc.constantFrom('attached' as const, 'detached' as const, 'deleted' as const), {
    nil: null,
    freq: 2,
  }),
})

const peeringPlan: fc.Arbitrary<PeeringPlan> = fc.record({
  requester: index,
  accepter: index,
  status: weighted<PeeringStatusCode>(
    [12, 'active'],
    [1, 'pending-acceptance'],
    [1, 'deleted'],
    [1, 'rejected'],
    [1, 'failed'],
    [1, 'expired'],
    [1, 'provisioning'],
    [1, 'deleting'],
    [1, 'initiating-request'],
  ),
  staleBlocks: weighted([2, false], [1, true]),
})

export const estatePlan: fc.Arbitrary<EstatePlan> = fc.record({
  vpcs: fc.array(vpcPlan, { minLength: 2, maxLength: 5 }),
  peerings: fc.array(peeringPlan, { minLength: 1, maxLength: 5 }),
})

const interfaceDestination = (kind: 'anyInterface' | 'nearby') =>
  fc.record({ kind: fc.constant(kind), index: fc.nat({ max: 63 }), address: fc.nat({ max: 7 }) })

export const flowPlan: fc.Arbitrary<FlowPlan> = fc.record({
  source: fc.nat({ max: 63 }),
  sourceByAddress: fc.option(fc.nat({ max: 7 }), { nil: null, freq: 4 }),
  destination: fc.oneof(
    { weight: 2, arbitrary: interfaceDestination('anyInterface') },
    { weight: 3, arbitrary: interfaceDestination('nearby') },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('outside' as const),
        address: fc.constantFrom(...OUTSIDE_ADDRESSES),
      }),
    },
  ),
  protocol: weighted([4, 6], [1, 17], [1, 1], [1, 58], [1, 47]),
  port: fc.constantFrom(22, 80, 443, 3389, 8080, 1024, 49152),
  icmpCode: fc.constantFrom(0, 4),
  sourcePort: fc.option(fc.constantFrom(1024, 40000, 49152, 60000), { nil: null, freq: 3 }),
  spelling: weighted([4, 'canonical' as const], [1, 'expanded' as const], [1, 'capitals' as const]),
})

// ---------------------------------------------------------------------------------------------
// Building records from a plan.

/** Parsing is slow next to everything else here, and the same few prefixes recur. */
const parsedPrefixes = new Map<string, Prefix | undefined>()
function parsePrefix(text: string): Prefix {
  if (!parsedPrefixes.has(text)) parsedPrefixes.set(text, parsePrefixText(text))
  return parsedPrefixes.get(text)!
}

const awsId = (prefix: string, n: number) => `${prefix}-${n.toString(16).padStart(17, '0')}`

const pick = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length]

const isIpv6 = (cidr: string) => cidr.includes(':')

const hostIn = (cidr: string, host: number) => {
  const prefix = parsePrefix(cidr)
  return formatAddress(prefix.family, prefix.start + BigInt(host))
}

const overlap = (a: string, b: string) => {
  const x = parsePrefix(a)
  const y = parsePrefix(b)
  return x.family === y.family && x.start <= y.end && y.start <= x.end
}

/** The n-th /24 of an IPv4 block, or the n-th /64 of an IPv6 /56. */
function nthChild(cidr: string, n: number): string {
  const prefix = parsePrefix(cidr)
  const length = prefix.family === 4 ? 24 : 64
  const step = 1n << BigInt((prefix.family === 4 ? 32 : 128) - length)
  return formatPrefix(prefixAt(prefix.family, prefix.start + BigInt(n) * step, length))
}

/** A route's destination field for a block of either family. */
const destinationOf = (cidr: string) =>
  isIpv6(cidr) ? { destinationIpv6CidrBlock: cidr } : { destinationCidrBlock: cidr }

const routeKey = (route: Route) => {
  const cidr = route.destinationCidrBlock ?? route.destinationIpv6CidrBlock
  return cidr === undefined ? route.destinationPrefixListId : formatPrefix(parsePrefix(cidr))
}

/** An ACL entry for a block of either family. */
function entry(
  ruleNumber: number,
  egress: boolean,
  ruleAction: 'allow' | 'deny',
  block: string,
  protocol = '-1',
  portRange?: { from: number; to: number },
): NetworkAclEntry {
  return {
    ruleNumber,
    egress,
    protocol,
    ruleAction,
    ...(isIpv6(block) ? { ipv6CidrBlock: block } : { cidrBlock: block }),
    ...(portRange ? { portRange } : {}),
  }
}

const BOTH_WAYS = [false, true]
const ALL_PORTS = { from: 0, to: 65535 }

function presetEntries(preset: AclPreset): NetworkAclEntry[] {
  switch (preset) {
    case 'allowAll':
      return BOTH_WAYS.flatMap((egress) => [
        entry(100, egress, 'allow', '0.0.0.0/0'),
        entry(101, egress, 'allow', '::/0'),
      ])
    case 'denyAll':
      return []
    case 'ephemeralGapOut':
      // Anything in, but out only tcp to 22–443 and 1024–49151: replies to 49152 and up are dropped.
      return [
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(101, false, 'allow', '::/0'),
        entry(100, true, 'allow', '0.0.0.0/0', '6', { from: 1024, to: 49151 }),
        entry(101, true, 'allow', '::/0', '6', { from: 1024, to: 49151 }),
        entry(110, true, 'allow', '0.0.0.0/0', '6', { from: 22, to: 443 }),
      ]
    case 'ephemeralGapIn':
      // The mirror image: anything out, but in only tcp to 22–443 and 1024–49151.
      return [
        entry(100, true, 'allow', '0.0.0.0/0'),
        entry(101, true, 'allow', '::/0'),
        entry(100, false, 'allow', '0.0.0.0/0', '6', { from: 22, to: 443 }),
        entry(101, false, 'allow', '::/0', '6', { from: 22, to: 443 }),
        entry(110, false, 'allow', '0.0.0.0/0', '6', { from: 1024, to: 49151 }),
        entry(111, false, 'allow', '::/0', '6', { from: 1024, to: 49151 }),
      ]
    case 'tcpOnly':
      return BOTH_WAYS.flatMap((egress) => [
        entry(100, egress, 'allow', '0.0.0.0/0', '6', ALL_PORTS),
        entry(101, egress, 'allow', '::/0', '6', ALL_PORTS),
      ])
  }
}

/** An entry as the domain stores it: ports only for tcp/udp, type and code only for icmp. */
function entryOf(plan: EntryPlan): NetworkAclEntry {
  const usesPorts = plan.protocol === '6' || plan.protocol === '17'
  const usesIcmp = plan.protocol === '1' || (plan.protocol === '58' && isIpv6(plan.block))
  return {
    ...entry(plan.ruleNumber, plan.egress, plan.ruleAction, plan.block, plan.protocol),
    ...(usesPorts ? { portRange: plan.portRange } : {}),
    ...(usesIcmp ? { icmpTypeCode: plan.icmpTypeCode } : {}),
  }
}

/** The preset, the catch-alls every ACL has, then random entries whose rule numbers are free. */
function aclEntries(plan: AclPlan): NetworkAclEntry[] {
  const entries = [
    ...presetEntries(plan.preset),
    ...BOTH_WAYS.flatMap((egress) => [
      entry(32767, egress, 'deny', '0.0.0.0/0'),
      entry(32768, egress, 'deny', '::/0'),
    ]),
  ]
  for (const extra of plan.entries.map(entryOf)) {
    if (!entries.some((e) => e.egress === extra.egress && e.ruleNumber === extra.ruleNumber))
      entries.push(extra)
  }
  return entries
}

export function buildEstate(plan: EstatePlan): Estate {
  let counter = 0
  const nextId = (prefix: string) => awsId(prefix, ++counter)

  // First the VPCs, their blocks, and the ids of everything others refer to.
  const vpcs = plan.vpcs.map((vpcPlan, v) => {
    const secondary =
      vpcPlan.secondary !== null && !overlap(vpcPlan.secondary, vpcPlan.primary) ? [vpcPlan.secondary] : []
    const ipv4Blocks = vpcPlan.secondaryDropped ? [vpcPlan.primary] : [vpcPlan.primary, ...secondary]
    return {
      plan: vpcPlan,
      vpcId: awsId('vpc', 0x100 + v),
      ownerId: ACCOUNTS[vpcPlan.account]!,
      region: REGIONS[vpcPlan.region]!,
      /** The VPC's current blocks. */
      ipv4Blocks,
      /** The blocks its subnets were carved from, as a peering last saw them. */
      subnetBlocks: [vpcPlan.primary, ...secondary],
      ipv6Blocks: vpcPlan.ipv6 === null ? [] : [vpcPlan.ipv6],
      groupIds: vpcPlan.groups.map(() => nextId('sg')),
      tableIds: vpcPlan.tables.map(() => nextId('rtb')),
      aclIds: vpcPlan.acls.map(() => nextId('acl')),
      internetGatewayId: vpcPlan.internetGateway === null ? undefined : nextId('igw'),
      egressOnlyGatewayId: vpcPlan.egressOnlyGateway ? nextId('eigw') : undefined,
      natId: vpcPlan.nat === null ? undefined : nextId('nat'),
      vpnGatewayId: vpcPlan.vpnGateway === null ? undefined : nextId('vgw'),
    }
  })
  type VpcDraft = (typeof vpcs)[number]
  const vpcWithId = (vpcId: string) => vpcs.find((x) => x.vpcId === vpcId)!
  const allGroupIds = vpcs.flatMap((x) => x.groupIds)

  // Subnets: distinct /24s (and /64s) within the VPC's blocks; a repeated choice is dropped.
  const subnets: { record: Subnet; plan: SubnetPlan; vpc: number }[] = []
  vpcs.forEach((vpc, v) => {
    vpc.plan.subnets.forEach((subnetPlan, s) => {
      const cidrBlock = nthChild(pick(vpc.subnetBlocks, subnetPlan.block)!, subnetPlan.offset)
      if (subnets.some((taken) => taken.vpc === v && taken.record.cidrBlock === cidrBlock)) return
      const ipv6 =
        vpc.ipv6Blocks[0] !== undefined && subnetPlan.ipv6 ? nthChild(vpc.ipv6Blocks[0], s) : undefined
      subnets.push({
        plan: subnetPlan,
        vpc: v,
        record: {
          subnetId: nextId('subnet'),
          vpcId: vpc.vpcId,
          ownerId: vpc.ownerId,
          region: vpc.region,
          cidrBlock,
          ipv6CidrBlockAssociations: ipv6
            ? [{ associationId: nextId('subnet-cidr-assoc'), ipv6CidrBlock: ipv6 }]
            : [],
          availabilityZone: `${vpc.region}a`,
          availabilityZoneId: `${vpc.region}-az1`,
          mapPublicIpOnLaunch: false,
          assignIpv6AddressOnCreation: false,
          enableDns64: false,
          ipv6Native: false,
          hostnameType: 'ip-name',
          enableResourceNameDnsARecord: false,
          enableResourceNameDnsAAAARecord: false,
          usedAddresses: subnetPlan.interfaces.length,
        },
      })
    })
  })
  const subnetsOf = (v: number) => subnets.filter((s) => s.vpc === v)

  const peerings: PeeringConnection[] = plan.peerings.map((peeringPlan) => {
    const requester = peeringPlan.requester % vpcs.length
    // Never a VPC with itself: that is no peering at all.
    const accepter = (requester + 1 + (peeringPlan.accepter % (vpcs.length - 1))) % vpcs.length
    const side = (vpc: VpcDraft) => ({
      ownerId: vpc.ownerId,
      vpcId: vpc.vpcId,
      region: vpc.region,
      // A stale copy (as before a secondary and an IPv6 block were added, or after one was
      // dropped): the data plane must read the VPC's current blocks, not these.
      cidrBlocks: peeringPlan.staleBlocks ? [vpc.ipv4Blocks[0]!] : vpc.subnetBlocks,
      ipv6CidrBlocks: peeringPlan.staleBlocks ? [] : vpc.ipv6Blocks,
      options: {
        allowDnsResolutionFromRemoteVpc: false,
        allowEgressFromLocalClassicLinkToRemoteVpc: false,
        allowEgressFromLocalVpcToRemoteClassicLink: false,
      },
    })
    return {
      vpcPeeringConnectionId: nextId('pcx'),
      requester: side(vpcs[requester]!),
      accepter: side(vpcs[accepter]!),
      status: { code: peeringPlan.status, message: peeringPlan.status },
      createdAt: EARLIER,
      statusChangedAt: EARLIER,
      expirationTime: '2025-01-07T00:00:00.000Z',
      ...(peeringPlan.status === 'active' ? { activatedAt: EARLIER } : {}),
    }
  })
  const peeringsOf = (vpc: VpcDraft) =>
    peerings.filter((p) => p.requester.vpcId === vpc.vpcId || p.accepter.vpcId === vpc.vpcId)
  const otherEnd = (peering: PeeringConnection, vpc: VpcDraft) =>
    vpcWithId(peering.requester.vpcId === vpc.vpcId ? peering.accepter.vpcId : peering.requester.vpcId)

  /** Routes through each of the VPC's peerings to every block of the VPC at the other end. */
  const routesToPeers = (vpc: VpcDraft): Route[] =>
    peeringsOf(vpc).flatMap((peering) => {
      const other = otherEnd(peering, vpc)
      return [...other.ipv4Blocks, ...other.ipv6Blocks].map((cidr) => ({
        ...destinationOf(cidr),
        vpcPeeringConnectionId: peering.vpcPeeringConnectionId,
        origin: 'CreateRoute' as const,
      }))
    })

  /** A route through one of the VPC's peerings (or a missing one), aimed at some part of the peer. */
  function peeringRoute(vpc: VpcDraft, choice: number, missing: boolean, dest: PeeringDestination) {
    const peering = missing ? undefined : pick(peeringsOf(vpc), choice)
    const other = peering ? otherEnd(peering, vpc) : pick(vpcs, choice)!
    const cidr = {
      full: other.ipv4Blocks[0]!,
      partial: nthChild(other.ipv4Blocks[0]!, 0),
      secondary: other.ipv4Blocks.at(-1)!,
      ipv6: other.ipv6Blocks[0],
      any4: '0.0.0.0/0',
      any6: '::/0',
      supernet: '10.0.0.0/8',
    }[dest]
    if (cidr === undefined) return undefined
    const target = peering?.vpcPeeringConnectionId ?? MISSING.peering
    return { ...destinationOf(cidr), vpcPeeringConnectionId: target, origin: 'CreateRoute' as const }
  }

  /** A gateway id: the VPC's own, another VPC's, or one that does not exist. */
  function gatewayId(
    vpc: VpcDraft,
    choice: Which,
    i: number,
    idOf: (x: VpcDraft) => string | undefined,
    gone: string,
  ) {
    if (choice === 'missing') return gone
    if (choice === 'own') return idOf(vpc) ?? gone
    return idOf(pick(vpcs, vpcs.indexOf(vpc) + 1 + i)!) ?? gone
  }

  /** Where each kind of gateway route points, and which id stands for a gateway that is gone. */
  const GATEWAYS = {
    igw: { field: 'gatewayId', idOf: (x: VpcDraft) => x.internetGatewayId, gone: MISSING.igw },
    eigw: {
      field: 'egressOnlyInternetGatewayId',
      idOf: (x: VpcDraft) => x.egressOnlyGatewayId,
      gone: MISSING.eigw,
    },
    nat: { field: 'natGatewayId', idOf: (x: VpcDraft) => x.natId, gone: MISSING.nat },
    vgw: { field: 'gatewayId', idOf: (x: VpcDraft) => x.vpnGatewayId, gone: MISSING.vgw },
  } as const

  function routeOf(vpc: VpcDraft, routePlan: RoutePlan): Route | undefined {
    switch (routePlan.kind) {
      case 'peering':
        return peeringRoute(vpc, routePlan.index, routePlan.missing, routePlan.dest)
      case 'prefixList': {
        const peering = pick(peeringsOf(vpc), routePlan.index)
        const target = peering
          ? { vpcPeeringConnectionId: peering.vpcPeeringConnectionId }
          : { gatewayId: vpc.internetGatewayId ?? MISSING.igw }
        return { destinationPrefixListId: awsId('pl', routePlan.index), ...target, origin: 'CreateRoute' }
      }
      case 'deadInterface':
        return { ...destinationOf(routePlan.dest), networkInterfaceId: MISSING.eni, origin: 'CreateRoute' }
      default: {
        const { field, idOf, gone } = GATEWAYS[routePlan.kind]
        const id = gatewayId(vpc, routePlan.which, routePlan.index, idOf, gone)
        return { ...destinationOf(routePlan.dest), [field]: id, origin: 'CreateRoute' }
      }
    }
  }

  function defaultRoutes(vpc: VpcDraft, tablePlan: TablePlan): Route[] {
    const own = { kind: 'own', which: 'own', index: 0 } as const
    return [
      tablePlan.defaultIpv4 === null
        ? undefined
        : routeOf(vpc, { ...own, kind: tablePlan.defaultIpv4, dest: '0.0.0.0/0' }),
      tablePlan.defaultIpv6 === null
        ? undefined
        : routeOf(vpc, { ...own, kind: tablePlan.defaultIpv6, dest: '::/0' }),
    ].filter((route) => route !== undefined)
  }

  /** Local routes first; a later route to a destination already routed is dropped. */
  function routesOf(vpc: VpcDraft, extra: readonly (Route | undefined)[]): Route[] {
    const routes: Route[] = [...vpc.ipv4Blocks, ...vpc.ipv6Blocks].map((cidr) => ({
      ...destinationOf(cidr),
      gatewayId: 'local',
      origin: 'CreateRouteTable',
    }))
    for (const route of extra) {
      if (route && !routes.some((r) => routeKey(r) === routeKey(route))) routes.push(route)
    }
    return routes
  }

  // NAT gateways, each in a subnet of its VPC that gets a table of its own.
  const natGateways: NatGateway[] = []
  const natTables: RouteTable[] = []
  vpcs.forEach((vpc, v) => {
    const natPlan = vpc.plan.nat
    if (!natPlan || !vpc.natId) return
    const subnet = pick(subnetsOf(v), natPlan.subnet)!.record
    natGateways.push({
      natGatewayId: vpc.natId,
      ownerId: vpc.ownerId,
      vpcId: vpc.vpcId,
      subnetId: subnet.subnetId,
      connectivityType: natPlan.connectivity,
      state: natPlan.state,
      privateIp: hostIn(subnet.cidrBlock!, NAT_HOST),
      ...(natPlan.connectivity === 'public' ? { allocationId: nextId('eipalloc') } : {}),
      createTime: EARLIER,
      ...(natPlan.state === 'deleted' ? { deleteTime: '2024-12-31T12:00:00.000Z' } : {}),
    })
    natTables.push({
      routeTableId: nextId('rtb'),
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      routes: routesOf(vpc, [
        natPlan.toInternetGateway
          ? {
              ...destinationOf('0.0.0.0/0'),
              gatewayId: vpc.internetGatewayId ?? MISSING.igw,
              origin: 'CreateRoute',
            }
          : undefined,
        natPlan.peering ? peeringRoute(vpc, natPlan.peering.index, false, natPlan.peering.dest) : undefined,
      ]),
      associations: [{ routeTableAssociationId: nextId('rtbassoc'), main: false, subnetId: subnet.subnetId }],
      propagatingVgws: [],
    })
  })
  const natSubnetIds = natGateways.map((n) => n.subnetId)

  const routeTables: RouteTable[] = vpcs.flatMap((vpc, v) =>
    vpc.plan.tables.map((tablePlan, t) => ({
      routeTableId: vpc.tableIds[t]!,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      routes: routesOf(vpc, [
        ...(tablePlan.routeToPeers ? routesToPeers(vpc) : []),
        ...defaultRoutes(vpc, tablePlan),
        ...tablePlan.routes.map((r) => routeOf(vpc, r)),
      ]),
      associations: [
        ...(t === 0 ? [{ routeTableAssociationId: nextId('rtbassoc'), main: true }] : []),
        ...subnetsOf(v)
          .filter((s) => s.plan.table !== null && s.plan.table % vpc.tableIds.length === t)
          .filter((s) => !natSubnetIds.includes(s.record.subnetId))
          .map((s) => ({
            routeTableAssociationId: nextId('rtbassoc'),
            main: false,
            subnetId: s.record.subnetId,
          })),
      ],
      propagatingVgws: [],
    })),
  )

  const networkAcls: NetworkAcl[] = vpcs.flatMap((vpc, v) =>
    vpc.plan.acls.map((aclPlan, a) => ({
      networkAclId: vpc.aclIds[a]!,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      isDefault: a === 0,
      entries: aclEntries(aclPlan),
      associations: subnetsOf(v)
        .filter((s) => s.plan.acl % vpc.aclIds.length === a)
        .map((s) => ({ networkAclAssociationId: nextId('aclassoc'), subnetId: s.record.subnetId })),
    })),
  )

  const securityGroups: SecurityGroup[] = vpcs.flatMap((vpc, v) =>
    vpc.plan.groups.map((groupPlan, g) => {
      const groupId = vpc.groupIds[g]!
      const rule = (fields: Omit<SecurityGroupRule, 'ruleId'>): SecurityGroupRule => ({
        ruleId: nextId('sgr'),
        ...fields,
      })
      const reference = (id: string) => {
        const owner = vpcs.find((x) => x.groupIds.includes(id))
        return {
          groupId: id,
          userId: owner?.ownerId ?? vpc.ownerId,
          ...(owner && owner !== vpc ? { vpcId: owner.vpcId } : {}),
        }
      }
      const ruleOf = ({ traffic, peer }: RulePlan): SecurityGroupRule => {
        switch (peer.kind) {
          case 'cidrIpv4':
            return rule({ ...traffic, cidrIpv4: peer.cidr })
          case 'cidrIpv6':
            return rule({ ...traffic, cidrIpv6: peer.cidr })
          case 'prefixList':
            return rule({ ...traffic, prefixListId: 'pl-0123456789abcdef0' })
          case 'group': {
            const id = peer.missing ? MISSING.group : pick(allGroupIds, peer.index + v)!
            return rule({ ...traffic, referencedGroup: reference(id) })
          }
        }
      }
      const allOut = [
        rule({ ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }),
        rule({ ipProtocol: '-1', cidrIpv6: '::/0' }),
      ]
      const preset = {
        none: { ingress: [], egress: [] },
        defaultLike: {
          ingress: [rule({ ipProtocol: '-1', referencedGroup: reference(groupId) })],
          egress: allOut,
        },
        open: { ingress: allOut.map(({ ruleId: _, ...fields }) => rule(fields)), egress: allOut },
        web: {
          ingress: [rule({ ipProtocol: 'tcp', fromPort: 80, toPort: 443, cidrIpv4: '0.0.0.0/0' })],
          egress: [rule({ ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' })],
        },
      }[groupPlan.preset]
      return {
        groupId,
        groupName: g === 0 ? 'default' : `group-${g}`,
        description: 'random',
        vpcId: vpc.vpcId,
        ownerId: vpc.ownerId,
        region: vpc.region,
        ingress: [...preset.ingress, ...groupPlan.ingress.map(ruleOf)],
        egress: [...preset.egress, ...groupPlan.egress.map(ruleOf)],
      }
    }),
  )

  let publicIps = 0
  const networkInterfaces: NetworkInterface[] = subnets.flatMap((subnet) => {
    const vpc = vpcs[subnet.vpc]!
    const ipv4Subnet = subnet.record.cidrBlock!
    const ipv6Subnet = subnet.record.ipv6CidrBlockAssociations[0]?.ipv6CidrBlock
    return subnet.plan.interfaces.map((interfacePlan, i) => {
      const groupIds = interfacePlan.groups.map((g) => pick(g.foreign ? allGroupIds : vpc.groupIds, g.index)!)
      const ipv6Addresses =
        ipv6Subnet === undefined
          ? []
          : Array.from({ length: interfacePlan.ipv6Count }, (_, k) => hostIn(ipv6Subnet, 0x10 + 4 * i + k))
      return {
        networkInterfaceId: nextId('eni'),
        subnetId: subnet.record.subnetId,
        vpcId: vpc.vpcId,
        ownerId: vpc.ownerId,
        region: vpc.region,
        availabilityZone: subnet.record.availabilityZone,
        description: '',
        privateIpAddress: hostIn(ipv4Subnet, INTERFACE_HOST + i),
        secondaryPrivateIpAddresses: interfacePlan.secondary ? [hostIn(ipv4Subnet, SECONDARY_HOST + i)] : [],
        ipv6Addresses,
        groupIds: [...new Set(groupIds)],
        sourceDestCheck: true,
        ...(interfacePlan.publicIp ? { publicIp: `54.0.0.${++publicIps}` } : {}),
        macAddress: `02:00:00:00:${(counter >> 8).toString(16).padStart(2, '0')}:${(counter & 0xff).toString(16).padStart(2, '0')}`,
        interfaceType: 'interface' as const,
      }
    })
  })

  const internetGateways: InternetGateway[] = vpcs.flatMap((vpc, v) => {
    const state = vpc.plan.internetGateway
    if (!vpc.internetGatewayId || state === null) return []
    const attachedTo = state === 'elsewhere' ? pick(vpcs, v + 1)!.vpcId : vpc.vpcId
    const attachment = {
      vpcId: attachedTo,
      state: state === 'detached' ? ('detached' as const) : ('available' as const),
    }
    return [{ internetGatewayId: vpc.internetGatewayId, ownerId: vpc.ownerId, attachments: [attachment] }]
  })
  const egressOnlyInternetGateways: EgressOnlyInternetGateway[] = vpcs.flatMap((vpc) =>
    vpc.egressOnlyGatewayId
      ? [{ egressOnlyInternetGatewayId: vpc.egressOnlyGatewayId, ownerId: vpc.ownerId, vpcId: vpc.vpcId }]
      : [],
  )
  // A deleted VPN gateway is also detached, so "gone" and "not attached" never disagree.
  const vpnGateways: VpnGateway[] = vpcs.flatMap((vpc) => {
    const state = vpc.plan.vpnGateway
    if (!vpc.vpnGatewayId || state === null) return []
    return [
      {
        vpnGatewayId: vpc.vpnGatewayId,
        ownerId: vpc.ownerId,
        type: 'ipsec.1' as const,
        amazonSideAsn: 64512,
        state: state === 'deleted' ? ('deleted' as const) : ('available' as const),
        attachments: [
          { vpcId: vpc.vpcId, state: state === 'attached' ? ('attached' as const) : ('detached' as const) },
        ],
        ...(state === 'deleted' ? { deleteTime: '2024-12-31T12:00:00.000Z' } : {}),
      },
    ]
  })

  const vpcRecords: Vpc[] = vpcs.map((vpc) => ({
    vpcId: vpc.vpcId,
    ownerId: vpc.ownerId,
    region: vpc.region,
    cidrBlock: vpc.ipv4Blocks[0]!,
    cidrBlockAssociations: vpc.ipv4Blocks.map((cidrBlock) => ({
      associationId: nextId('vpc-cidr-assoc'),
      cidrBlock,
    })),
    ipv6CidrBlockAssociations: vpc.ipv6Blocks.map((ipv6CidrBlock) => ({
      associationId: nextId('vpc-cidr-assoc'),
      ipv6CidrBlock,
      networkBorderGroup: vpc.region,
    })),
    instanceTenancy: 'default',
    enableDnsSupport: true,
    enableDnsHostnames: false,
    enableNetworkAddressUsageMetrics: false,
    mainRouteTableId: vpc.tableIds[0]!,
    defaultNetworkAclId: vpc.aclIds[0]!,
    defaultSecurityGroupId: vpc.groupIds[0]!,
  }))

  return {
    at: AT,
    vpcs: vpcRecords,
    subnets: subnets.map((s) => s.record),
    routeTables: [...routeTables, ...natTables],
    securityGroups,
    networkAcls,
    peerings,
    internetGateways,
    egressOnlyInternetGateways,
    natGateways,
    vpnGateways,
    networkInterfaces,
  }
}

const heldBy = (eni: NetworkInterface) => [
  eni.privateIpAddress,
  ...eni.secondaryPrivateIpAddresses,
  ...eni.ipv6Addresses,
]

/** An IPv6 address written another way; IPv4 has only one way. */
function spell(text: string, spelling: FlowPlan['spelling']): string {
  if (!isIpv6(text) || spelling === 'canonical') return text
  if (spelling === 'capitals') return text.toUpperCase()
  const value = parsePrefix(`${text}/128`).start
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(16 * (7 - i))) & 0xffffn).toString(16).padStart(4, '0'),
  )
  return groups.join(':')
}

export function buildFlow(estate: Estate, plan: FlowPlan): Flow {
  const interfaces = estate.networkInterfaces
  const source = pick(interfaces, plan.source)!
  const destination = flowDestination(estate, source, plan.destination)
  // By address only when no other interface holds it too (overlapping VPCs repeat addresses),
  // and mostly one of the destination's family.
  const ofFamily = heldBy(source).filter((a) => isIpv6(a) === isIpv6(destination))
  const choices =
    plan.sourceByAddress === null ? [] : plan.sourceByAddress % 4 === 0 ? heldBy(source) : ofFamily
  const sourceAddress = pick(choices, plan.sourceByAddress ?? 0)
  const unique =
    sourceAddress !== undefined && interfaces.filter((e) => heldBy(e).includes(sourceAddress)).length === 1
  const usesPorts = plan.protocol === 6 || plan.protocol === 17
  const usesIcmp = plan.protocol === 1 || plan.protocol === 58
  return {
    source: unique
      ? { address: spell(sourceAddress, plan.spelling) }
      : { networkInterfaceId: source.networkInterfaceId },
    destination: spell(destination, plan.spelling),
    protocol: plan.protocol,
    ...(usesPorts ? { port: plan.port } : {}),
    ...(usesIcmp ? { port: [8, 0, 3][plan.port % 3]!, icmpCode: plan.icmpCode } : {}),
    ...(usesPorts && plan.sourcePort !== null ? { sourcePort: plan.sourcePort } : {}),
  }
}

function flowDestination(estate: Estate, source: NetworkInterface, plan: FlowPlan['destination']): string {
  if (plan.kind === 'outside') return plan.address
  const peered = (vpcId: string) =>
    vpcId === source.vpcId ||
    estate.peerings.some(
      (p) =>
        (p.requester.vpcId === source.vpcId && p.accepter.vpcId === vpcId) ||
        (p.accepter.vpcId === source.vpcId && p.requester.vpcId === vpcId),
    )
  const candidates =
    plan.kind === 'nearby'
      ? estate.networkInterfaces.filter((e) => peered(e.vpcId))
      : estate.networkInterfaces
  const target = pick(candidates, plan.index)!
  return pick([...heldBy(target), ...(target.publicIp ? [target.publicIp] : [])], plan.address)!
}

/** A random estate and several flows in it, so one compiled snapshot serves several flows. */
export const estateAndFlows = (flows: { minLength: number; maxLength: number }) =>
  fc.tuple(estatePlan, fc.array(flowPlan, flows)).map(([estate, flowPlans]) => {
    const built = buildEstate(estate)
    return { estate: built, flows: flowPlans.map((flow) => buildFlow(built, flow)) }
  })
