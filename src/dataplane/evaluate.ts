/**
 * One concrete flow through the snapshot, as docs/dataplane.md specifies: the forward leg, the
 * return leg, every blocker with its Reachability Analyzer code, and the flow-log records.
 */
import { type Address, readAddress } from './address.js'
import { checkAcl, checkGroups, hasPorts, matchedGroupRule, type Packet, protocolLabel } from './filters.js'
import { type Arrival, clean, type Finding, Leg, listed, type Step, type Trace, trafficText } from './leg.js'
import { unknownRef } from './refs.js'
import { routeForward, routeReturn, trafficPathOf } from './routing.js'
import {
  activePeeringBetween,
  holderIn,
  holdersOf,
  type InterfaceEntry,
  type Snapshot,
  type SubnetEntry,
} from './snapshot.js'
import {
  type ComponentRef,
  DEFAULT_SOURCE_PORT,
  type Explanation,
  type Flow,
  type FlowResult,
  type InterfaceHit,
  type PacketHeader,
  type PathComponent,
} from './types.js'

/**
 * The request, and the reply with the ports swapped. ICMP has no ports, so its reply keeps the
 * request's type and code (docs/dataplane.md swaps ports only; AWS's own echo reply, type 0 for
 * type 8, is not modelled).
 */
function packetsOf(flow: Flow): { forward: Packet; reply: Packet } {
  const forward: Packet = {
    protocol: flow.protocol,
    ...(flow.port !== undefined ? { port: flow.port } : {}),
    ...(flow.icmpCode !== undefined ? { icmpCode: flow.icmpCode } : {}),
  }
  const reply = hasPorts(flow.protocol)
    ? { protocol: flow.protocol, port: flow.sourcePort ?? DEFAULT_SOURCE_PORT }
    : forward
  return { forward, reply }
}

/** The header of the request (or, with `reply`, of the answer), with ports for tcp and udp only. */
function headerOf(flow: Flow, source: Address, destination: Address, reply: boolean): PacketHeader {
  const near = flow.sourcePort ?? DEFAULT_SOURCE_PORT
  const ports = hasPorts(flow.protocol)
    ? { sourcePort: reply ? flow.port : near, destinationPort: reply ? near : flow.port }
    : {}
  return {
    sourceAddress: source.text,
    destinationAddress: destination.text,
    protocol: flow.protocol,
    ...Object.fromEntries(Object.entries(ports).filter(([, port]) => port !== undefined)),
  }
}

// Source and destination

type Endpoint = { readonly iface: InterfaceEntry; readonly address: Address } | { readonly failure: Finding }

const noSourceOrDestination = (component: ComponentRef, message: string): { failure: Finding } => ({
  failure: { explanationCode: 'NO_SOURCE_OR_DESTINATION', component, message },
})

function sourceOf(snapshot: Snapshot, flow: Flow, destination: Address | undefined): Endpoint {
  if ('networkInterfaceId' in flow.source) {
    const id = flow.source.networkInterfaceId
    const iface = snapshot.interfaces.get(id)
    if (!iface)
      return noSourceOrDestination(
        unknownRef('network-interface', id),
        `Network interface ${id} does not exist`,
      )
    if (!destination) return noSourceOrDestination(iface.ref, `${flow.destination} is not an IP address`)
    const address = destination.family === 4 ? iface.ipv4 : iface.ipv6
    if (!address) {
      return noSourceOrDestination(
        iface.ref,
        `Network interface ${id} has no IPv${destination.family} address to send to ${destination.text} from`,
      )
    }
    return { iface, address }
  }
  const text = flow.source.address
  const address = readAddress(text)
  if (!address)
    return noSourceOrDestination(unknownRef('network-interface', text), `${text} is not an IP address`)
  const holders = holdersOf(snapshot, address)
  if (holders.length === 0) {
    return noSourceOrDestination(unknownRef('network-interface', text), `No network interface holds ${text}`)
  }
  if (holders.length > 1) {
    return noSourceOrDestination(
      unknownRef('network-interface', text),
      `${text} is held by several interfaces (${listed(holders.map((h) => h.eni.networkInterfaceId))}); name the sending interface`,
    )
  }
  const iface = holders[0]!
  if (!destination) return noSourceOrDestination(iface.ref, `${flow.destination} is not an IP address`)
  if (destination.family !== address.family) {
    return noSourceOrDestination(
      iface.ref,
      `${text} cannot send to ${destination.text}: the address families differ`,
    )
  }
  return { iface, address }
}

/** The interface holding the destination in the sender's own subnet: such traffic skips NACLs and routing. */
function sameSubnetReceiver(snapshot: Snapshot, source: InterfaceEntry, destination: Address) {
  const holder = holderIn(snapshot, source.vpc, destination)
  return holder?.subnet === source.subnet ? holder : undefined
}

