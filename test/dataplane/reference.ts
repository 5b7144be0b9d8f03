/**
 * A reference evaluator for docs/dataplane.md, written from the page alone and kept apart from
 * the engine (src/dataplane/): it shares nothing with it beyond address parsing. It is written to
 * be obviously right, not fast: every lookup is a linear scan over the whole estate, per flow.
 *
 * Where the page is silent, the simplest reading is taken and marked "Reading:" below. Where
 * it is silent about a case the random estates never build, the reference throws, so that a
 * generator change that starts building it is noticed rather than silently judged.
 */

import { DEFAULT_SOURCE_PORT, type Estate, type Flow } from '../../src/dataplane/types.js'
import type { NatGateway } from '../../src/domain/gateways.js'
import type { NetworkAcl, NetworkAclEntry } from '../../src/domain/network-acl.js'
import type { NetworkInterface } from '../../src/domain/network-interface.js'
import type { PeeringConnection } from '../../src/domain/peering.js'
import type { Route, RouteTable } from '../../src/domain/route-table.js'
import type { SecurityGroup, SecurityGroupRule } from '../../src/domain/security-group.js'
import type { Subnet } from '../../src/domain/subnet.js'
import type { Vpc } from '../../src/domain/vpc.js'
import { type Family, type Prefix, parseAddress, parsePrefix } from '../../src/net/prefix.js'

export interface ReferenceHit {
  readonly networkInterfaceId: string
  readonly flowDirection: 'ingress' | 'egress'
  readonly action: 'ACCEPT' | 'REJECT'
  readonly reply: boolean
}

export interface ReferenceResult {
  readonly reachable: boolean
  /** Explanation codes in path order: the forward leg, then the return leg. */
  readonly codes: string[]
  readonly hits: ReferenceHit[]
}

interface Address {
  readonly family: Family
  readonly value: bigint
}

/** The protocol part of a packet: ports for tcp/udp, type and code for icmp/icmpv6. */
interface Traffic {
  readonly protocol: number
  readonly port?: number
  readonly icmpType?: number
  readonly icmpCode?: number
}

const TCP = 6
const UDP = 17
const ICMP = 1
const ICMPV6 = 58

const hasPorts = (protocol: number) => protocol === TCP || protocol === UDP
const hasIcmpTypes = (protocol: number) => protocol === ICMP || protocol === ICMPV6

function unsupported(what: string): never {
  throw new Error(`reference: docs/dataplane.md does not cover ${what}`)
}

// Parsing is memoized only because ipaddr.js is slow next to everything else here.
const parsedAddresses = new Map<string, Address>()
const parsedPrefixes = new Map<string, Prefix>()

function address(text: string): Address {
  let parsed = parsedAddresses.get(text)
  if (!parsed) {
    parsed = parseAddress(text)
    if (!parsed) throw new Error(`reference: not an address: ${text}`)
    parsedAddresses.set(text, parsed)
  }
  return parsed
}

function prefix(cidr: string): Prefix {
  let parsed = parsedPrefixes.get(cidr)
  if (!parsed) {
    parsed = parsePrefix(cidr)
    if (!parsed) throw new Error(`reference: not a prefix: ${cidr}`)
    parsedPrefixes.set(cidr, parsed)
  }
  return parsed
}

const sameAddress = (a: Address, b: Address) => a.family === b.family && a.value === b.value

function blockContains(cidr: string, target: Address): boolean {
  const block = prefix(cidr)
  return block.family === target.family && block.start <= target.value && target.value <= block.end
}

const prefixLength = (cidr: string) => prefix(cidr).length

// ---------------------------------------------------------------------------------------------
// Looking things up in the estate.

/** Every address an interface holds: primary and secondary private IPv4, and its IPv6 addresses. */
const heldAddresses = (eni: NetworkInterface) => [
  eni.privateIpAddress,
  ...eni.secondaryPrivateIpAddresses,
  ...eni.ipv6Addresses,
]

const holds = (eni: NetworkInterface, target: Address) =>
  heldAddresses(eni).some((text) => sameAddress(address(text), target))

