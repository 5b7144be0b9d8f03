/**
 * Network Access Analyzer over the engine: every path from the caller's interfaces that a
 * scope's match paths describe and no exclude path does, each confirmed by one explained flow.
 * Pure. Candidate flows are pruned before the engine: destinations only in the source's VPC
 * and the VPCs an active peering joins to it (peering is not transitive), a route that leads
 * there, and the destination's security groups admitting the source address on the port.
 */
import {
  type AccessScopePath,
  type PacketHeaderStatement,
  type PortRange,
  parsePortRange,
  RESOURCE_TYPES,
  type ResourceStatement,
} from '../domain/access-scope.js'
import { type Address, inRange, type Range, readRange } from './address.js'
import { evaluateFlow } from './evaluate.js'
import { checkGroups } from './filters.js'
import type { InterfaceEntry, Snapshot } from './snapshot.js'
import { DEFAULT_SOURCE_PORT, type PathComponent } from './types.js'

export interface AccessScopeFinding {
  readonly sourceInterfaceId: string
  readonly destinationInterfaceId: string
  readonly protocol: 'tcp' | 'udp'
  readonly port: number
  /** The forward path, as the engine explains it. */
  readonly components: readonly PathComponent[]
}

export interface AccessScopeAnswer {
  readonly findings: readonly AccessScopeFinding[]
  /** The caller's interfaces the match paths' sources were tested against. */
  readonly analyzedEniCount: number
}

const PROTOCOLS = { tcp: 6, udp: 17 } as const

/** Every id an interface end answers to: itself, its instance, subnet, VPC, groups and account. */
const idsOf = (entry: InterfaceEntry) =>
  new Set([
    entry.eni.networkInterfaceId,
    ...(entry.eni.attachment ? [entry.eni.attachment.instanceId] : []),
    entry.eni.subnetId,
    entry.eni.vpcId,
    ...entry.eni.groupIds,
    entry.eni.ownerId,
  ])

/** The types an interface end answers to: the interface, its instance, and what contains it. */
const typesOf = (entry: InterfaceEntry) =>
  new Set(['network-interface', 'subnet', 'vpc', ...(entry.eni.attachment ? ['instance'] : [])])

function resourceMatches(entry: InterfaceEntry, statement: ResourceStatement | undefined) {
  if (!statement) return true
  if (statement.resources.length > 0) {
    const ids = idsOf(entry)
    if (!statement.resources.some((r) => ids.has(r))) return false
  }
  if (statement.resourceTypes.length > 0) {
    const types = typesOf(entry)
    if (!statement.resourceTypes.some((t) => types.has(RESOURCE_TYPES[t]!))) return false
  }
  return true
}

/** The packet constraints of a path, from both its statements (every list given must hold). */
interface HeaderConstraints {
  readonly sourceAddresses: readonly (readonly Range[])[]
  readonly destinationAddresses: readonly (readonly Range[])[]
  readonly sourcePorts: readonly (readonly PortRange[])[]
  readonly destinationPorts: readonly (readonly PortRange[])[]
  readonly protocols: readonly ('tcp' | 'udp')[]
  /** Prefix lists are not modelled, so a statement naming one matches no address. */
  readonly prefixLists: boolean
}

const ranges = (cidrs: readonly string[]) => cidrs.flatMap((c) => readRange(c) ?? [])
const ports = (name: string, texts: readonly string[]) => texts.map((t) => parsePortRange(name, t))

function constraintsOf(path: AccessScopePath): HeaderConstraints {
  const headers = [path.source?.packetHeaderStatement, path.destination?.packetHeaderStatement].filter(
    (h): h is PacketHeaderStatement => h !== undefined,
  )
  const nonEmpty = <T>(lists: readonly (readonly T[])[]) => lists.filter((l) => l.length > 0)
  const protocolLists = nonEmpty(headers.map((h) => h.protocols))
  return {
    sourceAddresses: nonEmpty(headers.map((h) => ranges(h.sourceAddresses))),
    destinationAddresses: nonEmpty(headers.map((h) => ranges(h.destinationAddresses))),
    sourcePorts: nonEmpty(headers.map((h) => ports('SourcePorts', h.sourcePorts))),
    destinationPorts: nonEmpty(headers.map((h) => ports('DestinationPorts', h.destinationPorts))),
    protocols: (['tcp', 'udp'] as const).filter((p) => protocolLists.every((list) => list.includes(p))),
    prefixLists: headers.some((h) => h.sourcePrefixLists.length + h.destinationPrefixLists.length > 0),
  }
}