// Filters

/** Whether a rule naming `groupId` admits `remote`, for a rule of a group attached to `owner`. */
function referenceHolds(snapshot: Snapshot, owner: InterfaceEntry) {
  return (groupId: string, remote: Address): boolean => {
    const group = snapshot.securityGroups.get(groupId)
    if (!group) return false
    const ownerVpcId = owner.vpc.vpc.vpcId
    if (
      group.vpcId !== ownerVpcId &&
      activePeeringBetween(snapshot, ownerVpcId, group.vpcId)?.sameRegion !== true
    ) {
      return false
    }
    return holdersOf(snapshot, remote).some((holder) => holder.eni.groupIds.includes(groupId))
  }
}

/**
 * The security-group step at `iface`. Passing adds the deciding group as a component (after the
 * interface for egress, before it for ingress); blocking reports on the interface itself.
 */
function securityGroupStep(
  trace: Trace,
  leg: Leg,
  iface: InterfaceEntry,
  direction: 'ingress' | 'egress',
  remote: Address,
  interfaceStep: () => Step,
): boolean {
  const verdict = checkGroups(
    iface.groups,
    direction,
    remote,
    trace.packet,
    referenceHolds(trace.snapshot, iface),
  )
  if (verdict.allowed) {
    const groupStep = () =>
      leg.add({
        component: trace.snapshot.securityGroups.get(verdict.group.groupId)!.ref,
        vpc: iface.vpc.ref,
        securityGroupRule: matchedGroupRule(verdict.group.groupId, direction, verdict.rule),
      })
    if (direction === 'egress') {
      interfaceStep()
      groupStep()
    } else {
      groupStep()
      interfaceStep()
    }
    return false
  }
  const step = interfaceStep()
  const groupIds = iface.groups.map((g) => g.group.groupId)
  const bound = direction === 'egress' ? 'outbound' : 'inbound'
  const toOrFrom = direction === 'egress' ? 'to' : 'from'
  leg.block(step, {
    explanationCode: verdict.anyRules ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES',
    component: iface.ref,
    direction,
    vpc: iface.vpc.ref,
    subnet: iface.subnet.ref,
    securityGroups: iface.groups.map((g) => g.ref),
    address: remote.text,
    ...(trace.packet.port !== undefined ? { port: trace.packet.port } : {}),
    protocol: protocolLabel(trace.packet.protocol),
    message:
      groupIds.length === 0
        ? `${iface.eni.networkInterfaceId} has no security groups, so no ${bound} traffic is allowed`
        : verdict.anyRules
          ? `No ${bound} rule of ${listed(groupIds)} allows ${trafficText(trace.packet)} ${toOrFrom} ${remote.text}`
          : `${listed(groupIds)} ${groupIds.length === 1 ? 'has' : 'have'} no ${bound} rules`,
  })
  return true
}

/** The subnet's network ACL for one direction; returns whether it denied. */
function aclStep(leg: Leg, subnet: SubnetEntry, egress: boolean, remote: Address, packet: Packet): boolean {
  const acl = subnet.acl
  if (!acl) return false
  const verdict = checkAcl(acl, egress, remote, packet)
  const step = leg.add({
    component: acl.ref,
    vpc: subnet.vpc.ref,
    subnet: subnet.ref,
    ...(verdict.entry ? { aclRule: verdict.entry.matched } : {}),
  })
  if (verdict.allowed) return false
  const reply = leg.leg === 'return' ? 'reply ' : ''
  const what = `${egress ? 'outbound' : 'inbound'} ${reply}${trafficText(packet)} ${egress ? 'to' : 'from'} ${remote.text}`
  leg.block(step, {
    explanationCode: 'SUBNET_ACL_RESTRICTION',
    component: acl.ref,
    direction: egress ? 'egress' : 'ingress',
    vpc: subnet.vpc.ref,
    subnet: subnet.ref,
    acl: acl.ref,
    ...(verdict.entry ? { aclRule: verdict.entry.matched } : {}),
    address: remote.text,
    ...(packet.port !== undefined ? { port: packet.port } : {}),
    protocol: protocolLabel(packet.protocol),
    message: verdict.entry
      ? `Network ACL ${acl.acl.networkAclId} of ${subnet.subnet.subnetId} denies ${what} (rule ${verdict.entry.matched.ruleNumber})`
      : `Network ACL ${acl.acl.networkAclId} of ${subnet.subnet.subnetId} has no entry allowing ${what}`,
  })
  return true
}

// The legs

/** Who sends, from which of its addresses, to where. */
interface Request {
  readonly sender: InterfaceEntry
  readonly source: Address
  readonly destination: Address
}

