/**
 * A seeded, deterministic synthetic estate for the data-plane benchmark and the golden tests:
 * tiers S, M and L of the reachability reference (§4.2), built directly as domain records (not
 * through the API), with labelled planted faults whose answers are known.
 *
 * Shape: each VPC owns a non-overlapping /20 of 10.0.0.0/8 (5% add a secondary /20 from
 * 100.64.0.0/10), six subnets (private /23, public /24 and data /24 in two zones), a main
 * table, a public table and, in half the VPCs, a private table; an internet gateway and a NAT
 * gateway; ten security groups; the default ACL plus one custom ACL on the data subnets.
 * Peerings follow a power law (1.5% hubs with 100–125 peers, the rest 5–25, never over 125),
 * 95% active. Per peering side, routes go to the full peer block (70%), to its private subnets
 * only (20%), to a supernet (5%), nowhere (3%, the missing return route) or to the full block
 * with a more specific route of one peer subnet sent into another peering (2%).
 *
 * The faults live on ten "lab" VPCs (indices 0–9, so every tier has them). Their own peerings
 * and filters are set by hand and the random background never touches them, so each fault's
 * answer is exact at every tier.
 */
import type { Estate, Flow } from '../src/dataplane/types.js'
import type { InternetGateway, NatGateway } from '../src/domain/gateways.js'
import {
  CATCH_ALL_IPV4,
  defaultIpv4Entries,
  type NetworkAcl,
  type NetworkAclEntry,
} from '../src/domain/network-acl.js'
import type { NetworkInterface } from '../src/domain/network-interface.js'
import {
  NO_OPTIONS,
  type PeeringConnection,
  type PeeringStatusCode,
  statusMessage,
} from '../src/domain/peering.js'
import { availabilityZones } from '../src/domain/regions.js'
import type { Route, RouteTable, RouteTableAssociation } from '../src/domain/route-table.js'
import { ruleKey, type SecurityGroup, type SecurityGroupRule } from '../src/domain/security-group.js'
import type { Subnet } from '../src/domain/subnet.js'
import type { Vpc } from '../src/domain/vpc.js'

export type Tier = 'S' | 'M' | 'L'

export interface TierShape {
  readonly vpcs: number
  readonly peerings: number
  readonly interfaces: number
  readonly accounts: number
}

export const TIERS: Readonly<Record<Tier, TierShape>> = {
  S: { vpcs: 10, peerings: 20, interfaces: 1_000, accounts: 3 },
  M: { vpcs: 100, peerings: 1_000, interfaces: 10_000, accounts: 8 },
  L: { vpcs: 1_000, peerings: 10_000, interfaces: 100_000, accounts: 40 },
}

export const isTier = (value: string): value is Tier => Object.hasOwn(TIERS, value)

/** A blocker a planted fault must produce: its explanation code and the leg it is found on. */
export interface ExpectedBlocker {
  readonly code: string
  readonly leg: 'forward' | 'return'
}

/** A deliberate misconfiguration (or a control that must work) and the engine's known answer. */
export interface PlantedFault {
  readonly id: string
  readonly description: string
  readonly flow: Flow
  readonly reachable: boolean
  /** Every blocker, in path order; empty for a control that must be reachable. */
  readonly blockers: readonly ExpectedBlocker[]
}

export interface SyntheticEstate {
  readonly tier: Tier
  readonly seed: number
  readonly estate: Estate
  readonly faults: readonly PlantedFault[]
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness and addresses

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** One of the keys, drawn with the given weights. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][]
    let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0)
    for (const [key, weight] of entries) {
      roll -= weight
      if (roll < 0) return key
    }
    return entries[entries.length - 1]![0]
  }

  hex(digits: number): string {
    let text = ''
    while (text.length < digits)
      text += Math.floor(this.next() * 0x10000)
        .toString(16)
        .padStart(4, '0')
    return text.slice(0, digits)
  }
}

export const formatIpv4 = (value: number) =>
  `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`

const block = (base: number, length: number) => `${formatIpv4(base)}/${length}`

const TEN = (10 << 24) >>> 0
const SHARED_SPACE = ((100 << 24) | (64 << 16)) >>> 0
const VPC_SIZE = 0x1000
/** Addresses of the "internet" the faults send to (TEST-NET-2, never routed anywhere real). */
export const INTERNET_ADDRESS = '198.51.100.7'
/** Public addresses handed to interfaces (the benchmarking range, RFC 2544). */
const PUBLIC_POOL = ((198 << 24) | (18 << 16)) >>> 0

// ---------------------------------------------------------------------------------------------
// Shape constants (reachability reference §4.2)

const REGION = 'us-east-1'
const OTHER_REGION = 'eu-west-1'
const OTHER_REGION_SHARE = 0.1
const SECONDARY_BLOCK_SHARE = 0.05
const PRIVATE_TABLE_SHARE = 0.5
const HUB_SHARE = 0.015
const HUB_PEERS = [100, 125] as const
const SPOKE_PEERS = [5, 25] as const
const MAX_ACTIVE_PEERS = 125
const ACTIVE_SHARE = 0.95
const INACTIVE_STATES: readonly PeeringStatusCode[] = [
  'pending-acceptance',
  'rejected',
  'expired',
  'deleted',
  'failed',
]
const ROUTE_MODES = { full: 70, partial: 20, broad: 5, none: 3, shadow: 2 } as const
type RouteMode = keyof typeof ROUTE_MODES
const GROUPS_PER_VPC = 10
const MEAN_INGRESS_RULES = 23
const MAX_RULES = 60
const MAX_RULE_SLOTS_PER_INTERFACE = 1_000
const RESTRICTED_EGRESS_SHARE = 0.15
const EPHEMERAL_GAP_SHARE = 0.15
const PUBLIC_IP_SHARE_IN_PUBLIC_SUBNETS = 0.6
const PUBLIC_IP_SHARE_ELSEWHERE = 0.03
const SOURCE_DEST_CHECK_OFF_SHARE = 0.01
const INSTANCE_SHARE = 0.9
/** Addresses left free at the top of each subnet, so the unknown-destination fault stays unknown. */
const SUBNET_TAIL = 8
const COMMON_PORTS = [22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 9200, 27017, 11211, 2049] as const

type SubnetRole = 'private' | 'public' | 'data' | 'secondary'

/** Offsets inside the VPC's /20: private /23s first, then public and data /24s, two zones. */
const SUBNET_LAYOUT: readonly { role: SubnetRole; zone: number; offset: number; length: number }[] = [
  { role: 'private', zone: 0, offset: 0x000, length: 23 },
  { role: 'private', zone: 1, offset: 0x200, length: 23 },
  { role: 'public', zone: 0, offset: 0x400, length: 24 },
  { role: 'public', zone: 1, offset: 0x500, length: 24 },
  { role: 'data', zone: 0, offset: 0x600, length: 24 },
  { role: 'data', zone: 1, offset: 0x700, length: 24 },
]