const holdersOf = (estate: Estate, target: Address) =>
  estate.networkInterfaces.filter((e) => holds(e, target))

function holderInVpc(estate: Estate, vpcId: string, target: Address): NetworkInterface | undefined {
  const holders = holdersOf(estate, target).filter((e) => e.vpcId === vpcId)
  if (holders.length > 1) unsupported('one address held twice in a VPC')
  return holders[0]
}

function vpcById(estate: Estate, vpcId: string): Vpc {
  const vpc = estate.vpcs.find((v) => v.vpcId === vpcId)
  if (!vpc) unsupported(`a missing VPC ${vpcId}`)
  return vpc
}

function subnetById(estate: Estate, subnetId: string): Subnet {
  const subnet = estate.subnets.find((s) => s.subnetId === subnetId)
  if (!subnet) unsupported(`a missing subnet ${subnetId}`)
  return subnet
}

/** A VPC's current blocks, IPv4 and IPv6, from the VPC record (not the peering's copy). */
const vpcBlocks = (vpc: Vpc) => [
  vpc.cidrBlock,
  ...vpc.cidrBlockAssociations.map((a) => a.cidrBlock),
  ...vpc.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
]

const insideVpc = (vpc: Vpc, target: Address) => vpcBlocks(vpc).some((cidr) => blockContains(cidr, target))

const peeringJoins = (peering: PeeringConnection, a: string, b: string) =>
  (peering.requester.vpcId === a && peering.accepter.vpcId === b) ||
  (peering.requester.vpcId === b && peering.accepter.vpcId === a)

const activelyJoined = (estate: Estate, a: string, b: string) =>
  estate.peerings.some((p) => p.status.code === 'active' && peeringJoins(p, a, b))

const activelyJoinedInOneRegion = (estate: Estate, a: string, b: string) =>
  estate.peerings.some(
    (p) => p.status.code === 'active' && peeringJoins(p, a, b) && p.requester.region === p.accepter.region,
  )

// ---------------------------------------------------------------------------------------------
// Security groups.

function ruleProtocolNumber(ipProtocol: string): number | 'all' {
  const named: Record<string, number> = { tcp: TCP, udp: UDP, icmp: ICMP, icmpv6: ICMPV6 }
  if (ipProtocol === '-1') return 'all'
  const name = ipProtocol.toLowerCase()
  if (Object.hasOwn(named, name)) return named[name]!
  if (/^\d+$/.test(ipProtocol)) return Number(ipProtocol)
  return unsupported(`security group protocol ${ipProtocol}`)
}

function ruleTrafficMatches(rule: SecurityGroupRule, traffic: Traffic): boolean {
  const protocol = ruleProtocolNumber(rule.ipProtocol)
  if (protocol === 'all') return true
  if (protocol !== traffic.protocol) return false
  if (hasPorts(protocol)) {
    if (rule.fromPort === undefined || rule.toPort === undefined) unsupported('a tcp/udp rule without ports')
    return traffic.port !== undefined && rule.fromPort <= traffic.port && traffic.port <= rule.toPort
  }
  if (hasIcmpTypes(protocol)) {
    const type = rule.fromPort ?? -1
    const code = rule.toPort ?? -1
    return (type === -1 || type === traffic.icmpType) && (code === -1 || code === traffic.icmpCode)
  }
  return true
}

/**
 * A rule's peer matches the remote address. A group reference counts only when the named group
 * exists, some interface holding the remote address is in it, and the group lives in the
 * interface's own VPC or in one joined to it by an active peering within one region.
 * Reading: "the interface whose rule it is" is the interface being evaluated (its vpcId), even
 * when it carries a group of another VPC.
 */
