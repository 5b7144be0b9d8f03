/**
 * The estate compiled once for many flows: every lookup a flow needs is a map access, a binary
 * search or a scan of one interface's rules, never a pass over the estate.
 */
import {
  attachedVpcOf,
  type EgressOnlyInternetGateway,
  type InternetGateway,
  type NatGateway,
  type VpnGateway,
} from '../domain/gateways.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import type { PeeringConnection } from '../domain/peering.js'
import { type Route, type RouteTable, routeTargetId } from '../domain/route-table.js'
import type { Subnet } from '../domain/subnet.js'
import { type Vpc, vpcCidrs } from '../domain/vpc.js'
import { type Address, type AddressKey, inAnyRange, type Range, readAddress } from './address.js'
import {
  type CompiledAcl,
  type CompiledGroup,
  compileAcl,
  compileGroup,
  type RangeReader,
  rangeReader,
} from './filters.js'
import { ipv4Table, ipv6Table, type MatchPrefix, type PrefixTable } from './lpm.js'
import { componentRef } from './refs.js'
import type { ComponentKind, ComponentRef, Estate, MatchedRoute } from './types.js'

export interface VpcEntry {
  readonly vpc: Vpc
  readonly ref: ComponentRef
  /** The VPC's current IPv4 and IPv6 blocks, as text and as ranges. */
  readonly blocks: readonly string[]
  readonly ranges: readonly Range[]
  /** Which interface of this VPC holds an address, by its value (addresses are unique within a VPC). */
  readonly addresses: AddressLookup
}

export interface AddressLookup {
  get(key: AddressKey): InterfaceEntry | undefined
  has(key: AddressKey): boolean
}

export interface SubnetEntry {
  readonly subnet: Subnet
  readonly ref: ComponentRef
  readonly vpc: VpcEntry
  /** The explicitly associated table, else the VPC's main table. */
  readonly routeTable: RouteTableEntry | undefined
  /** The ACL whose associations list the subnet, else the VPC's default ACL. */
  readonly acl: AclEntry | undefined
}

export interface InterfaceEntry {
  readonly eni: NetworkInterface
  readonly ref: ComponentRef
  readonly vpc: VpcEntry
  readonly subnet: SubnetEntry
  readonly groups: readonly GroupEntry[]
  /** The primary private IPv4 address, and the first IPv6 address: the sources of a flow. */
  readonly ipv4: Address | undefined
  readonly ipv6: Address | undefined
}

export interface GroupEntry extends CompiledGroup {
  readonly ref: ComponentRef
  readonly vpcId: string
}

export interface AclEntry extends CompiledAcl {
  readonly ref: ComponentRef
}

export interface PeeringEntry {
  readonly peering: PeeringConnection
  readonly ref: ComponentRef
  readonly active: boolean
  readonly sameRegion: boolean
}

export interface GatewayEntry<T> {
  readonly gateway: T
  readonly ref: ComponentRef
}

/** What a route sends traffic to, resolved against the estate (absent when it is gone). */
export type RouteTarget =
  | { readonly kind: 'local' }
  | { readonly kind: 'peering'; readonly peering: PeeringEntry | undefined }
  | { readonly kind: 'internet-gateway'; readonly gateway: GatewayEntry<InternetGateway> | undefined }
  | {
      readonly kind: 'egress-only-internet-gateway'
      readonly gateway: GatewayEntry<EgressOnlyInternetGateway> | undefined
    }
  | { readonly kind: 'nat-gateway'; readonly gateway: GatewayEntry<NatGateway> | undefined }
  | { readonly kind: 'vpn-gateway'; readonly gateway: GatewayEntry<VpnGateway> | undefined }
  /** An interface, or an instance's primary interface (looked up in `Snapshot.interfaces`). */
  | { readonly kind: 'network-interface'; readonly networkInterfaceId: string | undefined }
  /** Transit gateways and anything else vpcpeer does not model: always a blackhole. */
  | { readonly kind: 'unsupported' }

export interface CompiledRoute {
  readonly route: Route
  readonly destination: string
  readonly target: RouteTarget
  readonly matched: MatchedRoute
}

