/**
 * Reachability matrices over a compiled snapshot.
 *
 * - VPC × VPC, at the routing level: A reaches B when A = B, or an active peering joins them, some
 *   route table of A sends part of B's blocks into it (the longest match, after shadowing), and
 *   some route table of B sends part of A's blocks back into it.
 * - Subnet × subnet, for one protocol and port: each subnet stands for its first usable address
 *   (network + 4); the forward route and both ACLs, then the return route and both ACLs, as
 *   docs/dataplane.md evaluates them. Security groups belong to interfaces, not subnets, so this
 *   level leaves them out.
 *
 * Peering is not transitive, so only the VPC itself and its direct peers can be reached: pairs are
 * enumerated along peering edges only, and the result lists those candidates (every other
 * ordered pair is unreachable). Route lookups are the snapshot's own.
 */
import { formatAddress } from '../net/prefix.js'
import { type Address, inAnyRange, type Range, readRange } from './address.js'
import { checkAcl, type Packet, protocolLabel } from './filters.js'
import {
  type AclEntry,
  activePeeringBetween,
  type CompiledRoute,
  type PeeringEntry,
  type RouteTableEntry,
  type Snapshot,
  type SubnetEntry,
  type VpcEntry,
} from './snapshot.js'
import { DEFAULT_SOURCE_PORT, type MatchedRoute } from './types.js'

export interface MatrixBlocker {
  /** A Reachability Analyzer explanation code, as the flow engine would give it. */
  readonly code: string
  readonly leg: 'forward' | 'return'
  /** The id of the component that blocks (a route table, an ACL, a peering). */
  readonly componentId: string
  readonly route?: MatchedRoute
  readonly message: string
}

/** A route of one VPC that carries part of another VPC's blocks into their peering. */
export interface RouteChoice {
  readonly routeTableId: string
  readonly route: MatchedRoute
  /** An address of the other VPC the route is the longest match for. */
  readonly address: string
}

export interface VpcReach {
  readonly source: string
  readonly destination: string
  readonly reachable: boolean
  /** The peering that decides (absent on the diagonal). */
  readonly peering?: { readonly id: string; readonly status: string }
  readonly forwardRoute?: RouteChoice
  readonly returnRoute?: RouteChoice
  readonly blockers: readonly MatrixBlocker[]
}

export interface SubnetReach {
  readonly source: string
  readonly destination: string
  readonly reachable: boolean
  readonly blockers: readonly MatrixBlocker[]
}

export interface SubnetMatrixOptions {
  /** 6 (tcp) or 17 (udp): protocols whose replies are the same protocol on swapped ports. */
  readonly protocol: number
  readonly port: number
  /** The reply's destination port; 49152 unless given. */
  readonly sourcePort?: number
  /** Called after each source subnet, with how many are done and how many there are. */
  readonly onProgress?: (done: number, total: number) => void
}

/** The protocols the subnet matrix answers for. */
export const MATRIX_PROTOCOLS: readonly number[] = [6, 17]

// ---------------------------------------------------------------------------------------------
// Indexes derived once per snapshot, on first use

/** A route into a peering, with its destination as a range. */
interface PeeringRoute {
  readonly route: CompiledRoute
  readonly range: Range
}

interface TableIndex {
  /** The table's routes into each peering. */
  readonly intoPeering: ReadonlyMap<PeeringEntry, readonly PeeringRoute[]>
  /** Every address where the longest match may change (route starts and ends + 1), sorted. */
  readonly ipv4Bounds: Float64Array
  readonly ipv6Bounds: readonly bigint[]
}

/** A subnet as the subnet matrix sees it: its first usable address stands for it. */
interface Endpoint {
  readonly subnet: SubnetEntry
  readonly address: Address
}

interface MatrixIndex {
  readonly peeringsOfVpc: ReadonlyMap<string, readonly PeeringEntry[]>
  readonly tablesOfVpc: ReadonlyMap<string, readonly RouteTableEntry[]>
  readonly subnetsOfVpc: ReadonlyMap<string, readonly SubnetEntry[]>
  readonly tables: Map<RouteTableEntry, TableIndex>
  readonly endpoints: Map<string, readonly Endpoint[]>
}