function rulePeerMatches(
  estate: Estate,
  eni: NetworkInterface,
  rule: SecurityGroupRule,
  remote: Address,
): boolean {
  if (rule.cidrIpv4 !== undefined && blockContains(rule.cidrIpv4, remote)) return true
  if (rule.cidrIpv6 !== undefined && blockContains(rule.cidrIpv6, remote)) return true
  const reference = rule.referencedGroup
  if (reference !== undefined) {
    const group = estate.securityGroups.find((g) => g.groupId === reference.groupId)
    if (!group) return false
    const effective = group.vpcId === eni.vpcId || activelyJoinedInOneRegion(estate, group.vpcId, eni.vpcId)
    const member = holdersOf(estate, remote).some((holder) => holder.groupIds.includes(group.groupId))
    if (effective && member) return true
  }
  // Prefix lists are not modelled: a prefixListId never matches.
  return false
}

/** The blocker security groups give in one direction, if any. */
function securityGroupBlocker(
  estate: Estate,
  eni: NetworkInterface,
  direction: 'ingress' | 'egress',
  traffic: Traffic,
  remote: Address,
): string | undefined {
  // Reading: a group id the estate does not hold is a group without rules.
  const groups = eni.groupIds
    .map((id) => estate.securityGroups.find((g) => g.groupId === id))
    .filter((g): g is SecurityGroup => g !== undefined)
  const rulesOf = (group: SecurityGroup) => (direction === 'ingress' ? group.ingress : group.egress)
  const passes = groups.some((group) =>
    rulesOf(group).some(
      (rule) => ruleTrafficMatches(rule, traffic) && rulePeerMatches(estate, eni, rule, remote),
    ),
  )
  if (passes) return undefined
  return groups.some((group) => rulesOf(group).length > 0) ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES'
}

// ---------------------------------------------------------------------------------------------
// Network ACLs.

function aclOf(estate: Estate, subnet: Subnet): NetworkAcl {
  const acls = estate.networkAcls.filter((a) => a.associations.some((s) => s.subnetId === subnet.subnetId))
  if (acls.length !== 1) unsupported(`a subnet with ${acls.length} network ACLs`)
  return acls[0]!
}

function entryMatches(entry: NetworkAclEntry, traffic: Traffic, remote: Address): boolean {
  const block = remote.family === 4 ? entry.cidrBlock : entry.ipv6CidrBlock
  if (block === undefined || !blockContains(block, remote)) return false
  if (entry.protocol === '-1') return true
  if (Number(entry.protocol) !== traffic.protocol) return false
  if (hasPorts(traffic.protocol)) {
    if (!entry.portRange) unsupported('a tcp/udp ACL entry without a port range')
    return (
      traffic.port !== undefined && entry.portRange.from <= traffic.port && traffic.port <= entry.portRange.to
    )
  }
  // Reading: icmpv6 entries match type and code like icmp ones; an entry without a type and
  // code (icmpv6 on an IPv4 block, as the domain stores it) matches any.
  if (hasIcmpTypes(traffic.protocol) && entry.icmpTypeCode) {
    const { type, code } = entry.icmpTypeCode
    return (type === -1 || type === traffic.icmpType) && (code === -1 || code === traffic.icmpCode)
  }
  return true
}

/** Whether the subnet's ACL denies the packet in this direction (the first matching entry decides). */
function aclDenies(
  estate: Estate,
  subnet: Subnet,
  egress: boolean,
  traffic: Traffic,
  remote: Address,
): boolean {
  const entries = aclOf(estate, subnet)
    .entries.filter((e) => e.egress === egress && (remote.family === 4) === (e.cidrBlock !== undefined))
    .sort((a, b) => a.ruleNumber - b.ruleNumber)
  const deciding = entries.find((e) => entryMatches(e, traffic, remote))
  if (!deciding) unsupported('an ACL without a catch-all entry')
  return deciding.ruleAction === 'deny'
}

// ---------------------------------------------------------------------------------------------
// Routing.

function routeTableOf(estate: Estate, subnet: Subnet): RouteTable {
  const explicit = estate.routeTables.filter((t) =>
    t.associations.some((a) => !a.main && a.subnetId === subnet.subnetId),
  )
  if (explicit.length > 1) unsupported('a subnet associated with two route tables')
  if (explicit[0]) return explicit[0]
  const mainId = vpcById(estate, subnet.vpcId).mainRouteTableId
  const main = estate.routeTables.find((t) => t.routeTableId === mainId)
  if (!main) unsupported('a VPC without its main route table')
  return main
}