export interface RouteTableEntry {
  readonly table: RouteTable
  readonly ref: ComponentRef
  readonly vpc: VpcEntry | undefined
  readonly routes: readonly CompiledRoute[]
  /** The longest-prefix match among routes of the address's family (prefix lists ignored). */
  lookup(address: Address): CompiledRoute | undefined
}

export interface Snapshot {
  readonly at: Date
  readonly estate: Estate
  readonly vpcs: ReadonlyMap<string, VpcEntry>
  readonly subnets: ReadonlyMap<string, SubnetEntry>
  readonly routeTables: ReadonlyMap<string, RouteTableEntry>
  readonly networkAcls: ReadonlyMap<string, AclEntry>
  readonly securityGroups: ReadonlyMap<string, GroupEntry>
  readonly peerings: ReadonlyMap<string, PeeringEntry>
  readonly internetGateways: ReadonlyMap<string, GatewayEntry<InternetGateway>>
  readonly egressOnlyInternetGateways: ReadonlyMap<string, GatewayEntry<EgressOnlyInternetGateway>>
  readonly natGateways: ReadonlyMap<string, GatewayEntry<NatGateway>>
  readonly vpnGateways: ReadonlyMap<string, GatewayEntry<VpnGateway>>
  /** Interfaces whose VPC and subnet exist (others cannot send or receive). */
  readonly interfaces: ReadonlyMap<string, InterfaceEntry>
  /** An instance's primary interface (device index 0). */
  readonly instances: ReadonlyMap<string, InterfaceEntry>
  /** Every interface holding an address, in any VPC of any account and region. */
  readonly holders: AddressIndex
  /** The interfaces each group is attached to (built on first use). */
  readonly groupMembers: ReadonlyMap<string, readonly InterfaceEntry[]>
  /** The active peering joining two VPCs, by `vpcPairKey`. */
  readonly activePeerings: ReadonlyMap<string, PeeringEntry>
}

