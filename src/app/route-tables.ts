import { errors } from '../domain/errors.js'
import {
  attachedVpcOf,
  type EgressOnlyInternetGateway,
  type InternetGateway,
  type NatGateway,
  type VpnGateway,
} from '../domain/gateways.js'
import { checkId, ids } from '../domain/ids.js'
import type { Instance } from '../domain/instance.js'
import {
  PEERING_KIND,
  type PeeringConnection,
  routeStateThrough,
  settle,
  sidesOf,
} from '../domain/peering.js'
import {
  isIpv6Route,
  localRoute,
  RESERVED_DESTINATIONS,
  ROUTE_TABLE_LIMITS,
  type Route,
  type RouteState,
  type RouteTable,
  type RouteTableAssociation,
  routeDestination,
  routeTargetId,
} from '../domain/route-table.js'
import type { Subnet } from '../domain/subnet.js'
import { type Vpc, vpcCidrs } from '../domain/vpc.js'
import { contains, formatPrefix, type Prefix, parsePrefix } from '../net/prefix.js'
import type { Stored } from '../ports/store.js'
import { earlierCreate } from './client-token.js'
import { type Context, sameScope } from './context.js'
import { findPeering } from './peering.js'
import {
  type DescribeRequest,
  describe,
  findOwned,
  findVpcForCreate,
  kindOfId,
  kinds,
  tagsOf,
} from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * Route tables, their associations and their routes (spec §4.4 and §6). A route's state is not
 * stored: it is worked out whenever the table is read, from the target as it stands then.
 */

const kind = kinds.routeTable
type StoredTable = Stored<RouteTable>

const findTable = (ctx: Context, id: string) => findOwned<RouteTable>(ctx, kind, id)

async function vpcOf(ctx: Context, table: RouteTable): Promise<Stored<Vpc>> {
  const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, table.vpcId)
  if (!vpc) throw errors.notFound(kinds.vpc.id, table.vpcId)
  return vpc
}