// ---------------------------------------------------------------------------------------------
// The estate under construction

interface SubnetPlan {
  readonly role: SubnetRole
  readonly base: number
  readonly length: number
  readonly subnet: Subnet
  /** Next free host offset (AWS keeps the first four addresses). */
  nextHost: number
  interfaces: number
}

interface VpcPlan {
  readonly index: number
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly base: number
  readonly secondaryBase?: number
  readonly subnets: SubnetPlan[]
  readonly mainTable: RouteTableDraft
  readonly publicTable: RouteTableDraft
  readonly privateTable?: RouteTableDraft
  readonly internetGatewayId: string
  readonly natGatewayId: string
  readonly defaultAclId: string
  readonly customAclId: string
  readonly groups: SecurityGroup[]
  /** Lab VPCs: filters and routes set by the faults, untouched by the random background. */
  readonly lab: boolean
  readonly peerings: PeeringConnection[]
}

interface RouteTableDraft {
  readonly routeTableId: string
  readonly routes: Route[]
  readonly associations: RouteTableAssociation[]
}

const tablesOf = (vpc: VpcPlan) => [
  vpc.mainTable,
  vpc.publicTable,
  ...(vpc.privateTable ? [vpc.privateTable] : []),
]
const subnetsOf = (vpc: VpcPlan, role: SubnetRole) => vpc.subnets.filter((s) => s.role === role)
const primaryBlock = (vpc: VpcPlan) => block(vpc.base, 20)
const otherSide = (peering: PeeringConnection, vpcId: string) =>
  peering.requester.vpcId === vpcId ? peering.accepter.vpcId : peering.requester.vpcId