export const vpcPairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`)

export const activePeeringBetween = (snapshot: Snapshot, a: string, b: string) =>
  snapshot.activePeerings.get(vpcPairKey(a, b))

/** The interfaces holding an address, in every VPC. */
export const holdersOf = (snapshot: Snapshot, address: Address): readonly InterfaceEntry[] =>
  snapshot.holders.all(address)

/** The interface holding an address in one VPC (addresses are unique within a VPC). */
export const holderIn = (snapshot: Snapshot, vpc: VpcEntry, address: Address): InterfaceEntry | undefined =>
  snapshot.holders.holderIn(vpc.vpc.vpcId, address.value)

/**
 * Every address's holders. Almost every address has one, so the rare second holder (an
 * overlapping block in an unconnected VPC) goes to a side map instead of an array per address.
 */
export class AddressIndex {
  private readonly first = new Map<AddressKey, InterfaceEntry>()
  private readonly others = new Map<AddressKey, InterfaceEntry[]>()

  add(key: AddressKey, holder: InterfaceEntry) {
    const first = this.first.get(key)
    if (first === undefined) this.first.set(key, holder)
    else if (first !== holder) push(this.others, key, holder)
  }

  all(address: Address): readonly InterfaceEntry[] {
    const first = this.first.get(address.value)
    if (first === undefined) return []
    const others = this.others.get(address.value)
    return others ? [first, ...others] : [first]
  }

  holderIn(vpcId: string, key: AddressKey): InterfaceEntry | undefined {
    const first = this.first.get(key)
    if (first === undefined || first.eni.vpcId === vpcId) return first
    return this.others.get(key)?.find((holder) => holder.eni.vpcId === vpcId)
  }

  /** One VPC's view of the index. */
  inVpc(vpcId: string): AddressLookup {
    return {
      get: (key) => this.holderIn(vpcId, key),
      has: (key) => this.holderIn(vpcId, key) !== undefined,
    }
  }
}

export const vpcHolds = (vpc: VpcEntry, address: Address) => inAnyRange(vpc.ranges, address)

/** Computes once, on first use: most groups, ACLs and tables of a large estate are never consulted. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined
  let made = false
  return () => {
    if (!made) {
      value = make()
      made = true
    }
    return value as T
  }
}

const byId = <T, E>(items: readonly T[], id: (item: T) => string, entry: (item: T) => E) =>
  new Map(items.map((item) => [id(item), entry(item)]))

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/**
 * Compiles the estate in named passes: an index of VPCs, peerings and gateways; security groups;
 * network ACLs; route tables with their targets resolved; then subnets and interfaces placed in
 * what the earlier passes built. Groups, ACLs and routes compile their rules on first use.
 */
export function compileSnapshot(estate: Estate): Snapshot {
  const ranges = rangeReader()
  const holders = new AddressIndex()
  const index = indexEstate(estate, ranges, holders)
  const securityGroups = compileGroups(estate, ranges)
  const networkAcls = compileAcls(estate, ranges, index)
  // Filled by the last pass; routes ask it only when their state is first needed.
  const interfaces = new Map<string, InterfaceEntry>()
  const routeTables = compileRouteTables(estate, ranges, index, (id) => interfaces.has(id))
  const subnets = placeSubnets(estate, index, routeTables, networkAcls)
  const instances = placeInterfaces(estate, index, subnets, securityGroups, holders, interfaces)
  const groupMembers = lazy(() => {
    const members = new Map<string, InterfaceEntry[]>()
    for (const entry of interfaces.values()) for (const id of entry.eni.groupIds) push(members, id, entry)
    return members
  })
  return {
    at: estate.at,
    estate,
    vpcs: index.vpcs,
    subnets,
    routeTables,
    networkAcls,
    securityGroups,
    peerings: index.peerings,
    internetGateways: index.internetGateways,
    egressOnlyInternetGateways: index.egressOnlyInternetGateways,
    natGateways: index.natGateways,
    vpnGateways: index.vpnGateways,
    interfaces,
    instances,
    holders,
    get groupMembers() {
      return groupMembers()
    },
    activePeerings: index.activePeerings,
  }
}

/** What the index pass finds: VPCs, peerings, gateways and instances' primary interfaces, by id. */
interface EstateIndex {
  readonly vpcs: ReadonlyMap<string, VpcEntry>
  readonly peerings: ReadonlyMap<string, PeeringEntry>
  readonly activePeerings: ReadonlyMap<string, PeeringEntry>
  readonly internetGateways: ReadonlyMap<string, GatewayEntry<InternetGateway>>
  readonly egressOnlyInternetGateways: ReadonlyMap<string, GatewayEntry<EgressOnlyInternetGateway>>
  readonly natGateways: ReadonlyMap<string, GatewayEntry<NatGateway>>
  readonly vpnGateways: ReadonlyMap<string, GatewayEntry<VpnGateway>>
  /** Instance id → the id of its interface at device index 0. */
  readonly primaryOfInstance: ReadonlyMap<string, string>
  /** A resource's region: the estate's record of it, else its VPC's. */
  regionOf(id: string, vpcId?: string): string
}

function indexEstate(estate: Estate, ranges: RangeReader, holders: AddressIndex): EstateIndex {
  const vpcs = byId(
    estate.vpcs,
    (v) => v.vpcId,
    (vpc): VpcEntry => {
      const blocks = vpcCidrs(vpc)
      return {
        vpc,
        ref: componentRef('vpc', vpc.vpcId, vpc.region, vpc.ownerId),
        blocks,
        ranges: blocks.flatMap((block) => ranges(block) ?? []),
        addresses: holders.inVpc(vpc.vpcId),
      }
    },
  )
  const regionOfVpc = (vpcId: string | undefined) => (vpcId ? vpcs.get(vpcId)?.vpc.region : undefined)
  const regionOf = (id: string, vpcId?: string) => estate.regions?.get(id) ?? regionOfVpc(vpcId) ?? ''

  const peerings = byId(
    estate.peerings,
    (p) => p.vpcPeeringConnectionId,
    (peering): PeeringEntry => ({
      peering,
      ref: componentRef(
        'vpc-peering-connection',
        peering.vpcPeeringConnectionId,
        peering.requester.region,
        peering.requester.ownerId,
      ),
      active: peering.status.code === 'active',
      sameRegion: peering.requester.region === peering.accepter.region,
    }),
  )
  const activePeerings = new Map<string, PeeringEntry>()
  for (const entry of peerings.values()) {
    if (entry.active) {
      activePeerings.set(vpcPairKey(entry.peering.requester.vpcId, entry.peering.accepter.vpcId), entry)
    }
  }
  const gateways = <T extends { ownerId: string }>(
    items: readonly T[],
    kind: ComponentKind,
    idOf: (gateway: T) => string,
    vpcOf: (gateway: T) => string | undefined,
  ) =>
    byId(items, idOf, (gateway): GatewayEntry<T> => {
      const id = idOf(gateway)
      return { gateway, ref: componentRef(kind, id, regionOf(id, vpcOf(gateway)), gateway.ownerId) }
    })
  const primaryOfInstance = new Map<string, string>()
  for (const eni of estate.networkInterfaces) {
    if (eni.attachment?.deviceIndex === 0)
      primaryOfInstance.set(eni.attachment.instanceId, eni.networkInterfaceId)
  }
  return {
    vpcs,
    peerings,
    activePeerings,
    internetGateways: gateways(
      estate.internetGateways,
      'internet-gateway',
      (g) => g.internetGatewayId,
      attachedVpcOf,
    ),
    egressOnlyInternetGateways: gateways(
      estate.egressOnlyInternetGateways,
      'egress-only-internet-gateway',
      (g) => g.egressOnlyInternetGatewayId,
      (g) => g.vpcId,
    ),
    natGateways: gateways(
      estate.natGateways,
      'nat-gateway',
      (g) => g.natGatewayId,
      (g) => g.vpcId,
    ),
    vpnGateways: gateways(estate.vpnGateways, 'vpn-gateway', (g) => g.vpnGatewayId, attachedVpcOf),
    primaryOfInstance,
    regionOf,
  }
}

function compileGroups(estate: Estate, ranges: RangeReader): Map<string, GroupEntry> {
  return byId(
    estate.securityGroups,
    (g) => g.groupId,
    (group): GroupEntry => {
      const compiled = lazy(() => compileGroup(group, ranges))
      return {
        group,
        get ingress() {
          return compiled().ingress
        },
        get egress() {
          return compiled().egress
        },
        ref: componentRef('security-group', group.groupId, group.region, group.ownerId),
        vpcId: group.vpcId,
      }
    },
  )
}

function compileAcls(estate: Estate, ranges: RangeReader, index: EstateIndex): Map<string, AclEntry> {
  return byId(
    estate.networkAcls,
    (a) => a.networkAclId,
    (acl): AclEntry => {
      const compiled = lazy(() => compileAcl(acl, ranges))
      return {
        get lists() {
          return compiled().lists
        },
        acl,
        ref: componentRef(
          'network-acl',
          acl.networkAclId,
          index.regionOf(acl.networkAclId, acl.vpcId),
          acl.ownerId,
        ),
      }
    },
  )
}

/** What a route sends traffic to, resolved against the index (an instance by its primary interface). */
function routeTargetOf(route: Route, index: EstateIndex): RouteTarget {
  if (route.vpcPeeringConnectionId !== undefined) {
    return { kind: 'peering', peering: index.peerings.get(route.vpcPeeringConnectionId) }
  }
  if (route.natGatewayId !== undefined) {
    return { kind: 'nat-gateway', gateway: index.natGateways.get(route.natGatewayId) }
  }
  if (route.egressOnlyInternetGatewayId !== undefined) {
    return {
      kind: 'egress-only-internet-gateway',
      gateway: index.egressOnlyInternetGateways.get(route.egressOnlyInternetGatewayId),
    }
  }
  if (route.networkInterfaceId !== undefined) {
    return { kind: 'network-interface', networkInterfaceId: route.networkInterfaceId }
  }
  if (route.instanceId !== undefined) {
    return { kind: 'network-interface', networkInterfaceId: index.primaryOfInstance.get(route.instanceId) }
  }
  const gatewayId = route.gatewayId ?? ''
  if (route.transitGatewayId === undefined && gatewayId === 'local') return { kind: 'local' }
  if (gatewayId.startsWith('igw-')) {
    return { kind: 'internet-gateway', gateway: index.internetGateways.get(gatewayId) }
  }
  if (gatewayId.startsWith('vgw-')) return { kind: 'vpn-gateway', gateway: index.vpnGateways.get(gatewayId) }
  return { kind: 'unsupported' }
}

function compileRouteTables(
  estate: Estate,
  ranges: RangeReader,
  index: EstateIndex,
  interfaceExists: (id: string) => boolean,
): Map<string, RouteTableEntry> {
  const targetOf = (route: Route) => routeTargetOf(route, index)
  return byId(
    estate.routeTables,
    (t) => t.routeTableId,
    (table) =>
      compileRouteTable(
        table,
        index.vpcs.get(table.vpcId),
        index.regionOf(table.routeTableId, table.vpcId),
        targetOf,
        interfaceExists,
        ranges,
      ),
  )
}

/** Each subnet with its VPC, its route table (explicit, else main) and its ACL (associated, else default). */
function placeSubnets(
  estate: Estate,
  index: EstateIndex,
  routeTables: ReadonlyMap<string, RouteTableEntry>,
  networkAcls: ReadonlyMap<string, AclEntry>,
): Map<string, SubnetEntry> {
  const tableOfSubnet = new Map<string, RouteTableEntry>()
  const mainTableOfVpc = new Map<string, RouteTableEntry>()
  for (const entry of routeTables.values()) {
    for (const association of entry.table.associations) {
      if (association.subnetId !== undefined) tableOfSubnet.set(association.subnetId, entry)
      if (association.main) mainTableOfVpc.set(entry.table.vpcId, entry)
    }
  }
  const aclOfSubnet = new Map<string, AclEntry>()
  const defaultAclOfVpc = new Map<string, AclEntry>()
  for (const entry of networkAcls.values()) {
    for (const association of entry.acl.associations) aclOfSubnet.set(association.subnetId, entry)
    if (entry.acl.isDefault) defaultAclOfVpc.set(entry.acl.vpcId, entry)
  }
  const subnets = new Map<string, SubnetEntry>()
  for (const subnet of estate.subnets) {
    const vpc = index.vpcs.get(subnet.vpcId)
    if (!vpc) continue
    subnets.set(subnet.subnetId, {
      subnet,
      ref: componentRef('subnet', subnet.subnetId, subnet.region, subnet.ownerId),
      vpc,
      routeTable:
        tableOfSubnet.get(subnet.subnetId) ??
        mainTableOfVpc.get(subnet.vpcId) ??
        routeTables.get(vpc.vpc.mainRouteTableId),
      acl:
        aclOfSubnet.get(subnet.subnetId) ??
        defaultAclOfVpc.get(subnet.vpcId) ??
        networkAcls.get(vpc.vpc.defaultNetworkAclId),
    })
  }
  return subnets
}

/** Places every interface in `interfaces` and the address index; returns instances' primary interfaces. */
function placeInterfaces(
  estate: Estate,
  index: EstateIndex,
  subnets: ReadonlyMap<string, SubnetEntry>,
  securityGroups: ReadonlyMap<string, GroupEntry>,
  holders: AddressIndex,
  interfaces: Map<string, InterfaceEntry>,
): Map<string, InterfaceEntry> {
  const instances = new Map<string, InterfaceEntry>()
  for (const eni of estate.networkInterfaces) {
    const compiled = compileInterface(eni, index.vpcs, subnets, securityGroups)
    if (!compiled) continue
    const { entry, held } = compiled
    interfaces.set(eni.networkInterfaceId, entry)
    if (index.primaryOfInstance.get(eni.attachment?.instanceId ?? '') === eni.networkInterfaceId) {
      instances.set(eni.attachment!.instanceId, entry)
    }
    for (const address of held) holders.add(address.value, entry)
  }
  return instances
}

/** An interface's entry; its ARN is built on first use, since most of 100k interfaces are never named. */
class CompiledInterface implements InterfaceEntry {
  #ref: ComponentRef | undefined

  constructor(
    readonly eni: NetworkInterface,
    readonly vpc: VpcEntry,
    readonly subnet: SubnetEntry,
    readonly groups: readonly GroupEntry[],
    readonly ipv4: Address | undefined,
    readonly ipv6: Address | undefined,
  ) {}

  get ref(): ComponentRef {
    this.#ref ??= componentRef(
      'network-interface',
      this.eni.networkInterfaceId,
      this.eni.region,
      this.eni.ownerId,
    )
    return this.#ref
  }
}

/** The interface's entry, and every address it holds; undefined when its VPC or subnet is gone. */
function compileInterface(
  eni: NetworkInterface,
  vpcs: ReadonlyMap<string, VpcEntry>,
  subnets: ReadonlyMap<string, SubnetEntry>,
  securityGroups: ReadonlyMap<string, GroupEntry>,
): { entry: InterfaceEntry; held: Address[] } | undefined {
  const vpc = vpcs.get(eni.vpcId)
  const subnet = subnets.get(eni.subnetId)
  if (!vpc || !subnet) return undefined
  const held: Address[] = []
  for (const text of [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses, ...eni.ipv6Addresses]) {
    const address = readAddress(text)
    if (address) held.push(address)
  }
  const groups: GroupEntry[] = []
  for (const id of eni.groupIds) {
    const group = securityGroups.get(id)
    if (group) groups.push(group)
  }
  const ipv4 = held[0]?.family === 4 && held[0].text === eni.privateIpAddress ? held[0] : undefined
  const ipv6 = held.find((a) => a.family === 6)
  return { entry: new CompiledInterface(eni, vpc, subnet, groups, ipv4, ipv6), held }
}

/**
 * A route is a blackhole when its target cannot carry traffic (docs/dataplane.md, "Route
 * lookup"): a peering that is not active, an internet or VPN gateway not attached to the table's
 * VPC (or gone), an egress-only gateway of another VPC (or gone), a NAT gateway that is not
 * available, a missing interface.
 */
function routeState(target: RouteTarget, vpcId: string, interfaceExists: (id: string) => boolean) {
  switch (target.kind) {
    case 'local':
      return true
    case 'peering':
      return target.peering?.active === true
    case 'internet-gateway':
    case 'vpn-gateway':
      return target.gateway !== undefined && attachedVpcOf(target.gateway.gateway) === vpcId
    case 'nat-gateway':
      return target.gateway?.gateway.state === 'available'
    case 'egress-only-internet-gateway':
      return target.gateway?.gateway.vpcId === vpcId
    case 'network-interface':
      return target.networkInterfaceId !== undefined && interfaceExists(target.networkInterfaceId)
    case 'unsupported':
      return false
  }
}

function compileRouteTable(
  table: RouteTable,
  vpc: VpcEntry | undefined,
  region: string,
  targetOf: (route: Route) => RouteTarget,
  interfaceExists: (id: string) => boolean,
  ranges: RangeReader,
): RouteTableEntry {
  const compiled = lazy(() => compileRoutes(table, targetOf, interfaceExists, ranges))
  return {
    table,
    ref: componentRef('route-table', table.routeTableId, region, table.ownerId),
    vpc,
    get routes() {
      return compiled().routes
    },
    lookup: (address) => compiled().lookup(address),
  }
}

function compileRoutes(
  table: RouteTable,
  targetOf: (route: Route) => RouteTarget,
  interfaceExists: (id: string) => boolean,
  ranges: RangeReader,
): Pick<RouteTableEntry, 'routes' | 'lookup'> {
  const routes: CompiledRoute[] = []
  const prefixes: Record<4 | 6, MatchPrefix[]> = { 4: [], 6: [] }
  for (const route of table.routes) {
    const destination = route.destinationCidrBlock ?? route.destinationIpv6CidrBlock
    const range = destination === undefined ? undefined : ranges(destination)
    if (!range || destination === undefined) continue
    const target = targetOf(route)
    const matched: MatchedRoute = {
      destinationCidr: destination,
      target: routeTargetId(route),
      state: routeState(target, table.vpcId, interfaceExists) ? 'active' : 'blackhole',
      origin: route.origin,
    }
    const length = Number(destination.slice(destination.indexOf('/') + 1))
    prefixes[range.family].push({
      start: BigInt(range.start),
      end: BigInt(range.end),
      length,
      index: routes.length,
    })
    routes.push({ route, destination, target, matched })
  }
  const tables: Record<4 | 6, PrefixTable> = { 4: ipv4Table(prefixes[4]), 6: ipv6Table(prefixes[6]) }
  return { routes, lookup: (address) => routes[tables[address.family].lookup(address)] }
}