const indexes = new WeakMap<Snapshot, MatrixIndex>()

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function indexOf(snapshot: Snapshot): MatrixIndex {
  const known = indexes.get(snapshot)
  if (known) return known
  const peeringsOfVpc = new Map<string, PeeringEntry[]>()
  for (const entry of snapshot.peerings.values()) {
    const { requester, accepter } = entry.peering
    if (requester.vpcId === accepter.vpcId) continue
    push(peeringsOfVpc, requester.vpcId, entry)
    push(peeringsOfVpc, accepter.vpcId, entry)
  }
  const tablesOfVpc = new Map<string, RouteTableEntry[]>()
  for (const table of snapshot.routeTables.values()) push(tablesOfVpc, table.table.vpcId, table)
  const subnetsOfVpc = new Map<string, SubnetEntry[]>()
  for (const subnet of snapshot.subnets.values()) push(subnetsOfVpc, subnet.subnet.vpcId, subnet)
  const index: MatrixIndex = {
    peeringsOfVpc,
    tablesOfVpc,
    subnetsOfVpc,
    tables: new Map(),
    endpoints: new Map(),
  }
  indexes.set(snapshot, index)
  return index
}

function tableIndex(index: MatrixIndex, table: RouteTableEntry): TableIndex {
  const known = index.tables.get(table)
  if (known) return known
  const intoPeering = new Map<PeeringEntry, PeeringRoute[]>()
  const ipv4 = new Set<number>()
  const ipv6 = new Set<bigint>()
  for (const route of table.routes) {
    const range = readRange(route.destination)
    if (!range) continue
    if (range.family === 4) ipv4.add(range.start).add(range.end + 1)
    else ipv6.add(range.start).add(range.end + 1n)
    if (route.target.kind === 'peering' && route.target.peering)
      push(intoPeering, route.target.peering, { route, range })
  }
  const entry: TableIndex = {
    intoPeering,
    ipv4Bounds: Float64Array.from(ipv4).sort(),
    ipv6Bounds: [...ipv6].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  }
  index.tables.set(table, entry)
  return entry
}

const textOf = (family: 4 | 6, value: number | bigint) => formatAddress(family, BigInt(value))

/** The addresses two prefixes share: as prefixes nest or are apart, the smaller one, if they meet. */
function overlap(a: Range, b: Range): Range | undefined {
  if (a.family !== b.family || a.start > b.end || b.start > a.end) return undefined
  return a.start >= b.start && a.end <= b.end ? a : b
}

/**
 * An address of `range` where `route` is the table's longest match, if there is one. The match
 * changes only at the table's bounds, so the range's start and the bounds inside it are enough.
 */
function whereRouteWins(table: RouteTableEntry, bounds: TableIndex, route: CompiledRoute, range: Range) {
  if (matchAt(table, range.family, range.start) === route) return range.start
  if (range.family === 4) {
    const list = bounds.ipv4Bounds
    for (let at = firstAbove(list, range.start); at < list.length && list[at]! <= range.end; at++) {
      if (matchAt(table, 4, list[at]!) === route) return list[at]!
    }
  } else {
    for (const bound of bounds.ipv6Bounds) {
      if (bound > range.start && bound <= range.end && matchAt(table, 6, bound) === route) return bound
    }
  }
  return undefined
}

/** The longest match for a bare address value (a lookup reads only the family and the value). */
const matchAt = (table: RouteTableEntry, family: 4 | 6, value: number | bigint) =>
  table.lookup({ family, value, text: '' } as Address)

/** The index of the first element greater than `value` in a sorted array. */
function firstAbove(list: Float64Array, value: number): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (list[middle]! <= value) low = middle + 1
    else high = middle
  }
  return low
}

// ---------------------------------------------------------------------------------------------
// VPC × VPC

/** A route of `from` into `peering` that is the longest match for some address of `to`. */
function routeInto(
  index: MatrixIndex,
  from: string,
  to: VpcEntry,
  peering: PeeringEntry,
): RouteChoice | undefined {
  for (const table of index.tablesOfVpc.get(from) ?? []) {
    const bounds = tableIndex(index, table)
    for (const { route, range } of bounds.intoPeering.get(peering) ?? []) {
      for (const block of to.ranges) {
        const shared = overlap(range, block)
        const address = shared && whereRouteWins(table, bounds, route, shared)
        if (shared && address !== undefined) {
          return {
            routeTableId: table.table.routeTableId,
            route: route.matched,
            address: textOf(shared.family, address),
          }
        }
      }
    }
  }
  return undefined
}

/** Of several peerings between two VPCs, the active one decides; else the most recent. */
function decidingPeering(entries: readonly PeeringEntry[]): PeeringEntry {
  return (
    entries.find((e) => e.active) ??
    entries.reduce((latest, e) => (e.peering.statusChangedAt > latest.peering.statusChangedAt ? e : latest))
  )
}