/** The route of the packet's family with the longest destination containing it; prefix lists ignored. */
function longestMatch(table: RouteTable, destination: Address): Route | undefined {
  const candidates = table.routes.filter((route) => {
    const cidr = destination.family === 4 ? route.destinationCidrBlock : route.destinationIpv6CidrBlock
    return cidr !== undefined && blockContains(cidr, destination)
  })
  const lengthOf = (route: Route) =>
    prefixLength((route.destinationCidrBlock ?? route.destinationIpv6CidrBlock)!)
  const longest = Math.max(...candidates.map(lengthOf))
  const winners = candidates.filter((route) => lengthOf(route) === longest)
  if (winners.length > 1) unsupported('two routes to the same destination')
  return winners[0]
}

type Target =
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'local' }
  | { readonly kind: 'peering'; readonly peering: PeeringConnection }
  | { readonly kind: 'internet-gateway' }
  | { readonly kind: 'egress-only-internet-gateway' }
  | { readonly kind: 'nat-gateway'; readonly nat: NatGateway }
  | { readonly kind: 'vpn-gateway' }

const attachedTo = (gateway: { attachments: readonly { vpcId: string; state: string }[] }, vpcId: string) =>
  gateway.attachments.some((a) => a.vpcId === vpcId && a.state !== 'detached')

/** What a route leads to from its table's VPC, or blackhole when the target is unusable. */
function targetOf(estate: Estate, table: RouteTable, route: Route): Target {
  const blackhole: Target = { kind: 'blackhole' }
  if (route.gatewayId === 'local') return { kind: 'local' }
  if (route.vpcPeeringConnectionId !== undefined) {
    const peering = estate.peerings.find((p) => p.vpcPeeringConnectionId === route.vpcPeeringConnectionId)
    if (peering?.status.code !== 'active') return blackhole
    const involvesTable = peering.requester.vpcId === table.vpcId || peering.accepter.vpcId === table.vpcId
    if (!involvesTable) unsupported('a route to a peering of two other VPCs')
    return { kind: 'peering', peering }
  }
  if (route.gatewayId?.startsWith('igw-')) {
    const gateway = estate.internetGateways.find((g) => g.internetGatewayId === route.gatewayId)
    return gateway && attachedTo(gateway, table.vpcId) ? { kind: 'internet-gateway' } : blackhole
  }
  if (route.gatewayId?.startsWith('vgw-')) {
    const gateway = estate.vpnGateways.find((g) => g.vpnGatewayId === route.gatewayId)
    const usable = gateway && gateway.state !== 'deleted' && attachedTo(gateway, table.vpcId)
    return usable ? { kind: 'vpn-gateway' } : blackhole
  }
  if (route.egressOnlyInternetGatewayId !== undefined) {
    // Reading: an egress-only gateway is an internet gateway for the blackhole rule: unusable
    // when gone or in another VPC.
    const gateway = estate.egressOnlyInternetGateways.find(
      (g) => g.egressOnlyInternetGatewayId === route.egressOnlyInternetGatewayId,
    )
    return gateway?.vpcId === table.vpcId ? { kind: 'egress-only-internet-gateway' } : blackhole
  }
  if (route.natGatewayId !== undefined) {
    // Reading: a NAT gateway that is gone is "not available".
    const nat = estate.natGateways.find((n) => n.natGatewayId === route.natGatewayId)
    return nat?.state === 'available' ? { kind: 'nat-gateway', nat } : blackhole
  }
  if (route.networkInterfaceId !== undefined) {
    const eni = estate.networkInterfaces.find((e) => e.networkInterfaceId === route.networkInterfaceId)
    if (!eni) return blackhole
    unsupported('a route to an existing network interface')
  }
  return unsupported(`the route target of ${JSON.stringify(route)}`)
}

// ---------------------------------------------------------------------------------------------
// The flow.

