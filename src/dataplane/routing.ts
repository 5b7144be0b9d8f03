/**
 * Forward step 3 and return step 2 of docs/dataplane.md: the route lookup, and what each kind of
 * target does with the packet (local delivery, peering, gateways, NAT, appliances).
 */
import type { NatGateway } from '../domain/gateways.js'
import { joins, sidesOf } from '../domain/peering.js'
import { readAddress } from './address.js'
import { type Arrival, type Finding, type Leg, listed, type Sender, type Step, type Trace } from './leg.js'
import { unknownRef } from './refs.js'
import {
  activePeeringBetween,
  type CompiledRoute,
  type GatewayEntry,
  holderIn,
  holdersOf,
  type InterfaceEntry,
  type PeeringEntry,
  type RouteTableEntry,
  type SubnetEntry,
  type VpcEntry,
  vpcHolds,
} from './snapshot.js'
import type { PacketHeader } from './types.js'

/** The peering or gateway a blackhole route names, and its state, for BAD_STATE_ROUTE. */
function targetOfBlackhole(route: CompiledRoute): Partial<Finding> {
  const target = route.target
  switch (target.kind) {
    case 'peering':
      return {
        vpcPeeringConnection:
          target.peering?.ref ?? unknownRef('vpc-peering-connection', route.matched.target),
        ...(target.peering ? { state: target.peering.peering.status.code } : {}),
      }
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
    case 'nat-gateway':
    case 'vpn-gateway':
      return {
        gateway: target.gateway?.ref ?? unknownRef(target.kind, route.matched.target),
        ...(target.kind === 'nat-gateway' && target.gateway ? { state: target.gateway.gateway.state } : {}),
      }
    default:
      return {}
  }
}

function whyBlackhole(route: CompiledRoute, vpcId: string): string {
  const target = route.target
  const id = route.matched.target
  switch (target.kind) {
    case 'peering':
      return target.peering
        ? `${id} is ${target.peering.peering.status.code}, not active`
        : `${id} does not exist`
    case 'internet-gateway':
    case 'vpn-gateway':
      return target.gateway ? `${id} is not attached to ${vpcId}` : `${id} does not exist`
    case 'nat-gateway':
      return target.gateway
        ? `${id} is ${target.gateway.gateway.state}, not available`
        : `${id} does not exist`
    case 'unsupported':
      return `vpcpeer does not model ${id || 'this target'}`
    case 'network-interface':
    case 'egress-only-internet-gateway':
      return `${id} does not exist`
    case 'local':
      return ''
  }
}

export const trafficPathOf = (route: CompiledRoute): number => {
  switch (route.target.kind) {
    case 'internet-gateway':
    case 'egress-only-internet-gateway':
      return 2
    case 'vpn-gateway':
      return 3
    case 'peering':
      return route.target.peering?.sameRegion === false ? 5 : 4
    default:
      return 1
  }
}

function noRoute(
  trace: Trace,
  leg: Leg,
  step: Step,
  table: RouteTableEntry,
  subnet: SubnetEntry,
  message: string,
) {
  leg.block(step, {
    explanationCode: 'NO_ROUTE_TO_DESTINATION',
    component: table.ref,
    vpc: subnet.vpc.ref,
    subnet: subnet.ref,
    routeTable: table.ref,
    address: trace.destination.text,
    message,
  })
}

/** DISCONNECTED_VPCS: the destination is an interface of other VPCs, none peered (actively) to the sender's. */
function disconnected(trace: Trace, leg: Leg, step: Step, vpc: VpcEntry) {
  const holders = holdersOf(trace.snapshot, trace.destination)
  const vpcId = vpc.vpc.vpcId
  if (holders.length === 0 || holders.some((h) => h.vpc === vpc)) return
  if (holders.some((h) => activePeeringBetween(trace.snapshot, vpcId, h.vpc.vpc.vpcId))) return
  const other = holders[0]!.vpc
  leg.block(step, {
    explanationCode: 'DISCONNECTED_VPCS',
    component: vpc.ref,
    sourceVpc: vpc.ref,
    destinationVpc: other.ref,
    address: trace.destination.text,
    message: `No active peering joins ${vpcId} to ${other.vpc.vpcId}, where ${trace.destination.text} lives`,
  })
}