function vpcPair(
  index: MatrixIndex,
  source: VpcEntry,
  destination: VpcEntry,
  peering: PeeringEntry,
): VpcReach {
  const sourceId = source.vpc.vpcId
  const destinationId = destination.vpc.vpcId
  const pcx = peering.peering.vpcPeeringConnectionId
  const status = peering.peering.status.code
  const forwardRoute = routeInto(index, sourceId, destination, peering)
  const returnRoute = routeInto(index, destinationId, source, peering)
  const blockers: MatrixBlocker[] = []
  if (!peering.active) {
    blockers.push({
      code: 'BAD_STATE',
      leg: 'forward',
      componentId: pcx,
      message: `Peering ${pcx} is ${status}, not active`,
    })
  }
  if (!forwardRoute) {
    blockers.push({
      code: 'NO_ROUTE_TO_DESTINATION',
      leg: 'forward',
      componentId: sourceId,
      message: `No route table of ${sourceId} sends any of ${destinationId}'s blocks (${destination.blocks.join(', ')}) into ${pcx}`,
    })
  }
  if (!returnRoute) {
    blockers.push({
      code: 'NO_ROUTE_TO_DESTINATION',
      leg: 'return',
      componentId: destinationId,
      message: `No route table of ${destinationId} sends replies for ${sourceId}'s blocks (${source.blocks.join(', ')}) back into ${pcx}`,
    })
  }
  return {
    source: sourceId,
    destination: destinationId,
    reachable: blockers.length === 0,
    peering: { id: pcx, status },
    ...(forwardRoute ? { forwardRoute } : {}),
    ...(returnRoute ? { returnRoute } : {}),
    blockers,
  }
}

/** The peerings of a VPC grouped by the VPC at their other end. */
function peersOf(index: MatrixIndex, vpcId: string): Map<string, PeeringEntry[]> {
  const peers = new Map<string, PeeringEntry[]>()
  for (const entry of index.peeringsOfVpc.get(vpcId) ?? []) {
    const { requester, accepter } = entry.peering
    push(peers, requester.vpcId === vpcId ? accepter.vpcId : requester.vpcId, entry)
  }
  return peers
}

/**
 * The VPC matrix rows of `sources`: the diagonal and every VPC a peering (in any state) joins to
 * the source, optionally only those in `destinations`.
 */
export function vpcMatrix(
  snapshot: Snapshot,
  sources: Iterable<string>,
  destinations?: ReadonlySet<string>,
): VpcReach[] {
  const index = indexOf(snapshot)
  const pairs: VpcReach[] = []
  for (const sourceId of sources) {
    const source = snapshot.vpcs.get(sourceId)
    if (!source) continue
    if (!destinations || destinations.has(sourceId)) {
      pairs.push({ source: sourceId, destination: sourceId, reachable: true, blockers: REACHED })
    }
    for (const [peerId, entries] of peersOf(index, sourceId)) {
      const peer = snapshot.vpcs.get(peerId)
      if (!peer || (destinations && !destinations.has(peerId))) continue
      pairs.push(vpcPair(index, source, peer, decidingPeering(entries)))
    }
  }
  return pairs
}

// ---------------------------------------------------------------------------------------------
// Subnet × subnet

/** A subnet's stand-in address: the first one AWS lets an interface use (network + 4). */
export function representativeAddress(subnet: SubnetEntry): Address | undefined {
  const range = subnet.subnet.cidrBlock === undefined ? undefined : readRange(subnet.subnet.cidrBlock)
  if (range?.family !== 4) return undefined
  const value = range.start + 4
  return { family: 4, value, text: textOf(4, value) }
}

function endpointsOf(index: MatrixIndex, vpcId: string): readonly Endpoint[] {
  const known = index.endpoints.get(vpcId)
  if (known) return known
  const endpoints: Endpoint[] = []
  for (const subnet of index.subnetsOfVpc.get(vpcId) ?? []) {
    const address = representativeAddress(subnet)
    if (address) endpoints.push({ subnet, address })
  }
  index.endpoints.set(vpcId, endpoints)
  return endpoints
}

function aclBlocker(
  subnet: SubnetEntry,
  egress: boolean,
  remote: Address,
  packet: Packet,
  leg: 'forward' | 'return',
): MatrixBlocker | undefined {
  const acl = subnet.acl
  if (!acl) return undefined
  const verdict = checkAcl(acl, egress, remote, packet)
  if (verdict.allowed) return undefined
  const id = acl.acl.networkAclId
  const what = `${egress ? 'outbound' : 'inbound'} ${leg === 'return' ? 'reply ' : ''}${protocolLabel(packet.protocol)} port ${packet.port} ${egress ? 'to' : 'from'} ${remote.text}`
  return {
    code: 'SUBNET_ACL_RESTRICTION',
    leg,
    componentId: id,
    message: verdict.entry
      ? `Network ACL ${id} of ${subnet.subnet.subnetId} denies ${what} (rule ${verdict.entry.matched.ruleNumber})`
      : `Network ACL ${id} of ${subnet.subnet.subnetId} has no entry allowing ${what}`,
  }
}