/** Where the forward routing ended. */
type Arrival =
  | { readonly kind: 'blocked' }
  | { readonly kind: 'outside' }
  | {
      readonly kind: 'interface'
      readonly eni: NetworkInterface
      /** The packet's source as the destination sees it (the NAT gateway's, after a NAT gateway). */
      readonly packetSource: Address
      /** The VPC the reply must be routed to: the source's, or the NAT gateway's. */
      readonly replyVpcId: string
    }

/** Where the packet stands while it is routed: a VPC, a table, and what it may use at an IGW. */
interface Hop {
  readonly vpcId: string
  readonly table: RouteTable
  readonly packetSource: Address
  readonly hasPublicIpv4: boolean
  /** Set once the packet has passed a NAT gateway. */
  readonly nat?: NatGateway
}

function resolveSource(estate: Estate, flow: Flow): NetworkInterface {
  const source = flow.source
  if ('networkInterfaceId' in source) {
    const eni = estate.networkInterfaces.find((e) => e.networkInterfaceId === source.networkInterfaceId)
    if (!eni) unsupported('an unknown source interface')
    return eni
  }
  const holders = holdersOf(estate, address(source.address))
  if (holders.length !== 1) unsupported(`a source address held by ${holders.length} interfaces`)
  return holders[0]!
}