const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`)

/** The lab's roles (VPC indices): who peers with whom is fixed, see plantFaults. */
const LAB = { A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, X: 8, Y: 9 } as const
const LAB_SIZE = 10
/** Lab pairs that must stay unpeered for the faults to mean what they say. */
const UNPEERED_LAB_PAIRS = [pairKey(LAB.A, LAB.C), pairKey(LAB.A, LAB.D), pairKey(LAB.Y, LAB.D)]

class EstateBuilder {
  readonly rng: Random
  readonly at = new Date('2026-01-01T00:00:00.000Z')
  readonly accounts: string[]
  readonly vpcs: VpcPlan[] = []
  readonly peerings: PeeringConnection[] = []
  readonly peeredPairs = new Set<string>()
  readonly acls: NetworkAcl[] = []
  readonly interfaces: NetworkInterface[] = []
  readonly internetGateways: InternetGateway[] = []
  readonly natGateways: NatGateway[] = []
  private publicIps = 0

  constructor(
    readonly shape: TierShape,
    seed: number,
  ) {
    this.rng = new Random(seed)
    this.accounts = Array.from({ length: shape.accounts }, (_, i) => String(100_000_000_000 + i * 1_111))
  }

  id(prefix: string) {
    return `${prefix}-${this.rng.hex(17)}`
  }

  // --- VPCs, subnets, tables, gateways ------------------------------------------------------

  addVpc(index: number, base: number, options: { region?: string; ownerId?: string } = {}): VpcPlan {
    const lab = index < LAB_SIZE
    const region =
      options.region ??
      (index === LAB.X ? OTHER_REGION : !lab && this.rng.chance(OTHER_REGION_SHARE) ? OTHER_REGION : REGION)
    const ownerId = options.ownerId ?? this.accounts[index % this.accounts.length]!
    const secondaryBase =
      index === LAB.B || (!lab && this.rng.chance(SECONDARY_BLOCK_SHARE))
        ? (SHARED_SPACE + (index % 1024) * VPC_SIZE) >>> 0
        : undefined
    const vpcId = this.id('vpc')
    const table = (): RouteTableDraft => ({ routeTableId: this.id('rtb'), routes: [], associations: [] })
    const plan: VpcPlan = {
      index,
      vpcId,
      ownerId,
      region,
      base,
      ...(secondaryBase !== undefined ? { secondaryBase } : {}),
      subnets: [],
      mainTable: table(),
      publicTable: table(),
      ...(lab || this.rng.chance(PRIVATE_TABLE_SHARE) ? { privateTable: table() } : {}),
      internetGatewayId: this.id('igw'),
      natGatewayId: this.id('nat'),
      defaultAclId: this.id('acl'),
      customAclId: this.id('acl'),
      groups: [],
      lab,
      peerings: [],
    }
    const zones = availabilityZones(region)
    const layout = [
      ...SUBNET_LAYOUT.map((s) => ({ ...s, base: base + s.offset })),
      ...(secondaryBase !== undefined
        ? [{ role: 'secondary' as const, zone: 0, base: secondaryBase, length: 24 }]
        : []),
    ]
    for (const spec of layout) {
      const zone = zones[spec.zone]!
      plan.subnets.push({
        role: spec.role,
        base: spec.base >>> 0,
        length: spec.length,
        nextHost: 4,
        interfaces: 0,
        subnet: {
          subnetId: this.id('subnet'),
          vpcId,
          ownerId,
          region,
          cidrBlock: block(spec.base >>> 0, spec.length),
          ipv6CidrBlockAssociations: [],
          availabilityZone: zone.zoneName,
          availabilityZoneId: zone.zoneId,
          mapPublicIpOnLaunch: spec.role === 'public',
          assignIpv6AddressOnCreation: false,
          enableDns64: false,
          ipv6Native: false,
          hostnameType: 'ip-name',
          enableResourceNameDnsARecord: false,
          enableResourceNameDnsAAAARecord: false,
          usedAddresses: 0,
        },
      })
    }
    this.wireTables(plan)
    this.addGateways(plan)
    this.vpcs.push(plan)
    return plan
  }

  private wireTables(plan: VpcPlan) {
    const blocks = [
      block(plan.base, 20),
      ...(plan.secondaryBase !== undefined ? [block(plan.secondaryBase, 20)] : []),
    ]
    for (const table of tablesOf(plan)) {
      for (const cidr of blocks) {
        table.routes.push({ destinationCidrBlock: cidr, gatewayId: 'local', origin: 'CreateRouteTable' })
      }
    }
    plan.mainTable.associations.push({ routeTableAssociationId: this.id('rtbassoc'), main: true })
    const associate = (table: RouteTableDraft, roles: readonly SubnetRole[]) => {
      for (const role of roles) {
        for (const subnet of subnetsOf(plan, role)) {
          table.associations.push({
            routeTableAssociationId: this.id('rtbassoc'),
            main: false,
            subnetId: subnet.subnet.subnetId,
          })
        }
      }
    }
    associate(plan.publicTable, ['public'])
    plan.publicTable.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: plan.internetGatewayId,
      origin: 'CreateRoute',
    })
    // Private subnets reach the internet through the NAT gateway, from their own table or from
    // the main one; data subnets (on the main table) then have no default route only when
    // the private subnets have a table of their own.
    const natTable = plan.privateTable ?? plan.mainTable
    if (plan.privateTable) associate(plan.privateTable, ['private', 'secondary'])
    natTable.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: plan.natGatewayId,
      origin: 'CreateRoute',
    })
  }

  private addGateways(plan: VpcPlan) {
    this.internetGateways.push({
      internetGatewayId: plan.internetGatewayId,
      ownerId: plan.ownerId,
      attachments: [{ vpcId: plan.vpcId, state: 'available' }],
    })
    const natSubnet = subnetsOf(plan, 'public')[0]!
    const natInterface = this.addInterface(plan, natSubnet, [], { interfaceType: 'nat_gateway' })
    this.natGateways.push({
      natGatewayId: plan.natGatewayId,
      ownerId: plan.ownerId,
      vpcId: plan.vpcId,
      subnetId: natSubnet.subnet.subnetId,
      connectivityType: 'public',
      state: 'available',
      privateIp: natInterface.privateIpAddress,
      allocationId: this.id('eipalloc'),
      createTime: this.at.toISOString(),
    })
  }

  // --- Peerings ------------------------------------------------------------------------------

  addPeering(requester: VpcPlan, accepter: VpcPlan, code: PeeringStatusCode): PeeringConnection {
    const side = (vpc: VpcPlan) => ({
      ownerId: vpc.ownerId,
      vpcId: vpc.vpcId,
      region: vpc.region,
      cidrBlocks: [
        block(vpc.base, 20),
        ...(vpc.secondaryBase !== undefined ? [block(vpc.secondaryBase, 20)] : []),
      ],
      ipv6CidrBlocks: [],
      options: NO_OPTIONS,
    })
    const created = new Date(this.at.getTime() - 86_400_000).toISOString()
    const sides = { requester: side(requester), accepter: side(accepter) }
    const peering: PeeringConnection = {
      vpcPeeringConnectionId: this.id('pcx'),
      ...sides,
      status: { code, message: statusMessage(code, sides) },
      createdAt: created,
      statusChangedAt: created,
      expirationTime: new Date(this.at.getTime() + 6 * 86_400_000).toISOString(),
      ...(code === 'active' || code === 'deleted' ? { activatedAt: created } : {}),
      ...(code === 'deleted' || code === 'rejected' ? { actor: accepter.ownerId } : {}),
    }
    this.peerings.push(peering)
    this.peeredPairs.add(pairKey(requester.index, accepter.index))
    requester.peerings.push(peering)
    accepter.peerings.push(peering)
    return peering
  }

  /** Random peerings up to the tier's count: a weighted draw by target degree, hubs heavy. */
  addBackgroundPeerings(count: number, vpcs: readonly VpcPlan[]) {
    const rng = this.rng
    const hubs = Math.max(1, Math.round(vpcs.length * HUB_SHARE))
    const weights = vpcs.map((vpc, i) =>
      i >= vpcs.length - hubs ? rng.int(...HUB_PEERS) : rng.int(...SPOKE_PEERS) * (vpc.lab ? 0.5 : 1),
    )
    const cumulative: number[] = []
    let total = 0
    for (const weight of weights) {
      total += weight
      cumulative.push(total)
    }
    const draw = () => {
      const roll = rng.next() * total
      let low = 0
      let high = cumulative.length - 1
      while (low < high) {
        const middle = (low + high) >> 1
        if (cumulative[middle]! > roll) high = middle
        else low = middle + 1
      }
      return vpcs[low]!
    }
    const degree = (vpc: VpcPlan) => vpc.peerings.length
    const forbidden = new Set(UNPEERED_LAB_PAIRS)
    const allowed = (a: VpcPlan, b: VpcPlan) =>
      a !== b &&
      !this.peeredPairs.has(pairKey(a.index, b.index)) &&
      !forbidden.has(pairKey(a.index, b.index)) &&
      degree(a) < MAX_ACTIVE_PEERS &&
      degree(b) < MAX_ACTIVE_PEERS
    const state = () => (rng.chance(ACTIVE_SHARE) ? 'active' : rng.pick(INACTIVE_STATES))
    let attempts = count * 50
    while (this.peerings.length < count && attempts-- > 0) {
      const a = draw()
      const b = draw()
      if (allowed(a, b)) this.addPeering(a, b, state())
    }
    // Small tiers can run dry on random draws; finish from the pairs still free.
    for (let i = 0; i < vpcs.length && this.peerings.length < count; i++) {
      for (let j = i + 1; j < vpcs.length && this.peerings.length < count; j++) {
        if (allowed(vpcs[i]!, vpcs[j]!)) this.addPeering(vpcs[i]!, vpcs[j]!, state())
      }
    }
  }

  // --- Routes through peerings -----------------------------------------------------------------

  /** Routes each side of each peering sends into it, by its drawn mode (lab sides: full). */
  addPeeringRoutes(modes: ReadonlyMap<string, RouteMode>) {
    const byId = new Map(this.vpcs.map((vpc) => [vpc.vpcId, vpc]))
    for (const peering of this.peerings) {
      const code = peering.status.code
      for (const [local, remote] of [
        [peering.requester.vpcId, peering.accepter.vpcId],
        [peering.accepter.vpcId, peering.requester.vpcId],
      ] as const) {
        const from = byId.get(local)!
        const to = byId.get(remote)!
        const requesterSide = local === peering.requester.vpcId
        // Routes stay behind a deleted peering (blackholes); a requester may route into a
        // request still pending; the other dead states left no routes.
        const hasRoutes =
          code === 'active' ||
          code === 'deleted' ||
          (code === 'pending-acceptance' && requesterSide && (from.lab || this.rng.chance(0.5)))
        if (!hasRoutes) continue
        const mode =
          modes.get(`${peering.vpcPeeringConnectionId}:${local}`) ??
          (from.lab || code !== 'active' ? 'full' : this.rng.weighted(ROUTE_MODES))
        this.routeIntoPeering(from, to, peering, mode)
      }
    }
  }

  routeIntoPeering(from: VpcPlan, to: VpcPlan, peering: PeeringConnection, mode: RouteMode) {
    const pcx = peering.vpcPeeringConnectionId
    const destinations: string[] = []
    if (mode === 'full' || mode === 'shadow') {
      destinations.push(primaryBlock(to))
      if (to.secondaryBase !== undefined && !from.lab && this.rng.chance(0.5)) {
        destinations.push(block(to.secondaryBase, 20))
      }
    } else if (mode === 'partial') {
      for (const subnet of subnetsOf(to, 'private')) destinations.push(block(subnet.base, subnet.length))
    } else if (mode === 'broad') {
      const length = this.rng.pick([16, 18])
      const mask = (0xffffffff << (32 - length)) >>> 0
      const supernet = block((to.base & mask) >>> 0, length)
      // One route per destination: a supernet another peering already took falls back to the block.
      const taken = from.mainTable.routes.some((r) => r.destinationCidrBlock === supernet)
      destinations.push(taken ? primaryBlock(to) : supernet)
    }
    for (const table of tablesOf(from)) {
      for (const destination of destinations)
        addRoute(table, { destinationCidrBlock: destination, vpcPeeringConnectionId: pcx })
    }
    if (mode === 'shadow') {
      // A more specific route for one of the peer's subnets, sent into another peering by mistake.
      const other = from.peerings.find((p) => p !== peering && p.status.code === 'active')
      const subnet = subnetsOf(to, 'data')[1]!
      if (other) {
        for (const table of tablesOf(from)) {
          addRoute(table, {
            destinationCidrBlock: block(subnet.base, subnet.length),
            vpcPeeringConnectionId: other.vpcPeeringConnectionId,
          })
        }
      }
    }
  }

  // --- Security groups -------------------------------------------------------------------------

  /** The default group (all in from itself, all out) and nine tier groups, rules still empty. */
  addGroups(vpc: VpcPlan) {
    const defaultGroup = this.group(vpc, 'default', [], allEgress())
    vpc.groups.push({
      ...defaultGroup,
      ingress: this.withIds([
        { ipProtocol: '-1', referencedGroup: { groupId: defaultGroup.groupId, userId: vpc.ownerId } },
      ]),
    })
    const roles = ['web', 'app', 'db', 'cache', 'bastion', 'monitoring', 'batch', 'lb', 'shared']
    for (const role of roles.slice(0, GROUPS_PER_VPC - 1))
      vpc.groups.push(this.group(vpc, `${role}-${vpc.index}`, [], []))
  }

  /** Rules of the tier groups; every VPC's groups exist by now, so references name real groups. */
  addRandomRules(vpc: VpcPlan, byId: ReadonlyMap<string, VpcPlan>) {
    for (let i = 1; i < vpc.groups.length; i++) {
      const count = Math.min(
        MAX_RULES,
        1 + Math.floor(-Math.log(1 - this.rng.next()) * (MEAN_INGRESS_RULES - 1)),
      )
      const ingress = uniqueRules(Array.from({ length: count }, () => this.randomIngress(vpc, byId)))
      const egress = this.rng.chance(RESTRICTED_EGRESS_SHARE) ? this.restrictedEgress() : allEgress()
      vpc.groups[i] = { ...vpc.groups[i]!, ingress: this.withIds(ingress), egress: this.withIds(egress) }
    }
  }

  group(vpc: VpcPlan, name: string, ingress: RuleSpecs, egress: RuleSpecs): SecurityGroup {
    return {
      groupId: this.id('sg'),
      groupName: name,
      description: name === 'default' ? 'default VPC security group' : `${name} tier`,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      region: vpc.region,
      ingress: this.withIds(ingress),
      egress: this.withIds(egress),
    }
  }

  withIds(rules: RuleSpecs): SecurityGroupRule[] {
    return rules.map((rule) => ({ ruleId: this.id('sgr'), ...rule }) as SecurityGroupRule)
  }

  private randomTraffic(): Pick<SecurityGroupRule, 'ipProtocol' | 'fromPort' | 'toPort'> {
    const rng = this.rng
    const protocol = rng.weighted({ tcp: 85, udp: 5, icmp: 5, all: 5 })
    if (protocol === 'all') return { ipProtocol: '-1' }
    if (protocol === 'icmp') return { ipProtocol: 'icmp', fromPort: -1, toPort: -1 }
    if (protocol === 'udp') return { ipProtocol: 'udp', fromPort: 53, toPort: 53 }
    if (rng.chance(0.1))
      return rng.pick([
        { ipProtocol: 'tcp', fromPort: 1024, toPort: 65535 },
        { ipProtocol: 'tcp', fromPort: 8000, toPort: 8999 },
      ])
    const port = rng.pick(COMMON_PORTS)
    return { ipProtocol: 'tcp', fromPort: port, toPort: port }
  }

  private randomIngress(vpc: VpcPlan, byId: ReadonlyMap<string, VpcPlan>): RuleSpecs[number] {
    const rng = this.rng
    const traffic = this.randomTraffic()
    const activePeers = vpc.peerings.filter((p) => p.status.code === 'active')
    const source = rng.weighted({ cidr: 60, group: 25, prefixList: 15 })
    if (source === 'prefixList') return { ...traffic, prefixListId: this.id('pl') }
    if (source === 'group') {
      const where = rng.weighted({ local: 78, peer: 20, foreign: 2 })
      if (where === 'local' || activePeers.length === 0) {
        return { ...traffic, referencedGroup: { groupId: rng.pick(vpc.groups).groupId, userId: vpc.ownerId } }
      }
      const peering = rng.pick(activePeers)
      const peer = byId.get(otherSide(peering, vpc.vpcId))!
      if (where === 'foreign' && peer.region === vpc.region) {
        // A group of an account the estate does not hold: never a member of anything.
        return { ...traffic, referencedGroup: { groupId: this.id('sg'), userId: '999999999999' } }
      }
      return {
        ...traffic,
        referencedGroup: {
          groupId: rng.pick(peer.groups).groupId,
          userId: peer.ownerId,
          vpcId: peer.vpcId,
          vpcPeeringConnectionId: peering.vpcPeeringConnectionId,
        },
      }
    }
    const peer = activePeers.length > 0 ? byId.get(otherSide(rng.pick(activePeers), vpc.vpcId)) : undefined
    const cidr = rng.weighted({
      tenSlashEight: 15,
      ownVpc: 25,
      peerVpc: 25,
      peerSubnet: 15,
      random: 10,
      anywhere: 5,
      external: 5,
    })
    switch (cidr) {
      case 'tenSlashEight':
        return { ...traffic, cidrIpv4: '10.0.0.0/8' }
      case 'ownVpc':
        return { ...traffic, cidrIpv4: primaryBlock(vpc) }
      case 'peerVpc':
        return { ...traffic, cidrIpv4: peer ? primaryBlock(peer) : primaryBlock(vpc) }
      case 'peerSubnet': {
        const subnet = rng.pick((peer ?? vpc).subnets)
        return { ...traffic, cidrIpv4: block(subnet.base, subnet.length) }
      }
      case 'random':
        return { ...traffic, cidrIpv4: block((TEN + rng.int(0, 0xffff) * 256) >>> 0, 24) }
      case 'anywhere':
        return { ...traffic, cidrIpv4: '0.0.0.0/0' }
      case 'external':
        return { ...traffic, cidrIpv4: `192.168.${rng.int(0, 255)}.0/24` }
    }
  }

  private restrictedEgress(): RuleSpecs {
    return [
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' },
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.0.0.0/8' },
      { ipProtocol: 'udp', fromPort: 53, toPort: 53, cidrIpv4: '10.0.0.0/8' },
    ]
  }

  // --- Network ACLs ----------------------------------------------------------------------------

  addAcls(vpc: VpcPlan, options: { ephemeralGap: boolean; denies: readonly string[] }) {
    const dataSubnets = subnetsOf(vpc, 'data')
    const associate = (subnets: readonly SubnetPlan[]) =>
      subnets.map((s) => ({ networkAclAssociationId: this.id('aclassoc'), subnetId: s.subnet.subnetId }))
    this.acls.push({
      networkAclId: vpc.defaultAclId,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      isDefault: true,
      entries: defaultIpv4Entries(),
      associations: associate(vpc.subnets.filter((s) => s.role !== 'data')),
    })
    this.acls.push({
      networkAclId: vpc.customAclId,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      isDefault: false,
      entries: this.customEntries(vpc, options),
      associations: associate(dataSubnets),
    })
  }

  /**
   * A data-tier ACL: low-numbered denies, database and service ports from the private network,
   * the ephemeral range for replies (1024–32767 only in the gap variant, which drops replies to
   * Linux's 49152–65535), a shadowed deny, filler rules for outside ranges, and the catch-all.
   */
  private customEntries(vpc: VpcPlan, options: { ephemeralGap: boolean; denies: readonly string[] }) {
    const rng = this.rng
    const tcp = '6'
    const entries: NetworkAclEntry[] = []
    const add = (
      egress: boolean,
      ruleNumber: number,
      ruleAction: 'allow' | 'deny',
      protocol: string,
      cidrBlock: string,
      ports?: readonly [number, number],
    ) =>
      entries.push({
        ruleNumber,
        egress,
        protocol,
        ruleAction,
        cidrBlock,
        ...(ports ? { portRange: { from: ports[0], to: ports[1] } } : {}),
        ...(protocol === '1' ? { icmpTypeCode: { type: -1, code: -1 } } : {}),
      })
    for (const [i, cidr] of options.denies.entries()) add(false, 10 + i, 'deny', '-1', cidr)
    const own = primaryBlock(vpc)
    add(false, 100, 'allow', tcp, '10.0.0.0/8', [5432, 5432])
    add(false, 110, 'allow', tcp, '10.0.0.0/8', [3306, 3306])
    add(false, 120, 'allow', tcp, own, [6379, 6379])
    add(false, 130, 'allow', tcp, own, [22, 22])
    add(false, 140, 'allow', tcp, '10.0.0.0/8', [443, 443])
    add(false, 150, 'allow', tcp, '0.0.0.0/0', options.ephemeralGap ? [1024, 32767] : [1024, 65535])
    add(false, 160, 'allow', '17', '10.0.0.0/8', [1024, 65535])
    add(false, 170, 'allow', '1', '10.0.0.0/8')
    add(false, 180, 'deny', tcp, '10.0.0.0/8', [5432, 5432])
    add(true, 100, 'allow', tcp, '10.0.0.0/8', [1024, 65535])
    add(true, 110, 'allow', tcp, '0.0.0.0/0', [443, 443])
    add(true, 120, 'allow', tcp, '0.0.0.0/0', [80, 80])
    add(true, 130, 'allow', tcp, '10.0.0.0/8', [5432, 5432])
    add(true, 140, 'allow', '17', '10.0.0.0/8', [53, 53])
    add(true, 150, 'allow', '1', '10.0.0.0/8')
    for (const egress of [false, true]) {
      const fillers = rng.int(3, 9)
      for (let i = 0; i < fillers; i++) {
        const port = rng.pick(COMMON_PORTS)
        add(egress, 200 + i * 10, rng.chance(0.3) ? 'deny' : 'allow', tcp, `172.16.${rng.int(0, 255)}.0/24`, [
          port,
          port,
        ])
      }
      add(egress, CATCH_ALL_IPV4, 'deny', '-1', '0.0.0.0/0')
    }
    return entries
  }

  // --- Interfaces ------------------------------------------------------------------------------

  addInterface(
    vpc: VpcPlan,
    subnet: SubnetPlan,
    groupIds: readonly string[],
    options: { publicIp?: boolean; interfaceType?: NetworkInterface['interfaceType']; probe?: boolean } = {},
  ): NetworkInterface {
    const address = formatIpv4((subnet.base + subnet.nextHost++) >>> 0)
    subnet.interfaces++
    const attached = options.interfaceType !== 'nat_gateway' && this.rng.chance(INSTANCE_SHARE)
    const networkInterface: NetworkInterface = {
      networkInterfaceId: this.id('eni'),
      subnetId: subnet.subnet.subnetId,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      region: vpc.region,
      availabilityZone: subnet.subnet.availabilityZone,
      description:
        options.interfaceType === 'nat_gateway' ? `Interface for NAT Gateway ${vpc.natGatewayId}` : '',
      privateIpAddress: address,
      secondaryPrivateIpAddresses: [],
      ipv6Addresses: [],
      groupIds,
      sourceDestCheck:
        options.interfaceType === 'nat_gateway'
          ? false
          : options.probe === true || !this.rng.chance(SOURCE_DEST_CHECK_OFF_SHARE),
      ...(options.publicIp ? { publicIp: formatIpv4((PUBLIC_POOL + this.publicIps++) >>> 0) } : {}),
      macAddress: `02:${this.rng.hex(10).replace(/(..)(?!$)/g, '$1:')}`,
      interfaceType: options.interfaceType ?? 'interface',
      ...(attached
        ? { attachment: { attachmentId: this.id('eni-attach'), instanceId: this.id('i'), deviceIndex: 0 } }
        : {}),
    }
    this.interfaces.push(networkInterface)
    return networkInterface
  }

  /** Random interfaces, skewed per VPC, 1–5 groups each (a few up to 16) within 1,000 rule slots. */
  addBackgroundInterfaces(total: number) {
    const rng = this.rng
    const weights = this.vpcs.map(() => 0.25 + rng.next() ** 2 * 3)
    const sum = weights.reduce((a, b) => a + b, 0)
    for (const [i, vpc] of this.vpcs.entries()) {
      const wanted = Math.round((total * weights[i]!) / sum)
      for (let n = 0; n < wanted; n++) {
        const role = rng.weighted({
          private: 60,
          data: 25,
          public: 15,
          secondary: vpc.secondaryBase !== undefined ? 10 : 0,
        })
        const candidates = subnetsOf(vpc, role).filter((s) => hasRoom(s))
        if (candidates.length === 0) continue
        const subnet = rng.pick(candidates)
        const publicIp = rng.chance(
          role === 'public' ? PUBLIC_IP_SHARE_IN_PUBLIC_SUBNETS : PUBLIC_IP_SHARE_ELSEWHERE,
        )
        this.addInterface(vpc, subnet, this.randomGroupSet(vpc), { publicIp })
      }
    }
  }

  private randomGroupSet(vpc: VpcPlan): string[] {
    const rng = this.rng
    const wanted = rng.chance(0.01) ? rng.int(6, 16) : rng.int(1, 5)
    const chosen = new Set<SecurityGroup>()
    let slots = 0
    for (let tries = 0; chosen.size < wanted && tries < wanted * 4; tries++) {
      const group = rng.pick(vpc.groups)
      const cost = group.ingress.length + group.egress.length
      if (chosen.has(group) || slots + cost > MAX_RULE_SLOTS_PER_INTERFACE) continue
      chosen.add(group)
      slots += cost
    }
    return [...chosen].map((g) => g.groupId)
  }

  build(): Estate {
    const subnets: Subnet[] = []
    const routeTables: RouteTable[] = []
    const vpcs: Vpc[] = []
    for (const plan of this.vpcs) {
      for (const s of plan.subnets) subnets.push({ ...s.subnet, usedAddresses: s.interfaces })
      for (const table of tablesOf(plan)) {
        routeTables.push({
          routeTableId: table.routeTableId,
          vpcId: plan.vpcId,
          ownerId: plan.ownerId,
          routes: table.routes,
          associations: table.associations,
          propagatingVgws: [],
        })
      }
      vpcs.push({
        vpcId: plan.vpcId,
        ownerId: plan.ownerId,
        region: plan.region,
        cidrBlock: primaryBlock(plan),
        cidrBlockAssociations: [
          { associationId: this.id('vpc-cidr-assoc'), cidrBlock: primaryBlock(plan) },
          ...(plan.secondaryBase !== undefined
            ? [{ associationId: this.id('vpc-cidr-assoc'), cidrBlock: block(plan.secondaryBase, 20) }]
            : []),
        ],
        ipv6CidrBlockAssociations: [],
        instanceTenancy: 'default',
        enableDnsSupport: true,
        enableDnsHostnames: false,
        enableNetworkAddressUsageMetrics: false,
        mainRouteTableId: plan.mainTable.routeTableId,
        defaultNetworkAclId: plan.defaultAclId,
        defaultSecurityGroupId: plan.groups[0]!.groupId,
      })
    }
    return {
      at: this.at,
      vpcs,
      subnets,
      routeTables,
      securityGroups: this.vpcs.flatMap((v) => v.groups),
      networkAcls: this.acls,
      peerings: this.peerings,
      internetGateways: this.internetGateways,
      egressOnlyInternetGateways: [],
      natGateways: this.natGateways,
      vpnGateways: [],
      networkInterfaces: this.interfaces,
    }
  }
}

type RuleSpecs = readonly Omit<SecurityGroupRule, 'ruleId'>[]

const allEgress = (): RuleSpecs => [{ ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }]

const uniqueRules = (rules: RuleSpecs): RuleSpecs => {
  const seen = new Set<string>()
  return rules.filter((rule) => {
    const key = ruleKey(rule)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const hasRoom = (subnet: SubnetPlan) => subnet.nextHost < 2 ** (32 - subnet.length) - 1 - SUBNET_TAIL

/** Adds a route unless the table already has one for that destination (AWS allows one). */
function addRoute(table: RouteTableDraft, route: Omit<Route, 'origin'>) {
  if (table.routes.some((r) => r.destinationCidrBlock === route.destinationCidrBlock)) return
  table.routes.push({ ...route, origin: 'CreateRoute' })
}

function replaceDefaultRoute(table: RouteTableDraft, route: Omit<Route, 'origin' | 'destinationCidrBlock'>) {
  const index = table.routes.findIndex((r) => r.destinationCidrBlock === '0.0.0.0/0')
  const replacement: Route = { destinationCidrBlock: '0.0.0.0/0', ...route, origin: 'CreateRoute' }
  if (index < 0) table.routes.push(replacement)
  else table.routes[index] = replacement
}

// ---------------------------------------------------------------------------------------------
// The lab: planted faults with known answers

interface Lab {
  readonly peerings: Map<string, PeeringConnection>
  readonly modes: Map<string, RouteMode>
}

const peeringKey = (a: VpcPlan, b: VpcPlan) => pairKey(a.index, b.index)

/** The lab's own peerings (before the random ones), with the route mode each side uses. */
function labPeerings(builder: EstateBuilder): Lab {
  const v = (index: number) => builder.vpcs[index]!
  const { A, B, C, E, F, G, H, X, Y } = LAB
  const peerings = new Map<string, PeeringConnection>()
  const modes = new Map<string, RouteMode>()
  const peer = (
    a: number,
    b: number,
    code: PeeringStatusCode,
    modeA: RouteMode = 'full',
    modeB: RouteMode = 'full',
  ) => {
    const p = builder.addPeering(v(a), v(b), code)
    peerings.set(peeringKey(v(a), v(b)), p)
    modes.set(`${p.vpcPeeringConnectionId}:${v(a).vpcId}`, modeA)
    modes.set(`${p.vpcPeeringConnectionId}:${v(b).vpcId}`, modeB)
  }
  peer(A, B, 'active')
  peer(B, C, 'active')
  peer(A, E, 'active', 'partial')
  peer(A, F, 'pending-acceptance')
  peer(A, G, 'deleted')
  peer(A, H, 'active', 'full', 'none')
  peer(X, B, 'active')
  peer(Y, E, 'active')
  return { peerings, modes }
}

/** Probe interfaces, routes and filters for each fault, and the faults themselves. */
function plantFaults(builder: EstateBuilder, lab: Lab): PlantedFault[] {
  const v = (index: number) => builder.vpcs[index]!
  const [A, B, C, D, E, F, G, H, X, Y] = Array.from({ length: LAB_SIZE }, (_, i) => v(i)) as [
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
    VpcPlan,
  ]
  const pcx = (a: VpcPlan, b: VpcPlan) => lab.peerings.get(peeringKey(a, b))!.vpcPeeringConnectionId
  const subnet = (vpc: VpcPlan, role: SubnetRole, zone = 0) => subnetsOf(vpc, role)[zone]!

  const addGroup = (vpc: VpcPlan, name: string, ingress: RuleSpecs, egress: RuleSpecs = allEgress()) => {
    const group = builder.group(vpc, name, ingress, egress)
    vpc.groups.push(group)
    return group
  }
  const open = (vpc: VpcPlan) =>
    addGroup(vpc, `probe-server-${vpc.index}`, [
      { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIpv4: '10.0.0.0/8' },
      { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIpv4: '100.64.0.0/10' },
      { ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIpv4: '10.0.0.0/8' },
    ])
  const client = (vpc: VpcPlan) => addGroup(vpc, `probe-client-${vpc.index}`, [])
  const probe = (vpc: VpcPlan, where: SubnetPlan, groups: readonly SecurityGroup[], publicIp = false) =>
    builder.addInterface(
      vpc,
      where,
      groups.map((g) => g.groupId),
      { publicIp, probe: true },
    )

  // Groups.
  const clientA = client(A)
  const clientC = client(C)
  const clientX = client(X)
  const clientY = client(Y)
  const egress443A = addGroup(
    A,
    'probe-egress-443-only',
    [],
    [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' }],
  )
  const serverB = open(B)
  const noRulesB = addGroup(B, 'probe-no-ingress', [])
  const cidrOnlyB = addGroup(B, 'probe-cidr-only', [
    { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.200.0.0/16' },
  ])
  const peerRefB = addGroup(B, 'probe-peer-reference', [
    {
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedGroup: {
        groupId: clientA.groupId,
        userId: A.ownerId,
        vpcId: A.vpcId,
        vpcPeeringConnectionId: pcx(A, B),
      },
    },
  ])
  const crossRegionRefB = addGroup(B, 'probe-cross-region-reference', [
    {
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedGroup: {
        groupId: clientX.groupId,
        userId: X.ownerId,
        vpcId: X.vpcId,
        vpcPeeringConnectionId: pcx(X, B),
      },
    },
  ])
  const [serverC, serverD, serverE, serverF, serverG, serverH] = [C, D, E, F, G, H].map(open) as [
    SecurityGroup,
    SecurityGroup,
    SecurityGroup,
    SecurityGroup,
    SecurityGroup,
    SecurityGroup,
  ]

  // Interfaces: probes are placed before the background, so their addresses are each subnet's first.
  const aPrivate = probe(A, subnet(A, 'private'), [clientA])
  const aData = probe(A, subnet(A, 'data'), [clientA])
  const aRestricted = probe(A, subnet(A, 'private'), [egress443A])
  const aPublicNoIp = probe(A, subnet(A, 'public', 1), [clientA])
  const aPublic = probe(A, subnet(A, 'public', 1), [clientA], true)
  const bServer = probe(B, subnet(B, 'private'), [serverB])
  const bNoRules = probe(B, subnet(B, 'private'), [noRulesB])
  const bCidrOnly = probe(B, subnet(B, 'private'), [cidrOnlyB])
  const bPeerRef = probe(B, subnet(B, 'private'), [peerRefB])
  const bCrossRegionRef = probe(B, subnet(B, 'private'), [crossRegionRefB])
  const bDataA = probe(B, subnet(B, 'data', 0), [serverB])
  const bDataB = probe(B, subnet(B, 'data', 1), [serverB])
  const bSecondary = probe(B, subnet(B, 'secondary'), [serverB])
  const cData = probe(C, subnet(C, 'data'), [clientC])
  const cDataServer = probe(C, subnet(C, 'data'), [serverC])
  const cServer = probe(C, subnet(C, 'private'), [serverC])
  const dServer = probe(D, subnet(D, 'private'), [serverD])
  const eData = probe(E, subnet(E, 'data'), [serverE])
  const fServer = probe(F, subnet(F, 'private'), [serverF])
  const gServer = probe(G, subnet(G, 'private'), [serverG])
  const hServer = probe(H, subnet(H, 'private'), [serverH])
  const xPrivate = probe(X, subnet(X, 'private'), [clientX])
  const yData = probe(Y, subnet(Y, 'data'), [clientY])
  const yPrivate = probe(Y, subnet(Y, 'private'), [clientY])
  const yPublic = probe(Y, subnet(Y, 'public'), [clientY], true)
  const privateB = subnet(B, 'private', 1)
  const unusedInB = formatIpv4((privateB.base + 2 ** (32 - privateB.length) - 2) >>> 0)

  // Routes that make the faults (the lab's peering routes are added with everyone else's).
  const broadInY = '10.0.0.0/16'
  for (const table of tablesOf(A)) {
    addRoute(table, { destinationCidrBlock: primaryBlock(C), vpcPeeringConnectionId: pcx(A, B) })
    addRoute(table, {
      destinationCidrBlock: block(subnet(B, 'data', 1).base, 24),
      vpcPeeringConnectionId: pcx(A, H),
    })
  }
  for (const table of tablesOf(Y))
    addRoute(table, { destinationCidrBlock: broadInY, vpcPeeringConnectionId: pcx(Y, E) })
  replaceDefaultRoute(Y.privateTable!, { vpcPeeringConnectionId: pcx(Y, E) })
  replaceDefaultRoute(Y.publicTable, { vpcPeeringConnectionId: pcx(Y, E) })

  // Lab ACLs: B's data ACL denies A's private subnet; C's data ACL has the ephemeral gap.
  const aPrivateSubnet = subnet(A, 'private')
  for (const vpc of [A, B, C, D, E, F, G, H, X, Y]) {
    builder.addAcls(vpc, {
      ephemeralGap: vpc === C,
      denies: vpc === B ? [block(aPrivateSubnet.base, aPrivateSubnet.length)] : [],
    })
  }

  const tcp = (source: NetworkInterface, destination: string, port: number): Flow => ({
    source: { networkInterfaceId: source.networkInterfaceId },
    destination,
    protocol: 6,
    port,
  })
  const to = (eni: NetworkInterface) => eni.privateIpAddress
  const forward = (...codes: string[]) => codes.map((code) => ({ code, leg: 'forward' as const }))
  const fault = (
    id: string,
    description: string,
    flow: Flow,
    blockers: readonly ExpectedBlocker[],
  ): PlantedFault => ({ id, description, flow, reachable: blockers.length === 0, blockers })

  return [
    fault(
      'control-peered',
      'A reaches B over an active, fully routed peering',
      tcp(aPrivate, to(bServer), 443),
      [],
    ),
    fault(
      'control-sg-reference-same-region',
      "B's group allows A's group by reference across a same-region peering",
      tcp(aPrivate, to(bPeerRef), 443),
      [],
    ),
    fault(
      'control-internet-via-own-nat',
      "A's private subnet reaches the internet through its NAT gateway",
      tcp(aPrivate, INTERNET_ADDRESS, 443),
      [],
    ),
    fault(
      'control-internet-via-igw',
      'an interface with a public IP reaches the internet',
      tcp(aPublic, INTERNET_ADDRESS, 443),
      [],
    ),
    fault(
      'control-same-subnet-skips-nacl',
      "two interfaces in one subnet never meet its ACL (C's gap would break the reply otherwise)",
      tcp(cData, to(cDataServer), 443),
      [],
    ),
    fault(
      'transitive-peering',
      "A routes C's block into A↔B; B↔C does not carry it on (peering is not transitive)",
      tcp(aPrivate, to(cServer), 443),
      forward('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'),
    ),
    fault(
      'disconnected-vpcs',
      'A and D are not peered and A has no route for D',
      tcp(aData, to(dServer), 443),
      forward('NO_ROUTE_TO_DESTINATION', 'DISCONNECTED_VPCS'),
    ),
    fault(
      'route-too-broad',
      `Y routes ${broadInY} into Y↔E, so D's addresses are sent to E`,
      tcp(yData, to(dServer), 443),
      forward('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'),
    ),
    fault(
      'pcx-pending-acceptance',
      'A routes F into a request F never accepted',
      tcp(aPrivate, to(fServer), 443),
      forward('BAD_STATE_ROUTE'),
    ),
    fault(
      'pcx-deleted',
      "A's route into the deleted A↔G peering is a blackhole",
      tcp(aPrivate, to(gServer), 443),
      forward('BAD_STATE_ROUTE'),
    ),
    fault(
      'missing-return-route',
      'A routes H into A↔H but H has no route back to A',
      tcp(aPrivate, to(hServer), 443),
      [{ code: 'NO_ROUTE_TO_DESTINATION', leg: 'return' }],
    ),
    fault(
      'partial-route',
      "A routes only E's private subnets into A↔E, not its data subnets",
      tcp(aData, to(eData), 443),
      forward('NO_ROUTE_TO_DESTINATION'),
    ),
    fault(
      'secondary-block-not-routed',
      "A's route covers only B's primary block, not its secondary one",
      tcp(aData, to(bSecondary), 443),
      forward('NO_ROUTE_TO_DESTINATION'),
    ),
    fault(
      'more-specific-shadow',
      "a more specific route sends B's second data subnet into A↔H",
      tcp(aPrivate, to(bDataB), 443),
      forward('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'),
    ),
    fault(
      'unknown-destination',
      "no interface holds the address in B's private subnet",
      tcp(aPrivate, unusedInB, 443),
      forward('UNKNOWN_DESTINATION'),
    ),
    fault(
      'sg-allows-only-some-cidr',
      "B's group allows 5432 from 10.200.0.0/16 only",
      tcp(aPrivate, to(bCidrOnly), 5432),
      forward('ENI_SG_RULES_MISMATCH'),
    ),
    fault(
      'sg-has-no-rules',
      "B's group has no inbound rules",
      tcp(aPrivate, to(bNoRules), 443),
      forward('SG_HAS_NO_RULES'),
    ),
    fault(
      'sg-egress-restricted',
      "A's group sends out 443 only",
      tcp(aRestricted, to(bServer), 5432),
      forward('ENI_SG_RULES_MISMATCH'),
    ),
    fault(
      'nacl-deny',
      "B's data ACL denies A's private subnet with a low-numbered rule",
      tcp(aPrivate, to(bDataA), 5432),
      forward('SUBNET_ACL_RESTRICTION'),
    ),
    fault(
      'nacl-ephemeral-gap',
      "C's data ACL lets replies in on 1024–32767 only; the reply to port 49152 is dropped",
      tcp(cData, to(bServer), 443),
      [{ code: 'SUBNET_ACL_RESTRICTION', leg: 'return' }],
    ),
    fault(
      'edge-to-edge-via-peer-nat',
      "Y's private default route points into Y↔E to use E's NAT gateway",
      tcp(yPrivate, INTERNET_ADDRESS, 443),
      forward('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'),
    ),
    fault(
      'edge-to-edge-via-peer-igw',
      "Y's public default route points into Y↔E to use E's internet gateway",
      tcp(yPublic, INTERNET_ADDRESS, 443),
      forward('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'),
    ),
    fault(
      'sg-reference-across-regions',
      "B's group names X's group, but X↔B crosses regions, where references do not work",
      tcp(xPrivate, to(bCrossRegionRef), 443),
      forward('ENI_SG_RULES_MISMATCH'),
    ),
    fault(
      'igw-without-public-ip',
      'an interface without a public IP sends to the internet through the internet gateway',
      tcp(aPublicNoIp, INTERNET_ADDRESS, 443),
      forward('IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS'),
    ),
  ]
}