/**
 * The route from `from`'s subnet to `to`'s address, as the engine routes each leg: local within
 * one VPC, or an active peering to `to`'s VPC that holds the address. Forward, a peering whose
 * other VPC does not hold the address gives PCX_REQUIRES_ADDRESS_IN_VPC_CIDR; on the return
 * leg a peering not joining the two VPCs is simply the wrong route. A gateway or an interface
 * never delivers to `to`.
 */
function routeBlockers(
  snapshot: Snapshot,
  from: Endpoint,
  to: Endpoint,
  leg: 'forward' | 'return',
): readonly MatrixBlocker[] {
  const table = from.subnet.routeTable
  const address = to.address
  const subnetId = from.subnet.subnet.subnetId
  if (!table) {
    return [
      {
        code: 'NO_ROUTE_TO_DESTINATION',
        leg,
        componentId: subnetId,
        message: `Subnet ${subnetId} has no route table`,
      },
    ]
  }
  const tableId = table.table.routeTableId
  const route = table.lookup(address)
  const fromId = from.subnet.vpc.vpc.vpcId
  const toVpc = to.subnet.vpc
  const toId = toVpc.vpc.vpcId
  if (!route) {
    const disconnected = leg === 'forward' && fromId !== toId && !activePeeringBetween(snapshot, fromId, toId)
    const noRoute: MatrixBlocker = {
      code: 'NO_ROUTE_TO_DESTINATION',
      leg,
      componentId: tableId,
      message: `Route table ${tableId} has no route to ${address.text}`,
    }
    if (!disconnected) return [noRoute]
    const message = `No active peering joins ${fromId} to ${toId}, where ${address.text} lives`
    return [noRoute, { code: 'DISCONNECTED_VPCS', leg, componentId: fromId, message }]
  }
  if (route.matched.state === 'blackhole') {
    const message = `Route ${route.destination} in ${tableId} is a blackhole: ${route.matched.target} cannot carry traffic`
    return [routeBlocker(leg, route, 'BAD_STATE_ROUTE', tableId, message)]
  }
  const target = route.target
  if (target.kind === 'local' && fromId === toId) return ROUTED
  if (target.kind === 'peering' && target.peering) {
    const { requester, accepter, vpcPeeringConnectionId: pcx } = target.peering.peering
    const remoteId = requester.vpcId === fromId ? accepter.vpcId : requester.vpcId
    const remote = remoteId === toId ? toVpc : snapshot.vpcs.get(remoteId)
    const holds = remote !== undefined && inAnyRange(remote.ranges, address)
    if (holds && remote === toVpc) return ROUTED
    if (!holds && leg === 'forward') {
      const message = `Peering ${pcx} only carries traffic to ${remoteId}'s blocks; ${address.text} is outside them`
      return [routeBlocker(leg, route, 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', pcx, message)]
    }
  }
  const message = `Route table ${tableId} sends ${address.text} to ${route.matched.target}, not to ${toId}`
  return [routeBlocker(leg, route, 'NO_ROUTE_TO_DESTINATION', tableId, message)]
}

const routeBlocker = (
  leg: 'forward' | 'return',
  route: CompiledRoute,
  code: string,
  componentId: string,
  message: string,
): MatrixBlocker => ({ code, leg, componentId, route: route.matched, message })

/** The one empty blocker list every routed leg and reachable pair shares. */
const ROUTED: readonly MatrixBlocker[] = Object.freeze([])
const REACHED = ROUTED

/**
 * What the source side decides alone, per source VPC: the forward route from each route table
 * to each target (the same for every subnet on that table), and the source ACL's verdicts on
 * the request out and the reply in (the same for every subnet on that ACL).
 */
class SourceSide {
  private readonly routes = new Map<RouteTableEntry, (readonly MatrixBlocker[] | undefined)[]>()
  private readonly requests = new Map<AclEntry, (MatrixBlocker | typeof UNDECIDED | undefined)[]>()
  private readonly replies = new Map<AclEntry, (MatrixBlocker | typeof UNDECIDED | undefined)[]>()

  constructor(
    private readonly snapshot: Snapshot,
    private readonly targets: readonly Endpoint[],
    private readonly packets: { readonly forward: Packet; readonly reply: Packet },
  ) {}

  forwardRoute(source: Endpoint, target: number): readonly MatrixBlocker[] {
    const table = source.subnet.routeTable
    // A subnet without a table is rare, and its blocker names the subnet: not worth sharing.
    if (!table) return routeBlockers(this.snapshot, source, this.targets[target]!, 'forward')
    const byTarget = listFor(this.routes, table, this.targets.length, undefined)
    let verdict = byTarget[target]
    if (verdict === undefined) {
      verdict = routeBlockers(this.snapshot, source, this.targets[target]!, 'forward')
      byTarget[target] = verdict
    }
    return verdict
  }

  /** The source ACL on the request going out, or on the reply coming in. */
  acl(source: Endpoint, target: number, request: boolean): MatrixBlocker | undefined {
    const acl = source.subnet.acl
    if (!acl) return undefined
    const verdicts = listFor(request ? this.requests : this.replies, acl, this.targets.length, UNDECIDED)
    let verdict = verdicts[target]
    if (verdict === UNDECIDED) {
      const remote = this.targets[target]!.address
      verdict = request
        ? aclBlocker(source.subnet, true, remote, this.packets.forward, 'forward')
        : aclBlocker(source.subnet, false, remote, this.packets.reply, 'return')
      verdicts[target] = verdict
    }
    return verdict
  }
}

const UNDECIDED = Symbol('undecided')

function listFor<K, V>(map: Map<K, V[]>, key: K, length: number, empty: V): V[] {
  let list = map.get(key)
  if (!list) {
    list = new Array<V>(length).fill(empty)
    map.set(key, list)
  }
  return list
}

function subnetPair(
  snapshot: Snapshot,
  side: SourceSide,
  source: Endpoint,
  target: number,
  destination: Endpoint,
  packets: { forward: Packet; reply: Packet },
): SubnetReach {
  const blockers: MatrixBlocker[] = []
  const requestOut = side.acl(source, target, true)
  if (requestOut) blockers.push(requestOut)
  const routing = side.forwardRoute(source, target)
  blockers.push(...routing)
  if (routing.length === 0) {
    const requestIn = aclBlocker(destination.subnet, false, source.address, packets.forward, 'forward')
    if (requestIn) blockers.push(requestIn)
    const replyOut = aclBlocker(destination.subnet, true, source.address, packets.reply, 'return')
    if (replyOut) blockers.push(replyOut)
    const routingBack = routeBlockers(snapshot, destination, source, 'return')
    blockers.push(...routingBack)
    const replyIn = routingBack.length === 0 ? side.acl(source, target, false) : undefined
    if (replyIn) blockers.push(replyIn)
  }
  return {
    source: source.subnet.subnet.subnetId,
    destination: destination.subnet.subnet.subnetId,
    reachable: blockers.length === 0,
    blockers: blockers.length === 0 ? REACHED : blockers,
  }
}

/**
 * The subnet matrix rows of the subnets of `sourceVpcs`: to every subnet of the same VPC and of
 * each VPC a peering (in any state) joins to it, optionally only VPCs in `destinations`.
 * A subnet reaches itself (traffic within a subnet meets neither routing nor its ACL).
 */
export function subnetMatrix(
  snapshot: Snapshot,
  sourceVpcs: readonly string[],
  options: SubnetMatrixOptions,
  destinations?: ReadonlySet<string>,
): SubnetReach[] {
  if (!MATRIX_PROTOCOLS.includes(options.protocol)) {
    throw new RangeError(`the subnet matrix answers for tcp and udp, not protocol ${options.protocol}`)
  }
  const index = indexOf(snapshot)
  const packets = {
    forward: { protocol: options.protocol, port: options.port },
    reply: { protocol: options.protocol, port: options.sourcePort ?? DEFAULT_SOURCE_PORT },
  }
  const wanted = (vpcId: string) => !destinations || destinations.has(vpcId)
  const total = sourceVpcs.reduce((n, vpcId) => n + endpointsOf(index, vpcId).length, 0)
  const pairs: SubnetReach[] = []
  let done = 0
  for (const vpcId of sourceVpcs) {
    const targetVpcs = [vpcId, ...peersOf(index, vpcId).keys()].filter(wanted)
    const targets = targetVpcs.flatMap((id) => endpointsOf(index, id))
    const side = new SourceSide(snapshot, targets, packets)
    for (const source of endpointsOf(index, vpcId)) {
      for (const [target, destination] of targets.entries()) {
        const id = source.subnet.subnet.subnetId
        pairs.push(
          destination.subnet === source.subnet
            ? { source: id, destination: id, reachable: true, blockers: REACHED }
            : subnetPair(snapshot, side, source, target, destination, packets),
        )
      }
      options.onProgress?.(++done, total)
    }
  }
  return pairs
}