export function referenceEvaluate(estate: Estate, flow: Flow): ReferenceResult {
  const source = resolveSource(estate, flow)
  const destination = address(flow.destination)
  // The source address: the primary IPv4 or the first IPv6 address, whichever family the
  // destination has. Reading: a flow that names its source by an address sends from that
  // address, and one of the other family has no source address for the destination.
  const sourceText =
    'address' in flow.source
      ? flow.source.address
      : destination.family === 4
        ? source.privateIpAddress
        : source.ipv6Addresses[0]
  const noSource = sourceText === undefined || address(sourceText).family !== destination.family
  // Reading: without a source address nothing is sent, so nothing is logged either.
  if (noSource) return { reachable: false, codes: ['NO_SOURCE_OR_DESTINATION'], hits: [] }
  const sourceAddress = address(sourceText)
  const icmp = hasIcmpTypes(flow.protocol)
  const request: Traffic = {
    protocol: flow.protocol,
    ...(hasPorts(flow.protocol) && flow.port !== undefined ? { port: flow.port } : {}),
    ...(icmp && flow.port !== undefined ? { icmpType: flow.port } : {}),
    ...(icmp && flow.icmpCode !== undefined ? { icmpCode: flow.icmpCode } : {}),
  }
  // The reply swaps the ports. Reading: an ICMP reply keeps the request's type and code (the
  // page swaps ports only, and ICMP has none).
  const reply: Traffic = hasPorts(flow.protocol)
    ? { protocol: flow.protocol, port: flow.sourcePort ?? DEFAULT_SOURCE_PORT }
    : request

  const forwardCodes: string[] = []
  const returnCodes: string[] = []
  const sourceSubnet = subnetById(estate, source.subnetId)
  const sameSubnetPeer = estate.networkInterfaces.find(
    (e) => e.subnetId === source.subnetId && holds(e, destination),
  )

  // Forward 1: the source's groups, egress, for the destination address.
  const sourceGroups = securityGroupBlocker(estate, source, 'egress', request, destination)
  if (sourceGroups) forwardCodes.push(sourceGroups)
  // Forward 2: the source subnet's ACL, outbound.
  const sourceAclOut = !sameSubnetPeer && aclDenies(estate, sourceSubnet, true, request, destination)
  if (sourceAclOut) forwardCodes.push('SUBNET_ACL_RESTRICTION')
  // Forward 3: routing.
  const arrival: Arrival = sameSubnetPeer
    ? { kind: 'interface', eni: sameSubnetPeer, packetSource: sourceAddress, replyVpcId: source.vpcId }
    : route(
        estate,
        {
          vpcId: source.vpcId,
          table: routeTableOf(estate, sourceSubnet),
          packetSource: sourceAddress,
          hasPublicIpv4: source.publicIp !== undefined,
        },
        destination,
        forwardCodes,
      )

  let destinationAclIn = false
  let destinationGroups: string | undefined
  if (arrival.kind === 'interface') {
    const target = arrival.eni
    // Forward 4 and 5: the destination subnet's ACL inbound, its groups ingress, for the packet's source.
    destinationAclIn =
      !sameSubnetPeer &&
      aclDenies(estate, subnetById(estate, target.subnetId), false, request, arrival.packetSource)
    if (destinationAclIn) forwardCodes.push('SUBNET_ACL_RESTRICTION')
    destinationGroups = securityGroupBlocker(estate, target, 'ingress', request, arrival.packetSource)
    if (destinationGroups) forwardCodes.push(destinationGroups)
  }

  // The return leg.
  let destinationAclOut = false
  let replyRouted = false
  let sourceAclIn = false
  if (arrival.kind === 'interface') {
    const target = arrival.eni
    const targetSubnet = subnetById(estate, target.subnetId)
    if (sameSubnetPeer) {
      replyRouted = true
    } else {
      // Return 1: the destination subnet's ACL, outbound, towards the packet's source.
      destinationAclOut = aclDenies(estate, targetSubnet, true, reply, arrival.packetSource)
      if (destinationAclOut) returnCodes.push('SUBNET_ACL_RESTRICTION')
      // Return 2: routing back.
      const back = routeReply(estate, routeTableOf(estate, targetSubnet), target, arrival)
      if (back) returnCodes.push(back)
      replyRouted = back === undefined
      // Return 3: the source subnet's ACL, inbound, from the destination address.
      if (replyRouted) {
        sourceAclIn = aclDenies(estate, sourceSubnet, false, reply, destination)
        if (sourceAclIn) returnCodes.push('SUBNET_ACL_RESTRICTION')
      }
    }
  } else if (arrival.kind === 'outside') {
    // Only return step 3 when the forward leg ended at the internet or a VPN.
    replyRouted = true
    sourceAclIn = aclDenies(estate, sourceSubnet, false, reply, destination)
    if (sourceAclIn) returnCodes.push('SUBNET_ACL_RESTRICTION')
  }

  // Flow-log records. Reading: a reply exists only when the request got through ("forward
  // accepted"); the source logs it when it "was routed back", whatever the destination subnet's
  // ACL said of it (filters never stop the evaluation).
  const forwardAccepted = forwardCodes.length === 0
  const hits: ReferenceHit[] = []
  const hit = (
    eni: NetworkInterface,
    flowDirection: 'ingress' | 'egress',
    rejected: boolean,
    isReply: boolean,
  ) =>
    hits.push({
      networkInterfaceId: eni.networkInterfaceId,
      flowDirection,
      action: rejected ? 'REJECT' : 'ACCEPT',
      reply: isReply,
    })
  hit(source, 'egress', sourceGroups !== undefined || sourceAclOut, false)
  if (arrival.kind === 'interface') {
    hit(arrival.eni, 'ingress', destinationAclIn || destinationGroups !== undefined, false)
    if (forwardAccepted) hit(arrival.eni, 'egress', destinationAclOut, true)
  }
  if (forwardAccepted && replyRouted) hit(source, 'ingress', sourceAclIn, true)

  const codes = [...forwardCodes, ...returnCodes]
  return { reachable: codes.length === 0, codes, hits }
}