interface ForwardOutcome {
  readonly leg: Leg
  readonly arrival: Arrival | undefined
  /** Whether forward steps 1–2 (the sender's filters) and 4–5 (the receiver's) denied. */
  readonly senderDenied: boolean
  readonly receiverDenied: boolean
}

function forwardLeg(
  trace: Trace,
  sender: InterfaceEntry,
  senderAddress: Address,
  header: PacketHeader,
): ForwardOutcome {
  const { snapshot, destination, packet } = trace
  const leg = new Leg('forward', header)
  const senderStep = () =>
    leg.add({
      component: sender.ref,
      vpc: sender.vpc.ref,
      subnet: sender.subnet.ref,
      inboundHeader: undefined,
    })
  const egressDenied = securityGroupStep(trace, leg, sender, 'egress', destination, senderStep)
  const neighbour = sameSubnetReceiver(snapshot, sender, destination)
  const outboundDenied = !neighbour && aclStep(leg, sender.subnet, true, destination, packet)
  const senderDenied = egressDenied || outboundDenied
  if (neighbour) trace.trafficPath = 1
  const arrival: Arrival | undefined = neighbour
    ? {
        kind: 'interface',
        iface: neighbour,
        sourceAddress: senderAddress,
        fromVpc: sender.vpc,
        sameSubnet: true,
      }
    : routeForward(trace, leg, {
        address: senderAddress,
        subnet: sender.subnet,
        interfaceRef: sender.ref,
        hasPublicIpv4: sender.eni.publicIp !== undefined,
      })
  if (arrival?.kind !== 'interface') return { leg, arrival, senderDenied, receiverDenied: false }

  const receiver = arrival.iface
  leg.header = { ...leg.header, sourceAddress: arrival.sourceAddress.text }
  const inboundDenied =
    !arrival.sameSubnet && aclStep(leg, receiver.subnet, false, arrival.sourceAddress, packet)
  const receiverStep = () =>
    leg.add({
      component: receiver.ref,
      vpc: receiver.vpc.ref,
      subnet: receiver.subnet.ref,
      outboundHeader: undefined,
    })
  const ingressDenied = securityGroupStep(
    trace,
    leg,
    receiver,
    'ingress',
    arrival.sourceAddress,
    receiverStep,
  )
  return { leg, arrival, senderDenied, receiverDenied: inboundDenied || ingressDenied }
}

interface ReturnOutcome {
  readonly path: readonly PathComponent[]
  readonly explanations: readonly Explanation[]
  /** Return step 1 denied at the receiver; step 2 routed the reply back; step 3 denied at the sender. */
  readonly receiverDenied: boolean
  readonly routedBack: boolean
  readonly senderDenied: boolean
  /** How the reply leaves the receiver, for its flow-log record. */
  readonly trafficPath: number
}

/**
 * The reply from an interface: stateless filters and routing only (security groups are
 * stateful). `packet` is the reply's, its ports swapped.
 */
function returnLeg(
  packet: Packet,
  flow: Flow,
  request: Request,
  arrival: Extract<Arrival, { kind: 'interface' }>,
): ReturnOutcome {
  const { sender, source, destination } = request
  const { iface: receiver, sourceAddress: back } = arrival
  const leg = new Leg('return', headerOf(flow, destination, back, true))
  leg.add({
    component: receiver.ref,
    vpc: receiver.vpc.ref,
    subnet: receiver.subnet.ref,
    inboundHeader: undefined,
  })
  if (arrival.sameSubnet) {
    leg.add({
      component: sender.ref,
      vpc: sender.vpc.ref,
      subnet: sender.subnet.ref,
      outboundHeader: undefined,
    })
    return replyOutcome(leg, { receiverDenied: false, routedBack: true, senderDenied: false, trafficPath: 1 })
  }
  const receiverDenied = aclStep(leg, receiver.subnet, true, back, packet)
  const routedBack = routeReturn(leg, arrival)
  const route = receiver.subnet.routeTable?.lookup(back)
  const trafficPath = route ? trafficPathOf(route) : 1
  if (!routedBack) return replyOutcome(leg, { receiverDenied, routedBack, senderDenied: false, trafficPath })
  if (arrival.nat) {
    // The NAT gateway translates the reply back to the sender's own address.
    const translated = headerOf(flow, destination, source, true)
    leg.add({ component: arrival.nat.ref, vpc: sender.vpc.ref, outboundHeader: translated })
    leg.header = translated
  }
  const senderDenied = aclStep(leg, sender.subnet, false, destination, packet)
  leg.add({
    component: sender.ref,
    vpc: sender.vpc.ref,
    subnet: sender.subnet.ref,
    outboundHeader: undefined,
  })
  return replyOutcome(leg, { receiverDenied, routedBack, senderDenied, trafficPath })
}