const within = (lists: readonly (readonly Range[])[], address: Address) =>
  lists.every((list) => list.some((range) => inRange(range, address)))
const portWithin = (lists: readonly (readonly PortRange[])[], port: number) =>
  lists.every((list) => list.some((range) => range.from <= port && port <= range.to))

/**
 * The destination ports worth trying: where an allowed interval of the destination's groups
 * can begin inside the asked ranges (a range's start, or a rule's first port in it). If any
 * port of a range gets through, one of these does, as far as security groups decide.
 */
function candidatePorts(
  receiver: InterfaceEntry,
  protocol: number,
  asked: readonly (readonly PortRange[])[],
): number[] {
  const starts = new Set<number>(asked.length > 0 ? asked[0]!.map((r) => r.from) : [0])
  for (const group of receiver.groups) {
    for (const rule of group.ingress) {
      if (rule.protocol === protocol && rule.from >= 0) starts.add(rule.from)
    }
  }
  return [...starts].filter((port) => portWithin(asked, port)).sort((a, b) => a - b)
}

interface Candidate {
  readonly sender: InterfaceEntry
  readonly receiver: InterfaceEntry
  readonly protocol: 'tcp' | 'udp'
  readonly port: number
  readonly sourcePort: number
}

/** Whether the flow matches a path's ends and header (not its through resources). */
function endsMatch(path: AccessScopePath, header: HeaderConstraints, flow: Candidate): boolean {
  if (header.prefixLists) return false
  if (!resourceMatches(flow.sender, path.source?.resourceStatement)) return false
  if (!resourceMatches(flow.receiver, path.destination?.resourceStatement)) return false
  if (!header.protocols.includes(flow.protocol)) return false
  if (
    !within(header.sourceAddresses, flow.sender.ipv4!) ||
    !within(header.destinationAddresses, flow.receiver.ipv4!)
  )
    return false
  return portWithin(header.destinationPorts, flow.port) && portWithin(header.sourcePorts, flow.sourcePort)
}

/** Whether the path crosses a component for each through statement, in order. */
function crossesInOrder(components: readonly PathComponent[], through: readonly ResourceStatement[]) {
  let at = 0
  for (const statement of through) {
    const kinds = new Set(statement.resourceTypes.map((t) => RESOURCE_TYPES[t]))
    const hit = components.findIndex((hop, index) => {
      if (index < at) return false
      const refs = [hop.component, hop.vpc, hop.subnet].filter((r) => r !== undefined)
      return refs.some(
        (ref) =>
          (statement.resources.length === 0 || statement.resources.includes(ref.id)) &&
          (kinds.size === 0 || kinds.has(ref.kind)),
      )
    })
    if (hit < 0) return false
    at = hit
  }
  return true
}

/** The route from the sender's subnet to the receiver stays in the VPC or enters their peering. */
function routedTo(sender: InterfaceEntry, receiver: InterfaceEntry): boolean {
  if (sender.eni.vpcId === receiver.eni.vpcId) return true
  const route = sender.subnet.routeTable?.lookup(receiver.ipv4!)
  if (route?.target.kind !== 'peering' || !route.target.peering?.active) return false
  const { requester, accepter } = route.target.peering.peering
  return requester.vpcId === receiver.eni.vpcId || accepter.vpcId === receiver.eni.vpcId
}