function badStateRoute(
  leg: Leg,
  step: Step,
  table: RouteTableEntry,
  subnet: SubnetEntry,
  route: CompiledRoute,
) {
  const vpcId = subnet.vpc.vpc.vpcId
  leg.block(step, {
    explanationCode: 'BAD_STATE_ROUTE',
    component: table.ref,
    vpc: subnet.vpc.ref,
    subnet: subnet.ref,
    routeTable: table.ref,
    routeTableRoute: route.matched,
    ...targetOfBlackhole(route),
    message: `Route ${route.destination} in ${table.table.routeTableId} is a blackhole: ${whyBlackhole(route, vpcId)}`,
  })
}

/** Finds the route for an address in a subnet's table, and records the table as a hop of the leg. */
function lookUp(
  leg: Leg,
  table: RouteTableEntry,
  subnet: SubnetEntry,
  address: Parameters<RouteTableEntry['lookup']>[0],
) {
  const route = table.lookup(address)
  const step = leg.add({
    component: table.ref,
    vpc: subnet.vpc.ref,
    subnet: subnet.ref,
    ...(route ? { routeTableRoute: route.matched } : {}),
  })
  return { route, step }
}

/**
 * Forward step 3: the route lookup in the sender's subnet table, and what the target does with
 * the packet. Returns where it was delivered, or undefined when routing stopped it.
 */
export function routeForward(trace: Trace, leg: Leg, sender: Sender): Arrival | undefined {
  const { snapshot, destination } = trace
  const subnet = sender.subnet
  const vpc = subnet.vpc
  const table = subnet.routeTable
  if (!table) {
    const step = leg.add({ component: subnet.ref, vpc: vpc.ref })
    leg.block(step, {
      explanationCode: 'NO_ROUTE_TO_DESTINATION',
      component: subnet.ref,
      vpc: vpc.ref,
      subnet: subnet.ref,
      address: destination.text,
      message: `Subnet ${subnet.subnet.subnetId} has no route table`,
    })
    return undefined
  }
  const { route, step } = lookUp(leg, table, subnet, destination)
  const tableId = table.table.routeTableId
  if (!route) {
    noRoute(trace, leg, step, table, subnet, `Route table ${tableId} has no route to ${destination.text}`)
    disconnected(trace, leg, step, vpc)
    return undefined
  }
  trace.trafficPath ??= trafficPathOf(route)
  if (route.matched.state === 'blackhole') {
    badStateRoute(leg, step, table, subnet, route)
    return undefined
  }
  const target = route.target
  if (sender.nat?.gateway.connectivityType === 'public' && target.kind !== 'internet-gateway') {
    noRoute(
      trace,
      leg,
      step,
      table,
      subnet,
      `Public NAT gateway ${sender.nat.gateway.natGatewayId} sends only to an internet gateway, but ${tableId} sends ${destination.text} to ${route.matched.target}`,
    )
    return undefined
  }
  const deliverIn = (where: VpcEntry): Arrival | undefined => {
    const iface = holderIn(snapshot, where, destination)
    if (iface) {
      return {
        kind: 'interface',
        iface,
        sourceAddress: sender.address,
        fromVpc: vpc,
        sameSubnet: false,
        ...(sender.nat ? { nat: sender.nat } : {}),
      }
    }
    leg.block(step, {
      explanationCode: 'UNKNOWN_DESTINATION',
      component: where.ref,
      vpc: where.ref,
      address: destination.text,
      message: `No network interface in ${where.vpc.vpcId} holds ${destination.text}`,
    })
    return undefined
  }
  switch (target.kind) {
    case 'local':
      return deliverIn(vpc)
    case 'peering':
      return crossPeering(trace, leg, sender, target.peering!, deliverIn)
    case 'internet-gateway':
      return leaveByInternetGateway(trace, leg, sender, target.gateway!)
    case 'egress-only-internet-gateway': {
      const gatewayStep = leg.add({ component: target.gateway!.ref, vpc: vpc.ref })
      if (destination.family === 6) return { kind: 'outside' }
      leg.block(gatewayStep, {
        explanationCode: 'NO_ROUTE_TO_DESTINATION',
        component: target.gateway!.ref,
        gateway: target.gateway!.ref,
        vpc: vpc.ref,
        address: destination.text,
        message: `Egress-only internet gateway ${route.matched.target} carries IPv6 only`,
      })
      return undefined
    }
    case 'vpn-gateway':
      leg.add({ component: target.gateway!.ref, vpc: vpc.ref })
      return { kind: 'outside' }
    case 'nat-gateway':
      return throughNatGateway(trace, leg, sender, target.gateway!)
    case 'network-interface':
      return toAppliance(trace, leg, snapshot.interfaces.get(target.networkInterfaceId!)!, sender)
    case 'unsupported':
      return undefined
  }
}