const replyOutcome = (leg: Leg, verdicts: Omit<ReturnOutcome, 'path' | 'explanations'>): ReturnOutcome => ({
  ...verdicts,
  path: leg.components.map(clean),
  explanations: leg.explanations,
})

/**
 * From the internet or a VPN only return step 3 is modelled: the sender subnet's inbound ACL.
 * The return path stays empty (the far end is outside AWS); a blocker is still reported.
 */
function returnFromOutside(packet: Packet, flow: Flow, request: Request): ReturnOutcome {
  const leg = new Leg('return', headerOf(flow, request.destination, request.source, true))
  const senderDenied = aclStep(leg, request.sender.subnet, false, request.destination, packet)
  return {
    path: [],
    explanations: leg.explanations,
    receiverDenied: false,
    routedBack: true,
    senderDenied,
    trafficPath: 2,
  }
}

/** The flow-log records of the table in docs/dataplane.md, "Flow-log records". */
function flowLogHits(
  flow: Flow,
  request: Request,
  forward: ForwardOutcome,
  trafficPath: number | undefined,
  reply: ReturnOutcome | undefined,
): InterfaceHit[] {
  const hits: InterfaceHit[] = []
  const near = flow.sourcePort ?? DEFAULT_SOURCE_PORT
  const record = (
    iface: InterfaceEntry,
    flowDirection: 'ingress' | 'egress',
    rejected: boolean,
    addresses: { from: Address; to: Address; reply: boolean },
    path?: number,
  ) =>
    hits.push({
      networkInterfaceId: iface.eni.networkInterfaceId,
      ownerId: iface.eni.ownerId,
      vpcId: iface.eni.vpcId,
      subnetId: iface.eni.subnetId,
      flowDirection,
      action: rejected ? 'REJECT' : 'ACCEPT',
      sourceAddress: addresses.from.text,
      destinationAddress: addresses.to.text,
      ...(hasPorts(flow.protocol)
        ? {
            sourcePort: addresses.reply ? flow.port : near,
            destinationPort: addresses.reply ? near : flow.port,
          }
        : {}),
      ...(path !== undefined ? { trafficPath: path } : {}),
      reply: addresses.reply,
    })
  const { sender, source, destination } = request
  const { arrival } = forward
  record(sender, 'egress', forward.senderDenied, { from: source, to: destination, reply: false }, trafficPath)
  const receiver = arrival?.kind === 'interface' ? arrival : undefined
  if (receiver) {
    const seen = { from: receiver.sourceAddress, to: destination, reply: false }
    record(receiver.iface, 'ingress', forward.receiverDenied, seen)
  }
  const accepted = arrival !== undefined && forward.leg.explanations.length === 0
  if (!accepted || !reply) return hits
  if (receiver) {
    const answer = { from: destination, to: receiver.sourceAddress, reply: true }
    record(receiver.iface, 'egress', reply.receiverDenied, answer, reply.trafficPath)
  }
  if (reply.routedBack)
    record(sender, 'ingress', reply.senderDenied, { from: destination, to: source, reply: true })
  return hits
}

// The flow

function unresolved(failure: Finding): FlowResult {
  return {
    reachable: false,
    forwardPath: [],
    returnPath: [],
    explanations: [{ ...failure, leg: 'forward' }],
    touched: [],
  }
}

export function evaluateFlow(snapshot: Snapshot, flow: Flow): FlowResult {
  const parsedDestination = readAddress(flow.destination)
  const resolved = sourceOf(snapshot, flow, parsedDestination)
  if ('failure' in resolved) return unresolved(resolved.failure)
  // sourceOf refuses a destination that is not an address.
  const request = { sender: resolved.iface, source: resolved.address, destination: parsedDestination! }
  const packets = packetsOf(flow)
  const trace: Trace = { snapshot, destination: request.destination, packet: packets.forward }
  const forward = forwardLeg(
    trace,
    request.sender,
    request.source,
    headerOf(flow, request.source, request.destination, false),
  )
  const arrival = forward.arrival
  const reply =
    arrival?.kind === 'interface'
      ? returnLeg(packets.reply, flow, request, arrival)
      : arrival?.kind === 'outside'
        ? returnFromOutside(packets.reply, flow, request)
        : undefined
  const explanations = [...forward.leg.explanations, ...(reply?.explanations ?? [])]
  return {
    reachable: arrival !== undefined && explanations.length === 0,
    forwardPath: forward.leg.components.map(clean),
    returnPath: reply?.path ?? [],
    explanations,
    touched: flowLogHits(flow, request, forward, trace.trafficPath, reply),
  }
}