export function analyseAccessScope(
  snapshot: Snapshot,
  scope: {
    readonly matchPaths: readonly AccessScopePath[]
    readonly excludePaths: readonly AccessScopePath[]
  },
  caller: { readonly accountId: string; readonly region: string },
): AccessScopeAnswer {
  const interfacesOfVpc = new Map<string, InterfaceEntry[]>()
  for (const entry of snapshot.interfaces.values()) {
    if (!entry.ipv4) continue
    const list = interfacesOfVpc.get(entry.eni.vpcId)
    if (list) list.push(entry)
    else interfacesOfVpc.set(entry.eni.vpcId, [entry])
  }
  // The VPC itself and the VPCs an active peering joins to it.
  const reachableVpcs = new Map<string, Set<string>>()
  const vpcsFrom = (vpcId: string) =>
    reachableVpcs.get(vpcId) ?? reachableVpcs.set(vpcId, new Set([vpcId])).get(vpcId)!
  for (const { active, peering } of snapshot.peerings.values()) {
    if (!active) continue
    vpcsFrom(peering.requester.vpcId).add(peering.accepter.vpcId)
    vpcsFrom(peering.accepter.vpcId).add(peering.requester.vpcId)
  }
  const excludes = scope.excludePaths.map((path) => ({ path, header: constraintsOf(path) }))
  const own = [...snapshot.interfaces.values()].filter(
    (e) => e.ipv4 !== undefined && e.eni.ownerId === caller.accountId && e.eni.region === caller.region,
  )
  const found = new Map<string, AccessScopeFinding>()
  const analyzed = new Set<string>()
  for (const path of scope.matchPaths) {
    const header = constraintsOf(path)
    if (header.prefixLists) continue
    for (const sender of own) {
      analyzed.add(sender.eni.networkInterfaceId)
      if (!resourceMatches(sender, path.source?.resourceStatement)) continue
      if (!within(header.sourceAddresses, sender.ipv4!)) continue
      const sourcePort = header.sourcePorts[0]?.[0]?.from ?? DEFAULT_SOURCE_PORT
      for (const vpcId of vpcsFrom(sender.eni.vpcId)) {
        for (const receiver of interfacesOfVpc.get(vpcId) ?? []) {
          if (receiver === sender) continue
          const pair = `${sender.eni.networkInterfaceId}|${receiver.eni.networkInterfaceId}`
          if (found.has(pair)) continue
          if (!resourceMatches(receiver, path.destination?.resourceStatement)) continue
          if (!within(header.destinationAddresses, receiver.ipv4!) || !routedTo(sender, receiver)) continue
          const finding = firstFinding(snapshot, path, header, excludes, sender, receiver, sourcePort)
          if (finding) found.set(pair, finding)
        }
      }
    }
  }
  return { findings: [...found.values()], analyzedEniCount: analyzed.size }
}

function firstFinding(
  snapshot: Snapshot,
  path: AccessScopePath,
  header: HeaderConstraints,
  excludes: readonly { path: AccessScopePath; header: HeaderConstraints }[],
  sender: InterfaceEntry,
  receiver: InterfaceEntry,
  sourcePort: number,
): AccessScopeFinding | undefined {
  for (const protocol of header.protocols) {
    const number = PROTOCOLS[protocol]
    for (const port of candidatePorts(receiver, number, header.destinationPorts)) {
      const admitted = checkGroups(
        receiver.groups,
        'ingress',
        sender.ipv4!,
        { protocol: number, port },
        (groupId) => sender.eni.groupIds.includes(groupId),
      )
      if (!admitted.allowed) continue
      const candidate: Candidate = { sender, receiver, protocol, port, sourcePort }
      const result = evaluateFlow(snapshot, {
        source: { networkInterfaceId: sender.eni.networkInterfaceId },
        destination: receiver.ipv4!.text,
        protocol: number,
        port,
        sourcePort,
      })
      if (!result.reachable || !crossesInOrder(result.forwardPath, path.throughResources)) continue
      const excluded = excludes.some(
        (e) =>
          endsMatch(e.path, e.header, candidate) &&
          crossesInOrder(result.forwardPath, e.path.throughResources),
      )
      if (excluded) continue
      return {
        sourceInterfaceId: sender.eni.networkInterfaceId,
        destinationInterfaceId: receiver.eni.networkInterfaceId,
        protocol,
        port,
        components: result.forwardPath,
      }
    }
  }
  return undefined
}