function crossPeering(
  trace: Trace,
  leg: Leg,
  sender: Sender,
  peering: PeeringEntry,
  deliverIn: (where: VpcEntry) => Arrival | undefined,
): Arrival | undefined {
  const vpc = sender.subnet.vpc
  const sides = sidesOf(peering.peering, vpc.vpc.vpcId)
  const peer = sides && trace.snapshot.vpcs.get(sides.remote.vpcId)
  const step = leg.add({
    component: peering.ref,
    sourceVpc: vpc.ref,
    ...(peer ? { destinationVpc: peer.ref } : {}),
  })
  const id = peering.peering.vpcPeeringConnectionId
  if (peer && vpcHolds(peer, trace.destination)) return deliverIn(peer)
  leg.block(step, {
    explanationCode: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
    component: peering.ref,
    vpcPeeringConnection: peering.ref,
    vpc: vpc.ref,
    cidrs: peer?.blocks ?? [],
    address: trace.destination.text,
    message: peer
      ? `Peering ${id} only carries traffic to ${peer.vpc.vpcId}'s blocks (${listed(peer.blocks)}); ${trace.destination.text} is outside them`
      : `Peering ${id} does not join ${vpc.vpc.vpcId} to a VPC that exists`,
  })
  return undefined
}

function leaveByInternetGateway(
  trace: Trace,
  leg: Leg,
  sender: Sender,
  gateway: GatewayEntry<{ internetGatewayId: string }>,
): Arrival | undefined {
  const vpc = sender.subnet.vpc
  const step = leg.add({ component: gateway.ref, vpc: vpc.ref })
  const id = gateway.gateway.internetGatewayId
  const finding = {
    component: gateway.ref,
    gateway: gateway.ref,
    vpc: vpc.ref,
    address: trace.destination.text,
  }
  if (vpcHolds(vpc, trace.destination)) {
    leg.block(step, {
      ...finding,
      explanationCode: 'IGW_DESTINATION_ADDRESS_IN_VPC_CIDRS',
      cidrs: vpc.blocks,
      message: `Internet gateway ${id} does not carry traffic to ${trace.destination.text}, inside ${vpc.vpc.vpcId}'s own blocks`,
    })
  }
  if (trace.destination.family === 4 && !sender.hasPublicIpv4) {
    leg.block(step, {
      ...finding,
      explanationCode: 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS',
      message: `${sender.interfaceRef.id} has no public IPv4 address, so internet gateway ${id} does not carry its traffic`,
    })
  }
  return step.explanations.length > 0 ? undefined : { kind: 'outside' }
}

function throughNatGateway(
  trace: Trace,
  leg: Leg,
  sender: Sender,
  nat: GatewayEntry<NatGateway>,
): Arrival | undefined {
  const vpc = sender.subnet.vpc
  const gateway = nat.gateway
  const natSubnet = trace.snapshot.subnets.get(gateway.subnetId)
  const natAddress = readAddress(gateway.privateIp)
  const translated: PacketHeader = { ...leg.header, sourceAddress: gateway.privateIp }
  const step = leg.add({
    component: nat.ref,
    vpc: vpc.ref,
    ...(natSubnet ? { subnet: natSubnet.ref } : {}),
    outboundHeader: translated,
  })
  const finding = { component: nat.ref, gateway: nat.ref, vpc: vpc.ref, address: trace.destination.text }
  const natVpc = natSubnet?.vpc
  if (gateway.vpcId !== vpc.vpc.vpcId || !natVpc || !vpcHolds(natVpc, sender.address)) {
    leg.block(step, {
      ...finding,
      explanationCode: 'NGW_REQUIRES_SOURCE_IN_VPC',
      message: `NAT gateway ${gateway.natGatewayId} only translates traffic from its own VPC ${gateway.vpcId}; ${sender.address.text} comes from ${vpc.vpc.vpcId}`,
    })
    return undefined
  }
  if (sender.nat || trace.destination.family !== 4 || !natAddress) {
    leg.block(step, {
      ...finding,
      explanationCode: 'NO_ROUTE_TO_DESTINATION',
      message: sender.nat
        ? `NAT gateway ${sender.nat.gateway.natGatewayId} sends to another NAT gateway, ${gateway.natGatewayId}, which vpcpeer does not follow`
        : `NAT gateway ${gateway.natGatewayId} translates IPv4 only`,
    })
    return undefined
  }
  leg.header = translated
  return routeForward(trace, leg, {
    address: natAddress,
    subnet: natSubnet,
    interfaceRef: nat.ref,
    hasPublicIpv4: gateway.connectivityType === 'public',
    nat,
  })
}