export async function createRouteTable(
  ctx: Context,
  input: { vpcId: string; clientToken?: string; tagSpecifications: readonly TagSpecification[] },
) {
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  const earlier = await earlierCreate<RouteTable>(
    ctx,
    kind,
    input.clientToken,
    (t) => t.vpcId === input.vpcId,
  )
  if (earlier) return { table: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const vpc = await findVpcForCreate(ctx, input.vpcId)
  const siblings = await ctx.tx.list<RouteTable>(kind.type, { vpcId: vpc.id })
  if (siblings.length >= ROUTE_TABLE_LIMITS.tablesPerVpc) {
    throw errors.limitExceeded(
      'RouteTableLimitExceeded',
      `The maximum number of route tables (${ROUTE_TABLE_LIMITS.tablesPerVpc}) has been reached for ${vpc.id}.`,
    )
  }
  const routeTableId = ctx.newId('rtb')
  const table: RouteTable = {
    routeTableId,
    vpcId: vpc.id,
    ownerId: ctx.caller.accountId,
    routes: vpcCidrs(vpc.body).map(localRoute),
    associations: [],
    propagatingVgws: [],
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  await ctx.tx.insert<RouteTable>({
    id: routeTableId,
    kind: kind.type,
    owner: ctx.caller,
    vpcId: vpc.id,
    body: table,
  })
  await applyTags(ctx, routeTableId, tags)
  return { table, tags }
}

/** A table with any association (the main one included) cannot be deleted. */
export async function deleteRouteTable(ctx: Context, routeTableId: string) {
  const table = await findTable(ctx, routeTableId)
  if (table.body.associations.length > 0) throw errors.dependencyViolation('routeTable', routeTableId)
  await ctx.tx.remove(table)
}

// Route states

/** A target's state as seen from the VPC of the table that routes to it. */
type TargetState = (vpcId: string) => RouteState

const always =
  (state: RouteState): TargetState =>
  () =>
    state

const whenAttached =
  (gateway: { attachments: InternetGateway['attachments'] } | undefined): TargetState =>
  (vpcId) =>
    gateway && attachedVpcOf(gateway) === vpcId ? 'active' : 'blackhole'

async function targetState(ctx: Context, targetId: string): Promise<TargetState> {
  if (targetId === 'local') return always('active')
  const prefix = targetId.slice(0, targetId.lastIndexOf('-'))
  switch (prefix) {
    case ids.peering.prefix: {
      const stored = await ctx.tx.get<PeeringConnection>(PEERING_KIND, targetId)
      return always(routeStateThrough(stored && settle(stored.body, ctx.now)))
    }
    case ids.internetGateway.prefix:
      return whenAttached((await ctx.tx.get<InternetGateway>(kinds.internetGateway.type, targetId))?.body)
    case ids.vpnGateway.prefix:
      return whenAttached((await ctx.tx.get<VpnGateway>(kinds.vpnGateway.type, targetId))?.body)
    case ids.natGateway.prefix: {
      const nat = await ctx.tx.get<NatGateway>(kinds.natGateway.type, targetId)
      const working = nat?.body.state === 'available' || nat?.body.state === 'pending'
      return always(working ? 'active' : 'blackhole')
    }
    case ids.instance.prefix: {
      // A terminated instance stays listed for a while, but nothing routes to it any more.
      const instance = await ctx.tx.get<Instance>(kinds.instance.type, targetId)
      return always(instance?.body.state === 'running' ? 'active' : 'blackhole')
    }
    default: {
      // Egress-only gateways and interfaces: there while they exist.
      const targetKind = kindOfId(targetId)
      const exists = targetKind !== undefined && (await ctx.tx.get(targetKind.type, targetId)) !== undefined
      return always(exists ? 'active' : 'blackhole')
    }
  }
}

/** Works out, once per target, the state of every route in these tables. */
export async function routeStates(
  ctx: Context,
  tables: readonly RouteTable[],
): Promise<(table: RouteTable, route: Route) => RouteState> {
  const targets = new Map<string, TargetState>()
  for (const route of tables.flatMap((t) => t.routes)) {
    const id = routeTargetId(route)
    if (!targets.has(id)) targets.set(id, await targetState(ctx, id))
  }
  return (table, route) => targets.get(routeTargetId(route))?.(table.vpcId) ?? 'blackhole'
}

export async function describeRouteTables(ctx: Context, request: DescribeRequest) {
  const candidates = await ctx.tx.list<RouteTable>(kind.type, {
    visibleTo: ctx.caller,
    ...(request.ids.length > 0 ? { ids: request.ids } : {}),
  })
  const stateOf = await routeStates(
    ctx,
    candidates.map((t) => t.body),
  )
  type Item = { resource: StoredTable }
  const associations =
    (pick: (a: RouteTableAssociation) => string | boolean | undefined) =>
    ({ resource }: Item) =>
      resource.body.associations.map(pick)
  const routes =
    (pick: (r: Route) => string | undefined) =>
    ({ resource }: Item) =>
      resource.body.routes.map(pick)
  const page = await describe<RouteTable>(ctx, kind, request, {
    idParameter: 'RouteTableId',
    fields: {
      'association.gateway-id': associations((a) => a.gatewayId),
      'association.route-table-association-id': associations((a) => a.routeTableAssociationId),
      'association.route-table-id': ({ resource }) => resource.body.associations.map(() => resource.id),
      'association.subnet-id': associations((a) => a.subnetId),
      'association.main': associations((a) => a.main),
      'owner-id': ({ resource }) => resource.body.ownerId,
      'route-table-id': ({ resource }) => resource.id,
      'route.destination-cidr-block': routes((r) => r.destinationCidrBlock),
      'route.destination-ipv6-cidr-block': routes((r) => r.destinationIpv6CidrBlock),
      'route.destination-prefix-list-id': routes((r) => r.destinationPrefixListId),
      'route.egress-only-internet-gateway-id': routes((r) => r.egressOnlyInternetGatewayId),
      'route.gateway-id': routes((r) => r.gatewayId),
      'route.instance-id': routes((r) => r.instanceId),
      'route.nat-gateway-id': routes((r) => r.natGatewayId),
      'route.transit-gateway-id': routes((r) => r.transitGatewayId),
      'route.origin': routes((r) => r.origin),
      'route.state': ({ resource }) => resource.body.routes.map((r) => stateOf(resource.body, r)),
      'route.vpc-peering-connection-id': routes((r) => r.vpcPeeringConnectionId),
      'vpc-id': ({ resource }) => resource.body.vpcId,
    },
  })
  return { ...page, stateOf }
}

// Associations

/** An internet or virtual private gateway, for routes and edge associations. */
async function findGateway(ctx: Context, gatewayId: string) {
  const gatewayKind = [kinds.internetGateway, kinds.vpnGateway].find((k) =>
    gatewayId.startsWith(`${k.id.prefix}-`),
  )
  if (gatewayKind) checkId(gatewayKind.id, gatewayId)
  const gateway = gatewayKind && (await ctx.tx.get<InternetGateway | VpnGateway>(gatewayKind.type, gatewayId))
  if (!gateway || !sameScope(gateway.owner, ctx.caller)) throw errors.gatewayNotFound(gatewayId)
  return { id: gatewayId, attachedVpcId: attachedVpcOf(gateway.body) }
}

export async function associateRouteTable(
  ctx: Context,
  input: { routeTableId: string; subnetId?: string; gatewayId?: string; publicIpv4Pool?: string },
) {
  // Public IPv4 pools (IPAM) are not modelled, so no pool id can be valid.
  if (input.publicIpv4Pool !== undefined) throw errors.notModelled('PublicIpv4Pool', input.publicIpv4Pool)
  if (input.subnetId !== undefined && input.gatewayId !== undefined) {
    throw errors.invalidParameterCombination('Only one of SubnetId or GatewayId may be specified.')
  }
  if (input.subnetId === undefined && input.gatewayId === undefined) {
    throw errors.missingParameter('SubnetId or GatewayId')
  }
  const table = await findTable(ctx, input.routeTableId)
  const vpcId = table.body.vpcId
  let target: Pick<RouteTableAssociation, 'subnetId' | 'gatewayId'>
  if (input.subnetId !== undefined) {
    const subnet = await findOwned<Subnet>(ctx, kinds.subnet, input.subnetId)
    if (subnet.body.vpcId !== vpcId) {
      throw errors.invalidParameterValue(
        `Route table ${table.id} and subnet ${subnet.id} belong to different networks`,
      )
    }
    target = { subnetId: subnet.id }
  } else {
    const gateway = await findGateway(ctx, input.gatewayId!)
    if (gateway.attachedVpcId !== vpcId) throw errors.differentNetworks(table.id, gateway.id)
    target = { gatewayId: gateway.id }
  }
  // A subnet or gateway has at most one explicit association in its VPC.
  const tables = await ctx.tx.list<RouteTable>(kind.type, { vpcId })
  const taken = tables.some((t) =>
    t.body.associations.some(
      (a) =>
        (target.subnetId !== undefined && a.subnetId === target.subnetId) ||
        (target.gatewayId !== undefined && a.gatewayId === target.gatewayId),
    ),
  )
  if (taken) throw errors.associationConflict(table.id)
  const association: RouteTableAssociation = {
    routeTableAssociationId: ctx.newId('rtbassoc'),
    main: false,
    ...target,
  }
  await ctx.tx.update(table, { ...table.body, associations: [...table.body.associations, association] })
  return { associationId: association.routeTableAssociationId }
}

async function findAssociation(ctx: Context, associationId: string) {
  for (const table of await ctx.tx.list<RouteTable>(kind.type, { visibleTo: ctx.caller })) {
    const association = table.body.associations.find((a) => a.routeTableAssociationId === associationId)
    if (association && sameScope(table.owner, ctx.caller)) return { table, association }
  }
  throw errors.associationNotFound(associationId)
}

const without = (table: RouteTable, associationId: string) =>
  table.associations.filter((a) => a.routeTableAssociationId !== associationId)

export async function disassociateRouteTable(ctx: Context, associationId: string) {
  const { table, association } = await findAssociation(ctx, associationId)
  if (association.main) {
    throw errors.invalidParameterValue(
      `cannot disassociate the main route table association ${associationId}`,
    )
  }
  await ctx.tx.update(table, { ...table.body, associations: without(table.body, associationId) })
}

/** Moves an association (the main one too) to another table of the same VPC, under a new id. */
export async function replaceRouteTableAssociation(
  ctx: Context,
  associationId: string,
  routeTableId: string,
) {
  const { table: current, association } = await findAssociation(ctx, associationId)
  const target = await findTable(ctx, routeTableId)
  if (target.body.vpcId !== current.body.vpcId) {
    throw errors.invalidParameterValue(
      `Route table ${target.id} and association ${associationId} belong to different networks`,
    )
  }
  const moved: RouteTableAssociation = { ...association, routeTableAssociationId: ctx.newId('rtbassoc') }
  if (target.id === current.id) {
    await ctx.tx.update(current, {
      ...current.body,
      associations: [...without(current.body, associationId), moved],
    })
  } else {
    await ctx.tx.update(current, { ...current.body, associations: without(current.body, associationId) })
    await ctx.tx.update(target, { ...target.body, associations: [...target.body.associations, moved] })
  }
  if (association.main) {
    // DeleteVpc removes the main table with the VPC, so the VPC must know which table that is now.
    const vpc = await vpcOf(ctx, target.body)
    await ctx.tx.update(vpc, { ...vpc.body, mainRouteTableId: target.id })
  }
  return { newAssociationId: moved.routeTableAssociationId }
}

// Routes

export interface RouteTargets {
  readonly gatewayId?: string
  readonly natGatewayId?: string
  readonly vpcPeeringConnectionId?: string
  readonly egressOnlyInternetGatewayId?: string
  readonly networkInterfaceId?: string
  readonly instanceId?: string
  readonly transitGatewayId?: string
  readonly localGatewayId?: string
  readonly carrierGatewayId?: string
  readonly vpcEndpointId?: string
  readonly coreNetworkArn?: string
  readonly odbNetworkArn?: string
  /** ReplaceRoute's LocalTarget: put the VPC block's route back to `local`. */
  readonly localTarget?: boolean
}

export interface RouteInput extends RouteTargets {
  readonly routeTableId: string
  readonly destinationCidrBlock?: string
  readonly destinationIpv6CidrBlock?: string
  readonly destinationPrefixListId?: string
}

const TARGET_PARAMETERS: Record<keyof RouteTargets, string> = {
  gatewayId: 'GatewayId',
  natGatewayId: 'NatGatewayId',
  vpcPeeringConnectionId: 'VpcPeeringConnectionId',
  egressOnlyInternetGatewayId: 'EgressOnlyInternetGatewayId',
  networkInterfaceId: 'NetworkInterfaceId',
  instanceId: 'InstanceId',
  transitGatewayId: 'TransitGatewayId',
  localGatewayId: 'LocalGatewayId',
  carrierGatewayId: 'CarrierGatewayId',
  vpcEndpointId: 'VpcEndpointId',
  coreNetworkArn: 'CoreNetworkArn',
  odbNetworkArn: 'OdbNetworkArn',
  localTarget: 'LocalTarget',
}

interface Destination {
  readonly field: 'destinationCidrBlock' | 'destinationIpv6CidrBlock'
  readonly prefix: Prefix
  /** Canonical text, the key routes are matched by. */
  readonly text: string
}

function destinationOf(input: RouteInput): Destination {
  const given = [input.destinationCidrBlock, input.destinationIpv6CidrBlock, input.destinationPrefixListId]
  const count = given.filter((d) => d !== undefined).length
  if (count === 0) throw errors.missingParameter('DestinationCidrBlock or DestinationIpv6CidrBlock')
  if (count > 1) {
    throw errors.invalidParameterCombination(
      'Only one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId may be specified.',
    )
  }
  // vpcpeer has no prefix lists, so no id can name one.
  if (input.destinationPrefixListId !== undefined)
    throw errors.prefixListNotFound(input.destinationPrefixListId)
  const ipv6 = input.destinationIpv6CidrBlock !== undefined
  const field = ipv6 ? 'destinationIpv6CidrBlock' : 'destinationCidrBlock'
  const text = (ipv6 ? input.destinationIpv6CidrBlock : input.destinationCidrBlock)!
  const prefix = parsePrefix(text)
  if (prefix?.family !== (ipv6 ? 6 : 4)) throw errors.invalidCidr(field, text)
  return { field, prefix, text: formatPrefix(prefix) }
}

type TargetKind = 'local' | 'peering' | 'internet' | 'vpn' | 'nat' | 'egress-only' | 'interface'

interface Target {
  readonly kind: TargetKind
  readonly id: string
  readonly fields: Partial<Route>
}

/** Targets a route more specific than (or replacing) the local route may use (UG-rt). */
const MIDDLEBOX_TARGETS: ReadonlySet<TargetKind> = new Set(['nat', 'interface'])

const ownedBy = (ctx: Context, resource: Stored<unknown> | undefined) =>
  resource !== undefined && sameScope(resource.owner, ctx.caller)

/** The one target of a route, loaded and checked to belong to the table's VPC. */
async function resolveTarget(ctx: Context, table: StoredTable, input: RouteTargets): Promise<Target> {
  const given = (Object.keys(TARGET_PARAMETERS) as (keyof RouteTargets)[]).filter((key) =>
    key === 'localTarget' ? input.localTarget === true : input[key] !== undefined,
  )
  const names = given.map((key) => TARGET_PARAMETERS[key])
  if (given.length === 0) {
    throw errors.routeTargetMissing(
      Object.values(TARGET_PARAMETERS)
        .filter((n) => n !== 'LocalTarget')
        .join(', '),
    )
  }
  if (given.length > 1) throw errors.routeTargetsConflict(names.join(', '))
  const key = given[0]!
  const vpcId = table.body.vpcId
  const inNetwork = (target: Target, targetVpcId: string | undefined) => {
    if (targetVpcId !== vpcId) throw errors.differentNetworks(table.id, target.id)
    return target
  }
  if (key === 'localTarget') return { kind: 'local', id: 'local', fields: { gatewayId: 'local' } }
  const id = input[key] as string
  switch (key) {
    case 'gatewayId': {
      if (id === 'local') return { kind: 'local', id, fields: { gatewayId: 'local' } }
      // AWS takes a NAT gateway id in GatewayId too, and files the route under natGatewayId.
      if (id.startsWith(`${ids.natGateway.prefix}-`)) return resolveTarget(ctx, table, { natGatewayId: id })
      const gateway = await findGateway(ctx, id)
      const gatewayKind = id.startsWith(`${ids.vpnGateway.prefix}-`) ? 'vpn' : 'internet'
      return inNetwork({ kind: gatewayKind, id, fields: { gatewayId: id } }, gateway.attachedVpcId)
    }
    case 'natGatewayId': {
      checkId(ids.natGateway, id)
      const nat = await ctx.tx.get<NatGateway>(kinds.natGateway.type, id)
      const usable = nat?.body.state === 'available' || nat?.body.state === 'pending'
      if (!nat || !ownedBy(ctx, nat) || !usable) throw errors.natGatewayTargetNotFound(id)
      return inNetwork({ kind: 'nat', id, fields: { natGatewayId: id } }, nat.body.vpcId)
    }
    case 'vpcPeeringConnectionId': {
      const { peering } = await findPeering(ctx, id)
      const target: Target = { kind: 'peering', id, fields: { vpcPeeringConnectionId: id } }
      return inNetwork(target, sidesOf(peering, vpcId)?.local.vpcId)
    }
    case 'egressOnlyInternetGatewayId': {
      checkId(ids.egressOnlyInternetGateway, id)
      const gateway = await ctx.tx.get<EgressOnlyInternetGateway>(kinds.egressOnlyInternetGateway.type, id)
      if (!gateway || !ownedBy(ctx, gateway)) throw errors.notFound(ids.egressOnlyInternetGateway, id)
      const target: Target = { kind: 'egress-only', id, fields: { egressOnlyInternetGatewayId: id } }
      return inNetwork(target, gateway.body.vpcId)
    }
    case 'networkInterfaceId':
    case 'instanceId': {
      // Interfaces and instances are targets as soon as vpcpeer stores them as resources.
      const targetKind = key === 'networkInterfaceId' ? kinds.networkInterface : kinds.instance
      checkId(targetKind.id, id)
      const resource = await ctx.tx.get(targetKind.type, id)
      if (!resource || !ownedBy(ctx, resource)) throw errors.notFound(targetKind.id, id)
      const vpcOfTarget = resource.vpcId ?? (resource.body as { vpcId?: string }).vpcId
      return inNetwork({ kind: 'interface', id, fields: { [key]: id } }, vpcOfTarget)
    }
    default:
      throw errors.notModelled(TARGET_PARAMETERS[key], id)
  }
}

/**
 * What a destination allows (UG-rt): nothing into AWS's reserved ranges; an egress-only gateway
 * only for IPv6; `local` only for a block of the VPC; inside a VPC block only a NAT gateway or
 * an interface, and then only for a whole subnet's block.
 */
async function checkDestination(ctx: Context, table: StoredTable, destination: Destination, target: Target) {
  const { prefix, text } = destination
  if (RESERVED_DESTINATIONS.some((reserved) => contains(parsePrefix(reserved)!, prefix))) {
    throw errors.invalidParameterValue(
      `The destination CIDR block ${text} is reserved by AWS and cannot be routed.`,
    )
  }
  if (target.kind === 'egress-only' && prefix.family !== 6) {
    throw errors.invalidParameterValue(
      `Egress-only internet gateway ${target.id} only routes IPv6 destinations; ${text} is IPv4.`,
    )
  }
  const vpc = await vpcOf(ctx, table.body)
  const blocks = vpcCidrs(vpc.body)
  if (blocks.includes(text)) {
    if (target.kind !== 'local' && !MIDDLEBOX_TARGETS.has(target.kind)) throw errors.routeTargetNotSupported()
    return
  }
  if (target.kind === 'local') {
    throw errors.invalidParameterValue(
      `The local target only applies to a CIDR block of ${vpc.id}; ${text} is not one.`,
    )
  }
  if (!blocks.some((block) => contains(parsePrefix(block)!, prefix))) return
  if (!MIDDLEBOX_TARGETS.has(target.kind)) throw errors.routeTargetNotSupported()
  const subnets = await ctx.tx.list<Subnet>(kinds.subnet.type, { vpcId: vpc.id })
  const subnetBlocks = subnets.flatMap((s) => [
    s.body.cidrBlock,
    ...s.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
  ])
  if (!subnetBlocks.includes(text)) {
    throw errors.invalidParameterValue(
      `The destination CIDR block ${text} is more specific than a CIDR block of ${vpc.id}; it must match a subnet's CIDR block exactly.`,
    )
  }
}

const routeIndex = (table: RouteTable, destination: Destination) =>
  table.routes.findIndex((r) => routeDestination(r) === destination.text)

/** The VPC-block routes AWS creates with the table; their target may change, they never go. */
const isVpcBlockRoute = (route: Route) => route.origin === 'CreateRouteTable'

export async function createRoute(ctx: Context, input: RouteInput) {
  const table = await findTable(ctx, input.routeTableId)
  const destination = destinationOf(input)
  const target = await resolveTarget(ctx, table, input)
  if (routeIndex(table.body, destination) >= 0) throw errors.routeAlreadyExists(destination.text)
  await checkDestination(ctx, table, destination, target)
  const ipv6 = destination.prefix.family === 6
  const sameFamily = table.body.routes.filter(
    (r) => isIpv6Route(r) === ipv6 && r.origin !== 'EnableVgwRoutePropagation',
  )
  if (sameFamily.length >= ROUTE_TABLE_LIMITS.routesPerFamily) {
    throw errors.routeLimitExceeded(table.id, ROUTE_TABLE_LIMITS.routesPerFamily)
  }
  const route: Route = { [destination.field]: destination.text, ...target.fields, origin: 'CreateRoute' }
  await ctx.tx.update(table, { ...table.body, routes: [...table.body.routes, route] })
}

export async function replaceRoute(ctx: Context, input: RouteInput) {
  const table = await findTable(ctx, input.routeTableId)
  const destination = destinationOf(input)
  const index = routeIndex(table.body, destination)
  if (index < 0) throw errors.noRouteToReplace(destination.text)
  const existing = table.body.routes[index]!
  const target = await resolveTarget(ctx, table, input)
  await checkDestination(ctx, table, destination, target)
  const route: Route = { [destination.field]: destination.text, ...target.fields, origin: existing.origin }
  const routes = table.body.routes.map((r, i) => (i === index ? route : r))
  await ctx.tx.update(table, { ...table.body, routes })
}

export async function deleteRoute(ctx: Context, input: RouteInput) {
  const table = await findTable(ctx, input.routeTableId)
  const destination = destinationOf(input)
  const index = routeIndex(table.body, destination)
  if (index < 0) throw errors.routeNotFound(destination.text, table.id)
  if (isVpcBlockRoute(table.body.routes[index]!))
    throw errors.localRouteUndeletable(destination.text, table.id)
  await ctx.tx.update(table, { ...table.body, routes: table.body.routes.filter((_, i) => i !== index) })
}

// Route propagation

/** A propagating table lists the VGW; the routes it would learn come from VPN connections vpcpeer does not model. */
export async function setVgwRoutePropagation(
  ctx: Context,
  input: { routeTableId: string; gatewayId: string; enabled: boolean },
) {
  const table = await findTable(ctx, input.routeTableId)
  const vgw = await findOwned<VpnGateway>(ctx, kinds.vpnGateway, input.gatewayId)
  if (input.enabled && attachedVpcOf(vgw.body) !== table.body.vpcId) {
    throw errors.gatewayNotAttached(vgw.id, table.body.vpcId)
  }
  const others = table.body.propagatingVgws.filter((id) => id !== vgw.id)
  const propagatingVgws = input.enabled ? [...others, vgw.id] : others
  await ctx.tx.update(table, { ...table.body, propagatingVgws })
}