// ---------------------------------------------------------------------------------------------

/**
 * Builds the estate of `tier` from `seed`: the same tier and seed always give the same estate,
 * ids included.
 */
export function generateEstate(tier: Tier, seed = 1): SyntheticEstate {
  const shape = TIERS[tier]
  const builder = new EstateBuilder(shape, seed)
  for (let index = 0; index < shape.vpcs; index++) builder.addVpc(index, (TEN + index * VPC_SIZE) >>> 0)
  const background = builder.vpcs.slice()
  // One VPC more, reusing the last VPC's block: its request to that VPC failed (overlap).
  const last = background[background.length - 1]!
  const overlapping = builder.addVpc(shape.vpcs, last.base, {
    region: last.region,
    ownerId: builder.accounts[0]!,
  })
  builder.addPeering(overlapping, last, 'failed')

  const lab = labPeerings(builder)
  builder.addBackgroundPeerings(shape.peerings, background)
  builder.addPeeringRoutes(lab.modes)

  const byId = new Map(builder.vpcs.map((vpc) => [vpc.vpcId, vpc]))
  for (const vpc of builder.vpcs) builder.addGroups(vpc)
  for (const vpc of builder.vpcs) builder.addRandomRules(vpc, byId)
  const faults = plantFaults(builder, lab)
  const publicSubnets = builder.vpcs.flatMap((vpc) => subnetsOf(vpc, 'public'))
  for (const vpc of builder.vpcs) {
    if (vpc.lab) continue
    // Low-numbered denies name other VPCs' public subnets: a realistic "no web tier in the
    // data tier" rule that never touches a lab probe (none sends from a public subnet into data).
    const denies = Array.from({ length: builder.rng.int(1, 3) }, () => {
      const s = builder.rng.pick(publicSubnets)
      return block(s.base, s.length)
    })
    builder.addAcls(vpc, {
      ephemeralGap: builder.rng.chance(EPHEMERAL_GAP_SHARE),
      denies: [...new Set(denies)],
    })
  }
  builder.addBackgroundInterfaces(shape.interfaces - builder.interfaces.length)
  return { tier, seed, estate: builder.build(), faults }
}

/** Counts of what an estate holds, for the benchmark's report. */
export function estateCounts(estate: Estate) {
  const rules = estate.securityGroups.reduce((n, g) => n + g.ingress.length + g.egress.length, 0)
  const entries = estate.networkAcls.reduce((n, acl) => n + acl.entries.length, 0)
  const routes = estate.routeTables.reduce((n, t) => n + t.routes.length, 0)
  return {
    vpcs: estate.vpcs.length,
    peerings: estate.peerings.length,
    activePeerings: estate.peerings.filter((p) => p.status.code === 'active').length,
    subnets: estate.subnets.length,
    routeTables: estate.routeTables.length,
    routes,
    securityGroups: estate.securityGroups.length,
    securityGroupRules: rules,
    networkAcls: estate.networkAcls.length,
    networkAclEntries: entries,
    networkInterfaces: estate.networkInterfaces.length,
  }
}