/** A route to an interface: it receives traffic for its own addresses; forwarding beyond it is not modelled. */
function toAppliance(trace: Trace, leg: Leg, appliance: InterfaceEntry, sender: Sender): Arrival | undefined {
  const step = leg.add({ component: appliance.ref, vpc: appliance.vpc.ref, subnet: appliance.subnet.ref })
  const destination = trace.destination
  if (holderIn(trace.snapshot, appliance.vpc, destination) === appliance) {
    return {
      kind: 'interface',
      iface: appliance,
      sourceAddress: sender.address,
      fromVpc: sender.subnet.vpc,
      sameSubnet: false,
      ...(sender.nat ? { nat: sender.nat } : {}),
    }
  }
  const id = appliance.eni.networkInterfaceId
  leg.block(step, {
    explanationCode: appliance.eni.sourceDestCheck
      ? 'ENI_SOURCE_DEST_CHECK_RESTRICTION'
      : 'UNSUPPORTED_COMPONENT',
    component: appliance.ref,
    vpc: appliance.vpc.ref,
    address: destination.text,
    message: appliance.eni.sourceDestCheck
      ? `${id} checks source and destination, so it drops traffic for ${destination.text}, which it does not hold`
      : `vpcpeer does not model forwarding through ${id} to ${destination.text}`,
  })
  return undefined
}

/**
 * Return step 2: the reply needs a local route (same VPC) or an active peering back to the VPC
 * the request came from, with the address inside that VPC's blocks.
 */
export function routeReturn(leg: Leg, arrival: Extract<Arrival, { kind: 'interface' }>): boolean {
  const { iface, sourceAddress: back, fromVpc } = arrival
  const subnet = iface.subnet
  const vpc = subnet.vpc
  const table = subnet.routeTable
  const finding = (message: string, route?: CompiledRoute): Finding => ({
    explanationCode: 'NO_ROUTE_TO_DESTINATION',
    component: table?.ref ?? subnet.ref,
    vpc: vpc.ref,
    subnet: subnet.ref,
    ...(table ? { routeTable: table.ref } : {}),
    ...(route ? { routeTableRoute: route.matched } : {}),
    address: back.text,
    message,
  })
  if (!table) {
    leg.block(
      leg.add({ component: subnet.ref, vpc: vpc.ref }),
      finding(`Subnet ${subnet.subnet.subnetId} has no route table`),
    )
    return false
  }
  const { route, step } = lookUp(leg, table, subnet, back)
  const tableId = table.table.routeTableId
  if (!route) {
    leg.block(step, finding(`Route table ${tableId} has no route back to ${back.text}`))
    return false
  }
  if (route.matched.state === 'blackhole') {
    badStateRoute(leg, step, table, subnet, route)
    return false
  }
  const target = route.target
  if (target.kind === 'local' && fromVpc === vpc) return true
  const peering = target.kind === 'peering' ? target.peering! : undefined
  const towardsSender = peering !== undefined && joins(peering.peering, vpc.vpc.vpcId, fromVpc.vpc.vpcId)
  if (towardsSender && vpcHolds(fromVpc, back)) {
    leg.add({ component: peering.ref, sourceVpc: vpc.ref, destinationVpc: fromVpc.ref })
    return true
  }
  // A route to anything else, or to the right peering for an address outside the sender's VPC.
  const message = towardsSender
    ? `Route table ${tableId} sends replies for ${back.text} to ${route.matched.target}, but ${back.text} is outside ${fromVpc.vpc.vpcId}'s blocks (${listed(fromVpc.blocks)})`
    : `Route table ${tableId} sends replies for ${back.text} to ${route.matched.target}, not back to ${fromVpc.vpc.vpcId}`
  leg.block(step, finding(message, route))
  return false
}