/** Forward step 3 from `hop`: pushes routing blockers (which end the leg) and says where it ended. */
function route(estate: Estate, hop: Hop, destination: Address, codes: string[]): Arrival {
  const blocked: Arrival = { kind: 'blocked' }
  const matched = longestMatch(hop.table, destination)
  if (!matched) {
    codes.push('NO_ROUTE_TO_DESTINATION')
    if (disconnected(estate, hop.vpcId, destination)) codes.push('DISCONNECTED_VPCS')
    return blocked
  }
  const target = targetOf(estate, hop.table, matched)
  // Reading: after a public NAT gateway, anything but an internet gateway (or a blackhole,
  // which is reported as such) is no route to the destination.
  if (
    hop.nat?.connectivityType === 'public' &&
    target.kind !== 'internet-gateway' &&
    target.kind !== 'blackhole'
  ) {
    codes.push('NO_ROUTE_TO_DESTINATION')
    return blocked
  }
  const delivered = (eni: NetworkInterface | undefined): Arrival => {
    if (!eni) {
      codes.push('UNKNOWN_DESTINATION')
      return blocked
    }
    return { kind: 'interface', eni, packetSource: hop.packetSource, replyVpcId: hop.vpcId }
  }
  switch (target.kind) {
    case 'blackhole':
      codes.push('BAD_STATE_ROUTE')
      return blocked
    case 'local':
      return delivered(holderInVpc(estate, hop.vpcId, destination))
    case 'peering': {
      const { requester, accepter } = target.peering
      const peerVpc = vpcById(estate, requester.vpcId === hop.vpcId ? accepter.vpcId : requester.vpcId)
      if (!insideVpc(peerVpc, destination)) {
        codes.push('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR')
        return blocked
      }
      // The peer VPC's route tables are never consulted: the packet is delivered or lost.
      return delivered(holderInVpc(estate, peerVpc.vpcId, destination))
    }
    case 'internet-gateway':
      if (insideVpc(vpcById(estate, hop.vpcId), destination)) unsupported('an IGW route into its own VPC')
      // Reading: past a NAT gateway the source is the gateway, whose public IPv4 address is
      // there when it is a public one (a private NAT gateway has none).
      if (destination.family === 4 && !hop.hasPublicIpv4) {
        codes.push('IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS')
        return blocked
      }
      return { kind: 'outside' }
    case 'egress-only-internet-gateway':
      if (destination.family === 4) unsupported('an IPv4 route to an egress-only gateway')
      return { kind: 'outside' }
    case 'vpn-gateway':
      return { kind: 'outside' }
    case 'nat-gateway': {
      const nat = target.nat
      if (hop.nat) unsupported('a NAT gateway routing into a NAT gateway')
      // Reading: the source is "inside the NAT gateway's VPC" when it comes from that VPC and its
      // address lies in the VPC's blocks (overlapping blocks make either alone insufficient).
      if (hop.vpcId !== nat.vpcId || !insideVpc(vpcById(estate, nat.vpcId), hop.packetSource)) {
        codes.push('NGW_REQUIRES_SOURCE_IN_VPC')
        return blocked
      }
      const natSubnet = subnetById(estate, nat.subnetId)
      return route(
        estate,
        {
          vpcId: nat.vpcId,
          table: routeTableOf(estate, natSubnet),
          packetSource: address(nat.privateIp),
          hasPublicIpv4: nat.connectivityType === 'public',
          nat,
        },
        destination,
        codes,
      )
    }
  }
}

/**
 * DISCONNECTED_VPCS: the destination is an interface in another VPC that no active peering joins
 * to the source VPC. Reading: with overlapping blocks several VPCs may hold the address; it
 * applies when none of them is the source VPC and none is joined to it.
 */
function disconnected(estate: Estate, sourceVpcId: string, destination: Address): boolean {
  const holders = holdersOf(estate, destination)
  if (holders.length === 0 || holders.some((h) => h.vpcId === sourceVpcId)) return false
  return holders.every((h) => !activelyJoined(estate, sourceVpcId, h.vpcId))
}

/** Return step 2: the reply's route from the destination subnet back to the packet's source. */
function routeReply(
  estate: Estate,
  table: RouteTable,
  target: NetworkInterface,
  arrival: Extract<Arrival, { kind: 'interface' }>,
): string | undefined {
  const matched = longestMatch(table, arrival.packetSource)
  if (!matched) return 'NO_ROUTE_TO_DESTINATION'
  const next = targetOf(estate, table, matched)
  if (next.kind === 'blackhole') return 'BAD_STATE_ROUTE'
  if (next.kind === 'local' && target.vpcId === arrival.replyVpcId) return undefined
  if (
    next.kind === 'peering' &&
    peeringJoins(next.peering, target.vpcId, arrival.replyVpcId) &&
    insideVpc(vpcById(estate, arrival.replyVpcId), arrival.packetSource)
  ) {
    return undefined
  }
  return 'NO_ROUTE_TO_DESTINATION'
}
